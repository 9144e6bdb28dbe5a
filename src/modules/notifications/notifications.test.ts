import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq, inArray, sql } from 'drizzle-orm';
import { createTestContext, eventually, type TestContext } from '../../test/context.js';
import { startSmtpSink, decodeQuotedPrintable, type SmtpSink } from '../../test/smtp.js';
import { createUserWithToken } from '../../test/users.js';
import { insertEvent } from '../../test/events.js';
import { putOnPlan } from '../../test/subscriptions.js';
import { notificationDeliveries, notifications, pushTokens } from './tables.js';
import { notify } from './service.js';
import { notificationSettings, afterQuietHours } from './settings.js';
import { follows, users } from '../users/tables.js';
import { eventParticipations } from '../events/tables.js';
import { queuedJobs, runJob } from '../../test/jobs.js';
import { deliverJob } from './delivery.js';
import { FANOUT_JOB, fanoutJob, type FanoutData } from './audiences.js';
import { cleanupJob, remindersJob } from './jobs.js';

let smtp: SmtpSink;
let ctx: TestContext;

before(async () => {
  smtp = await startSmtpSink();
  ctx = await createTestContext({ work: true, env: { ...smtp.env, NOTIFICATIONS_QUIET_HOURS: '' } });
});
after(async () => {
  await ctx.close();
  await smtp.close();
});

const db = () => ctx.database.db;
const deps = () => ({ jobs: ctx.jobs, settings: notificationSettings(ctx.config) });
const inboxOf = (userId: number) => db().select().from(notifications).where(eq(notifications.utilisateurId, userId));
async function deliveriesOf(userId: number) {
  return db()
    .select({ d: notificationDeliveries, type: notifications.typeNotification })
    .from(notificationDeliveries)
    .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
    .where(eq(notifications.utilisateurId, userId));
}
const mailTo = (email: string) => eventually(async () => smtp.received.find((m) => m.to.includes(email)));

test('approving an event tells its organizer (inbox + real SMTP) and its followers, once each', async () => {
  const staff = await createUserWithToken(db(), { isStaff: true });
  const org = await createUserWithToken(db(), { firstName: 'Koffi' });
  const fan = await createUserWithToken(db(), { firstName: 'Awa' });
  await db().insert(follows).values({ followerId: fan.user.id, followedId: org.user.id });
  const id = await insertEvent(db(), org.user.id, { statut: 'EN_ATTENTE', titre: 'Festival <Anoumabo>' });

  const r = await ctx.app.inject({ method: 'POST', url: `/api/admin/events/${id}/approve/`, headers: staff.headers });
  assert.equal(r.statusCode, 200, r.body);
  const [n] = await inboxOf(org.user.id);
  assert.equal(n!.typeNotification, 'EVENEMENT_VALIDE');
  assert.equal(n!.titre, 'Événement validé');
  assert.equal(n!.message, '« Festival <Anoumabo> » est maintenant visible sur SpotVibe.');
  assert.deepEqual(n!.donnees, { event_id: id });
  const mail = await mailTo(org.user.email);
  const body = decodeQuotedPrintable(mail.raw);
  assert.match(body, /Bonjour Koffi/);
  assert.match(body, /Festival &lt;Anoumabo&gt;/); // escaped in the HTML part
  assert.match(body, /« Festival <Anoumabo> » a été validé/); // as is in the text part
  const [d] = await eventually(async () => {
    const rows = await deliveriesOf(org.user.id);
    return rows.every((x) => x.d.statut === 'ENVOYEE') && rows.length ? rows : undefined;
  });
  assert.equal(d!.d.canal, 'EMAIL'); // no push token, no SMS for this type
  assert.ok(d!.d.idMessageFournisseur);

  const fanNote = await eventually(async () => (await inboxOf(fan.user.id))[0]);
  assert.equal(fanNote.typeNotification, 'NOUVEL_EVENEMENT');
  assert.match(fanNote.titre, /Nouvel événement de Koffi/);
  // Staff were told of the submission? (inserted directly: no) — and a second approval is refused, never re-notified.
  assert.equal((await inboxOf(staff.user.id)).length, 0);
});

