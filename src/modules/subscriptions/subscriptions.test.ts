/**
 * Subscriptions through HTTP (both databases): plans, subscribing with a type ABONNEMENT payment activated by
 * webhook and by reconciliation, failure, late success, renewal dates (early, within grace, after expiry),
 * upgrade proration, downgrade at period end, cancel, limits, the commission recorded on a ticket sale, the
 * reminders and expiry sweep with a controllable clock, staff plans.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { createTestContext, eventually, usingPostgres, type TestContext } from '../../test/context.js';
import { createUserWithToken } from '../../test/users.js';
import { categoryIds, createPaidEvent, eventPayload, eventRow } from '../../test/events.js';
import { createPaidPurchase } from '../../test/payments.js';
import { tickets } from '../tickets/tables.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { paymentsDeps } from '../payments/deps.js';
import { confirmPayment, initiatePayment } from '../payments/service.js';
import { payments, refunds } from '../payments/tables.js';
import { statusHistory } from '../../core/history.js';
import { subscriptionPlans, subscriptionReminders, subscriptions } from './tables.js';
import { subscriptionsDeps } from './deps.js';
import { runSubscriptionSweep } from './jobs.js';
import { DAY_MS } from './service.js';
import { effectivePlan } from './effective.js';
import { selectRows } from '../../db/client.js';

const gateways = fakeGateways();
let ctx: TestContext;
let staff: Awaited<ReturnType<typeof createUserWithToken>>;
let plans: Record<string, { id: number; prix: number; duree_jours: number }>;

before(async () => {
  ctx = await createTestContext({ gateways, work: true });
  staff = await createUserWithToken(ctx.database.db, { isStaff: true });
  const r = await ctx.app.inject({ url: '/api/subscriptions/plans/' });
  plans = Object.fromEntries((r.json() as { code: string; id: number; prix: number; duree_jours: number }[]).map((p) => [p.code, p]));
});
after(() => ctx.close());

const db = () => ctx.database.db;
type Org = Awaited<ReturnType<typeof createUserWithToken>>;

async function subscribeHttp(org: Org, code: string, fournisseur = 'WAVE', telephone = '+2250700000010', key?: string) {
  return ctx.app.inject({
    method: 'POST',
    url: '/api/subscriptions/subscribe/',
    headers: { ...org.headers, ...(key ? { 'idempotency-key': key } : {}) },
    payload: { plan_id: plans[code]!.id, fournisseur, telephone },
  });
}

async function payment(id: number) {
  return (await db().select().from(payments).where(eq(payments.id, id)))[0]!;
}
async function sub(id: number) {
  return (await db().select().from(subscriptions).where(eq(subscriptions.id, id)))[0]!;
}

/** Subscribes through the API and has the provider confirm it (reconciliation's path). */
async function subscribeAndPay(org: Org, code: string) {
  const r = await subscribeHttp(org, code);
  assert.equal(r.statusCode, 201, r.body);
  const { subscription, payment: p } = r.json();
  const row = await payment(p.id);
  gateways[row.fournisseur].settle(row.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(paymentsDeps(ctx.runtime), p.id, 'rapprochement'), 'REUSSI');
  return { ...(await sub(subscription.id)), montantPaye: row.montant };
}

/** Moves an organizer's subscription dates by `days` (negative: into the past). */
async function shift(id: number, days: number) {
  const ms = days * DAY_MS;
  await db()
    .update(subscriptions)
    .set({
      dateDebut: sql`${subscriptions.dateDebut} + make_interval(secs => ${ms / 1000})`,
      dateFin: sql`${subscriptions.dateFin} + make_interval(secs => ${ms / 1000})`,
      enGraceJusquAu: sql`${subscriptions.enGraceJusquAu} + make_interval(secs => ${ms / 1000})`,
    })
    .where(eq(subscriptions.id, id));
}

