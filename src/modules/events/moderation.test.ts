/** Staff moderation: the queue, approve, reject with a reason, audit log, organizer emails, permissions. */
import { queuedMessages } from '../../test/notifications.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { DAY, HOUR, insertEvent } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { auditLogs } from '../../core/audit.js';
import { events } from './tables.js';

let ctx: TestContext;
let organizer: Awaited<ReturnType<typeof createUserWithToken>>;
let staff: Awaited<ReturnType<typeof createUserWithToken>>;
let superuser: Awaited<ReturnType<typeof createUserWithToken>>;
let user: Awaited<ReturnType<typeof createUserWithToken>>;

before(async () => {
  ctx = await createTestContext();
  organizer = await createUserWithToken(ctx.database.db);
  staff = await createUserWithToken(ctx.database.db, { isStaff: true });
  superuser = await createUserWithToken(ctx.database.db, { isSuperuser: true });
  user = await createUserWithToken(ctx.database.db);
});
after(() => ctx.close());

const post = (url: string, headers: Record<string, string>, payload?: object) =>
  ctx.app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });
async function emailsTo(to: string) {
  return (await queuedMessages(ctx.database, 'EMAIL')).filter((d) => d.to === to);
}
const auditOf = (id: number) =>
  ctx.database.db
    .select()
    .from(auditLogs)
    .where(eq(auditLogs.cible, `event:${id}`));

test('moderation is staff-only: 401 anonymous, 403 for users, on every route', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'EN_ATTENTE' });
  for (const [method, url] of [
    ['GET', '/api/admin/events/pending/'],
    ['POST', `/api/admin/events/${id}/approve/`],
    ['POST', `/api/admin/events/${id}/reject/`],
  ] as const) {
    assert.equal((await ctx.app.inject({ method, url })).statusCode, 401, url);
    const r = await ctx.app.inject({
      method,
      url,
      headers: user.headers,
      ...(method === 'POST' ? { payload: { motif: 'Un motif valable' } } : {}),
    });
    assert.equal(r.statusCode, 403, url);
    assert.equal(r.json().code, 'staff_only');
    assert.equal(
      (
        await ctx.app.inject({
          method,
          url,
          headers: organizer.headers,
          ...(method === 'POST' ? { payload: { motif: 'Un motif valable' } } : {}),
        })
      ).statusCode,
      403,
      `${url} (own event)`,
    );
  }
  const [row] = await ctx.database.db.select({ statut: events.statut }).from(events).where(eq(events.id, id));
  assert.equal(row!.statut, 'EN_ATTENTE');
});

test('pending: only EN_ATTENTE events, oldest first, paginated; superusers are staff too', async () => {
  const t = Date.now();
  const older = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'EN_ATTENTE', dateCreation: new Date(t - 3 * DAY) });
  const newer = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'EN_ATTENTE', dateCreation: new Date(t - DAY) });
  await insertEvent(ctx.database.db, organizer.user.id, { statut: 'BROUILLON' });
  await insertEvent(ctx.database.db, organizer.user.id, { statut: 'VALIDE' });
  const over = await insertEvent(ctx.database.db, organizer.user.id, {
    statut: 'EN_ATTENTE',
    dateDebut: new Date(t - 2 * DAY),
    dateFin: new Date(t - DAY),
  });
  const r = await ctx.app.inject({ url: '/api/admin/events/pending/', headers: superuser.headers });
  assert.equal(r.statusCode, 200);
  const got = r.json().results as { id: number; statut: string }[];
  assert.ok(got.every((e) => e.statut === 'EN_ATTENTE'));
  assert.ok(!got.some((e) => e.id === over), 'an event already over is not waiting for moderation');
  const [iOlder, iNewer] = [got.findIndex((e) => e.id === older), got.findIndex((e) => e.id === newer)];
  assert.ok(iOlder >= 0 && iNewer >= 0, 'both pending events are listed');
  assert.ok(iOlder < iNewer, 'oldest first');
  const page = await ctx.app.inject({ url: '/api/admin/events/pending/?page_size=1', headers: staff.headers });
  assert.equal(page.json().results.length, 1);
  assert.equal(page.json().count, got.length);
});

