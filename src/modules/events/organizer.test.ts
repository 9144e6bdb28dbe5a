/**
 * The organizer's life with an event: edit (IsOwnerOrReadOnly, read-only fields, rules against participants),
 * participants told of a change of date or place and of a cancellation (through the job queue, end to end),
 * the cancellation hook where refunds plug in, and deletion only while nobody joined.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { createTestContext, eventually, type TestContext } from '../../test/context.js';
import { HOUR, categoryIds, eventPayload, inDays, insertEvent } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { auditLogs } from '../../core/audit.js';
import { events } from './tables.js';
import { ConflictError } from '../../core/errors.js';
import { queuedMessages } from '../../test/notifications.js';
import { FANOUT_JOB } from '../notifications/audiences.js';

let ctx: TestContext;
let cats: number[];
let owner: Awaited<ReturnType<typeof createUserWithToken>>;
let other: Awaited<ReturnType<typeof createUserWithToken>>;
let staff: Awaited<ReturnType<typeof createUserWithToken>>;

before(async () => {
  ctx = await createTestContext({ work: true });
  cats = await categoryIds(ctx.database.db);
  owner = await createUserWithToken(ctx.database.db);
  other = await createUserWithToken(ctx.database.db);
  staff = await createUserWithToken(ctx.database.db, { isStaff: true });
});
after(() => ctx.close());

const patch = (id: number, payload: object, headers = owner.headers) =>
  ctx.app.inject({ method: 'PATCH', url: `/api/events/${id}/`, headers, payload });
const join = (id: number, headers: Record<string, string>) =>
  ctx.app.inject({ method: 'POST', url: `/api/events/${id}/participate/`, headers });

interface JobRow {
  name: string;
  data: Record<string, unknown>;
}
async function jobs(name: string): Promise<JobRow[]> {
  const { rows } = await ctx.database.query<JobRow>('SELECT name, data FROM pgboss.job WHERE name = $1 ORDER BY created_on', [name]);
  return rows;
}
const emailsTo = async (email: string, type?: string) =>
  (await queuedMessages(ctx.database, 'EMAIL')).filter((j) => j.to === email && (!type || j.type === type));

test('PATCH by the owner changes the fields; statut, createur, nombre_vues stay', async () => {
  // Awaiting moderation, so applied at once (a published event's content waits for staff: revisions.test.ts).
  const id = await insertEvent(ctx.database.db, owner.user.id, { statut: 'EN_ATTENTE', nombreVues: 7 });
  const r = await patch(id, {
    titre: 'Nouveau titre',
    capacite_max: 300,
    statut: 'ANNULE',
    createur: other.user.id,
    nombre_vues: 0,
    categorie: cats[3],
  });
  assert.equal(r.statusCode, 200, r.body);
  const ev = r.json();
  assert.equal(ev.titre, 'Nouveau titre');
  assert.equal(ev.capacite_max, 300);
  assert.equal(ev.categorie.id, cats[3]);
  assert.equal(ev.statut, 'EN_ATTENTE');
  assert.equal(ev.createur.id, owner.user.id);
  assert.equal(ev.nombre_vues, 7);
  assert.ok(new Date(ev.date_modification) > new Date(ev.date_creation));
});

test('not the owner: 403 on a visible event (staff included), 404 on one they cannot see; anonymous 401', async () => {
  const visible = await insertEvent(ctx.database.db, owner.user.id, { statut: 'VALIDE' });
  for (const h of [other.headers, staff.headers]) {
    const r = await patch(visible, { titre: 'Piraté' }, h);
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().code, 'not_owner');
  }
  const pending = await insertEvent(ctx.database.db, owner.user.id, { statut: 'EN_ATTENTE' });
  assert.equal((await patch(pending, { titre: 'Piraté' }, other.headers)).statusCode, 404);
  assert.equal((await ctx.app.inject({ method: 'PATCH', url: `/api/events/${visible}/`, payload: { titre: 'x' } })).statusCode, 401);
  const [row] = await ctx.database.db.select({ titre: events.titre }).from(events).where(eq(events.id, visible));
  assert.notEqual(row!.titre, 'Piraté');
  assert.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/events/${visible}/`, headers: other.headers })).statusCode, 403);
});

test('the rules hold on edit: merged dates, past start, price, terminated events', async () => {
  const id = await insertEvent(ctx.database.db, owner.user.id, { dateDebut: inDays(10) });
  let r = await patch(id, { date_fin: inDays(9).toISOString() });
  assert.deepEqual(r.json().details.date_fin, ['La date de fin doit être postérieure à la date de début.']);
  r = await patch(id, { date_debut: new Date(Date.now() - HOUR).toISOString() });
  assert.deepEqual(r.json().details.date_debut, ['La date de début ne peut pas être dans le passé.']);
  r = await patch(id, { type_acces: 'PAYANT' });
  assert.deepEqual(r.json().details.prix, ["Le prix d'un événement payant doit être supérieur à 0."]);
  r = await patch(id, { type_acces: 'PAYANT', prix: 3000 });
  assert.equal(r.statusCode, 200);
  r = await patch(id, { type_acces: 'GRATUIT' });
  assert.equal(r.statusCode, 200, 'switching to free sets the price to 0');
  assert.equal(r.json().prix, 0);
  // An event already running keeps its (past) start when other fields change.
  const running = await insertEvent(ctx.database.db, owner.user.id, {
    dateDebut: new Date(Date.now() - HOUR),
    dateFin: new Date(Date.now() + HOUR),
  });
  assert.equal((await patch(running, { description: 'Mise à jour' })).statusCode, 200);
  for (const statut of ['TERMINE', 'ANNULE'] as const) {
    const x = await insertEvent(ctx.database.db, owner.user.id, { statut });
    const rr = await patch(x, { titre: 'Trop tard' });
    assert.equal(rr.statusCode, 400, statut);
    assert.equal(rr.json().code, 'not_editable');
  }
});

test('PUT needs every required field', async () => {
  const id = await insertEvent(ctx.database.db, owner.user.id, { statut: 'BROUILLON' });
  const r = await ctx.app.inject({ method: 'PUT', url: `/api/events/${id}/`, headers: owner.headers, payload: { titre: 'Seul' } });
  assert.equal(r.statusCode, 400);
  assert.deepEqual(r.json().details.lieu, ['Ce champ est obligatoire.']);
  const ok = await ctx.app.inject({
    method: 'PUT',
    url: `/api/events/${id}/`,
    headers: owner.headers,
    payload: eventPayload(cats[0]!, { titre: 'Complet' }),
  });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().titre, 'Complet');
});

test('with participants: capacity not below them, access type frozen', async () => {
  const id = await insertEvent(ctx.database.db, owner.user.id, { capaciteMax: 10 });
  const a = await createUserWithToken(ctx.database.db);
  const b = await createUserWithToken(ctx.database.db);
  assert.equal((await join(id, a.headers)).statusCode, 201);
  assert.equal((await join(id, b.headers)).statusCode, 201);
  let r = await patch(id, { capacite_max: 1 });
  assert.deepEqual(r.json().details.capacite_max, ['La capacité ne peut pas être inférieure au nombre de participants (2).']);
  r = await patch(id, { type_acces: 'PAYANT', prix: 1000 });
  assert.deepEqual(r.json().details.type_acces, [
    "Impossible de changer le type d'accès : des personnes participent déjà à cet événement.",
  ]);
  assert.equal((await patch(id, { capacite_max: 2 })).statusCode, 200);
});

test('a change of date of a validated event emails each participant at once (job queue, end to end)', async () => {
  const id = await insertEvent(ctx.database.db, owner.user.id, { titre: 'Concert au Plateau', dateDebut: inDays(20) });
  const p1 = await createUserWithToken(ctx.database.db);
  const p2 = await createUserWithToken(ctx.database.db);
  const quitter = await createUserWithToken(ctx.database.db);
  for (const p of [p1, p2, quitter]) assert.equal((await join(id, p.headers)).statusCode, 201);
  assert.equal((await ctx.app.inject({ method: 'POST', url: `/api/events/${id}/leave/`, headers: quitter.headers })).statusCode, 200);

  // A change that is neither date nor place notifies nobody.
  assert.equal((await patch(id, { description: 'Nouvelle description' })).statusCode, 200);
  const fanoutsBefore = (await jobs(FANOUT_JOB)).filter((j) => j.data.eventId === id).length;
  assert.equal(fanoutsBefore, 0);

  const debut = inDays(21);
  // A new place waits for staff and is announced when approved (revisions.test.ts).
  const r = await patch(id, {
    date_debut: debut.toISOString(),
    date_fin: new Date(debut.getTime() + 4 * HOUR).toISOString(),
  });
  assert.equal(r.statusCode, 200, r.body);
  const fanout = (await jobs(FANOUT_JOB)).filter((j) => j.data.eventId === id);
  assert.equal(fanout.length, 1);
  assert.equal(fanout[0]!.data.type, 'EVENEMENT_MODIFIE');

  for (const p of [p1, p2]) {
    const mails = await eventually(async () => {
      const m = await emailsTo(p.user.email, 'EVENEMENT_MODIFIE');
      return m.length ? m : undefined;
    });
    assert.equal(mails.length, 1);
    assert.match(mails[0]!.subject, /Concert au Plateau/);
    assert.match(mails[0]!.text, /Nouvelle date/);
  }
  assert.equal((await emailsTo(quitter.user.email, 'EVENEMENT_MODIFIE')).length, 0, 'someone who left is not told');
  assert.equal((await emailsTo(owner.user.email)).length, 0);
});

test('a pending event changes without notifications (nobody can have joined)', async () => {
  const id = await insertEvent(ctx.database.db, owner.user.id, { statut: 'EN_ATTENTE', dateDebut: inDays(30) });
  const before = (await jobs(FANOUT_JOB)).length;
  assert.equal((await patch(id, { lieu: 'Ailleurs' })).statusCode, 200);
  assert.equal((await jobs(FANOUT_JOB)).length, before);
});

test('cancel: ANNULE, participants emailed with the reason, audit entry, refund hook called inside the transaction', async () => {
  const id = await insertEvent(ctx.database.db, owner.user.id, { titre: 'Gala annulé' });
  const p = await createUserWithToken(ctx.database.db);
  assert.equal((await join(id, p.headers)).statusCode, 201);
  const seen: number[] = [];
  const off = ctx.hooks.on('event.cancelled', async ({ tx, event }) => {
    // The hook sees the new status through the transaction it runs in.
    const [row] = await tx.select({ statut: events.statut }).from(events).where(eq(events.id, event.id));
    assert.equal(row!.statut, 'ANNULE');
    assert.equal(event.previousStatut, 'VALIDE');
    seen.push(event.id);
  });
  try {
    const r = await ctx.app.inject({
      method: 'POST',
      url: `/api/events/${id}/cancel/`,
      headers: owner.headers,
      payload: { motif: 'Intempéries' },
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().event.statut, 'ANNULE');
    assert.deepEqual(seen, [id]);
  } finally {
    off();
  }
  const mails = await eventually(async () => {
    const m = await emailsTo(p.user.email, 'EVENEMENT_ANNULE');
    return m.length ? m : undefined;
  });
  const mail = mails[0]!;
  assert.match(mail.subject, /^Événement annulé : Gala annulé$/);
  assert.match(mail.text, /Motif : Intempéries/);
  const audit = await ctx.database.db
    .select()
    .from(auditLogs)
    .where(eq(auditLogs.cible, `event:${id}`));
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.action, 'event.cancel');
  assert.equal(audit[0]!.userId, owner.user.id);
  // The cancelled event is public, its participation kept (a record of who was told).
  const detail = await ctx.app.inject({ url: `/api/events/${id}/`, headers: p.headers });
  assert.equal(detail.json().statut, 'ANNULE');
  assert.equal(detail.json().is_participating, true);
  // And it no longer takes participants.
  assert.equal((await join(id, other.headers)).statusCode, 404);
});

test('a failing cancellation hook rolls the whole cancellation back', async () => {
  const id = await insertEvent(ctx.database.db, owner.user.id);
  const off = ctx.hooks.on('event.cancelled', async () => {
    throw new Error('remboursement impossible');
  });
  try {
    const r = await ctx.app.inject({ method: 'POST', url: `/api/events/${id}/cancel/`, headers: owner.headers });
    assert.equal(r.statusCode, 500);
    assert.equal(r.json().error, 'Erreur interne du serveur.');
  } finally {
    off();
  }
  const [row] = await ctx.database.db.select({ statut: events.statut }).from(events).where(eq(events.id, id));
  assert.equal(row!.statut, 'VALIDE');
});

test('delete: only the owner, only while nobody participates (204, then 404); a guard hook can refuse', async () => {
  const id = await insertEvent(ctx.database.db, owner.user.id);
  const p = await createUserWithToken(ctx.database.db);
  assert.equal((await join(id, p.headers)).statusCode, 201);
  const refused = await ctx.app.inject({ method: 'DELETE', url: `/api/events/${id}/`, headers: owner.headers });
  assert.equal(refused.statusCode, 409);
  assert.equal(refused.json().code, 'has_participants');
  assert.match(refused.json().error, /annulez-le/);
  // Once the participant leaves, nobody participates any more.
  assert.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/events/${id}/participate/`, headers: p.headers })).statusCode, 200);
  const off = ctx.hooks.on('event.beforeDelete', async () => {
    throw new ConflictError('Des billets ont été vendus pour cet événement.', 'has_tickets');
  });
  try {
    const guarded = await ctx.app.inject({ method: 'DELETE', url: `/api/events/${id}/`, headers: owner.headers });
    assert.equal(guarded.statusCode, 409);
    assert.equal(guarded.json().code, 'has_tickets');
  } finally {
    off();
  }
  const ok = await ctx.app.inject({ method: 'DELETE', url: `/api/events/${id}/`, headers: owner.headers });
  assert.equal(ok.statusCode, 204);
  assert.equal(ok.body, '');
  assert.equal((await ctx.app.inject({ url: `/api/events/${id}/`, headers: owner.headers })).statusCode, 404);
  const drafts = await insertEvent(ctx.database.db, owner.user.id, { statut: 'BROUILLON' });
  assert.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/events/${drafts}/`, headers: other.headers })).statusCode, 404);
  assert.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/events/${drafts}/`, headers: owner.headers })).statusCode, 204);
});

test('the job closing past events is scheduled every five minutes', async () => {
  const { rows } = await ctx.database.query<{ cron: string }>("SELECT cron FROM pgboss.schedule WHERE name = 'events.finish_past'");
  assert.deepEqual(
    rows.map((r) => r.cron),
    ['*/5 * * * *'],
  );
});