test('submitting an event tells staff', async () => {
  const staff = await createUserWithToken(db(), { isStaff: true });
  const org = await createUserWithToken(db(), {});
  const id = await insertEvent(db(), org.user.id, { statut: 'BROUILLON' });
  const r = await ctx.app.inject({ method: 'POST', url: `/api/events/${id}/submit/`, headers: org.headers });
  assert.equal(r.statusCode, 200, r.body);
  const notes = await inboxOf(staff.user.id);
  assert.ok(notes.some((x) => x.typeNotification === 'EVENEMENT_SOUMIS' && (x.donnees as { event_id: number }).event_id === id));
});

test('inbox: newest first, unread filter and count, mark read, mark all read, delete; another user’s is a 404', async () => {
  const me = await createUserWithToken(db());
  const other = await createUserWithToken(db());
  for (const k of ['a', 'b', 'c']) {
    await notify(db(), deps(), {
      type: 'NOUVEL_ABONNE',
      userIds: [me.user.id],
      dedupKey: `t:${k}`,
      data: { 'abonne.nom': k, 'abonne.id': '1' },
    });
  }
  await notify(db(), deps(), {
    type: 'NOUVEL_ABONNE',
    userIds: [other.user.id],
    dedupKey: 't:x',
    data: { 'abonne.nom': 'x', 'abonne.id': '1' },
  });
  const list = (await ctx.app.inject({ url: '/api/notifications/', headers: me.headers })).json();
  assert.equal(list.count, 3);
  assert.deepEqual(
    list.results.map((n: { message: string }) => n.message),
    ['c vous suit désormais.', 'b vous suit désormais.', 'a vous suit désormais.'],
  );
  assert.deepEqual(Object.keys(list.results[0]).sort(), ['date_creation', 'donnees', 'id', 'lue', 'message', 'titre', 'type_notification']);
  const first = list.results[2].id;
  const read = await ctx.app.inject({ method: 'POST', url: `/api/notifications/${first}/read/`, headers: me.headers });
  assert.equal(read.statusCode, 200);
  assert.equal(read.json().lue, true);
  assert.equal((await ctx.app.inject({ url: '/api/notifications/?lue=false', headers: me.headers })).json().count, 2);
  assert.equal((await ctx.app.inject({ url: '/api/notifications/?lue=true', headers: me.headers })).json().count, 1);
  assert.deepEqual((await ctx.app.inject({ url: '/api/notifications/unread-count/', headers: me.headers })).json(), { count: 2 });

  const [theirs] = await inboxOf(other.user.id);
  for (const [method, url] of [
    ['POST', `/api/notifications/${theirs!.id}/read/`],
    ['DELETE', `/api/notifications/${theirs!.id}/`],
    ['GET', `/api/notifications/${theirs!.id}/`],
  ] as const) {
    const res = await ctx.app.inject({ method, url, headers: me.headers });
    assert.equal(res.statusCode, 404, `${method} ${url}`);
    assert.equal(res.json().error, 'Notification introuvable.');
  }
  assert.deepEqual((await ctx.app.inject({ method: 'POST', url: '/api/notifications/read-all/', headers: me.headers })).json(), {
    updated: 2,
  });
  assert.deepEqual((await ctx.app.inject({ url: '/api/notifications/unread-count/', headers: me.headers })).json(), { count: 0 });
  assert.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/notifications/${first}/`, headers: me.headers })).statusCode, 204);
  assert.equal((await ctx.app.inject({ url: '/api/notifications/', headers: me.headers })).json().count, 2);
  assert.equal((await inboxOf(other.user.id))[0]!.lue, false);
  assert.equal((await ctx.app.inject({ url: '/api/notifications/' })).statusCode, 401);
});

test('one notification per domain event and user, whatever the repeats', async () => {
  const me = await createUserWithToken(db());
  const req = {
    type: 'NOUVEL_ABONNE',
    userIds: [me.user.id, me.user.id],
    dedupKey: 'follow:dup',
    data: { 'abonne.nom': 'Yao', 'abonne.id': '2' },
  };
  assert.equal(await notify(db(), deps(), req), 1);
  assert.equal(await notify(db(), deps(), req), 0);
  await Promise.all([notify(db(), deps(), req), notify(db(), deps(), req)]);
  assert.equal((await inboxOf(me.user.id)).length, 1);
});

test('preferences: every type × channel with defaults; PUT changes those given; unknown type or channel is a 400 naming it', async () => {
  const me = await createUserWithToken(db());
  const prefs = (await ctx.app.inject({ url: '/api/notifications/preferences/', headers: me.headers })).json();
  const get = (list: { type_notification: string; canal: string; actif: boolean }[], t: string, c: string) =>
    list.find((p) => p.type_notification === t && p.canal === c)?.actif;
  assert.equal(get(prefs, 'PAIEMENT_REUSSI', 'SMS'), true);
  assert.equal(get(prefs, 'NOUVEL_EVENEMENT', 'SMS'), false);
  assert.equal(get(prefs, 'EVENEMENT_VALIDE', 'EMAIL'), true);
  assert.equal(get(prefs, 'COMPTE_REINITIALISATION', 'EMAIL'), undefined); // transactional: not a preference
  const put = await ctx.app.inject({
    method: 'PUT',
    url: '/api/notifications/preferences/',
    headers: me.headers,
    payload: [{ type_notification: 'EVENEMENT_VALIDE', canal: 'EMAIL', actif: false }],
  });
  assert.equal(put.statusCode, 200);
  assert.equal(get(put.json(), 'EVENEMENT_VALIDE', 'EMAIL'), false);
  assert.equal(put.json().length, prefs.length);
  const bad = await ctx.app.inject({
    method: 'PUT',
    url: '/api/notifications/preferences/',
    headers: me.headers,
    payload: [
      { type_notification: 'INCONNU', canal: 'EMAIL', actif: true },
      { type_notification: 'EVENEMENT_VALIDE', canal: 'FAX', actif: true },
    ],
  });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().details['0.type_notification'][0], /INCONNU/);
  assert.match(bad.json().details['1.canal'][0], /FAX/);

  // The choice is applied: no email for an approval, still the inbox.
  const id = await insertEvent(db(), me.user.id, { statut: 'EN_ATTENTE' });
  const staff = await createUserWithToken(db(), { isStaff: true });
  assert.equal((await ctx.app.inject({ method: 'POST', url: `/api/admin/events/${id}/approve/`, headers: staff.headers })).statusCode, 200);
  assert.equal((await inboxOf(me.user.id)).length, 1);
  assert.equal((await deliveriesOf(me.user.id)).length, 0);
});

test('global switches notifications_email / notifications_push turn a channel off; critical ones ignore quiet hours, others wait', async () => {
  const me = await createUserWithToken(db());
  await db().update(users).set({ notificationsEmail: false }).where(eq(users.id, me.user.id));
  await db()
    .insert(pushTokens)
    .values({ utilisateurId: me.user.id, token: `tok-${me.user.id}`, plateforme: 'ANDROID' });
  const quiet = {
    jobs: ctx.jobs,
    settings: { quiet: { start: 22 * 60, end: 7 * 60 }, timeZone: 'Africa/Abidjan' },
    now: () => new Date('2026-12-02T23:10:00Z'),
  };
  await notify(db(), quiet, {
    type: 'NOUVEL_ABONNE',
    userIds: [me.user.id],
    dedupKey: 'q:1',
    data: { 'abonne.nom': 'A', 'abonne.id': '1' },
  });
  await notify(db(), quiet, {
    type: 'PAIEMENT_ECHOUE',
    userIds: [me.user.id],
    dedupKey: 'q:2',
    data: { 'event.titre': 'X', 'event.titre_court': 'X', montant: '1 000 F CFA', reference: 'R', statut: 'ECHOUE' },
  });
  const ds = await deliveriesOf(me.user.id);
  const by = (type: string) => ds.filter((x) => x.type === type).map((x) => [x.d.canal, x.d.envoyerApres.toISOString()]);
  assert.deepEqual(by('NOUVEL_ABONNE'), [['PUSH', '2026-12-03T07:00:00.000Z']]);
  assert.deepEqual(by('PAIEMENT_ECHOUE').sort(), [
    ['PUSH', '2026-12-02T23:10:00.000Z'],
    ['SMS', '2026-12-02T23:10:00.000Z'],
  ]);
  await db().update(users).set({ notificationsPush: false }).where(eq(users.id, me.user.id));
  await notify(db(), deps(), {
    type: 'NOUVEL_ABONNE',
    userIds: [me.user.id],
    dedupKey: 'q:3',
    data: { 'abonne.nom': 'B', 'abonne.id': '1' },
  });
  assert.equal((await deliveriesOf(me.user.id)).length, 3);
});

test('quiet hours across midnight, in the configured zone', () => {
  const s = { quiet: { start: 22 * 60, end: 7 * 60 }, timeZone: 'Africa/Abidjan' };
  const at = (iso: string) => afterQuietHours(new Date(iso), s).toISOString();
  assert.equal(at('2026-12-02T21:59:00Z'), '2026-12-02T21:59:00.000Z');
  assert.equal(at('2026-12-02T22:00:00Z'), '2026-12-03T07:00:00.000Z');
  assert.equal(at('2026-12-03T03:30:00Z'), '2026-12-03T07:00:00.000Z');
  assert.equal(at('2026-12-03T07:00:00Z'), '2026-12-03T07:00:00.000Z');
  assert.equal(
    afterQuietHours(new Date('2026-12-02T21:30:00Z'), { quiet: s.quiet, timeZone: 'Europe/Paris' }).toISOString(),
    '2026-12-03T06:00:00.000Z',
  );
});

test('push tokens: several devices, 201 then 200, moved from another account, bad platform or too long is a 400, logout of that device deactivates it', async () => {
  const me = await createUserWithToken(db());
  const other = await createUserWithToken(db());
  const post = (h: Record<string, string>, payload: object) =>
    ctx.app.inject({ method: 'POST', url: '/api/notifications/push-tokens/', headers: h, payload });
  const a = await post(me.headers, { token: `fcm-a-${me.user.id}`, plateforme: 'ANDROID' });
  assert.equal(a.statusCode, 201, a.body);
  assert.equal((await post(me.headers, { token: `fcm-a-${me.user.id}`, plateforme: 'ANDROID' })).statusCode, 200);
  assert.equal((await post(me.headers, { token: `apns-b-${me.user.id}`, plateforme: 'IOS' })).statusCode, 201);
  const moved = await post(other.headers, { token: `apns-b-${me.user.id}`, plateforme: 'IOS' });
  assert.equal(moved.statusCode, 200);
  assert.equal((await ctx.app.inject({ url: '/api/notifications/push-tokens/', headers: me.headers })).json().length, 1);
  const badPlatform = await post(me.headers, { token: 'x', plateforme: 'WINDOWS' });
  assert.equal(badPlatform.statusCode, 400);
  assert.match(badPlatform.json().details.plateforme[0], /WINDOWS/);
  const tooLong = await post(me.headers, { token: 'x'.repeat(513), plateforme: 'WEB' });
  assert.equal(tooLong.statusCode, 400);
  assert.match(tooLong.json().details.token[0], /trop long/);
  assert.equal(
    (await ctx.app.inject({ method: 'DELETE', url: `/api/notifications/push-tokens/${moved.json().id}/`, headers: me.headers })).statusCode,
    404,
  );

  // Logging this device out stops its pushes; the other account's device is untouched.
  assert.equal((await ctx.app.inject({ method: 'POST', url: '/api/users/logout/', headers: me.headers })).statusCode, 204);
  const [t] = await db().select().from(pushTokens).where(eq(pushTokens.id, a.json().id));
  assert.equal(t!.actif, false);
  const [o] = await db().select().from(pushTokens).where(eq(pushTokens.id, moved.json().id));
  assert.equal(o!.actif, true);
});

test('staff templates: listed with variables, a bad one refused with its line, a good one used; broken stored text falls back visibly', async () => {
  const staff = await createUserWithToken(db(), { isStaff: true });
  const list = (await ctx.app.inject({ url: '/api/admin/notification-templates/', headers: staff.headers })).json();
  const t = list.find((x: { type_notification: string }) => x.type_notification === 'NOUVEL_ABONNE');
  assert.ok(t.variables.includes('abonne.nom'));
  const patch = (payload: object) =>
    ctx.app.inject({ method: 'PATCH', url: `/api/admin/notification-templates/${t.id}/`, headers: staff.headers, payload });
  const bad = await patch({ contenu_push: 'Bonjour\n{{ abonne.age }}' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().details.contenu_push[0], /ligne 2 : variable inconnue « abonne.age »/);
  const good = await patch({ contenu_push: '{{ abonne.nom }} vous suit !' });
  assert.equal(good.statusCode, 200);
  const me = await createUserWithToken(db());
  await notify(db(), deps(), {
    type: 'NOUVEL_ABONNE',
    userIds: [me.user.id],
    dedupKey: 'tpl:1',
    data: { 'abonne.nom': 'Yao', 'abonne.id': '1' },
  });
  assert.equal((await inboxOf(me.user.id))[0]!.message, 'Yao vous suit !');
  assert.equal(
    (await ctx.app.inject({ url: '/api/admin/notification-templates/', headers: { authorization: me.headers.authorization } })).statusCode,
    403,
  );

  // A stored template that renders empty (saved before a check existed, or edited in the database) falls back.
  await db().execute(
    sql`UPDATE notification_templates SET contenu_email = '{{ si event.titre }}{{ fin }}' WHERE type_notification = 'EVENEMENT_VALIDE'`,
  );
  const org = await createUserWithToken(db(), {});
  const id = await insertEvent(db(), org.user.id, { statut: 'EN_ATTENTE', titre: 'Secours' });
  assert.equal((await ctx.app.inject({ method: 'POST', url: `/api/admin/events/${id}/approve/`, headers: staff.headers })).statusCode, 200);
  const [d] = await deliveriesOf(org.user.id);
  assert.equal(d!.d.modeleDeSecours, true);
  assert.match(d!.d.erreurModele!, /vide/);
  assert.match(d!.d.contenu.texte!, /« Secours » a été validé/);
  const views = (
    await ctx.app.inject({ url: '/api/admin/notification-deliveries/?modele_de_secours=true', headers: staff.headers })
  ).json();
  assert.ok(views.results.some((x: { id: number }) => x.id === d!.d.id));
  const tl = (await ctx.app.inject({ url: '/api/admin/notification-templates/', headers: staff.headers })).json();
  assert.ok(tl.find((x: { type_notification: string }) => x.type_notification === 'EVENEMENT_VALIDE').echecs_modele_7j >= 1);
});

test('template preview: every channel with the sample values, unsaved edits on top, line errors per field, nothing stored', async () => {
  const staff = await createUserWithToken(db(), { isStaff: true });
  const preview = (payload: object, type = 'EVENEMENT_ANNULE', headers = staff.headers) =>
    ctx.app.inject({ method: 'POST', url: `/api/admin/notification-templates/${type}/preview/`, headers, payload });
  const saved = (await ctx.app.inject({ url: '/api/admin/notification-templates/', headers: staff.headers }))
    .json()
    .find((x: { type_notification: string }) => x.type_notification === 'EVENEMENT_ANNULE');

  const plain = await preview({});
  assert.equal(plain.statusCode, 200, plain.body);
  const p = plain.json();
  assert.deepEqual(p.erreurs, {});
  assert.equal(p.variables['event.titre_court'], 'Concert Magic System');
  assert.ok(p.sms.texte.includes('Concert Magic System'), p.sms.texte);
  assert.deepEqual([p.sms.segments, p.sms.encodage], [1, 'GSM-7']);
  assert.ok(p.push.titre && p.push.corps.includes('Concert Magic System'));
  assert.ok(p.email.sujet && p.email.html.startsWith('<!doctype html>'));

  // Unsaved edits: a long SMS counts its segments; the email comes as the HTML sent and as its text part.
  const edited = (
    await preview({ contenu_sms: `{{ event.titre_court }} ${'x'.repeat(150)}`, contenu_email: 'Fin de <b>{{ event.titre }}</b>' })
  ).json();
  assert.deepEqual([edited.sms.segments, edited.sms.encodage, edited.sms.caracteres], [2, 'GSM-7', 'Concert Magic System'.length + 151]);
  assert.ok(edited.email.html.includes('<p>Fin de <b>Concert Magic System</b></p>'), edited.email.html);
  assert.equal(edited.email.texte, 'Fin de <b>Concert Magic System</b>');

  // A field refused at save time: its line, its channel not drawn, the other channels still are.
  const broken = await preview({ contenu_sms: 'SpotVibe:\n{{ event.prix }}' });
  assert.equal(broken.statusCode, 200);
  const b = broken.json();
  assert.match(b.erreurs.contenu_sms[0], /^Modèle invalide, ligne 2 : variable inconnue « event.prix »/);
  assert.equal(b.sms, null);
  assert.ok(b.email && b.push);
  // A field that renders empty shows the seeded text that would really be sent, and says so.
  const empty = (await preview({ titre_push: '{{ si motif }}{{ fin }}' })).json();
  assert.equal(empty.push.titre, p.push.titre);
  assert.match(empty.secours.PUSH, /texte vide/);

  const after = (await ctx.app.inject({ url: `/api/admin/notification-templates/${saved.id}/`, headers: staff.headers })).json();
  assert.equal(after.contenu_sms, saved.contenu_sms, 'a preview stores nothing');
  assert.equal(after.date_modification, saved.date_modification);
  assert.equal((await preview({}, 'PAS_UN_TYPE')).statusCode, 404);
  const someone = await createUserWithToken(db(), {});
  assert.equal((await preview({}, 'EVENEMENT_ANNULE', someone.headers)).statusCode, 403);
});

test('organizer messages: 202 with the count, delivered through preferences, rate-limited, creator only', async () => {
  const org = await createUserWithToken(db(), {});
  // Writing to participants is a plan feature (messages_participants); its refusal is in subscriptions' tests.
  await putOnPlan(db(), org.user.id, 'essentiel');
  const p1 = await createUserWithToken(db(), {});
  const p2 = await createUserWithToken(db(), {});
  const id = await insertEvent(db(), org.user.id, { statut: 'VALIDE', titre: 'Concert' });
  await db()
    .insert(eventParticipations)
    .values([p1, p2].map((p) => ({ utilisateurId: p.user.id, evenementId: id, statut: 'CONFIRME' as const })));
  const send = (h: Record<string, string>, i: number) =>
    ctx.app.inject({
      method: 'POST',
      url: `/api/events/${id}/messages/`,
      headers: h,
      payload: { titre: `Info ${i}`, message: 'Portes à 19 h.' },
    });
  assert.equal((await send(p1.headers, 0)).statusCode, 403);
  const r = await send(org.headers, 1);
  assert.equal(r.statusCode, 202, r.body);
  assert.deepEqual(r.json(), { destinataires: 2 });
  const got = await eventually(async () => (await inboxOf(p2.user.id))[0]);
  assert.equal(got.typeNotification, 'MESSAGE_ORGANISATEUR');
  assert.equal(got.titre, 'Info 1');
  await send(org.headers, 2);
  await send(org.headers, 3);
  const limited = await send(org.headers, 4);
  assert.equal(limited.statusCode, 429);
  assert.ok(limited.headers['retry-after']);
  assert.match(limited.json().error, /déjà envoyé 3 messages/);
});

test('account messages (transactional) are sent, never shown in the inbox, and their link is not kept once sent', async () => {
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/users/register/',
    payload: {
      username: 'bintou.n',
      email: 'bintou@example.com',
      password: 'Soleil-Cocody-2026',
      password_confirm: 'Soleil-Cocody-2026',
      first_name: 'Bintou',
      last_name: 'N',
      telephone: '+2250709080706',
    },
  });
  assert.equal(r.statusCode, 201, r.body);
  const mail = await mailTo('bintou@example.com');
  assert.match(decodeQuotedPrintable(mail.raw), /Bonjour Bintou/);
  const userId = r.json().user.id;
  assert.equal(
    (await ctx.app.inject({ url: '/api/notifications/', headers: { authorization: `Token ${r.json().token}` } })).json().count,
    0,
  );
  const ds = await eventually(async () => {
    const rows = await deliveriesOf(userId);
    return rows.length && rows.every((x) => x.d.statut === 'ENVOYEE') ? rows : undefined;
  });
  assert.deepEqual(Object.keys(ds[0]!.d.contenu), ['sujet']);
  const rows = await db()
    .select()
    .from(notifications)
    .where(inArray(notifications.utilisateurId, [userId]));
  assert.equal(rows[0]!.message, '');
});

test('exactly once under duplicated delivery jobs: two workers given the same ids send one email', async () => {
  const me = await createUserWithToken(db(), {});
  // Written outside any worker's reach: no job is queued, the test plays the duplicated jobs itself.
  const [n] = await db()
    .insert(notifications)
    .values({ utilisateurId: me.user.id, typeNotification: 'NOUVEL_ABONNE', titre: 't', message: 'm', cleDedup: 'dup:jobs' })
    .returning();
  const [d] = await db()
    .insert(notificationDeliveries)
    .values({ notificationId: n!.id, canal: 'EMAIL', destinataire: me.user.email, contenu: { sujet: 'Une fois', texte: 'Une seule fois' } })
    .returning();
  await Promise.all([runJob(ctx.runtime, deliverJob, { ids: [d!.id] }), runJob(ctx.runtime, deliverJob, { ids: [d!.id, d!.id] })]);
  await runJob(ctx.runtime, deliverJob, { ids: [d!.id] });
  await mailTo(me.user.email);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(smtp.received.filter((m) => m.to.includes(me.user.email)).length, 1);
  const [after] = await db().select().from(notificationDeliveries).where(eq(notificationDeliveries.id, d!.id));
  assert.deepEqual([after!.statut, after!.tentatives], ['ENVOYEE', 1]);
});

test('reminders 24 h and 2 h before, once each per participant; the daily prune removes old read notifications and deliveries', async () => {
  const org = await createUserWithToken(db(), {});
  const p = await createUserWithToken(db(), {});
  const now = new Date('2026-12-10T10:00:00Z');
  const id = await insertEvent(db(), org.user.id, {
    statut: 'VALIDE',
    dateDebut: new Date(now.getTime() + 20 * 3_600_000),
    titre: 'Rappel',
  });
  await db().insert(eventParticipations).values({ utilisateurId: p.user.id, evenementId: id, statut: 'CONFIRME' });
  const fanouts = async () => (await queuedJobs<FanoutData>(ctx.database, FANOUT_JOB)).filter((f) => f.eventId === id);
  await runJob(ctx.runtime, remindersJob, { now: now.toISOString() });
  const first = await fanouts();
  assert.deepEqual(
    first.map((f) => [f.type, f.dedupKey, f.data?.delai]),
    [['RAPPEL_EVENEMENT', `rappel:${id}:24h`, 'demain']],
  );
  for (const f of first) await runJob(ctx.runtime, fanoutJob, f);
  for (const f of first) await runJob(ctx.runtime, fanoutJob, f); // a repeat notifies nobody twice
  await runJob(ctx.runtime, remindersJob, { now: new Date(now.getTime() + 19 * 3_600_000).toISOString() });
  const all = await fanouts();
  assert.ok(all.some((f) => f.dedupKey === `rappel:${id}:2h` && f.data?.delai === 'dans 2 heures'));
  for (const f of all) await runJob(ctx.runtime, fanoutJob, f);
  const mine = (await inboxOf(p.user.id)).filter((x) => x.typeNotification === 'RAPPEL_EVENEMENT');
  assert.equal(mine.length, 2);

  await db().execute(
    sql`UPDATE notifications SET lue = true, date_lecture = now() - interval '100 days' WHERE utilisateur_id = ${p.user.id}`,
  );
  await db().execute(
    sql`UPDATE notification_deliveries SET date_creation = now() - interval '40 days', statut = 'ENVOYEE'
         WHERE notification_id IN (SELECT id FROM notifications WHERE utilisateur_id = ${p.user.id})`,
  );
  const fresh = await createUserWithToken(db(), {});
  await notify(db(), deps(), {
    type: 'NOUVEL_ABONNE',
    userIds: [fresh.user.id],
    dedupKey: 'prune:keep',
    data: { 'abonne.nom': 'Z', 'abonne.id': '1' },
  });
  await runJob(ctx.runtime, cleanupJob, {});
  assert.equal((await inboxOf(p.user.id)).length, 0);
  assert.equal((await inboxOf(fresh.user.id)).length, 1);
});
