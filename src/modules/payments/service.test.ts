/**
 * The payment service's own rules against a programmable gateway: holds and availability, idempotency,
 * exactly-once finalisation, expiry, late success, amount checks, refunds. (Provider clients are tested
 * against the simulator in providers/.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, sql } from 'drizzle-orm';
import { createTestContext, usingPostgres, type TestContext } from '../../test/context.js';
import { createPaidEvent } from '../../test/events.js';
import { createUser, createUserWithToken } from '../../test/users.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { confirmPayment, initiatePayment, finalizeSuccess, nextCheckDelayMs, type PaymentDeps } from './service.js';
import { paymentsDeps } from './deps.js';
import { payments, refunds } from './tables.js';
import { statusHistory } from '../../core/history.js';
import { notificationDeliveries, notifications } from '../notifications/tables.js';
import { tickets, ticketTypes } from '../tickets/tables.js';
import { processRefund, refundEventPayments, settleManualRefund } from './refunds.js';
import { AppError } from '../../core/errors.js';

const gateways = fakeGateways();
let ctx: TestContext;
let deps: PaymentDeps;
let organizer: Awaited<ReturnType<typeof createUser>>;
before(async () => {
  ctx = await createTestContext({ gateways });
  deps = paymentsDeps(ctx.runtime);
  organizer = await createUser(ctx.database.db);
});
after(() => ctx.close());

/** Matches a ValidationError whose `details[field]` says `re`. */
const fieldError = (field: string, re: RegExp) => (e: unknown) =>
  e instanceof AppError && e.statusCode === 400 && (e.details?.[field] ?? []).some((m) => re.test(m));

const orange = (eventId: number, quantite = 1, telephone = '+2250700000010') => ({
  eventId,
  quantite,
  fournisseur: 'ORANGE_MONEY' as const,
  telephone,
});

async function typeRow(id: number) {
  return (await ctx.database.db.select().from(ticketTypes).where(eq(ticketTypes.id, id)))[0]!;
}

test('initiate: holds seats, stores the provider reference before the call, answers the payment page', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event, types } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 10, prix: 3000 });
  const { payment, replay } = await initiatePayment(deps, buyer.id, orange(event.id, 3));
  assert.equal(replay, false);
  assert.equal(payment.statut, 'EN_ATTENTE');
  assert.equal(payment.montant, 9000);
  assert.match(payment.reference, /^SV-[0-9A-Z]{16}$/);
  assert.equal(payment.referenceFournisseur, payment.reference);
  assert.match(payment.paymentUrl!, /fournisseur\.test/);
  assert.ok(payment.expireLe.getTime() - Date.now() > 14 * 60_000);
  assert.equal(gateways.ORANGE_MONEY.initiated.at(-1)!.montant, 9000);
  // 3 held: only 7 left.
  await assert.rejects(
    initiatePayment(deps, buyer.id, orange(event.id, 8)),
    (e: unknown) => e instanceof AppError && e.statusCode === 409 && /Il ne reste que 7/.test(e.message),
  );
  assert.equal((await typeRow(types[0]!.id)).vendus, 0);
  // The hold and its history row are written together, and the refused request wrote neither.
  const rows = await ctx.database.db.select().from(payments).where(eq(payments.typeBilletId, types[0]!.id));
  assert.deepEqual(
    rows.map((r) => r.id),
    [payment.id],
  );
  const history = await ctx.database.db
    .select()
    .from(statusHistory)
    .where(sql`${statusHistory.entite} = 'PAIEMENT' AND ${statusHistory.entiteId} = ${payment.id}`);
  assert.deepEqual(
    history.map((h) => [h.ancienStatut, h.nouveauStatut, h.source, h.details]),
    [[null, 'EN_ATTENTE', 'initiation', { quantite: 3, type_billet_id: types[0]!.id }]],
  );
});

test('initiate: French errors for a wrong operator, a free or unknown event, too many tickets', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 50 });
  await assert.rejects(
    initiatePayment(deps, buyer.id, { ...orange(event.id), fournisseur: 'MTN_MONEY' }),
    fieldError('telephone', /n'est pas un numéro MTN/),
  );
  await assert.rejects(initiatePayment(deps, buyer.id, orange(event.id, 11)), fieldError('quantite', /Au plus 10 billet/));
  await assert.rejects(initiatePayment(deps, buyer.id, orange(999_999)), /Événement introuvable/);
  const pending = await createPaidEvent(ctx.database.db, organizer.id, { statut: 'EN_ATTENTE' });
  await assert.rejects(initiatePayment(deps, buyer.id, orange(pending.event.id)), /Événement introuvable/);
  await assert.rejects(
    initiatePayment(deps, buyer.id, orange(event.id, 1, '123')),
    fieldError('telephone', /Numéro de téléphone invalide/),
  );
});