test('approve: VALIDE with validateur and date, audit entry, organizer emailed', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'EN_ATTENTE', titre: 'Festival de Grand-Bassam' });
  const r = await post(`/api/admin/events/${id}/approve/`, { ...staff.headers, 'user-agent': 'moderation-test' });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().message, 'Événement validé.');
  const [row] = await ctx.database.db.select().from(events).where(eq(events.id, id));
  assert.equal(row!.statut, 'VALIDE');
  assert.equal(row!.validateurId, staff.user.id);
  assert.ok(row!.dateValidation && Date.now() - row!.dateValidation.getTime() < 60_000);
  const audit = await auditOf(id);
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.action, 'event.approve');
  assert.equal(audit[0]!.userId, staff.user.id);
  assert.equal(audit[0]!.userAgent, 'moderation-test');
  assert.equal(audit[0]!.ip, '127.0.0.1');
  assert.deepEqual(audit[0]!.details, {
    ancien_statut: 'EN_ATTENTE',
    titre: 'Festival de Grand-Bassam',
    avant: { statut: 'EN_ATTENTE' },
    apres: { statut: 'VALIDE' },
  });
  assert.equal(audit[0]!.parPersonnel, true);
  const mails = await emailsTo(organizer.user.email);
  assert.ok(mails.some((m) => m.subject === 'Votre événement est validé : Festival de Grand-Bassam'));
  // Public now.
  assert.equal((await ctx.app.inject({ url: `/api/events/${id}/` })).statusCode, 200);
  // A second decision on the same event is refused.
  const again = await post(`/api/admin/events/${id}/reject/`, staff.headers, { motif: 'Trop tard pour ça' });
  assert.equal(again.statusCode, 409);
  assert.equal((await auditOf(id)).length, 1);
});

test('reject with a reason: REJETE, the organizer sees it, fixes, resubmits; audit and email carry the reason', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'EN_ATTENTE', titre: 'Soirée sans adresse' });
  let r = await post(`/api/admin/events/${id}/reject/`, staff.headers, {});
  assert.equal(r.statusCode, 400);
  assert.deepEqual(r.json().details.motif, ['Ce champ est obligatoire.']);
  r = await post(`/api/admin/events/${id}/reject/`, staff.headers, { motif: '     ok    ' });
  assert.equal(r.statusCode, 400);
  assert.match(r.json().details.motif[0], /motif/);

  r = await post(`/api/admin/events/${id}/reject/`, staff.headers, { motif: "L'adresse exacte manque." });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().event.statut, 'REJETE');

  // Others cannot see it; the organizer sees the reason.
  assert.equal((await ctx.app.inject({ url: `/api/events/${id}/`, headers: user.headers })).statusCode, 404);
  const mine = await ctx.app.inject({ url: `/api/events/${id}/`, headers: organizer.headers });
  assert.equal(mine.json().motif_rejet, "L'adresse exacte manque.");

  const audit = await auditOf(id);
  assert.equal(audit[0]!.action, 'event.reject');
  assert.equal((audit[0]!.details as { motif: string }).motif, "L'adresse exacte manque.");
  const mail = (await emailsTo(organizer.user.email)).find((m) => m.subject.includes('Soirée sans adresse'));
  assert.ok(mail);
  assert.match(mail.text, /Motif : L'adresse exacte manque\./);

  // Fix and resubmit, then approval.
  assert.equal(
    (
      await ctx.app.inject({
        method: 'PATCH',
        url: `/api/events/${id}/`,
        headers: organizer.headers,
        payload: { adresse: 'Rue 12, Cocody' },
      })
    ).statusCode,
    200,
  );
  const resubmitted = await post(`/api/events/${id}/submit/`, organizer.headers);
  assert.equal(resubmitted.statusCode, 200);
  assert.equal(resubmitted.json().event.statut, 'EN_ATTENTE');
  assert.equal((await post(`/api/admin/events/${id}/approve/`, staff.headers)).statusCode, 200);
});

test('an event that is already over cannot be approved; unknown ids are 404', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, {
    statut: 'EN_ATTENTE',
    dateDebut: new Date(Date.now() - 5 * HOUR),
    dateFin: new Date(Date.now() - HOUR),
  });
  const r = await post(`/api/admin/events/${id}/approve/`, staff.headers);
  assert.equal(r.statusCode, 400);
  assert.equal(r.json().code, 'event_over');
  assert.equal((await post('/api/admin/events/999999/approve/', staff.headers)).statusCode, 404);
  assert.equal((await post('/api/admin/events/999999/reject/', staff.headers, { motif: 'Un motif valable' })).statusCode, 404);
});