test('plans: active plans with French names, typed features, the free plan at 0 FCFA', async () => {
  const r = await ctx.app.inject({ url: '/api/subscriptions/plans' });
  assert.equal(r.statusCode, 200);
  const list = r.json();
  const gratuit = list.find((p: { code: string }) => p.code === 'gratuit');
  assert.equal(gratuit.prix, 0);
  assert.deepEqual(gratuit.fonctionnalites, {
    max_evenements_actifs: null,
    evenements_payants: true,
    max_types_billet_par_evenement: null,
    max_membres_equipe: 2,
    commission_pourcentage: 0,
    mise_en_avant: false,
    statistiques_avancees: false,
    messages_participants: false,
  });
  assert.deepEqual(
    list.map((p: { nom: string }) => p.nom),
    ['Gratuit', 'Essentiel', 'Professionnel', 'Professionnel (12 mois)'],
  );
});

test('bad input: free plan 400, unknown plan 404, provider/phone mismatch 400, no token 401', async () => {
  const org = await createUserWithToken(db());
  const free = await subscribeHttp(org, 'gratuit');
  assert.equal(free.statusCode, 400);
  assert.match(free.json().details.plan_id[0], /gratuit ne s'achète pas/);
  const unknown = await ctx.app.inject({
    method: 'POST',
    url: '/api/subscriptions/subscribe/',
    headers: org.headers,
    payload: { plan_id: 99999, fournisseur: 'WAVE', telephone: '+2250700000010' },
  });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().error, 'Forfait introuvable.');
  const mismatch = await subscribeHttp(org, 'essentiel', 'MTN_MONEY', '+2250700000010');
  assert.equal(mismatch.statusCode, 400);
  assert.match(mismatch.json().details.telephone[0], /MTN/);
  assert.equal((await ctx.app.inject({ method: 'POST', url: '/api/subscriptions/subscribe/', payload: {} })).statusCode, 401);
});

test('subscribe: EN_ATTENTE with an ABONNEMENT payment; a webhook activates it; /me/ shows plan and usage', async () => {
  const org = await createUserWithToken(db());
  const r = await subscribeHttp(org, 'essentiel', 'ORANGE_MONEY', '+2250700000011', 'cle-1');
  assert.equal(r.statusCode, 201, r.body);
  const { subscription, payment: p } = r.json();
  assert.equal(subscription.statut, 'EN_ATTENTE');
  assert.equal(subscription.date_debut, null);
  assert.equal(p.type, 'ABONNEMENT');
  assert.equal(p.montant, 5000);
  assert.equal(p.event_id, null);
  assert.match(p.payment_url, /fournisseur\.test/);
  // The same key: the same subscription and payment, no second debit.
  const replay = await subscribeHttp(org, 'essentiel', 'ORANGE_MONEY', '+2250700000011', 'cle-1');
  assert.equal(replay.statusCode, 200);
  assert.equal(replay.json().payment.id, p.id);
  assert.equal(replay.json().subscription.id, subscription.id);

  const row = await payment(p.id);
  gateways.ORANGE_MONEY.settle(row.referenceFournisseur, { status: 'succeeded' });
  const hook = await ctx.app.inject({
    method: 'POST',
    url: '/api/payments/webhooks/orange/',
    headers: { 'content-type': 'application/json', 'x-token': gateways.ORANGE_MONEY.secret },
    payload: JSON.stringify({ reference: p.reference, statut: 'SUCCESS' }),
  });
  assert.equal(hook.statusCode, 200);
  const active = await eventually(async () => {
    const s = await sub(subscription.id);
    return s.statut === 'ACTIF' ? s : undefined;
  });
  assert.ok(Math.abs(active.dateDebut!.getTime() - Date.now()) < 60_000);
  assert.equal(active.dateFin!.getTime() - active.dateDebut!.getTime(), 30 * DAY_MS);
  assert.equal(active.enGraceJusquAu!.getTime() - active.dateFin!.getTime(), 7 * DAY_MS);

  await ctx.app.inject({ method: 'POST', url: '/api/events/', headers: org.headers, payload: eventPayload((await categoryIds(db()))[0]!) });
  const me = await ctx.app.inject({ url: '/api/subscriptions/me/', headers: org.headers });
  assert.equal(me.statusCode, 200, me.body);
  assert.equal(me.json().plan.code, 'essentiel');
  assert.equal(me.json().subscription.statut, 'ACTIF');
  assert.equal(me.json().fonctionnalites.messages_participants, true);
  assert.deepEqual(me.json().usage, { evenements_actifs: 1, max_evenements_actifs: null });
  const mine = await ctx.app.inject({ url: '/api/subscriptions/', headers: org.headers });
  assert.equal(mine.json().count, 1);
  const history = await db()
    .select()
    .from(statusHistory)
    .where(and(eq(statusHistory.entite, 'ABONNEMENT'), eq(statusHistory.entiteId, subscription.id)));
  assert.deepEqual(
    history.map((h) => [h.ancienStatut, h.nouveauStatut]),
    [
      [null, 'EN_ATTENTE'],
      ['EN_ATTENTE', 'ACTIF'],
    ],
  );
});