test('Idempotency-Key: same key → same payment, never a second charge; another purchase with it → 409', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 5 });
  const before = gateways.ORANGE_MONEY.initiated.length;
  const a = await initiatePayment(deps, buyer.id, orange(event.id, 2), 'cle-123');
  const b = await initiatePayment(deps, buyer.id, orange(event.id, 2), 'cle-123');
  assert.equal(b.payment.id, a.payment.id);
  assert.equal(b.replay, true);
  assert.equal(gateways.ORANGE_MONEY.initiated.length, before + 1);
  await assert.rejects(
    initiatePayment(deps, buyer.id, orange(event.id, 1), 'cle-123'),
    (e: unknown) => e instanceof AppError && e.code === 'idempotency_key_reused',
  );
  // Another user may use the same key for their own purchase.
  const other = await createUser(ctx.database.db);
  const c = await initiatePayment(deps, other.id, orange(event.id, 1), 'cle-123');
  assert.notEqual(c.payment.id, a.payment.id);
});

test('concurrent requests with one Idempotency-Key create one payment', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 50 });
  const results = await Promise.all(Array.from({ length: 8 }, () => initiatePayment(deps, buyer.id, orange(event.id, 1), 'rafale')));
  assert.equal(new Set(results.map((r) => r.payment.id)).size, 1);
  const [n] = await ctx.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(payments)
    .where(eq(payments.evenementId, event.id));
  assert.equal(n!.n, 1);
});

test('a refused initiation fails the payment and frees the seats at once (502)', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 1 });
  gateways.ORANGE_MONEY.initiateMode = 'reject';
  try {
    await assert.rejects(initiatePayment(deps, buyer.id, orange(event.id)), (e: unknown) => e instanceof AppError && e.statusCode === 502);
  } finally {
    gateways.ORANGE_MONEY.initiateMode = 'ok';
  }
  const ok = await initiatePayment(deps, buyer.id, orange(event.id));
  assert.equal(ok.payment.statut, 'EN_ATTENTE');
});

test('push flow (MTN): a provider timeout keeps the payment pending for reconciliation', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 3 });
  gateways.MTN_MONEY.initiateMode = 'unavailable';
  try {
    const { payment } = await initiatePayment(deps, buyer.id, {
      eventId: event.id,
      quantite: 1,
      fournisseur: 'MTN_MONEY',
      telephone: '0500000010',
    });
    assert.equal(payment.statut, 'EN_ATTENTE');
    assert.equal(payment.paymentUrl, null);
    assert.match(payment.referenceFournisseur, /^[0-9a-f-]{36}$/);
  } finally {
    gateways.MTN_MONEY.initiateMode = 'ok';
  }
});

test('success: tickets issued once, even when confirmations race; seats move from held to sold', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event, types } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 10 });
  const { payment } = await initiatePayment(deps, buyer.id, orange(event.id, 2));
  gateways.ORANGE_MONEY.settle(payment.referenceFournisseur, { status: 'succeeded' });
  const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => confirmPayment(deps, payment.id, `course-${i}`)));
  assert.ok(outcomes.every((o) => o === 'REUSSI'));
  const issued = await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, payment.id));
  assert.equal(issued.length, 2);
  assert.deepEqual(issued.map((t) => t.rang).sort(), [1, 2]);
  assert.equal((await typeRow(types[0]!.id)).vendus, 2);
  const history = await ctx.database.db.select().from(statusHistory).where(eq(statusHistory.entiteId, payment.id));
  assert.deepEqual(
    history.filter((h) => h.entite === 'PAIEMENT').map((h) => h.nouveauStatut),
    ['EN_ATTENTE', 'REUSSI'],
  );
});

test('failure at the provider: ECHOUE and the seats are free again', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 1 });
  const { payment } = await initiatePayment(deps, buyer.id, orange(event.id));
  await assert.rejects(initiatePayment(deps, buyer.id, orange(event.id)), /Plus aucune place/);
  gateways.ORANGE_MONEY.settle(payment.referenceFournisseur, { status: 'failed', reason: 'NOT_ENOUGH_FUNDS' });
  assert.equal(await confirmPayment(deps, payment.id, 'test'), 'ECHOUE');
  const [p] = await ctx.database.db.select().from(payments).where(eq(payments.id, payment.id));
  assert.equal(p!.raisonEchec, 'NOT_ENOUGH_FUNDS');
  const again = await initiatePayment(deps, buyer.id, orange(event.id));
  assert.equal(again.payment.statut, 'EN_ATTENTE');
});

