/**
 * A paid event's life around its sales: ticket holders count as participants, the access type cannot be
 * switched once tickets are sold, cancellation refunds and tells every ticket holder, and a cancellation
 * racing a confirmation cannot leave a paid ticket unrefunded.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, usingPostgres, type TestContext } from '../../test/context.js';
import { categoryIds, createPaidEvent, eventPayload } from '../../test/events.js';
import { multipartBody } from '../../test/http.js';
import { createUserWithToken } from '../../test/users.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { confirmPayment, createRefund, initiatePayment, type PaymentDeps } from './service.js';
import { paymentsDeps } from './deps.js';
import { processRefund, refundEventPayments } from './refunds.js';
import { payments, refunds } from './tables.js';
import { tickets, ticketTypes } from '../tickets/tables.js';
import { events } from '../events/tables.js';
import { FANOUT_JOB, fanoutJob, type FanoutData } from '../notifications/audiences.js';
import { queuedJobs } from '../../test/jobs.js';
import { queuedMessages } from '../../test/notifications.js';
import type { JobContext } from '../../jobs/queue.js';
import type { Tx } from '../../db/client.js';

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

async function sold(eventId: number, quantite: number) {
  const buyer = await createUserWithToken(ctx.database.db);
  const { payment } = await initiatePayment(deps, buyer.user.id, { eventId, quantite, fournisseur: 'WAVE', telephone: '+2250500000010' });
  gateways.WAVE.settle(payment.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(deps, payment.id, 'test'), 'REUSSI');
  return { buyer, payment };
}

test('ticket holders are participants: participants_count, places_restantes, is_participating', async () => {
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 10 });
  const { buyer } = await sold(event.id, 3);
  const other = await createUserWithToken(ctx.database.db);
  const seen = await ctx.app.inject({ url: `/api/events/${event.id}/`, headers: buyer.headers });
  assert.equal(seen.statusCode, 200);
  const body = seen.json().event ?? seen.json();
  assert.equal(body.participants_count, 3);
  assert.equal(body.places_restantes, 7);
  assert.equal(body.is_participating, true);
  const byOther = await ctx.app.inject({ url: `/api/events/${event.id}/`, headers: other.headers });
  assert.equal((byOther.json().event ?? byOther.json()).is_participating, false);
  const listed = await ctx.app.inject({ url: `/api/events/?createur=${organizer.user.id}`, headers: buyer.headers });
  const row = (listed.json().results as { id: number; is_participating: boolean; participants_count: number }[]).find(
    (e) => e.id === event.id,
  );
  assert.deepEqual([row?.is_participating, row?.participants_count], [true, 3]);
});

test('a paid event with tickets sold cannot become free', async () => {
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 10 });
  await sold(event.id, 1);
  const r = await ctx.app.inject({
    method: 'PATCH',
    url: `/api/events/${event.id}/`,
    headers: organizer.headers,
    payload: { type_acces: 'GRATUIT', prix: 0 },
  });
  assert.equal(r.statusCode, 400);
  assert.match(r.json().details.type_acces[0], /Impossible de changer le type d'accès/);
  const [ev] = await ctx.database.db.select({ typeAcces: events.typeAcces }).from(events).where(eq(events.id, event.id));
  assert.equal(ev!.typeAcces, 'PAYANT');
});

test('cancelling over HTTP refunds every paid ticket and tells every ticket holder', async () => {
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 10 });
  const a = await sold(event.id, 2);
  const b = await sold(event.id, 1);
  const r = await ctx.app.inject({
    method: 'POST',
    url: `/api/events/${event.id}/cancel/`,
    headers: organizer.headers,
    payload: { motif: 'Salle indisponible' },
  });
  assert.equal(r.statusCode, 200);
  const rs = await ctx.database.db
    .select()
    .from(refunds)
    .where(sql`${refunds.paymentId} IN (${a.payment.id}, ${b.payment.id})`);
  assert.equal(rs.length, 2, 'refunds');
  // The participants' notice goes to both buyers (run here rather than by a worker).
  const [fanout] = (await queuedJobs<FanoutData>(ctx.database, FANOUT_JOB)).filter(
    (f) => f.eventId === event.id && f.type === 'EVENEMENT_ANNULE',
  );
  assert.equal(fanout!.data!.motif, 'Salle indisponible');
  const before = (await queuedMessages(ctx.database, 'EMAIL')).filter((m) => m.type === 'EVENEMENT_ANNULE').length;
  await fanoutJob.handler(fanout!, { ...ctx.runtime, retryCount: 0 } as JobContext);
  const rows = (await queuedMessages(ctx.database, 'EMAIL')).filter((m) => m.type === 'EVENEMENT_ANNULE');
  assert.equal(rows.length - before, 2, 'emails');
  for (const buyer of [a.buyer, b.buyer])
    assert.ok(
      rows.some((x) => x.to === buyer.user.email),
      buyer.user.email,
    );
});

test('after a cancellation the cancelled tickets no longer count: participants_count 0, seats released', async () => {
  const { event, types } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 10 });
  await sold(event.id, 3);
  const before = await ctx.app.inject({ url: `/api/events/${event.id}/`, headers: organizer.headers });
  assert.equal(before.json().participants_count, 3);
  const r = await ctx.app.inject({ method: 'POST', url: `/api/events/${event.id}/cancel/`, headers: organizer.headers });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().event.participants_count, 0);
  assert.equal(r.json().event.places_restantes, 10);
  const [tt] = await ctx.database.db.select({ vendus: ticketTypes.vendus }).from(ticketTypes).where(eq(ticketTypes.id, types[0]!.id));
  assert.equal(tt!.vendus, 0);
});

test('a refund completed outside a cancellation gives its seats back too', async () => {
  const { event, types } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const { payment } = await sold(event.id, 2);
  await ctx.database.db.transaction((tx) => createRefund(tx, ctx.jobs, gateways, payment, 'Geste commercial'));
  const [refund] = await ctx.database.db.select().from(refunds).where(eq(refunds.paymentId, payment.id));
  assert.equal(await processRefund(deps, refund!.id), 'done');
  const [tt] = await ctx.database.db.select({ vendus: ticketTypes.vendus }).from(ticketTypes).where(eq(ticketTypes.id, types[0]!.id));
  assert.equal(tt!.vendus, 0);
  const seen = await ctx.app.inject({ url: `/api/events/${event.id}/` });
  assert.equal(seen.json().participants_count, 0);
  assert.equal(seen.json().places_restantes, 5);
});

test('a paid event with tickets sold cannot become free, by PATCH or PUT, as JSON or as a form', async () => {
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 10 });
  await sold(event.id, 4);
  const full = { ...eventPayload((await categoryIds(ctx.database.db))[0]!), type_acces: 'GRATUIT', prix: 0, capacite_max: 10 };
  const attempts = [
    { method: 'PATCH' as const, payload: { type_acces: 'GRATUIT', prix: 0 } },
    { method: 'PUT' as const, payload: full },
    { method: 'PATCH' as const, ...multipartBody({ type_acces: 'GRATUIT', prix: '0' }) },
  ];
  for (const a of attempts) {
    const r = await ctx.app.inject({
      method: a.method,
      url: `/api/events/${event.id}/`,
      headers: { ...organizer.headers, ...('headers' in a ? a.headers : {}) },
      payload: a.payload,
    });
    assert.equal(r.statusCode, 400, `${a.method}: ${r.body}`);
    assert.match(r.json().details.type_acces[0], /Impossible de changer le type d'accès/);
  }
  const [ev] = await ctx.database.db.select({ typeAcces: events.typeAcces }).from(events).where(eq(events.id, event.id));
  assert.equal(ev!.typeAcces, 'PAYANT');
});

/**
 * Runs `first` in a transaction held open before its COMMIT, starts `second` meanwhile, and tells whether
 * `second` was still waiting half a second later; then lets `first` commit and returns `second`'s result.
 */