test('an organizer without subscription has the free plan in /me/', async () => {
  const org = await createUserWithToken(db());
  const me = (await ctx.app.inject({ url: '/api/subscriptions/me/', headers: org.headers })).json();
  assert.equal(me.subscription, null);
  assert.equal(me.plan.code, 'gratuit');
});

test('failure: the provider refuses the payment → ECHOUE; a late success then activates it exactly once', async () => {
  const org = await createUserWithToken(db());
  const r = await subscribeHttp(org, 'essentiel');
  const { subscription, payment: p } = r.json();
  const row = await payment(p.id);
  // No answer within the hold: the payment expires, the attempt fails.
  await db()
    .update(payments)
    .set({ expireLe: new Date(Date.now() - 1000) })
    .where(eq(payments.id, p.id));
  assert.equal(await confirmPayment(paymentsDeps(ctx.runtime), p.id, 'rapprochement'), 'EXPIRE');
  assert.equal((await sub(subscription.id)).statut, 'ECHOUE');
  // The provider finally reports success: activated, once, however often it is confirmed.
  gateways.WAVE.settle(row.referenceFournisseur, { status: 'succeeded' });
  await Promise.all([1, 2, 3].map(() => confirmPayment(paymentsDeps(ctx.runtime), p.id, 'rapprochement')));
  const s = await sub(subscription.id);
  assert.equal(s.statut, 'ACTIF');
  const h = await db()
    .select()
    .from(statusHistory)
    .where(
      and(eq(statusHistory.entite, 'ABONNEMENT'), eq(statusHistory.entiteId, subscription.id), eq(statusHistory.nouveauStatut, 'ACTIF')),
    );
  assert.equal(h.length, 1);
  assert.equal((await db().select().from(refunds).where(eq(refunds.paymentId, p.id))).length, 0);

  // A refused payment: ECHOUE.
  const org2 = await createUserWithToken(db());
  const r2 = (await subscribeHttp(org2, 'essentiel')).json();
  const row2 = await payment(r2.payment.id);
  gateways.WAVE.settle(row2.referenceFournisseur, { status: 'failed', reason: 'NOT_ENOUGH_FUNDS' });
  assert.equal(await confirmPayment(paymentsDeps(ctx.runtime), row2.id, 'rapprochement'), 'ECHOUE');
  assert.equal((await sub(r2.subscription.id)).statut, 'ECHOUE');
});

test('late success after a retry was paid: refunded exactly once, not a second period', async () => {
  const org = await createUserWithToken(db());
  const first = (await subscribeHttp(org, 'essentiel')).json();
  await db()
    .update(payments)
    .set({ expireLe: new Date(Date.now() - 1000) })
    .where(eq(payments.id, first.payment.id));
  await confirmPayment(paymentsDeps(ctx.runtime), first.payment.id, 'rapprochement');
  const retry = await subscribeAndPay(org, 'essentiel');
  assert.equal(retry.statut, 'ACTIF');
  const row = await payment(first.payment.id);
  gateways.WAVE.settle(row.referenceFournisseur, { status: 'succeeded' });
  await confirmPayment(paymentsDeps(ctx.runtime), row.id, 'rapprochement');
  await confirmPayment(paymentsDeps(ctx.runtime), row.id, 'rapprochement');
  assert.equal((await sub(first.subscription.id)).statut, 'ECHOUE');
  const rs = await db().select().from(refunds).where(eq(refunds.paymentId, row.id));
  assert.equal(rs.length, 1);
  assert.equal(rs[0]!.montant, 5000);
});