test('expiry releases the seats; still pending at expiry → EXPIRE; a late success with seats left → tickets', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 2 });
  const { payment } = await initiatePayment(deps, buyer.id, orange(event.id, 2));
  await ctx.database.db
    .update(payments)
    .set({ expireLe: new Date(Date.now() - 1000) })
    .where(eq(payments.id, payment.id));
  // The hold is over: someone else can take a seat now.
  const other = await initiatePayment(deps, buyer.id, orange(event.id, 1));
  assert.equal(other.payment.statut, 'EN_ATTENTE');
  assert.equal(await confirmPayment(deps, payment.id, 'rapprochement'), 'EXPIRE');
  // The provider finally says yes: 1 seat is held by `other`, 1 is free, but 2 are needed → refund.
  gateways.ORANGE_MONEY.settle(payment.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(deps, payment.id, 'rapprochement'), 'REUSSI');
  assert.equal((await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, payment.id))).length, 0);
  const [r] = await ctx.database.db.select().from(refunds).where(eq(refunds.paymentId, payment.id));
  assert.match(r!.motif, /Plus de places/);
  // `other` expires too and succeeds late: its seat is free → tickets.
  await ctx.database.db
    .update(payments)
    .set({ expireLe: new Date(Date.now() - 1000) })
    .where(eq(payments.id, other.payment.id));
  gateways.ORANGE_MONEY.settle(other.payment.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(deps, other.payment.id, 'rapprochement'), 'REUSSI');
  assert.equal((await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, other.payment.id))).length, 1);
});

test('an amount that does not match fails the payment and issues nothing', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 5, prix: 5000 });
  const { payment } = await initiatePayment(deps, buyer.id, orange(event.id));
  gateways.ORANGE_MONEY.settle(payment.referenceFournisseur, { status: 'succeeded', montant: 50, devise: 'XOF' });
  assert.equal(await confirmPayment(deps, payment.id, 'test'), 'ECHOUE');
  const [p] = await ctx.database.db.select().from(payments).where(eq(payments.id, payment.id));
  assert.equal(p!.raisonEchec, 'MONTANT_INCOHERENT');
  assert.equal((await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, payment.id))).length, 0);
});

test('provider unreachable during confirmation: nothing changes, next poll scheduled with backoff', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 5 });
  const { payment } = await initiatePayment(deps, buyer.id, orange(event.id));
  gateways.ORANGE_MONEY.statusMode = 'unavailable';
  try {
    assert.equal(await confirmPayment(deps, payment.id, 'test'), 'EN_ATTENTE');
  } finally {
    gateways.ORANGE_MONEY.statusMode = 'normal';
  }
  const [p] = await ctx.database.db.select().from(payments).where(eq(payments.id, payment.id));
  assert.equal(p!.verifications, 1);
  assert.deepEqual([0, 1, 2, 3, 10, 30].map(nextCheckDelayMs), [15_000, 30_000, 60_000, 120_000, 1_800_000, 1_800_000]);
});

test('finalizeSuccess on an already final payment does nothing', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 5 });
  const { payment } = await initiatePayment(deps, buyer.id, orange(event.id));
  gateways.ORANGE_MONEY.settle(payment.referenceFournisseur, { status: 'failed' });
  await confirmPayment(deps, payment.id, 'test');
  assert.equal(await finalizeSuccess(deps, payment.id, 'test'), 'ECHOUE');
  assert.equal((await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, payment.id))).length, 0);
});

test('cancelled event: tickets cancelled, refunds through the provider (MTN) or manual (Orange) settled by staff', async () => {
  const buyer = await createUser(ctx.database.db);
  const staff = await createUser(ctx.database.db, { isStaff: true });
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 10 });
  const mtn = await initiatePayment(deps, buyer.id, {
    eventId: event.id,
    quantite: 1,
    fournisseur: 'MTN_MONEY',
    telephone: '+2250500000010',
  });
  const om = await initiatePayment(deps, buyer.id, orange(event.id, 2));
  gateways.MTN_MONEY.settle(mtn.payment.referenceFournisseur, { status: 'succeeded' });
  gateways.ORANGE_MONEY.settle(om.payment.referenceFournisseur, { status: 'succeeded' });
  await confirmPayment(deps, mtn.payment.id, 'test');
  await confirmPayment(deps, om.payment.id, 'test');

  const created = await ctx.database.db.transaction((tx) => refundEventPayments(tx, ctx.jobs, gateways, event.id));
  assert.equal(created, 2);
  // A second cancellation pass refunds nothing twice.
  assert.equal(await ctx.database.db.transaction((tx) => refundEventPayments(tx, ctx.jobs, gateways, event.id)), 0);
  const rs = await ctx.database.db
    .select()
    .from(refunds)
    .where(sql`${refunds.paymentId} IN (${mtn.payment.id}, ${om.payment.id})`);
  const byPayment = new Map(rs.map((r) => [r.paymentId, r]));
  assert.equal(await processRefund(deps, byPayment.get(mtn.payment.id)!.id), 'done');
  assert.equal(await processRefund(deps, byPayment.get(om.payment.id)!.id), 'manual');
  const [pm] = await ctx.database.db.select().from(payments).where(eq(payments.id, mtn.payment.id));
  assert.equal(pm!.statut, 'REMBOURSE');
  const mtnTickets = await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, mtn.payment.id));
  assert.deepEqual(
    mtnTickets.map((t) => t.statut),
    ['REMBOURSE'],
  );
  await settleManualRefund(deps, byPayment.get(om.payment.id)!.id, staff.id);
  const [po] = await ctx.database.db.select().from(payments).where(eq(payments.id, om.payment.id));
  assert.equal(po!.statut, 'REMBOURSE');
  await assert.rejects(settleManualRefund(deps, byPayment.get(om.payment.id)!.id, staff.id), /n'est pas à régler manuellement/);
});

