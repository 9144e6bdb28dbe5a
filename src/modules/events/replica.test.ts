/**
 * Public reads from a real streaming replica (DATABASE_REPLICA_URL). The test freezes the replica's replay
 * (pg_wal_replay_pause), changes and sells out an event on the primary, and checks: the list, search and
 * the event's page show the replica's (older) state, so they are read there; the purchase and the ticket
 * types' availability see the sale, so lag can never make a sold-out event purchasable; the answer to a write
 * and an event the replica does not have yet come from the primary. Set TEST_REPLICA_URL (a pg_basebackup of
 * the test server, README "Tests") to run it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestContext, eventually, replicaAvailable, type TestContext } from '../../test/context.js';
import { createUserWithToken } from '../../test/users.js';
import { createPaidEvent } from '../../test/events.js';
import { createPaidPurchase } from '../../test/payments.js';
import { fakeGateways } from '../../test/fake-gateway.js';

const skip = !replicaAvailable() && 'TEST_REPLICA_URL non défini : pas de réplique en flux à interroger (voir README, Tests)';

let ctx: TestContext;
let replica: pg.Client;
/** An error the replica connection emitted outside a query (it would otherwise crash the file silently). */
let replicaError: Error | undefined;

before(async () => {
  if (skip) return;
  ctx = await createTestContext({ replica: true, gateways: fakeGateways() });
  replica = new pg.Client({ connectionString: ctx.config.database.replicaUrl });
  // The test database was just created on the primary: wait until the replica has replayed it, migrations included.
  await eventually(
    async () => {
      const c = new pg.Client({ connectionString: ctx.config.database.replicaUrl });
      // A connection the standby ends (it is still replaying the new database) emits 'error': never a crash.
      c.on('error', () => undefined);
      try {
        await c.connect();
        const { rows } = await c.query('SELECT count(*)::int AS n FROM event_categories');
        return rows[0].n > 0;
      } catch {
        return false;
      } finally {
        await c.end().catch(() => undefined);
      }
    },
    30_000,
    200,
  );
  replica.on('error', (err) => {
    replicaError = err;
  });
  await replica.connect();
});
after(async () => {
  if (skip) return;
  // Never leave the shared replica frozen.
  await replica.query('SELECT pg_wal_replay_resume()').catch(() => undefined);
  await replica.end();
  await ctx.close();
  assert.equal(replicaError, undefined, `la connexion à la réplique a échoué : ${replicaError}`);
});

const onReplica = async (sqlText: string, values: unknown[] = []) => (await replica.query(sqlText, values)).rows;

test('public reads come from the replica; availability, purchases and write answers from the primary', { skip }, async () => {
  const organizer = await createUserWithToken(ctx.database.db);
  const buyer = await createUserWithToken(ctx.database.db);
  const { event, types } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 2 });
  await eventually(async () => (await onReplica('SELECT 1 FROM events WHERE id = $1', [event.id])).length === 1, 15_000, 100);
  const detail = await ctx.app.inject({ url: `/api/events/${event.id}/` });
  assert.equal(detail.statusCode, 200);
  assert.equal(detail.json().places_restantes, 2);

  await onReplica('SELECT pg_wal_replay_pause()');
  try {
    // On the primary: every seat sold, and the organizer moves the end of the event (a practical field, applied at
    // once: a new title would wait for moderation as a revision).
    await createPaidPurchase(ctx.database.db, { buyerId: buyer.user.id, eventId: event.id, typeId: types[0]!.id, quantite: 2 });
    const oldEnd = detail.json().date_fin as string;
    const newEnd = new Date(new Date(oldEnd).getTime() + 3_600_000).toISOString();
    const patch = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/events/${event.id}/`,
      headers: organizer.headers,
      // (The test kit's event has no short description nor address, which every valid edit needs.)
      payload: { date_fin: newEnd, description_courte: 'Un grand concert', adresse: 'Palais de la Culture, Treichville' },
    });
    assert.equal(patch.statusCode, 200, patch.body);
    assert.equal(new Date(patch.json().date_fin).getTime(), new Date(newEnd).getTime(), 'the answer to a write reads the primary');

    // The public reads still show what the replica has: they are served there.
    const page = await ctx.app.inject({ url: `/api/events/${event.id}/` });
    assert.equal(page.json().date_fin, oldEnd);
    assert.equal(page.json().titre, 'Concert Zouglou au Palais de la Culture');
    assert.equal(page.json().places_restantes, 2);
    const list = await ctx.app.inject({ url: '/api/events/?search=zouglou' });
    assert.deepEqual(
      list.json().results.map((e: { id: number; titre: string }) => [e.id, e.titre]),
      [[event.id, 'Concert Zouglou au Palais de la Culture']],
    );

    // Availability and the purchase read the primary: sold out, whatever the replica says.
    const typesNow = await ctx.app.inject({ url: `/api/events/${event.id}/ticket-types/` });
    const standard = (typesNow.json().results ?? typesNow.json()).find((t: { id: number }) => t.id === types[0]!.id);
    assert.equal(standard.disponibles, 0);
    const buy = await ctx.app.inject({
      method: 'POST',
      url: '/api/payments/initiate/',
      headers: buyer.headers,
      payload: { event_id: event.id, quantite: 1, fournisseur: 'WAVE', telephone: '0100000010' },
    });
    assert.equal(buy.statusCode, 409, buy.body);

    // An event the replica has not seen yet is found on the primary, not a 404.
    const fresh = await createPaidEvent(ctx.database.db, organizer.user.id);
    assert.equal((await ctx.app.inject({ url: `/api/events/${fresh.event.id}/` })).statusCode, 200);
  } finally {
    await onReplica('SELECT pg_wal_replay_resume()');
  }
  await eventually(async () => (await ctx.app.inject({ url: `/api/events/${event.id}/` })).json().places_restantes === 0, 15_000, 100);
});

test('/readyz says whether the replica answers', { skip }, async () => {
  const r = await ctx.app.inject({ url: '/readyz' });
  assert.equal(r.statusCode, 200);
  assert.equal(r.json().replique, 'ok');
});