test('renewal dates: early from the end of the period, late within grace from the old end, after expiry when paid', async () => {
  const org = await createUserWithToken(db());
  const a = await subscribeAndPay(org, 'essentiel');
  // Early: 20 days left.
  await shift(a.id, -10);
  const early = await subscribeAndPay(org, 'essentiel');
  const aEnd = (await sub(a.id)).dateFin!;
  assert.equal(early.nature, 'RENOUVELLEMENT');
  assert.equal(early.dateDebut!.getTime(), aEnd.getTime());
  assert.equal(early.dateFin!.getTime(), aEnd.getTime() + 30 * DAY_MS);
  const me = (await ctx.app.inject({ url: '/api/subscriptions/me/', headers: org.headers })).json();
  assert.equal(me.subscription.id, a.id);
  assert.equal(me.a_venir.id, early.id);

  // Late within grace: the period ended 2 days ago.
  const org2 = await createUserWithToken(db());
  const b = await subscribeAndPay(org2, 'essentiel');
  await shift(b.id, -32);
  const late = await subscribeAndPay(org2, 'essentiel');
  const bEnd = (await sub(b.id)).dateFin!;
  assert.equal(late.dateDebut!.getTime(), bEnd.getTime());
  assert.ok(late.dateDebut!.getTime() < Date.now());

  // After expiry (grace over): from payment.
  const org3 = await createUserWithToken(db());
  const c = await subscribeAndPay(org3, 'essentiel');
  await shift(c.id, -40);
  const again = await subscribeAndPay(org3, 'essentiel');
  assert.ok(Math.abs(again.dateDebut!.getTime() - Date.now()) < 60_000);
});

test('upgrade: the difference for the days left in integer francs, applies when paid; downgrade at period end', async () => {
  const org = await createUserWithToken(db());
  const ess = await subscribeAndPay(org, 'essentiel');
  await shift(ess.id, -20); // 10 days left
  const r = await subscribeHttp(org, 'professionnel');
  assert.equal(r.statusCode, 201, r.body);
  // ceil(10 × (15000 − 5000) / 30) = 3334 FCFA
  assert.equal(r.json().payment.montant, 3334);
  assert.equal(r.json().subscription.nature, 'SURCLASSEMENT');
  const row = await payment(r.json().payment.id);
  gateways.WAVE.settle(row.referenceFournisseur, { status: 'succeeded' });
  await confirmPayment(paymentsDeps(ctx.runtime), row.id, 'rapprochement');
  const pro = await sub(r.json().subscription.id);
  const essEnd = new Date(ess.dateFin!.getTime() - 20 * DAY_MS);
  assert.equal(pro.statut, 'ACTIF');
  assert.equal(pro.dateFin!.getTime(), essEnd.getTime());
  assert.equal((await sub(ess.id)).statut, 'EXPIRE');
  const me = (await ctx.app.inject({ url: '/api/subscriptions/me/', headers: org.headers })).json();
  assert.equal(me.plan.code, 'professionnel');

  // Downgrade: essentiel again starts when professionnel ends, at full price.
  const down = await subscribeAndPay(org, 'essentiel');
  assert.equal(down.nature, 'DECLASSEMENT');
  assert.equal(down.montantPaye, 5000);
  assert.equal(down.dateDebut!.getTime(), pro.dateFin!.getTime());
  assert.equal((await ctx.app.inject({ url: '/api/subscriptions/me/', headers: org.headers })).json().plan.code, 'professionnel');
});

test('an upgrade with a single day left is charged at least the provider minimum', async () => {
  const org = await createUserWithToken(db());
  const ess = await subscribeAndPay(org, 'professionnel');
  await shift(ess.id, -29.99);
  const r = await subscribeHttp(org, 'professionnel-annuel');
  // Annual is cheaper per day than monthly: a downgrade at full price; monthly → essentiel neither.
  assert.equal(r.json().subscription.nature, 'DECLASSEMENT');
  const org2 = await createUserWithToken(db());
  const e2 = await subscribeAndPay(org2, 'essentiel');
  await shift(e2.id, -29.999);
  const r2 = await subscribeHttp(org2, 'professionnel');
  // ceil(1 × 10000 / 30) = 334
  assert.equal(r2.json().payment.montant, 334);
});