test('a success after the event was cancelled becomes a refund, not tickets', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 10 });
  const { payment } = await initiatePayment(deps, buyer.id, orange(event.id));
  await ctx.database.db.execute(sql`UPDATE events SET statut = 'ANNULE' WHERE id = ${event.id}`);
  gateways.ORANGE_MONEY.settle(payment.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(deps, payment.id, 'test'), 'REUSSI');
  assert.equal((await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, payment.id))).length, 0);
  assert.equal((await ctx.database.db.select().from(refunds).where(eq(refunds.paymentId, payment.id))).length, 1);
});

test(
  '300 concurrent buyers for 100 seats: exactly 100 held, 200 refused with 409',
  { skip: !usingPostgres() && 'concurrence réelle : PostgreSQL seulement (PGlite a une seule connexion)' },
  async () => {
    const { event, types } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 100 });
    const buyers = await Promise.all(Array.from({ length: 300 }, () => createUser(ctx.database.db)));
    const results = await Promise.allSettled(
      buyers.map((b, i) => initiatePayment(deps, b.id, orange(event.id, 1, `+22507${String(10_000_000 + i).padStart(8, '0')}`))),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const soldOut = results.filter((r) => r.status === 'rejected' && (r.reason as AppError).statusCode === 409).length;
    assert.equal(ok, 100);
    assert.equal(soldOut, 200);
    const [held] = await ctx.database.db
      .select({ n: sql<number>`coalesce(sum(quantite),0)::int` })
      .from(payments)
      .where(sql`${payments.typeBilletId} = ${types[0]!.id} AND statut = 'EN_ATTENTE'`);
    assert.equal(held!.n, 100);
    // A refused buyer left nothing behind; every hold has its creation in the history.
    const [written] = await ctx.database.db
      .select({ payments: sql<number>`count(*)::int`, history: sql<number>`count(h.id)::int` })
      .from(payments)
      .leftJoin(sql`${statusHistory} h`, sql`h.entite = 'PAIEMENT' AND h.entite_id = ${payments.id} AND h.ancien_statut IS NULL`)
      .where(eq(payments.typeBilletId, types[0]!.id));
    assert.deepEqual(written, { payments: 100, history: 100 });
  },
);

test('HTTP: initiate, read mine, another user gets 404', async () => {
  const a = await createUserWithToken(ctx.database.db);
  const b = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 5 });
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/payments/initiate/',
    headers: { ...a.headers, 'idempotency-key': 'k1' },
    payload: { event_id: event.id, quantite: 1, fournisseur: 'WAVE', telephone: '+2250100000010' },
  });
  assert.equal(r.statusCode, 201, r.body);
  const p = r.json().payment;
  assert.equal(p.statut, 'EN_ATTENTE');
  assert.equal(p.montant, 5000);
  assert.ok(p.payment_url);
  const replay = await ctx.app.inject({
    method: 'POST',
    url: '/api/payments/initiate/',
    headers: { ...a.headers, 'idempotency-key': 'k1' },
    payload: { event_id: event.id, quantite: 1, fournisseur: 'WAVE', telephone: '+2250100000010' },
  });
  assert.equal(replay.statusCode, 200);
  assert.equal(replay.json().payment.id, p.id);
  assert.equal((await ctx.app.inject({ url: `/api/payments/${p.id}/`, headers: a.headers })).statusCode, 200);
  assert.equal((await ctx.app.inject({ url: `/api/payments/${p.id}/`, headers: b.headers })).statusCode, 404);
  const mine = await ctx.app.inject({ url: '/api/payments/', headers: a.headers });
  assert.equal(mine.json().count, 1);
  assert.equal((await ctx.app.inject({ url: '/api/payments/', headers: b.headers })).json().count, 0);
  assert.equal((await ctx.app.inject({ url: '/api/payments/' })).statusCode, 401);
  const bad = await ctx.app.inject({
    method: 'POST',
    url: '/api/payments/initiate/',
    headers: a.headers,
    payload: { event_id: event.id, quantite: 0, fournisseur: 'PAYPAL', telephone: '+2250100000010' },
  });
  assert.equal(bad.statusCode, 400);
  assert.ok(bad.json().details.quantite);
  assert.ok(bad.json().details.fournisseur);
});

