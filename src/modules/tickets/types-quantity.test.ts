/**
 * A ticket type's quantity cannot go below its seats sold plus the seats held by pending payments (409
 * `invalid_quantity` naming the minimum), and a purchase racing a lowering cannot both pass (PostgreSQL: both
 * queue on the type's row lock, in each order).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, eventually, usingPostgres, type TestContext } from '../../test/context.js';
import { createPaidEvent } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { rowsOf } from '../../db/client.js';
import { confirmPayment, initiatePayment, type PaymentDeps } from '../payments/service.js';
import { paymentsDeps } from '../payments/deps.js';
import { heldSeats } from '../payments/reservation.js';
import { ticketTypes } from './tables.js';

const gateways = fakeGateways();
let ctx: TestContext;
let deps: PaymentDeps;
let organizer: Awaited<ReturnType<typeof createUserWithToken>>;
before(async () => {
  ctx = await createTestContext({ gateways });
  deps = paymentsDeps(ctx.runtime);
  organizer = await createUserWithToken(ctx.database.db);
});
after(() => ctx.close());

async function hold(eventId: number, quantite: number) {
  const buyer = await createUserWithToken(ctx.database.db);
  return initiatePayment(deps, buyer.user.id, { eventId, quantite, fournisseur: 'WAVE', telephone: '+2250100000010' });
}

const lower = (eventId: number, typeId: number, quantite: number) =>
  ctx.app.inject({
    method: 'PATCH',
    url: `/api/events/${eventId}/ticket-types/${typeId}/`,
    headers: organizer.headers,
    payload: { quantite, max_par_commande: Math.min(quantite, 10) },
  });

async function typeRow(typeId: number) {
  const [t] = await ctx.database.db.select().from(ticketTypes).where(eq(ticketTypes.id, typeId));
  return t!;
}

test('lowering below sold + held is a 409 naming the minimum; down to it is accepted', async () => {
  const { event, types } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 10 });
  const typeId = types[0]!.id;
  const { payment } = await hold(event.id, 3);
  gateways.WAVE.settle(payment.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(deps, payment.id, 'test'), 'REUSSI'); // 3 sold
  await hold(event.id, 2); // 2 held

  const r = await lower(event.id, typeId, 4);
  assert.equal(r.statusCode, 409, r.body);
  assert.equal(r.json().code, 'invalid_quantity');
  assert.equal(
    r.json().error,
    'La quantité ne peut descendre sous 5 (3 billet(s) vendu(s) et 2 place(s) réservée(s) par des paiements en cours).',
  );
  assert.deepEqual(r.json().details.quantite, [r.json().error]);
  assert.equal((await typeRow(typeId)).quantite, 10, 'unchanged');

  const ok = await lower(event.id, typeId, 5);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().quantite, 5);
  assert.equal(ok.json().disponibles, 0);

  const sold = await lower(event.id, typeId, 2);
  assert.equal(sold.statusCode, 409);
  assert.match(sold.json().error, /sous 5/);
  // Raising stays free.
  assert.equal((await lower(event.id, typeId, 8)).statusCode, 200);
});

test(
  'a purchase and a lowering that cannot both fit: never both pass, whichever reaches the lock first (PostgreSQL)',
  { skip: !usingPostgres() },
  async () => {
    const waiting = async () =>
      Number(
        rowsOf<{ n: number }>(
          await ctx.database.db.execute(
            sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          ),
        )[0]!.n,
      );
    for (const first of ['purchase', 'lowering'] as const) {
      const { event, types } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 10 });
      const typeId = types[0]!.id;
      // Someone holds the type's lock (as a confirmation selling seats does): both requests queue behind it, in order.
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const blocker = ctx.database.db.transaction(async (tx) => {
        await tx.execute(sql`SELECT id FROM ticket_types WHERE id = ${typeId} FOR NO KEY UPDATE`);
        locked();
        await released;
      });
      await isLocked;
      const start = {
        purchase: () =>
          hold(event.id, 6).then(
            () => 'ok' as const,
            (e: { statusCode?: number }) => e.statusCode,
          ),
        lowering: () => lower(event.id, typeId, 5).then((r) => (r.statusCode === 200 ? ('ok' as const) : r.statusCode)),
      };
      const second = first === 'purchase' ? 'lowering' : 'purchase';
      const a = start[first]();
      await eventually(async () => (await waiting()) >= 1);
      const b = start[second]();
      await eventually(async () => (await waiting()) >= 2);
      release();
      await blocker;
      const outcome = { [first]: await a, [second]: await b };
      const t = await typeRow(typeId);
      const held = await heldSeats(ctx.database.db, typeId, new Date());
      assert.ok(t.quantite >= t.vendus + held, `quantité ${t.quantite} < vendus ${t.vendus} + réservés ${held} (${first} d'abord)`);
      if (first === 'purchase') assert.deepEqual(outcome, { purchase: 'ok', lowering: 409 });
      else assert.deepEqual(outcome, { lowering: 'ok', purchase: 409 });
    }
  },
);