test('parallel subscribe calls without a key: one pending subscription per plan per organizer (409 for the rest)', async () => {
  const org = await createUserWithToken(db());
  const rs = await Promise.all([1, 2, 3, 4].map(() => subscribeHttp(org, 'essentiel')));
  const codes = rs.map((r) => r.statusCode).sort();
  assert.deepEqual(codes, [201, 409, 409, 409]);
  assert.equal(rs.find((r) => r.statusCode === 409)!.json().code, 'subscription_pending');
  const pending = await db()
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.organisateurId, org.user.id), eq(subscriptions.statut, 'EN_ATTENTE')));
  assert.equal(pending.length, 1);
  // Cancelling the pending one frees the slot.
  const c = await ctx.app.inject({ method: 'POST', url: `/api/subscriptions/${pending[0]!.id}/cancel/`, headers: org.headers });
  assert.equal(c.json().subscription.statut, 'ANNULE');
  assert.equal((await subscribeHttp(org, 'essentiel')).statusCode, 201);
});

test('cancel an active subscription: stays ACTIF until date_fin, no grace, no reminder; others 404', async () => {
  const org = await createUserWithToken(db());
  const s = await subscribeAndPay(org, 'essentiel');
  const other = await createUserWithToken(db());
  assert.equal(
    (await ctx.app.inject({ method: 'POST', url: `/api/subscriptions/${s.id}/cancel/`, headers: other.headers })).statusCode,
    404,
  );
  const r = await ctx.app.inject({ method: 'POST', url: `/api/subscriptions/${s.id}/cancel/`, headers: org.headers });
  assert.equal(r.statusCode, 200);
  assert.equal(r.json().subscription.statut, 'ACTIF');
  assert.ok(r.json().subscription.annule_le);
  assert.equal(r.json().subscription.en_grace_jusqu_au, r.json().subscription.date_fin);
  const deps = { ...subscriptionsDeps(ctx.runtime), now: () => new Date(s.dateFin!.getTime() - 3 * DAY_MS) };
  await runSubscriptionSweep(deps);
  assert.equal((await db().select().from(subscriptionReminders).where(eq(subscriptionReminders.subscriptionId, s.id))).length, 0);
});

test('reminders at J-7, J-3, J-1, J0, J+3 once each across parallel sweeps; expiry after grace back to the free plan, sold tickets untouched', async () => {
  const org = await createUserWithToken(db());
  const s = await subscribeAndPay(org, 'professionnel');
  const { event, types } = await createPaidEvent(db(), org.user.id, { capacite: 5 });
  const buyer = await createUserWithToken(db());
  const sold = await createPaidPurchase(db(), { buyerId: buyer.user.id, eventId: event.id, typeId: types[0]!.id, quantite: 2 });
  const end = s.dateFin!.getTime();
  const at = (days: number) => ({ ...subscriptionsDeps(ctx.runtime), now: () => new Date(end + days * DAY_MS + 60_000) });
  const steps = async () =>
    (await db().select().from(subscriptionReminders).where(eq(subscriptionReminders.subscriptionId, s.id))).map((r) => r.etape).sort();
  // (The sweep sees every test's subscriptions: judge this one's rows, not the sweep's totals.)
  await runSubscriptionSweep(at(-8));
  assert.deepEqual(await steps(), []);
  // Each reminder step is one ABONNEMENT_EXPIRE_BIENTOT notification with its SMS delivery (notifications module).
  const sent = async () =>
    (
      await selectRows<{ n: number }>(
        db(),
        sql`SELECT count(*)::int AS n FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
             WHERE n.utilisateur_id = ${org.user.id} AND n.type_notification = 'ABONNEMENT_EXPIRE_BIENTOT' AND d.canal = 'SMS'`,
      )
    )[0]!.n;
  await Promise.all([runSubscriptionSweep(at(-7)), runSubscriptionSweep(at(-7)), runSubscriptionSweep(at(-6))]);
  assert.deepEqual(await steps(), ['J-7']);
  assert.equal(await sent(), 1);
  await runSubscriptionSweep(at(-3));
  await runSubscriptionSweep(at(-2));
  await runSubscriptionSweep(at(-1));
  await runSubscriptionSweep(at(0));
  assert.deepEqual(await steps(), ['J-1', 'J-3', 'J-7', 'J0']);
  assert.equal(await sent(), 4);
  // Within grace: still Professionnel, one more reminder.
  await runSubscriptionSweep(at(3));
  assert.deepEqual(await steps(), ['J+3', 'J-1', 'J-3', 'J-7', 'J0']);
  assert.equal((await sub(s.id)).statut, 'ACTIF');
  assert.equal((await effectivePlan(db(), org.user.id, at(3).now())).code, 'professionnel');
  await Promise.all([runSubscriptionSweep(at(7)), runSubscriptionSweep(at(7))]);
  assert.equal((await sub(s.id)).statut, 'EXPIRE');
  const expiries = await db()
    .select()
    .from(statusHistory)
    .where(and(eq(statusHistory.entite, 'ABONNEMENT'), eq(statusHistory.entiteId, s.id), eq(statusHistory.nouveauStatut, 'EXPIRE')));
  assert.equal(expiries.length, 1);
  const me = (await ctx.app.inject({ url: '/api/subscriptions/me/', headers: org.headers })).json();
  assert.equal(me.plan.code, 'gratuit');
  assert.equal(me.subscription, null);
  // Nothing deleted on expiry: the event stays published, its sold tickets valid.
  assert.equal((await eventRow(db(), event.id))!.statut, 'VALIDE');
  const ts = await db().select().from(tickets).where(inArray(tickets.id, sold.ticketIds));
  assert.deepEqual(
    ts.map((t) => t?.statut),
    ['VALIDE', 'VALIDE'],
  );
});