test(
  'confirmations and new purchases racing on one ticket type: no deadlock, sold never above the quantity',
  { skip: !usingPostgres() && 'concurrence réelle : PostgreSQL seulement (PGlite a une seule connexion)' },
  async () => {
    const { event, types } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 40 });
    const buyers = await Promise.all(Array.from({ length: 80 }, () => createUser(ctx.database.db)));
    const first = await Promise.allSettled(
      buyers.slice(0, 40).map((b, i) => initiatePayment(deps, b.id, orange(event.id, 1, `+22507${String(20_000_000 + i)}`))),
    );
    const held = first
      .filter((r) => r.status === 'fulfilled')
      .map((r) => (r as PromiseFulfilledResult<{ payment: { id: number; referenceFournisseur: string } }>).value.payment);
    assert.equal(held.length, 40);
    for (const p of held) gateways.ORANGE_MONEY.settle(p.referenceFournisseur, { status: 'succeeded' });
    // Every confirmation (twice each) and 40 newcomers at the same time.
    const results = await Promise.allSettled([
      ...held.flatMap((p) => [confirmPayment(deps, p.id, 'a'), confirmPayment(deps, p.id, 'b')]),
      ...buyers.slice(40).map((b, i) => initiatePayment(deps, b.id, orange(event.id, 1, `+22507${String(30_000_000 + i)}`))),
    ]);
    const unexpected = results.filter((r) => r.status === 'rejected' && !((r.reason as AppError).statusCode === 409));
    assert.deepEqual(
      unexpected.map((r) => String((r as PromiseRejectedResult).reason)),
      [],
    );
    assert.equal((await typeRow(types[0]!.id)).vendus, 40);
    const [n] = await ctx.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(tickets)
      .where(eq(tickets.evenementId, event.id));
    assert.equal(n!.n, 40);
  },
);

test('sold-out messages read as French: one seat left, none left', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 2 });
  await initiatePayment(deps, buyer.id, orange(event.id, 1));
  await assert.rejects(
    initiatePayment(deps, buyer.id, orange(event.id, 2)),
    (e: unknown) => e instanceof AppError && e.statusCode === 409 && e.message === "Il ne reste qu'une place pour ce billet.",
  );
  await initiatePayment(deps, buyer.id, orange(event.id, 1));
  await assert.rejects(
    initiatePayment(deps, buyer.id, orange(event.id, 1)),
    (e: unknown) => e instanceof AppError && e.statusCode === 409 && e.message === 'Plus aucune place disponible pour ce billet.',
  );
});

