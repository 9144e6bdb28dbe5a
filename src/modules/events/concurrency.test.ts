/**
 * Races, on PostgreSQL only (the embedded database has a single connection, so nothing there runs at once):
 * requests are fired together through app.inject and reach the database on up to 20 pooled connections.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, sql } from 'drizzle-orm';
import { createTestContext, usingPostgres, type TestContext } from '../../test/context.js';
import { eventRow, insertEvent } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { eventParticipations, events } from './tables.js';

const skip = usingPostgres() ? false : 'concurrence : seulement sur PostgreSQL (TEST_DATABASE_URL), la base embarquée n’a qu’une connexion';

type U = Awaited<ReturnType<typeof createUserWithToken>>;
let ctx: TestContext;
let organizer: U;
let people: U[] = [];

before(async () => {
  if (skip) return;
  ctx = await createTestContext();
  organizer = await createUserWithToken(ctx.database.db);
  people = [];
  for (let i = 0; i < 200; i++) people.push(await createUserWithToken(ctx.database.db));
});
after(async () => {
  if (!skip) await ctx.close();
});

const join = (id: number, u: U) => ctx.app.inject({ method: 'POST', url: `/api/events/${id}/participate/`, headers: u.headers });
const leave = (id: number, u: U) => ctx.app.inject({ method: 'POST', url: `/api/events/${id}/leave/`, headers: u.headers });

async function confirmed(id: number): Promise<number> {
  const [r] = await ctx.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(eventParticipations)
    .where(and(eq(eventParticipations.evenementId, id), eq(eventParticipations.statut, 'CONFIRME')));
  return Number(r!.n);
}

test('200 different users join a 50-seat event at once: exactly 50 confirmed, 150 answers of 409', { skip }, async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { capaciteMax: 50 });
  const answers = await Promise.all(people.map((u) => join(id, u)));
  const byStatus = new Map<number, number>();
  for (const a of answers) byStatus.set(a.statusCode, (byStatus.get(a.statusCode) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(byStatus), { 201: 50, 409: 150 });
  assert.ok(
    answers.filter((a) => a.statusCode === 409).every((a) => a.json().error === 'Cet événement est complet : il ne reste plus de place.'),
  );
  assert.equal(await confirmed(id), 50);
  assert.equal((await eventRow(ctx.database.db, id))!.participantsCount, 50);
});

test('join/leave/join races keep the counter exact and within capacity', { skip }, async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { capaciteMax: 30 });
  const crowd = people.slice(0, 80);
  // Every person joins, leaves and joins again, all at once; half of them leave once more at the end.
  await Promise.all(
    crowd.map(async (u, i) => {
      await join(id, u);
      await leave(id, u);
      await join(id, u);
      if (i % 2 === 0) await leave(id, u);
    }),
  );
  const row = (await eventRow(ctx.database.db, id))!;
  const n = await confirmed(id);
  assert.equal(row.participantsCount, n, 'counter equals confirmed rows');
  assert.ok(n <= 30, `${n} participants for 30 seats`);
  // Several rounds of the same storm, checking the invariant after each.
  for (let round = 0; round < 3; round++) {
    await Promise.all(crowd.map((u, i) => ((i + round) % 3 === 0 ? leave(id, u) : join(id, u))));
    const r = (await eventRow(ctx.database.db, id))!;
    const c = await confirmed(id);
    assert.equal(r.participantsCount, c, `round ${round}`);
    assert.ok(c <= 30);
  }
});

test('the same person double-clicking gets one seat: one 201, the rest 200', { skip }, async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { capaciteMax: 5 });
  const u = people[199]!;
  const answers = await Promise.all(Array.from({ length: 10 }, () => join(id, u)));
  assert.equal(answers.filter((a) => a.statusCode === 201).length, 1);
  assert.equal(answers.filter((a) => a.statusCode === 200).length, 9);
  assert.equal((await eventRow(ctx.database.db, id))!.participantsCount, 1);
});

test('deleting while people join: either the event is gone (404 to joiners) or deletion is refused (409)', { skip }, async () => {
  for (let round = 0; round < 5; round++) {
    const id = await insertEvent(ctx.database.db, organizer.user.id, { capaciteMax: 100 });
    const [del, ...joins] = await Promise.all([
      ctx.app.inject({ method: 'DELETE', url: `/api/events/${id}/`, headers: organizer.headers }),
      ...people.slice(0, 10).map((u) => join(id, u)),
    ]);
    const exists = !!(await eventRow(ctx.database.db, id));
    if (del!.statusCode === 204) {
      assert.equal(exists, false);
      const joined = joins.filter((j) => j.statusCode === 201).length;
      assert.equal(joined, 0, 'nobody joined before the deletion committed');
    } else {
      assert.equal(del!.statusCode, 409);
      assert.ok(exists);
      assert.ok(joins.some((j) => j.statusCode === 201));
    }
  }
});

test('two moderators deciding at once: exactly one decision is applied', { skip }, async () => {
  const a = await createUserWithToken(ctx.database.db, { isStaff: true });
  const b = await createUserWithToken(ctx.database.db, { isStaff: true });
  for (let round = 0; round < 5; round++) {
    const id = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'EN_ATTENTE' });
    const [approve, reject] = await Promise.all([
      ctx.app.inject({ method: 'POST', url: `/api/admin/events/${id}/approve/`, headers: a.headers }),
      ctx.app.inject({
        method: 'POST',
        url: `/api/admin/events/${id}/reject/`,
        headers: b.headers,
        payload: { motif: 'Doublon d’un autre événement' },
      }),
    ]);
    const codes = [approve!.statusCode, reject!.statusCode].sort();
    // The loser finds the event already decided: a conflict with the current state, 409 (issue 18).
    assert.deepEqual(codes, [200, 409]);
    const [row] = await ctx.database.db.select({ statut: events.statut }).from(events).where(eq(events.id, id));
    assert.equal(row!.statut, approve!.statusCode === 200 ? 'VALIDE' : 'REJETE');
    const { rows } = await ctx.database.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs WHERE cible = $1', [`event:${id}`]);
    assert.equal(rows[0]!.n, 1, 'one audit entry');
  }
});

test('lowering the capacity while people join never leaves more participants than seats', { skip }, async () => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { capaciteMax: 60 });
  const answers = await Promise.all([
    ...people.slice(0, 40).map((u) => join(id, u)),
    ctx.app.inject({ method: 'PATCH', url: `/api/events/${id}/`, headers: organizer.headers, payload: { capacite_max: 20 } }),
  ]);
  const patch = answers[answers.length - 1]!;
  const row = (await eventRow(ctx.database.db, id))!;
  assert.ok([200, 400].includes(patch.statusCode));
  assert.equal(row.participantsCount, await confirmed(id));
  assert.ok(row.participantsCount <= row.capaciteMax, `${row.participantsCount} > ${row.capaciteMax}`);
  if (patch.statusCode === 200) assert.equal(row.capaciteMax, 20);
});