test('limits: the free plan tightened by staff refuses a second active event and paid events (403 plan_limit)', async () => {
  const gratuit = plans.gratuit!.id;
  const patch = await ctx.app.inject({
    method: 'PATCH',
    url: `/api/admin/subscription-plans/${gratuit}/`,
    headers: staff.headers,
    payload: { max_evenements_actifs: 1, evenements_payants: false, max_types_billet_par_evenement: 1 },
  });
  assert.equal(patch.statusCode, 200, patch.body);
  try {
    const org = await createUserWithToken(db());
    const cat = (await categoryIds(db()))[0]!;
    const first = await ctx.app.inject({ method: 'POST', url: '/api/events/', headers: org.headers, payload: eventPayload(cat) });
    assert.equal(first.statusCode, 201, first.body);
    const second = await ctx.app.inject({ method: 'POST', url: '/api/events/', headers: org.headers, payload: eventPayload(cat) });
    assert.equal(second.statusCode, 403);
    assert.equal(second.json().code, 'plan_limit');
    assert.match(second.json().error, /forfait « Gratuit » permet au plus 1 événement/);
    const paid = await ctx.app.inject({
      method: 'POST',
      url: '/api/events/',
      headers: org.headers,
      payload: eventPayload(cat, { type_acces: 'PAYANT', prix: 2000, brouillon: true }),
    });
    assert.equal(paid.statusCode, 403);
    assert.match(paid.json().error, /ne permet pas les événements payants/);
    // A paid plan lifts both.
    await subscribeAndPay(org, 'essentiel');
    const ok = await ctx.app.inject({
      method: 'POST',
      url: '/api/events/',
      headers: org.headers,
      payload: eventPayload(cat, { type_acces: 'PAYANT', prix: 2000 }),
    });
    assert.equal(ok.statusCode, 201, ok.body);
  } finally {
    await db()
      .update(subscriptionPlans)
      .set({ maxEvenementsActifs: null, evenementsPayants: true, maxTypesBilletParEvenement: null })
      .where(eq(subscriptionPlans.id, gratuit));
  }
});

test('commission: the plan rate in force is recorded on each ticket payment; a later plan change leaves it', async () => {
  const org = await createUserWithToken(db());
  await db().update(subscriptionPlans).set({ commissionPourcentage: 7.5 }).where(eq(subscriptionPlans.code, 'gratuit'));
  try {
    const { event } = await createPaidEvent(db(), org.user.id, { capacite: 5 });
    const buyer = await createUserWithToken(db());
    const { payment: p } = await initiatePayment(paymentsDeps(ctx.runtime), buyer.user.id, {
      eventId: event.id,
      quantite: 1,
      fournisseur: 'WAVE',
      telephone: '+2250100000010',
    });
    assert.equal((await payment(p.id)).commissionPourcentage, 7.5);
    await subscribeAndPay(org, 'essentiel');
    const { payment: p2 } = await initiatePayment(paymentsDeps(ctx.runtime), buyer.user.id, {
      eventId: event.id,
      quantite: 1,
      fournisseur: 'WAVE',
      telephone: '+2250100000010',
    });
    assert.equal((await payment(p2.id)).commissionPourcentage, 0);
    assert.equal((await payment(p.id)).commissionPourcentage, 7.5);
  } finally {
    await db().update(subscriptionPlans).set({ commissionPourcentage: 0 }).where(eq(subscriptionPlans.code, 'gratuit'));
  }
});