test('issue 18 bug 3: a crash between the seat hold and the provider call never strands the buyer', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event, types } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 4 });
  const wave = (quantite: number) => ({ eventId: event.id, quantite, fournisseur: 'WAVE' as const, telephone: '+2250100000010' });
  const later = { ...deps, now: () => new Date(Date.now() + 20_000) };
  const held = async () =>
    (
      await ctx.database.db
        .select({ n: sql<number>`coalesce(sum(${payments.quantite}), 0)::int` })
        .from(payments)
        .where(sql`${payments.typeBilletId} = ${types[0]!.id} AND ${payments.statut} = 'EN_ATTENTE'`)
    )[0]!.n;

  // The process dies after the hold is written and before the request leaves: the provider heard nothing.
  gateways.WAVE.initiateMode = 'crash';
  try {
    await assert.rejects(initiatePayment(deps, buyer.id, wave(2), 'achat-interrompu'), /processus interrompu/);
  } finally {
    gateways.WAVE.initiateMode = 'ok';
  }
  const calls = gateways.WAVE.initiated.length;
  const [stranded] = await ctx.database.db.select().from(payments).where(eq(payments.idempotencyKey, 'achat-interrompu'));
  assert.equal(stranded!.statut, 'EN_ATTENTE');
  assert.equal(stranded!.paymentUrl, null);
  assert.equal(await held(), 2);

  // A replay while the first call could still be in flight does not race it at the provider.
  const early = await initiatePayment(deps, buyer.id, wave(2), 'achat-interrompu');
  assert.equal(early.payment.paymentUrl, null);
  assert.equal(gateways.WAVE.initiated.length, calls);

  // Once the call has surely ended, the replay makes it, with the reference stored with the hold.
  const resumed = await initiatePayment(later, buyer.id, wave(2), 'achat-interrompu');
  assert.equal(resumed.replay, true);
  assert.equal(resumed.payment.id, stranded!.id);
  assert.match(resumed.payment.paymentUrl!, /fournisseur\.test/);
  assert.equal(gateways.WAVE.initiated.length, calls + 1);
  assert.equal(gateways.WAVE.initiated.at(-1)!.referenceFournisseur, stranded!.referenceFournisseur);
  // Answered now: a further replay is a plain replay.
  await initiatePayment(later, buyer.id, wave(2), 'achat-interrompu');
  assert.equal(gateways.WAVE.initiated.length, calls + 1);

  // Nobody replays: reconciliation gives the seats of a cut-off redirect payment back (no page was ever shown).
  gateways.WAVE.initiateMode = 'crash';
  try {
    await assert.rejects(initiatePayment(deps, buyer.id, wave(2)), /processus interrompu/);
  } finally {
    gateways.WAVE.initiateMode = 'ok';
  }
  assert.equal(await held(), 4);
  const [cut] = await ctx.database.db
    .select()
    .from(payments)
    .where(sql`${payments.typeBilletId} = ${types[0]!.id} AND ${payments.statut} = 'EN_ATTENTE' AND ${payments.paymentUrl} IS NULL`);
  assert.equal(await confirmPayment(deps, cut!.id, 'reconciliation'), 'EN_ATTENTE', 'a call that may still be in flight is left alone');
  assert.equal(await confirmPayment(later, cut!.id, 'reconciliation'), 'ECHOUE');
  const [released] = await ctx.database.db.select().from(payments).where(eq(payments.id, cut!.id));
  assert.equal(released!.raisonEchec, 'NON_TRANSMIS');
  assert.equal(await held(), 2);

  // Push flow (MTN): reconciliation sends the request then, so the payer gets the prompt while the hold lasts.
  const mtnBuyer = await createUser(ctx.database.db);
  gateways.MTN_MONEY.initiateMode = 'crash';
  try {
    await assert.rejects(
      initiatePayment(deps, mtnBuyer.id, { eventId: event.id, quantite: 1, fournisseur: 'MTN_MONEY', telephone: '0500000010' }),
      /processus interrompu/,
    );
  } finally {
    gateways.MTN_MONEY.initiateMode = 'ok';
  }
  const [push] = await ctx.database.db.select().from(payments).where(eq(payments.utilisateurId, mtnBuyer.id));
  const mtnCalls = gateways.MTN_MONEY.initiated.length;
  assert.equal(await confirmPayment(later, push!.id, 'reconciliation'), 'EN_ATTENTE');
  assert.equal(gateways.MTN_MONEY.initiated.length, mtnCalls + 1);
  assert.equal(gateways.MTN_MONEY.initiated.at(-1)!.referenceFournisseur, push!.referenceFournisseur);
  const [afterResume] = await ctx.database.db.select().from(payments).where(eq(payments.id, push!.id));
  assert.ok('answeredAt' in (afterResume!.donneesFournisseur as object));
});

const mtnBuy = (eventId: number, quantite = 1) => ({ eventId, quantite, fournisseur: 'MTN_MONEY' as const, telephone: '+2250500000010' });

/** deps whose job queue records what is sent (e-mails to staff, refund jobs), then sends it for real. */
function spyingDeps() {
  const sent: { name: string; data: Record<string, unknown> }[] = [];
  const jobs = Object.create(deps.jobs) as typeof deps.jobs;
  jobs.send = ((name: string, data: Record<string, unknown>, opts?: never) => {
    sent.push({ name, data });
    return deps.jobs.send(name, data as never, opts);
  }) as typeof jobs.send;
  return { d: { ...deps, jobs }, sent };
}

