/**
 * The organizer's sales summary (GET /api/events/{id}/ventes/) on a scenario with two ticket types and every
 * kind of payment, to the franc; who may read it; and staff's payment totals, where a payment whose refund is
 * done or under way is not cashed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { createPaidEvent } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { confirmPayment, createRefund, initiatePayment, type PaymentDeps } from './service.js';
import { paymentsDeps } from './deps.js';
import { processRefund } from './refunds.js';
import { payments, refunds } from './tables.js';
import { tickets } from '../tickets/tables.js';
import { subscriptionPlans } from '../subscriptions/tables.js';

const gateways = fakeGateways();
let ctx: TestContext;
let deps: PaymentDeps;
let organizer: Awaited<ReturnType<typeof createUserWithToken>>;
let staff: Awaited<ReturnType<typeof createUserWithToken>>;
let eventId: number;
let standard: number;
let vip: number;

const commissionRate = (pct: number) =>
  ctx.database.db.update(subscriptionPlans).set({ commissionPourcentage: pct }).where(eq(subscriptionPlans.code, 'gratuit'));

async function pending(typeId: number, quantite: number) {
  const buyer = await createUserWithToken(ctx.database.db);
  const { payment } = await initiatePayment(deps, buyer.user.id, {
    eventId,
    typeBilletId: typeId,
    quantite,
    fournisseur: 'WAVE',
    telephone: '+2250100000010',
  });
  return payment;
}

async function paid(typeId: number, quantite: number) {
  const p = await pending(typeId, quantite);
  gateways.WAVE.settle(p.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(deps, p.id, 'test'), 'REUSSI');
  return p;
}

async function refund(paymentId: number) {
  const [p] = await ctx.database.db.select().from(payments).where(eq(payments.id, paymentId));
  const id = await ctx.database.db.transaction((tx) => createRefund(tx, deps.jobs, deps.gateways, p!, 'Geste commercial'));
  return id!;
}

async function checkIn(paymentId: number) {
  const [t] = await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, paymentId)).limit(1);
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/tickets/checkin/',
    headers: organizer.headers,
    payload: { code: t!.code, evenement_id: eventId },
  });
  assert.equal(r.statusCode, 200, r.body);
}

before(async () => {
  ctx = await createTestContext({ gateways });
  deps = paymentsDeps(ctx.runtime);
  organizer = await createUserWithToken(ctx.database.db);
  staff = await createUserWithToken(ctx.database.db, { isStaff: true });
  const { event, types } = await createPaidEvent(ctx.database.db, organizer.user.id, {
    capacite: 80,
    types: [
      { nom: 'Standard', prix: 5000, quantite: 60 },
      { nom: 'VIP', prix: 12345, quantite: 20 },
    ],
  });
  eventId = event.id;
  standard = types.find((t) => t.nom === 'Standard')!.id;
  vip = types.find((t) => t.nom === 'VIP')!.id;

  // Sales at 7.5 % commission (the organizer's plan when they were made)…
  await commissionRate(7.5);
  try {
    const a = await paid(standard, 2); // kept: 10 000, commission 750, one ticket checked in
    const b = await paid(standard, 1); // refunded (done): 5 000 back, no commission, its seat back on sale
    assert.equal(await processRefund(deps, await refund(b.id)), 'done');
    const c = await paid(vip, 1); // kept: 12 345, commission 925.875 → 926, checked in
    const d = await paid(vip, 1); // refund decided, not done yet: 12 345 under way, no commission
    await refund(d.id);
    const f = await pending(standard, 1); // failed at the provider
    gateways.WAVE.settle(f.referenceFournisseur, { status: 'failed', reason: 'NOT_ENOUGH_FUNDS' });
    assert.equal(await confirmPayment(deps, f.id, 'test'), 'ECHOUE');
    await pending(standard, 3); // still pending: 3 seats held
    const x = await pending(vip, 1); // its hold ran out: holds nothing
    await ctx.database.db
      .update(payments)
      .set({ statut: 'EXPIRE', expireLe: new Date(Date.now() - 60_000) })
      .where(eq(payments.id, x.id));
    await checkIn(a.id);
    await checkIn(c.id);
  } finally {
    await commissionRate(0);
  }
  // …and one at 0 % after a change of plan: the rate recorded on each payment counts, not today's.
  await paid(standard, 1);
});
after(() => ctx.close());

const money = (brut: number, commission: number, rembourse: number, enCours: number) => ({
  brut,
  commission,
  rembourse,
  rembourse_en_cours: enCours,
  net: brut - rembourse - commission,
  net_apres_remboursements_en_cours: brut - rembourse - commission - enCours,
});

test('the sales summary, to the franc: seats per type, gross, commission, refunds done and under way, net, check-ins', async () => {
  const r = await ctx.app.inject({ url: `/api/events/${eventId}/ventes/`, headers: organizer.headers });
  assert.equal(r.statusCode, 200, r.body);
  const s = r.json();
  assert.deepEqual(s.types_billet, [
    {
      id: standard,
      nom: 'Standard',
      prix: 5000,
      quantite: 60,
      vendus: 3,
      reserves: 3,
      disponibles: 54,
      entrees: 1,
      ...money(20000, 750, 5000, 0),
    },
    { id: vip, nom: 'VIP', prix: 12345, quantite: 20, vendus: 2, reserves: 0, disponibles: 18, entrees: 1, ...money(24690, 926, 0, 12345) },
  ]);
  assert.deepEqual(s.places, { quantite: 80, vendus: 5, reserves: 3, disponibles: 72, entrees: 2 });
  assert.deepEqual(s.montants, { devise: 'XOF', ...money(44690, 1676, 5000, 12345) });
  assert.equal(s.montants.net, 38014);
  assert.deepEqual(s.paiements_par_statut, { EN_ATTENTE: 1, REUSSI: 4, ECHOUE: 1, EXPIRE: 1, REMBOURSE: 1 });
  assert.equal(s.evenement.id, eventId);
  // Staff read the same figures.
  const byStaff = await ctx.app.inject({ url: `/api/events/${eventId}/ventes`, headers: staff.headers });
  assert.equal(byStaff.statusCode, 200, byStaff.body);
  assert.deepEqual(byStaff.json().montants, s.montants);
});

test('another organizer: 403 on a published event, 404 on one they may not see; anonymous 401; unknown 404', async () => {
  const other = await createUserWithToken(ctx.database.db);
  const r = await ctx.app.inject({ url: `/api/events/${eventId}/ventes/`, headers: other.headers });
  assert.equal(r.statusCode, 403, r.body);
  assert.equal(r.json().code, 'not_owner');
  assert.match(r.json().error, /organisateur/);
  const { event: hidden } = await createPaidEvent(ctx.database.db, organizer.user.id, { statut: 'EN_ATTENTE' });
  const h = await ctx.app.inject({ url: `/api/events/${hidden.id}/ventes/`, headers: other.headers });
  assert.equal(h.statusCode, 404, h.body);
  assert.equal(h.json().error, 'Événement introuvable');
  const own = await ctx.app.inject({ url: `/api/events/${hidden.id}/ventes/`, headers: organizer.headers });
  assert.equal(own.statusCode, 200, 'the creator reads the (empty) figures of an event still in moderation');
  assert.deepEqual(own.json().montants, { devise: 'XOF', ...money(0, 0, 0, 0) });
  assert.equal((await ctx.app.inject({ url: `/api/events/${eventId}/ventes/` })).statusCode, 401);
  assert.equal((await ctx.app.inject({ url: '/api/events/999999/ventes/', headers: organizer.headers })).statusCode, 404);
});

test("the event's GESTIONNAIRE reads the figures; its SCANNER does not", async () => {
  const manager = await createUserWithToken(ctx.database.db);
  const scanner = await createUserWithToken(ctx.database.db);
  for (const [who, role] of [
    [manager, 'GESTIONNAIRE'],
    [scanner, 'SCANNER'],
  ] as const) {
    const added = await ctx.app.inject({
      method: 'POST',
      url: `/api/events/${eventId}/equipe/`,
      headers: organizer.headers,
      payload: { utilisateur: who.user.id, role },
    });
    assert.equal(added.statusCode, 201, added.body);
  }
  const byManager = await ctx.app.inject({ url: `/api/events/${eventId}/ventes/`, headers: manager.headers });
  assert.equal(byManager.statusCode, 200, byManager.body);
  const byOrganizer = await ctx.app.inject({ url: `/api/events/${eventId}/ventes/`, headers: organizer.headers });
  assert.deepEqual(byManager.json().montants, byOrganizer.json().montants);
  const byScanner = await ctx.app.inject({ url: `/api/events/${eventId}/ventes/`, headers: scanner.headers });
  assert.equal(byScanner.statusCode, 403, byScanner.body);
  assert.equal(byScanner.json().code, 'not_owner');
});

test('staff totals: a payment whose refund is done or under way is not cashed (gross, refunded, under way, net)', async () => {
  const r = await ctx.app.inject({ url: `/api/admin/payments/?evenement=${eventId}`, headers: staff.headers });
  assert.equal(r.statusCode, 200, r.body);
  const t = r.json().totaux;
  assert.deepEqual(
    { brut: t.brut, rembourse: t.rembourse, rembourse_en_cours: t.rembourse_en_cours, net: t.net, encaisse: t.encaisse },
    { brut: 44690, rembourse: 5000, rembourse_en_cours: 12345, net: 27345, encaisse: 27345 },
  );
  // The REUSSI sum still holds the payment being refunded: it is not what was cashed.
  assert.equal(t.par_statut.REUSSI.montant, 10000 + 12345 + 12345 + 5000);
  // A refund of a payment that never succeeded (an amount mismatch is ECHOUE, refunded) counts nowhere.
  const [failed] = await ctx.database.db.select().from(payments).where(eq(payments.statut, 'ECHOUE'));
  await ctx.database.db
    .insert(refunds)
    .values({ paymentId: failed!.id, montant: 5000, statut: 'REUSSI', motif: 'Montant incohérent', referenceFournisseur: 'mismatch-1' });
  const again = (await ctx.app.inject({ url: `/api/admin/payments/?evenement=${eventId}`, headers: staff.headers })).json().totaux;
  assert.deepEqual([again.brut, again.rembourse, again.net], [44690, 5000, 27345]);
  await ctx.database.db.delete(refunds).where(eq(refunds.paymentId, failed!.id));
});