test('staff plans: create, edit, a plan with subscribers is deactivated (never deleted), an unused one deleted; others 403', async () => {
  const org = await createUserWithToken(db());
  assert.equal((await ctx.app.inject({ url: '/api/admin/subscription-plans/', headers: org.headers })).statusCode, 403);
  const c = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/subscription-plans/',
    headers: staff.headers,
    payload: { code: 'evenementiel', nom: 'Événementiel', prix: 2000, duree_jours: 7, mise_en_avant: true },
  });
  assert.equal(c.statusCode, 201, c.body);
  const id = c.json().id;
  const dup = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/subscription-plans/',
    headers: staff.headers,
    payload: { code: 'evenementiel', nom: 'X', prix: 2000, duree_jours: 7 },
  });
  assert.equal(dup.statusCode, 409);
  plans.evenementiel = c.json();
  await subscribeAndPay(org, 'evenementiel');
  const del = await ctx.app.inject({ method: 'DELETE', url: `/api/admin/subscription-plans/${id}/`, headers: staff.headers });
  assert.equal(del.statusCode, 200);
  assert.equal(del.json().actif, false);
  const publicList = (await ctx.app.inject({ url: '/api/subscriptions/plans/' })).json();
  assert.ok(!publicList.some((p: { id: number }) => p.id === id));
  const inactive = await subscribeHttp(await createUserWithToken(db()), 'evenementiel');
  assert.equal(inactive.statusCode, 400);
  // Its subscriber keeps the plan.
  assert.equal((await ctx.app.inject({ url: '/api/subscriptions/me/', headers: org.headers })).json().plan.code, 'evenementiel');
  const unused = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/subscription-plans/',
    headers: staff.headers,
    payload: { code: 'essai', nom: 'Essai', prix: 500, duree_jours: 3 },
  });
  assert.equal(
    (await ctx.app.inject({ method: 'DELETE', url: `/api/admin/subscription-plans/${unused.json().id}/`, headers: staff.headers }))
      .statusCode,
    204,
  );
  const freeDel = await ctx.app.inject({
    method: 'DELETE',
    url: `/api/admin/subscription-plans/${plans.gratuit!.id}/`,
    headers: staff.headers,
  });
  assert.equal(freeDel.statusCode, 400);
  const list = await ctx.app.inject({ url: `/api/admin/subscriptions/?plan=${id}&statut=ACTIF`, headers: staff.headers });
  assert.equal(list.statusCode, 200, list.body);
  assert.equal(list.json().count, 1);
  assert.equal(list.json().results[0].organisateur_id, org.user.id);
});

test(
  'limits under parallel creation: one organizer, five creations at once, plan allows 2 → exactly 2 pass (PostgreSQL)',
  { skip: !usingPostgres() },
  async () => {
    const gratuit = plans.gratuit!.id;
    await db()
      .update(subscriptionPlans)
      .set({ maxEvenementsActifs: 2, maxTypesBilletParEvenement: 2 })
      .where(eq(subscriptionPlans.id, gratuit));
    try {
      const org = await createUserWithToken(db());
      const cat = (await categoryIds(db()))[0]!;
      const rs = await Promise.all(
        [1, 2, 3, 4, 5].map(() =>
          ctx.app.inject({ method: 'POST', url: '/api/events/', headers: org.headers, payload: eventPayload(cat) }),
        ),
      );
      assert.deepEqual(rs.map((r) => r.statusCode).sort(), [201, 201, 403, 403, 403]);
      // Ticket types per event: the Standard type plus parallel additions, at most 2 in all.
      const { event } = await createPaidEvent(db(), org.user.id, { capacite: 100, types: [{ nom: 'Standard', prix: 1000, quantite: 10 }] });
      const ts = await Promise.all(
        ['VIP', 'Balcon', 'Carré or'].map((nom) =>
          ctx.app.inject({
            method: 'POST',
            url: `/api/events/${event.id}/ticket-types/`,
            headers: org.headers,
            payload: { nom, prix: 5000, quantite: 10 },
          }),
        ),
      );
      assert.deepEqual(ts.map((r) => r.statusCode).sort(), [201, 403, 403], ts.map((r) => r.body).join('\n'));
    } finally {
      await db()
        .update(subscriptionPlans)
        .set({ maxEvenementsActifs: null, maxTypesBilletParEvenement: null })
        .where(eq(subscriptionPlans.id, gratuit));
    }
  },
);