test('issue 12 case 1: an MTN payment closed after its not-found window still becomes tickets on a late SUCCESSFUL, or a refund when sold out', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 1, prix: 2000 });
  const a = await initiatePayment(deps, buyer.id, mtnBuy(event.id));
  // The window ran out while MTN kept answering 404: our client ends it as RESOURCE_NOT_FOUND.
  gateways.MTN_MONEY.settle(a.payment.referenceFournisseur, {
    status: 'failed',
    reason: 'RESOURCE_NOT_FOUND',
    providerStatus: 'NOT_FOUND',
  });
  assert.equal(await confirmPayment(deps, a.payment.id, 'rapprochement'), 'ECHOUE');
  // MTN finally debits the buyer and says so (callback → confirmation): tickets, the seat is free.
  gateways.MTN_MONEY.settle(a.payment.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(deps, a.payment.id, 'rappel_mtn_money'), 'REUSSI');
  assert.equal((await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, a.payment.id))).length, 1);
  const hist = await ctx.database.db
    .select()
    .from(statusHistory)
    .where(
      sql`${statusHistory.entite} = 'PAIEMENT' AND ${statusHistory.entiteId} = ${a.payment.id} AND ${statusHistory.nouveauStatut} = 'REUSSI'`,
    );
  assert.deepEqual(hist[0]!.details, { tardif: true, rouvert: 'RESOURCE_NOT_FOUND' }, 'staff see a late, reopened success');

  // Same story, but the only seat is sold by then: the buyer is refunded automatically, never left with nothing.
  const b = await initiatePayment(deps, buyer.id, mtnBuy((await createPaidEvent(ctx.database.db, organizer.id, { capacite: 1 })).event.id));
  gateways.MTN_MONEY.settle(b.payment.referenceFournisseur, {
    status: 'failed',
    reason: 'RESOURCE_NOT_FOUND',
    providerStatus: 'NOT_FOUND',
  });
  assert.equal(await confirmPayment(deps, b.payment.id, 'rapprochement'), 'ECHOUE');
  const other = await createUser(ctx.database.db);
  const c = await initiatePayment(deps, other.id, mtnBuy(b.payment.evenementId!));
  gateways.MTN_MONEY.settle(c.payment.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(deps, c.payment.id, 'test'), 'REUSSI');
  gateways.MTN_MONEY.settle(b.payment.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(deps, b.payment.id, 'rappel_mtn_money'), 'REUSSI');
  assert.equal((await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, b.payment.id))).length, 0);
  const [r] = await ctx.database.db.select().from(refunds).where(eq(refunds.paymentId, b.payment.id));
  assert.match(r!.motif, /Plus de places/);

  // A payment MTN itself declared FAILED is never reopened, whatever a later (forged) callback claims.
  const d = await initiatePayment(deps, buyer.id, mtnBuy((await createPaidEvent(ctx.database.db, organizer.id, { capacite: 3 })).event.id));
  gateways.MTN_MONEY.settle(d.payment.referenceFournisseur, { status: 'failed', reason: 'APPROVAL_REJECTED' });
  assert.equal(await confirmPayment(deps, d.payment.id, 'rapprochement'), 'ECHOUE');
  gateways.MTN_MONEY.settle(d.payment.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(deps, d.payment.id, 'rappel_mtn_money'), 'ECHOUE');
});

test('issue 12 case 6: a success for another amount is refunded automatically (the amount received) and staff are alerted', async () => {
  const staff = await createUser(ctx.database.db);
  await ctx.database.db.execute(sql`UPDATE users SET is_staff = true WHERE id = ${staff.id}`);
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 5, prix: 5000 });
  const { d, sent } = spyingDeps();
  const { payment } = await initiatePayment(d, buyer.id, mtnBuy(event.id));
  gateways.MTN_MONEY.settle(payment.referenceFournisseur, { status: 'succeeded', montant: 500, devise: 'XOF' });
  assert.equal(await confirmPayment(d, payment.id, 'test'), 'ECHOUE');
  const [p] = await ctx.database.db.select().from(payments).where(eq(payments.id, payment.id));
  assert.equal(p!.raisonEchec, 'MONTANT_INCOHERENT');
  const [r] = await ctx.database.db.select().from(refunds).where(eq(refunds.paymentId, payment.id));
  assert.ok(r, 'the money received is refunded');
  assert.equal(r!.montant, 500);
  assert.match(r!.motif, /Montant incohérent : 500 XOF reçu pour 5000 XOF/);
  assert.ok(sent.some((j) => j.name === 'payments.refund' && j.data.refundId === r!.id));
  // Staff hear it through the notification system (inbox, e-mail and push, critical: no quiet hours).
  const staffAlerts = () =>
    ctx.database.db
      .select({ id: notifications.id, titre: notifications.titre, message: notifications.message })
      .from(notifications)
      .where(and(eq(notifications.utilisateurId, staff.id), eq(notifications.typeNotification, 'ANOMALIE_PAIEMENT')));
  const [alert] = await staffAlerts();
  assert.ok(alert, 'staff are notified');
  assert.match(alert!.message, /confirme 500 XOF pour 5000 XOF demandés/);
  const channels = await ctx.database.db
    .select({ canal: notificationDeliveries.canal, contenu: notificationDeliveries.contenu })
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.notificationId, alert!.id));
  const email = channels.find((c) => c.canal === 'EMAIL');
  assert.ok(email, 'an e-mail to staff');
  assert.match(String(email!.contenu.sujet), /montant incohérent/);
  // The buyer is told the money received comes back, not "vous n'êtes pas débité".
  const [told] = await ctx.database.db
    .select({ message: notifications.message })
    .from(notifications)
    .where(and(eq(notifications.utilisateurId, buyer.id), eq(notifications.typeNotification, 'PAIEMENT_ECHOUE')));
  assert.match(told!.message, /La somme reçue vous est remboursée/);
  // Asking again changes nothing: one refund, one alert.
  assert.equal(await confirmPayment(d, payment.id, 'test'), 'ECHOUE');
  assert.equal((await staffAlerts()).length, 1);
  assert.equal((await ctx.database.db.select().from(refunds).where(eq(refunds.paymentId, payment.id))).length, 1);
  assert.equal((await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, payment.id))).length, 0);
});

