/**
 * Issue 11, medium 4: an approved event rewritten into a scam ("Arnaque : payez au +225 07…") stayed public.
 * Content changes to a VALIDE event now wait as a revision; the published version stays until staff approve.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { categoryIds, DAY, insertEvent } from '../../test/events.js';
import { createUser, createUserWithToken } from '../../test/users.js';
import { signInStaff } from '../../test/admin.js';
import { multipartBody } from '../../test/http.js';
import { queuedJobs } from '../../test/jobs.js';
import { auditLogs } from '../../core/audit.js';
import { eventRevisions, events } from './tables.js';
import { FANOUT_JOB, type FanoutData } from '../notifications/audiences.js';
import { queuedMessages } from '../../test/notifications.js';

let ctx: TestContext;
let organizer: Awaited<ReturnType<typeof createUserWithToken>>;
let staff: Awaited<ReturnType<typeof createUserWithToken>>;
let visitor: Awaited<ReturnType<typeof createUserWithToken>>;
let categories: number[];
const mediaRoot = mkdtempSync(path.join(tmpdir(), 'sv-media-'));

before(async () => {
  ctx = await createTestContext({ env: { MEDIA_ROOT: mediaRoot } });
  organizer = await createUserWithToken(ctx.database.db);
  staff = await createUserWithToken(ctx.database.db, { isStaff: true });
  visitor = await createUserWithToken(ctx.database.db);
  categories = await categoryIds(ctx.database.db);
});
after(async () => {
  await ctx.close();
  rmSync(mediaRoot, { recursive: true, force: true });
});

const SCAM = { titre: 'Arnaque : payez au +225 07 00 00 00 00', description: 'Envoyez 10 000 F par Wave au +225 07 00 00 00 00.' };
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

const patch = (id: number, payload: object, headers = organizer.headers) =>
  ctx.app.inject({ method: 'PATCH', url: `/api/events/${id}/`, headers, payload });
const get = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ url, headers });
const post = (url: string, payload?: object, headers = staff.headers) =>
  ctx.app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });
const published = async (id: number) => (await get(`/api/events/${id}/`)).json();
async function emailsTo(to: string) {
  return (await queuedMessages(ctx.database, 'EMAIL')).filter((d) => d.to === to);
}
async function join(eventId: number) {
  const p = await createUserWithToken(ctx.database.db);
  const r = await ctx.app.inject({ method: 'POST', url: `/api/events/${eventId}/participate/`, headers: p.headers });
  assert.equal(r.statusCode, 201, r.body);
  return p;
}
const notifications = async (eventId: number) =>
  (await queuedJobs<FanoutData>(ctx.database, FANOUT_JOB))
    .filter((j) => j.eventId === eventId && j.type === 'EVENEMENT_MODIFIE')
    .map((j) => ({ changes: j.data!.changements!.split('\n') }));

test('the scam rewrite of an approved event stays unpublished until staff decide; the public sees the approved version', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { titre: 'Festival Zouglou', description: 'Trois jours de musique.' });
  const r = await patch(id, SCAM);
  assert.equal(r.statusCode, 200, r.body);
  const body = r.json();
  // The answer is the published event, with the change that waits.
  assert.equal(body.titre, 'Festival Zouglou');
  assert.equal(body.statut, 'VALIDE');
  assert.deepEqual(body.revision_en_attente.champs, ['titre', 'description']);

  for (const headers of [{}, visitor.headers]) {
    const seen = (await get(`/api/events/${id}/`, headers)).json();
    assert.equal(seen.titre, 'Festival Zouglou');
    assert.equal(seen.description, 'Trois jours de musique.');
    assert.equal(seen.revision_en_attente, undefined, 'the public does not see that a revision exists');
  }
  const list = (await get('/api/events/?search=arnaque')).json();
  assert.equal(list.count, 0, 'search does not find the unpublished words');
  assert.ok((await get('/api/events/?search=zouglou')).json().results.some((e: { id: number }) => e.id === id));

  // Staff see it in their queue with the diff.
  const queue = (await get('/api/admin/events/revisions/', staff.headers)).json();
  const rev = queue.results.find((x: { evenement: { id: number } }) => x.evenement.id === id);
  assert.ok(rev, 'in the staff queue');
  assert.equal(rev.statut, 'EN_ATTENTE');
  assert.equal(rev.auteur.id, organizer.user.id);
  assert.deepEqual(
    rev.modifications.map((m: { champ: string; avant: unknown; apres: unknown }) => [m.champ, m.avant, m.apres]),
    [
      ['titre', 'Festival Zouglou', SCAM.titre],
      ['description', 'Trois jours de musique.', SCAM.description],
    ],
  );

  // Rejected: the published version never changed; the organizer reads the reason.
  const rejected = await post(`/api/admin/events/revisions/${rev.id}/reject/`, { motif: 'Demande de paiement hors plateforme.' });
  assert.equal(rejected.statusCode, 200, rejected.body);
  assert.equal(rejected.json().revision.statut, 'REJETEE');
  assert.equal((await published(id)).titre, 'Festival Zouglou');
  const mail = (await emailsTo(organizer.user.email)).at(-1)!;
  assert.match(mail.subject, /Votre modification a été refusée : Festival Zouglou/);
  assert.match(mail.text, /Motif : Demande de paiement hors plateforme\./);
  assert.equal((await get(`/api/events/${id}/revision/`, organizer.headers)).statusCode, 404);
  const [entry] = await ctx.database.db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.cible, `event:${id}`), eq(auditLogs.action, 'event.revision.reject')));
  assert.equal(entry!.userId, staff.user.id);
  assert.equal(entry!.parPersonnel, true);
});

test('approval publishes the change, tells the organizer, and journals the diff', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { titre: 'Soirée Coupé-Décalé' });
  await patch(id, {
    titre: 'Soirée Coupé-Décalé : édition spéciale',
    description_courte: 'Avec DJ Arafat Junior',
    categorie: categories[1],
  });
  const rev = (await get(`/api/events/${id}/revision/`, organizer.headers)).json();
  assert.equal(rev.statut, 'EN_ATTENTE');
  const cat = rev.modifications.find((m: { champ: string }) => m.champ === 'categorie');
  assert.equal(cat.apres.id, categories[1]);
  assert.ok(cat.apres.nom.length > 0, 'the category is named in the diff');

  const ok = await post(`/api/admin/events/revisions/${rev.id}/approve/`);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().message, 'Modification publiée.');
  const ev = await published(id);
  assert.equal(ev.titre, 'Soirée Coupé-Décalé : édition spéciale');
  assert.equal(ev.description_courte, 'Avec DJ Arafat Junior');
  assert.equal(ev.categorie.id, categories[1]);
  assert.equal(ev.statut, 'VALIDE');
  assert.match((await emailsTo(organizer.user.email)).at(-1)!.subject, /Votre modification est en ligne/);
  const [entry] = await ctx.database.db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.cible, `event:${id}`), eq(auditLogs.action, 'event.revision.approve')));
  assert.deepEqual((entry!.details as { avant: { titre: string } }).avant.titre, 'Soirée Coupé-Décalé');
  // Decided once: a second click (or a colleague's) is a 409.
  const again = await post(`/api/admin/events/revisions/${rev.id}/reject/`, { motif: 'Trop tard pour refuser.' });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().code, 'revision_decided');
});

test('practical fields apply at once and date changes are notified at once; a new place only once approved', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { lieu: 'Palais de la Culture', capaciteMax: 100 });
  await join(id);
  const before = await published(id);
  const newStart = new Date(Date.now() + 20 * DAY);
  const r = await patch(id, {
    capacite_max: 150,
    date_debut: newStart.toISOString(),
    date_fin: new Date(newStart.getTime() + 3 * 3_600_000).toISOString(),
    lieu: 'Stade Félix Houphouët-Boigny',
    adresse: 'Plateau, Abidjan',
  });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().capacite_max, 150, 'capacity applies at once');
  assert.equal(r.json().date_debut, newStart.toISOString(), 'dates apply at once');
  assert.equal(r.json().lieu, before.lieu, 'the place waits');
  assert.deepEqual(r.json().revision_en_attente.champs, ['lieu', 'adresse']);
  let sent = await notifications(id);
  assert.equal(sent.length, 1);
  assert.match(sent[0]!.changes!.join(' '), /Nouvelle date/);
  assert.doesNotMatch(sent[0]!.changes!.join(' '), /Nouveau lieu/, 'participants are not told of a place nobody approved');

  // A capacity-only edit creates no revision and keeps the pending one as it is.
  const r2 = await patch(id, { capacite_max: 160 });
  assert.equal(r2.json().revision_en_attente.id, r.json().revision_en_attente.id);

  const rev = (await get(`/api/events/${id}/revision/`, organizer.headers)).json();
  await post(`/api/admin/events/revisions/${rev.id}/approve/`);
  sent = await notifications(id);
  assert.equal(sent.length, 2);
  assert.deepEqual(sent[1]!.changes, ['Nouveau lieu : Stade Félix Houphouët-Boigny, Plateau, Abidjan.']);
  assert.equal((await published(id)).lieu, 'Stade Félix Houphouët-Boigny');
});

test('a second edit builds on the pending one and replaces it; reverting everything withdraws it', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { titre: 'Marché de Noël', description: 'Artisans.' });
  const first = (await patch(id, { titre: 'Grand Marché de Noël' })).json().revision_en_attente;
  const second = (await patch(id, { description: 'Artisans et créateurs.' })).json().revision_en_attente;
  assert.notEqual(second.id, first.id);
  assert.deepEqual(second.champs, ['titre', 'description'], 'the title proposal is kept');
  const rows = await ctx.database.db.select().from(eventRevisions).where(eq(eventRevisions.evenementId, id));
  assert.deepEqual(rows.map((x) => x.statut).sort(), ['EN_ATTENTE', 'REMPLACEE']);
  // The replaced revision cannot be decided any more.
  assert.equal((await post(`/api/admin/events/revisions/${first.id}/approve/`)).statusCode, 409);

  const reverted = await patch(id, { titre: 'Marché de Noël', description: 'Artisans.' });
  assert.equal(reverted.json().revision_en_attente, null);
  assert.equal((await get(`/api/events/${id}/revision/`, organizer.headers)).statusCode, 404);
});

test('PUT of a published event: the same split (content waits, practical fields apply)', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { titre: 'Concert de Noël', capaciteMax: 50 });
  const ev = await published(id);
  const r = await ctx.app.inject({
    method: 'PUT',
    url: `/api/events/${id}/`,
    headers: organizer.headers,
    payload: {
      ...Object.fromEntries(
        ['description', 'description_courte', 'date_debut', 'date_fin', 'lieu', 'adresse', 'type_acces', 'prix'].map((k) => [k, ev[k]]),
      ),
      categorie: ev.categorie.id,
      titre: SCAM.titre,
      capacite_max: 80,
    },
  });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().titre, 'Concert de Noël');
  assert.equal(r.json().capacite_max, 80);
  assert.deepEqual(r.json().revision_en_attente.champs, ['titre']);
});

test('invalid content is refused at once with the usual French errors; nothing is recorded', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id);
  const r = await patch(id, { titre: 'ab', categorie: 999_999 });
  assert.equal(r.statusCode, 400);
  assert.deepEqual(r.json().details, {
    titre: ['Le titre doit comporter au moins 3 caractères.'],
    categorie: ['Catégorie inconnue (999999).'],
  });
  assert.equal((await ctx.database.db.select().from(eventRevisions).where(eq(eventRevisions.evenementId, id))).length, 0);
});

test('a new cover waits too (file kept aside, old one served); rejection deletes the proposed file', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id);
  const form = multipartBody({}, [{ field: 'image', filename: 'scam.png', contentType: 'image/png', content: PNG }]);
  const put = await ctx.app.inject({
    method: 'PUT',
    url: `/api/events/${id}/image/`,
    headers: { ...organizer.headers, ...form.headers },
    payload: form.payload,
  });
  assert.equal(put.statusCode, 200, put.body);
  assert.equal(put.json().image, null, 'the published event still has no cover');
  assert.deepEqual(put.json().revision_en_attente.champs, ['image']);
  const [row] = await ctx.database.db
    .select()
    .from(eventRevisions)
    .where(and(eq(eventRevisions.evenementId, id), eq(eventRevisions.statut, 'EN_ATTENTE')));
  const key = (row!.champs as { image: string }).image;
  assert.ok(existsSync(path.join(mediaRoot, key)));
  const rev = (await get(`/api/admin/events/revisions/${row!.id}/`, staff.headers)).json();
  assert.match(rev.modifications[0].apres, /^http:\/\/localhost(:\d+)?\/media\/events\/.+\.png$/);
  assert.equal(rev.modifications[0].avant, null);
  await post(`/api/admin/events/revisions/${row!.id}/reject/`, { motif: 'Image trompeuse.' });
  assert.ok(!existsSync(path.join(mediaRoot, key)), 'the refused image is deleted');
});

test('the organizer may withdraw; cancelling the event retires its revision; staff may not decide it then', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id);
  await patch(id, { titre: 'Un nouveau titre' });
  assert.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/events/${id}/revision/`, headers: visitor.headers })).statusCode, 403);
  const del = await ctx.app.inject({ method: 'DELETE', url: `/api/events/${id}/revision/`, headers: organizer.headers });
  assert.equal(del.statusCode, 204);
  assert.equal((await get(`/api/events/${id}/revision/`, organizer.headers)).statusCode, 404);

  await patch(id, { titre: 'Encore un titre' });
  const rev = (await get(`/api/events/${id}/revision/`, organizer.headers)).json();
  const cancel = await ctx.app.inject({ method: 'POST', url: `/api/events/${id}/cancel/`, headers: organizer.headers, payload: {} });
  assert.equal(cancel.statusCode, 200);
  const [row] = await ctx.database.db.select().from(eventRevisions).where(eq(eventRevisions.id, rev.id));
  assert.equal(row!.statut, 'RETIREE');
  assert.equal((await post(`/api/admin/events/revisions/${rev.id}/approve/`)).statusCode, 409);
  const queue = (await get('/api/admin/events/revisions/?page_size=100', staff.headers)).json();
  assert.ok(!queue.results.some((x: { id: number }) => x.id === rev.id));
});

test('events not yet published are edited directly, as before', async () => {
  for (const statut of ['BROUILLON', 'EN_ATTENTE', 'REJETE'] as const) {
    const id = await insertEvent(ctx.database.db, organizer.user.id, { statut });
    const r = await patch(id, { titre: `Titre direct ${statut}` });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().titre, `Titre direct ${statut}`);
    assert.equal(r.json().revision_en_attente, undefined);
    const [row] = await ctx.database.db.select({ titre: events.titre }).from(events).where(eq(events.id, id));
    assert.equal(row!.titre, `Titre direct ${statut}`);
  }
});

test('revisions are their organizer’s and staff’s: others get 404, the queue is staff-only', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id);
  await patch(id, { titre: 'Titre proposé' });
  assert.equal((await get(`/api/events/${id}/revision/`, visitor.headers)).statusCode, 404);
  assert.equal((await get(`/api/events/${id}/revision/`)).statusCode, 401);
  assert.equal((await get(`/api/events/${id}/revision/`, staff.headers)).statusCode, 200);
  assert.equal((await get('/api/admin/events/revisions/', organizer.headers)).statusCode, 403);
  const rev = (await get(`/api/events/${id}/revision/`, organizer.headers)).json();
  assert.equal((await post(`/api/admin/events/revisions/${rev.id}/approve/`, undefined, organizer.headers)).statusCode, 403);
  const short = await post(`/api/admin/events/revisions/${rev.id}/reject/`, { motif: 'non' });
  assert.equal(short.statusCode, 400);
  assert.equal((await post('/api/admin/events/revisions/999999/approve/')).statusCode, 404);
});

test('two staff approving the same revision at once: one publishes it, the other gets 409', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id);
  await patch(id, { titre: 'Titre à valider deux fois' });
  const rev = (await get(`/api/events/${id}/revision/`, organizer.headers)).json();
  const other = await createUserWithToken(ctx.database.db, { isStaff: true });
  const [a, b] = await Promise.all([
    post(`/api/admin/events/revisions/${rev.id}/approve/`),
    post(`/api/admin/events/revisions/${rev.id}/reject/`, { motif: 'En même temps.' }, other.headers),
  ]);
  assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409]);
});

test('SpotVibe Administration moderates revisions with its browser session: cookie for reading, X-CSRF-Token to decide', async () => {
  const password = 'Soleil-Abidjan-2024';
  const s = await createUser(ctx.database.db, { password, isStaff: true });
  const session = await signInStaff(ctx.app, s.username, password);
  const id = await insertEvent(ctx.database.db, organizer.user.id, { titre: 'Nuit du Zouglou' });
  assert.equal((await patch(id, { titre: 'Nuit du Zouglou, 2e édition' })).statusCode, 200);
  const before = (await get('/api/admin/stats/', session.read)).json().pending_revisions;

  const queue = await get('/api/admin/events/revisions/?page_size=100', session.read);
  assert.equal(queue.statusCode, 200, queue.body);
  const rev = queue.json().results.find((x: { evenement: { id: number } }) => x.evenement.id === id);
  assert.ok(rev, 'the session reads the queue');
  assert.equal((await get(`/api/admin/events/revisions/${rev.id}/`, session.read)).statusCode, 200);

  // The cookie alone (a forged cross-site form) decides nothing.
  const forged = await ctx.app.inject({ method: 'POST', url: `/api/admin/events/revisions/${rev.id}/approve/`, headers: session.read });
  assert.equal(forged.statusCode, 403, forged.body);
  assert.equal(forged.json().code, 'csrf_failed');
  assert.equal((await published(id)).titre, 'Nuit du Zouglou');

  const ok = await ctx.app.inject({ method: 'POST', url: `/api/admin/events/revisions/${rev.id}/approve/`, headers: session.write });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal((await published(id)).titre, 'Nuit du Zouglou, 2e édition');
  assert.equal((await get('/api/admin/stats/', session.read)).json().pending_revisions, before - 1, 'the dashboard counts the queue');

  const doc = (await get('/api/schema/')).json();
  assert.deepEqual(doc.paths['/api/admin/events/revisions/{id}/approve/'].post.security, [{ tokenAuth: [] }, { staffSession: [] }]);
});

test("the organizer reads the last decision on their event's revisions: published, or refused with the reason", async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { titre: 'Gala de Bouaké' });
  const first = (await get(`/api/events/${id}/`, organizer.headers)).json();
  assert.equal(first.derniere_revision, null);
  await patch(id, { titre: 'Gala de Bouaké — paiement au 07' });
  const rev = (await get(`/api/events/${id}/revision/`, organizer.headers)).json();
  assert.equal(
    (await post(`/api/admin/events/revisions/${rev.id}/reject/`, { motif: 'Numéro de paiement dans le titre.' })).statusCode,
    200,
  );
  const mine = (await get(`/api/events/${id}/`, organizer.headers)).json();
  assert.equal(mine.titre, 'Gala de Bouaké');
  assert.equal(mine.revision_en_attente, null);
  assert.deepEqual(
    { ...mine.derniere_revision, date_decision: undefined },
    {
      id: rev.id,
      statut: 'REJETEE',
      motif_rejet: 'Numéro de paiement dans le titre.',
      date_decision: undefined,
    },
  );
  assert.equal((await get(`/api/events/${id}/`, visitor.headers)).json().derniere_revision, undefined, 'not for the public');
});