test('staff grant and extend with a reason (audited); subscription revenue apart from tickets', async () => {
  const org = await createUserWithToken(db());
  const before = (await ctx.app.inject({ url: '/api/admin/subscriptions/revenue/', headers: staff.headers })).json();
  await subscribeAndPay(org, 'essentiel');
  const g = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/subscriptions/grant/',
    headers: staff.headers,
    payload: { organisateur_id: org.user.id, plan_id: plans.professionnel!.id, jours: 15, motif: 'Geste commercial (panne Orange)' },
  });
  assert.equal(g.statusCode, 201, g.body);
  const granted = g.json().subscription;
  assert.equal(granted.nature, 'OCTROI');
  assert.equal(granted.statut, 'ACTIF');
  const e = await ctx.app.inject({
    method: 'POST',
    url: `/api/admin/subscriptions/${granted.id}/extend/`,
    headers: staff.headers,
    payload: { jours: 5, motif: 'Prolongation' },
  });
  assert.equal(e.statusCode, 200, e.body);
  assert.equal(new Date(e.json().subscription.date_fin).getTime() - new Date(granted.date_fin).getTime(), 5 * DAY_MS);
  const one = await ctx.app.inject({ url: `/api/admin/subscriptions/${granted.id}/`, headers: staff.headers });
  assert.equal(one.statusCode, 200, one.body);
  assert.deepEqual(
    [one.json().organisateur, one.json().motif, one.json().plan.code, one.json().date_fin],
    [{ id: org.user.id, username: org.user.username }, 'Prolongation', 'professionnel', e.json().subscription.date_fin],
  );
  assert.equal((await ctx.app.inject({ url: '/api/admin/subscriptions/999999/', headers: staff.headers })).statusCode, 404);
  assert.equal((await ctx.app.inject({ url: `/api/admin/subscriptions/${granted.id}/`, headers: org.headers })).statusCode, 403);
  const journal = await selectRows<{ action: string }>(
    db(),
    sql`SELECT action FROM audit_logs WHERE par_personnel AND cible = ${`abonnement:${granted.id}`} ORDER BY id`,
  );
  assert.deepEqual(
    journal.map((j) => j.action),
    ['abonnement_octroye', 'abonnement_prolonge'],
  );
  assert.equal(
    (await ctx.app.inject({ method: 'POST', url: '/api/admin/subscriptions/grant/', headers: org.headers, payload: {} })).statusCode,
    403,
  );
  // A ticket sale whose refund is under way: in the tickets' gross, not cashed (issue 12).
  const { event, types } = await createPaidEvent(db(), org.user.id, { prix: 3000 });
  const sale = await createPaidPurchase(db(), { buyerId: org.user.id, eventId: event.id, typeId: types[0]!.id });
  await db()
    .insert(refunds)
    .values({ paymentId: sale.paymentId, montant: 3000, statut: 'EN_COURS', motif: 'Geste', referenceFournisseur: `r-${sale.paymentId}` });
  const after = (await ctx.app.inject({ url: '/api/admin/subscriptions/revenue/', headers: staff.headers })).json();
  assert.equal(after.abonnements.total - before.abonnements.total, 5000);
  assert.equal(after.abonnements.net, after.abonnements.total);
  assert.equal(after.billets.total, before.billets.total);
  assert.equal(after.billets.brut - before.billets.brut, 3000);
  assert.equal(after.billets.rembourse_en_cours - before.billets.rembourse_en_cours, 3000);
});