test('issue 12 case 2: a refund retry reuses its reference unless MTN said FAILED (a new one then), never paying twice', async () => {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 5 });
  const { payment } = await initiatePayment(deps, buyer.id, mtnBuy(event.id));
  gateways.MTN_MONEY.settle(payment.referenceFournisseur, { status: 'succeeded' });
  await confirmPayment(deps, payment.id, 'test');
  const [paid] = await ctx.database.db.select().from(payments).where(eq(payments.id, payment.id));
  const { createRefund } = await import('./service.js');
  const id = await ctx.database.db.transaction((tx) => createRefund(tx, deps.jobs, deps.gateways, paid!, 'test'));
  const ref0 = (await ctx.database.db.select().from(refunds).where(eq(refunds.id, id!)))[0]!.referenceFournisseur;
  // The window ran out with MTN answering 404: failed on OUR side. The retry must send the same reference.
  gateways.MTN_MONEY.refundResult = { status: 'failed', providerStatus: 'NOT_FOUND', reason: 'RESOURCE_NOT_FOUND' };
  assert.equal(await processRefund(deps, id!), 'failed');
  assert.equal(await processRefund(deps, id!), 'failed');
  const ref1 = (await ctx.database.db.select().from(refunds).where(eq(refunds.id, id!)))[0]!.referenceFournisseur;
  assert.equal(ref1, ref0, 'same reference: a refund that did arrive answers 409, never a second payment');
  // MTN says FAILED for that reference: it is spent, the retry goes out under a new one and succeeds.
  gateways.MTN_MONEY.refunds.set(ref0, { status: 'failed', providerStatus: 'FAILED', reason: 'NOT_ENOUGH_FUNDS', referenceSpent: true });
  gateways.MTN_MONEY.refundResult = { status: 'succeeded', providerStatus: 'SUCCESSFUL' };
  assert.equal(await processRefund(deps, id!), 'done');
  const ref2 = (await ctx.database.db.select().from(refunds).where(eq(refunds.id, id!)))[0]!.referenceFournisseur;
  assert.notEqual(ref2, ref0);
  assert.equal([...gateways.MTN_MONEY.refunds.keys()].filter((k) => k === ref2).length, 1);
});

test('issue 18: a failed payment reads as French for the buyer; the provider code is kept apart', async () => {
  const a = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite: 5 });
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/payments/initiate/',
    headers: a.headers,
    payload: { event_id: event.id, quantite: 1, fournisseur: 'WAVE', telephone: '+2250100000010' },
  });
  assert.equal(r.statusCode, 201, r.body);
  const p = r.json().payment;
  assert.deepEqual([p.raison_echec, p.code_echec, p.code_fournisseur], ['', '', '']);
  const [row] = await ctx.database.db.select().from(payments).where(eq(payments.id, p.id));
  gateways.WAVE.settle(row!.referenceFournisseur, { status: 'failed', reason: 'insufficient-funds' });
  assert.equal(await confirmPayment(deps, p.id, 'reconciliation'), 'ECHOUE');
  const failed = (await ctx.app.inject({ url: `/api/payments/${p.id}/`, headers: a.headers })).json();
  assert.deepEqual(
    [failed.raison_echec, failed.code_echec, failed.code_fournisseur],
    ['Solde insuffisant sur le compte mobile money.', 'SOLDE_INSUFFISANT', 'insufficient-funds'],
  );
  // The same reason spelt by MTN, and one of our own codes (no provider code then).
  const { failureView } = await import('./failure-reasons.js');
  assert.equal(failureView('NOT_ENOUGH_FUNDS').code_echec, 'SOLDE_INSUFFISANT');
  assert.equal(failureView('APPROVAL_REJECTED').code_echec, 'REFUSE_PAR_LE_PAYEUR');
  assert.equal(failureView('PAYER_NOT_FOUND').code_echec, 'COMPTE_INTROUVABLE');
  assert.deepEqual(failureView('DELAI_DEPASSE'), {
    raison_echec: "Le paiement n'a pas été validé à temps.",
    code_echec: 'DELAI_DEPASSE',
    code_fournisseur: '',
  });
  assert.equal(failureView('QUELQUE_CHOSE').raison_echec, 'Le paiement a échoué.');
});