async function holdsBack<T>(first: (tx: Tx) => Promise<void>, second: () => Promise<T>): Promise<{ waited: boolean; result: T }> {
  let release!: () => void;
  const paused = new Promise<void>((r) => (release = r));
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  const holding = ctx.database.db.transaction(async (tx) => {
    await first(tx);
    ready();
    await paused;
  });
  await started;
  let settled = false;
  const later = second().finally(() => (settled = true));
  await new Promise((r) => setTimeout(r, 500));
  const waited = !settled;
  release();
  await holding;
  return { waited, result: await later };
}

test(
  'a cancellation under way holds a confirmation back, which then refunds instead of issuing tickets',
  { skip: !usingPostgres() && 'deux connexions : PostgreSQL seulement' },
  async () => {
    const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 10 });
    const buyer = await createUserWithToken(ctx.database.db);
    const { payment } = await initiatePayment(deps, buyer.user.id, {
      eventId: event.id,
      quantite: 2,
      fournisseur: 'WAVE',
      telephone: '+2250500000010',
    });
    gateways.WAVE.settle(payment.referenceFournisseur, { status: 'succeeded' });
    const { waited, result } = await holdsBack(
      async (tx) => {
        await tx.update(events).set({ statut: 'ANNULE' }).where(eq(events.id, event.id));
        await refundEventPayments(tx, ctx.jobs, gateways, event.id);
      },
      () => confirmPayment(deps, payment.id, 'test'),
    );
    assert.ok(waited, 'the confirmation waits for the cancellation');
    assert.equal(result, 'REUSSI');
    assert.equal((await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, payment.id))).length, 0);
    assert.equal((await ctx.database.db.select().from(refunds).where(eq(refunds.paymentId, payment.id))).length, 1);
  },
);

test(
  'a confirmation selling seats holds a cancellation back, which then refunds it',
  { skip: !usingPostgres() && 'deux connexions : PostgreSQL seulement' },
  async () => {
    const { event, types } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 10 });
    const buyer = await createUserWithToken(ctx.database.db);
    const { payment } = await initiatePayment(deps, buyer.user.id, {
      eventId: event.id,
      quantite: 1,
      fournisseur: 'WAVE',
      telephone: '+2250500000010',
    });
    const { waited } = await holdsBack(
      // What a confirmation does last, held before its COMMIT: the payment is REUSSI and the seat sold.
      async (tx) => {
        await tx.update(payments).set({ statut: 'REUSSI' }).where(eq(payments.id, payment.id));
        await tx.execute(sql`SELECT sv_sell_seats(${types[0]!.id}::integer, 1, now(), ${payment.id}::integer)`);
      },
      () =>
        ctx.database.db.transaction(async (tx) => {
          await tx.update(events).set({ statut: 'ANNULE' }).where(eq(events.id, event.id));
          await refundEventPayments(tx, ctx.jobs, gateways, event.id);
        }),
    );
    assert.ok(waited, 'the cancellation waits for the confirmation');
    assert.equal(
      (await ctx.database.db.select().from(refunds).where(eq(refunds.paymentId, payment.id))).length,
      1,
      'the paid seat is refunded',
    );
  },
);
