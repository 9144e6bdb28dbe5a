/** Free participation: the manual's messages and statuses, leave, capacity, lists; and the view counter. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { viewCounterOf } from './plugin.js';
import { createTestContext, type TestContext } from '../../test/context.js';
import { HOUR, eventRow, insertEvent } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { eventParticipations, events } from './tables.js';

let ctx: TestContext;
let organizer: Awaited<ReturnType<typeof createUserWithToken>>;
let staff: Awaited<ReturnType<typeof createUserWithToken>>;

before(async () => {
  // Views are flushed by the tests themselves.
  ctx = await createTestContext({ env: { EVENTS_VIEWS_FLUSH_SECONDS: '0' } });
  organizer = await createUserWithToken(ctx.database.db);
  staff = await createUserWithToken(ctx.database.db, { isStaff: true });
});
after(() => ctx.close());

const participate = (eventId: unknown, headers: Record<string, string>) =>
  ctx.app.inject({ method: 'POST', url: '/api/events/participate/', headers, payload: { event_id: eventId } });
const leave = (id: number, headers: Record<string, string>) => ctx.app.inject({ method: 'POST', url: `/api/events/${id}/leave/`, headers });

test('participate: 201 « Participation confirmée », then 200 « Vous participez déjà à cet événement »', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id);
  const u = await createUserWithToken(ctx.database.db);
  const first = await participate(id, u.headers);
  assert.equal(first.statusCode, 201);
  assert.equal(first.json().message, 'Participation confirmée');
  assert.equal(first.json().participation.evenement, id);
  assert.equal(first.json().participation.statut, 'CONFIRME');
  assert.equal(first.json().participants_count, 1);
  const second = await ctx.app.inject({ method: 'POST', url: `/api/events/${id}/participate/`, headers: u.headers });
  assert.equal(second.statusCode, 200);
  assert.equal(second.json().message, 'Vous participez déjà à cet événement');
  assert.equal(second.json().participants_count, 1);
  assert.equal((await eventRow(ctx.database.db, id))!.participantsCount, 1);
});

test('404 « Événement introuvable » for unknown and unvalidated events; 401 anonymous; 400 without event_id', async () => {
  const u = await createUserWithToken(ctx.database.db);
  const r = await participate(999_999, u.headers);
  assert.equal(r.statusCode, 404);
  assert.deepEqual(r.json(), { error: 'Événement introuvable', code: 'not_found' });
  for (const statut of ['BROUILLON', 'EN_ATTENTE', 'REJETE', 'TERMINE', 'ANNULE'] as const) {
    const id = await insertEvent(ctx.database.db, organizer.user.id, { statut });
    const x = await participate(id, u.headers);
    assert.equal(x.statusCode, 404, statut);
    assert.equal(x.json().error, 'Événement introuvable');
  }
  assert.equal((await participate(1, {})).statusCode, 401);
  const missing = await ctx.app.inject({ method: 'POST', url: '/api/events/participate/', headers: u.headers, payload: {} });
  assert.equal(missing.statusCode, 400);
  assert.deepEqual(missing.json().details.event_id, ['Ce champ est obligatoire.']);
  assert.equal((await participate('abc', u.headers)).statusCode, 400);
});

test('paid events take tickets, not free participation; an event that is over takes nobody', async () => {
  const u = await createUserWithToken(ctx.database.db);
  const paid = await insertEvent(ctx.database.db, organizer.user.id, { typeAcces: 'PAYANT', prix: 5000 });
  const r = await participate(paid, u.headers);
  assert.equal(r.statusCode, 400);
  assert.equal(r.json().code, 'paid_event');
  const over = await insertEvent(ctx.database.db, organizer.user.id, {
    dateDebut: new Date(Date.now() - 5 * HOUR),
    dateFin: new Date(Date.now() - HOUR),
  });
  assert.equal((await participate(over, u.headers)).json().code, 'event_over');
});

test('capacity: the seat after the last is a 409 in French; leaving frees a seat; coming back works', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { capaciteMax: 2 });
  const [a, b, c] = await Promise.all([1, 2, 3].map(() => createUserWithToken(ctx.database.db)));
  assert.equal((await participate(id, a!.headers)).statusCode, 201);
  assert.equal((await participate(id, b!.headers)).statusCode, 201);
  const full = await participate(id, c!.headers);
  assert.equal(full.statusCode, 409);
  assert.deepEqual(full.json(), { error: 'Cet événement est complet : il ne reste plus de place.', code: 'event_full' });
  // Someone already in is still told so, even when full.
  assert.equal((await participate(id, a!.headers)).statusCode, 200);

  const left = await leave(id, a!.headers);
  assert.equal(left.statusCode, 200);
  assert.deepEqual(left.json(), { message: 'Participation annulée', participants_count: 1 });
  assert.equal((await participate(id, c!.headers)).statusCode, 201);
  assert.equal((await participate(id, a!.headers)).statusCode, 409, 'the freed seat was taken');
  assert.equal((await leave(id, b!.headers)).statusCode, 200);
  const back = await participate(id, a!.headers);
  assert.equal(back.statusCode, 201, 'someone who left can come back');
  const rows = await ctx.database.db
    .select()
    .from(eventParticipations)
    .where(and(eq(eventParticipations.evenementId, id), eq(eventParticipations.utilisateurId, a!.user.id)));
  assert.equal(rows.length, 1, 'one row per person and event');
  assert.equal(rows[0]!.statut, 'CONFIRME');
  const row = await eventRow(ctx.database.db, id);
  assert.equal(row!.participantsCount, 2);
});

test('leave: only when participating (404), only a validated event that is not over; both paths', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id);
  const u = await createUserWithToken(ctx.database.db);
  const r = await leave(id, u.headers);
  assert.equal(r.statusCode, 404);
  assert.equal(r.json().code, 'not_participating');
  assert.equal((await participate(id, u.headers)).statusCode, 201);
  assert.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/events/${id}/participate/`, headers: u.headers })).statusCode, 200);
  assert.equal((await leave(id, u.headers)).statusCode, 404, 'twice is not possible');
  assert.equal((await eventRow(ctx.database.db, id))!.participantsCount, 0);

  const cancelled = await insertEvent(ctx.database.db, organizer.user.id);
  assert.equal((await participate(cancelled, u.headers)).statusCode, 201);
  await ctx.database.db.update(events).set({ statut: 'ANNULE' }).where(eq(events.id, cancelled));
  const x = await leave(cancelled, u.headers);
  assert.equal(x.statusCode, 400);
  assert.match(x.json().error, /Annulé/);
});

test('my participations: confirmed by default, with their events; cancelled ones on request', async () => {
  const u = await createUserWithToken(ctx.database.db);
  const e1 = await insertEvent(ctx.database.db, organizer.user.id, { titre: 'Premier' });
  const e2 = await insertEvent(ctx.database.db, organizer.user.id, { titre: 'Second' });
  await participate(e1, u.headers);
  await participate(e2, u.headers);
  await leave(e1, u.headers);
  const r = await ctx.app.inject({ url: '/api/events/participations/', headers: u.headers });
  assert.equal(r.statusCode, 200);
  assert.equal(r.json().count, 1);
  const p = r.json().results[0];
  assert.equal(p.statut, 'CONFIRME');
  assert.equal(p.evenement.id, e2);
  assert.equal(p.evenement.titre, 'Second');
  assert.equal(p.evenement.is_participating, true);
  assert.equal(p.evenement.participants_count, 1);
  const annules = await ctx.app.inject({ url: '/api/events/participations/?statut=ANNULE', headers: u.headers });
  assert.deepEqual(
    annules.json().results.map((x: { evenement: { id: number } }) => x.evenement.id),
    [e1],
  );
  assert.equal((await ctx.app.inject({ url: '/api/events/participations/' })).statusCode, 401);
});

test('participants of an event: its organizer and staff only', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id);
  const [a, b] = await Promise.all([1, 2].map(() => createUserWithToken(ctx.database.db)));
  await participate(id, a!.headers);
  await participate(id, b!.headers);
  await leave(id, b!.headers);
  const r = await ctx.app.inject({ url: `/api/events/${id}/participants/`, headers: organizer.headers });
  assert.equal(r.statusCode, 200);
  assert.equal(r.json().count, 1);
  assert.equal(r.json().results[0].utilisateur.id, a!.user.id);
  assert.equal(r.json().results[0].utilisateur.email, undefined);
  assert.equal((await ctx.app.inject({ url: `/api/events/${id}/participants/`, headers: staff.headers })).statusCode, 200);
  const refused = await ctx.app.inject({ url: `/api/events/${id}/participants/`, headers: a!.headers });
  assert.equal(refused.statusCode, 403);
  assert.equal((await ctx.app.inject({ url: '/api/events/999999/participants/', headers: organizer.headers })).statusCode, 404);
});

test('views: a viewer counts once per hour, buffered until flushed; the creator and unpublished events do not count', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { nombreVues: 10 });
  const [a, b] = await Promise.all([1, 2].map(() => createUserWithToken(ctx.database.db)));
  const view = (headers: Record<string, string> = {}) => ctx.app.inject({ url: `/api/events/${id}/`, headers });
  assert.equal((await view(a!.headers)).json().nombre_vues, 11, 'the viewer sees their own view');
  assert.equal((await view(a!.headers)).json().nombre_vues, 11, 'the same viewer again: not counted');
  assert.equal((await view(b!.headers)).json().nombre_vues, 12);
  assert.equal((await view({ 'user-agent': 'navigateur-1' })).json().nombre_vues, 13, 'anonymous: counted by address');
  assert.equal((await view({ 'user-agent': 'navigateur-1' })).json().nombre_vues, 13);
  // Attack (issue 11): varying the User-Agent from one address used to count again each time.
  for (const ua of ['navigateur-2', 'navigateur-3', 'curl/8']) assert.equal((await view({ 'user-agent': ua })).json().nombre_vues, 13, ua);
  assert.equal((await view(organizer.headers)).json().nombre_vues, 13, "the organizer's own views do not count");
  // Nothing written yet: reads did not write.
  assert.equal((await eventRow(ctx.database.db, id))!.nombreVues, 10);
  assert.equal(await viewCounterOf(ctx.app).flush(), 1);
  assert.equal((await eventRow(ctx.database.db, id))!.nombreVues, 13);
  assert.equal((await view(a!.headers)).json().nombre_vues, 13, 'still within the hour');
  assert.equal(await viewCounterOf(ctx.app).flush(), 0);

  const pending = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'EN_ATTENTE' });
  await ctx.app.inject({ url: `/api/events/${pending}/`, headers: staff.headers });
  await viewCounterOf(ctx.app).flush();
  assert.equal((await eventRow(ctx.database.db, pending))!.nombreVues, 0);
});

test('views: a failed write keeps the increments for the next flush', async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id);
  const u = await createUserWithToken(ctx.database.db);
  await ctx.app.inject({ url: `/api/events/${id}/`, headers: u.headers });
  const views = viewCounterOf(ctx.app) as unknown as { write: (b: Map<number, number>) => Promise<number> };
  const write = views.write;
  views.write = async () => {
    throw new Error('base indisponible');
  };
  await assert.rejects(viewCounterOf(ctx.app).flush(), /base indisponible/);
  views.write = write;
  assert.equal(viewCounterOf(ctx.app).pendingFor(id), 1);
  await viewCounterOf(ctx.app).flush();
  assert.equal((await eventRow(ctx.database.db, id))!.nombreVues, 1);
});
