/** Webhooks, refunds and staff views of money over HTTP (programmable gateway). Tickets: tickets/http.test.ts. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { createTestContext, eventually, type TestContext } from '../../test/context.js';
import { createPaidEvent } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { buyTicketsThroughApi, initiateThroughApi } from '../../test/payments.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { momoTransactions, payments, refunds } from './tables.js';
import { processRefund } from './refunds.js';
import { paymentsDeps } from './deps.js';
import { tickets } from '../tickets/tables.js';

const gateways = fakeGateways();
let ctx: TestContext;
let organizer: Awaited<ReturnType<typeof createUserWithToken>>;
let staff: Awaited<ReturnType<typeof createUserWithToken>>;
before(async () => {
  ctx = await createTestContext({ gateways, work: true });
  organizer = await createUserWithToken(ctx.database.db);
  staff = await createUserWithToken(ctx.database.db, { isStaff: true });
});
after(() => ctx.close());

const paidTickets = (buyer: Awaited<ReturnType<typeof createUserWithToken>>, eventId: number, quantite = 1) =>
  buyTicketsThroughApi(ctx, gateways, buyer, eventId, quantite);
const buy = (buyer: Awaited<ReturnType<typeof createUserWithToken>>, eventId: number, quantite = 1) =>
  initiateThroughApi(ctx, buyer, eventId, quantite);

test('an authentic callback is recorded and leads, through the status call, to tickets', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const { payment, tickets: issued } = await paidTickets(buyer, event.id, 2);
  assert.equal(issued.length, 2);
  const recorded = await ctx.database.db.select().from(momoTransactions).where(eq(momoTransactions.paymentId, payment.id));
  assert.equal(recorded.length, 1);
  assert.equal(recorded[0]!.authentifie, true);
});

test('a forged callback changes nothing, is refused (401) and recorded', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const p = await buy(buyer, event.id);
  const calls = gateways.WAVE.statusCalls;
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/payments/webhooks/wave/',
    headers: { 'content-type': 'application/json', 'x-token': 'faux' },
    payload: JSON.stringify({ reference: p.reference, statut: 'completed' }),
  });
  assert.equal(r.statusCode, 401);
  assert.equal(r.json().code, 'callback_rejected');
  const [row] = await ctx.database.db.select().from(momoTransactions).where(eq(momoTransactions.paymentId, p.id));
  assert.equal(row!.authentifie, false);
  assert.match(row!.motifRejet, /jeton invalide/);
  await new Promise((res) => setTimeout(res, 1200));
  assert.equal(gateways.WAVE.statusCalls, calls, 'no status call for a forged callback');
  assert.equal((await ctx.database.db.select().from(payments).where(eq(payments.id, p.id)))[0]!.statut, 'EN_ATTENTE');
});

test('a callback claiming success while the provider says pending changes nothing', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const p = await buy(buyer, event.id);
  const calls = gateways.WAVE.statusCalls;
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/payments/webhooks/wave/',
    headers: { 'content-type': 'application/json', 'x-token': gateways.WAVE.secret },
    payload: JSON.stringify({ reference: p.reference, statut: 'completed' }),
  });
  assert.equal(r.statusCode, 200);
  await eventually(async () => gateways.WAVE.statusCalls > calls);
  assert.equal((await ctx.database.db.select().from(payments).where(eq(payments.id, p.id)))[0]!.statut, 'EN_ATTENTE');
});

test('MTN callbacks arrive with PUT; an unknown provider path is 404 (no such path)', async () => {
  const put = await ctx.app.inject({
    method: 'PUT',
    url: '/api/payments/webhooks/mtn/',
    headers: { 'content-type': 'application/json' },
    payload: '{}',
  });
  assert.equal(put.statusCode, 401); // the fake MTN gateway wants its token too; what matters is that PUT is routed
  const unknown = await ctx.app.inject({ method: 'POST', url: '/api/payments/webhooks/paypal/', payload: '{}' });
  assert.equal(unknown.statusCode, 404);
});

test('staff: payments with filters and totals, one payment with its whole history; others 403', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5, prix: 2000 });
  const { payment } = await paidTickets(buyer, event.id, 2);
  assert.equal((await ctx.app.inject({ url: '/api/admin/payments/', headers: buyer.headers })).statusCode, 403);
  const list = await ctx.app.inject({
    url: `/api/admin/payments/?evenement=${event.id}&statut=REUSSI&fournisseur=WAVE`,
    headers: staff.headers,
  });
  assert.equal(list.statusCode, 200, list.body);
  assert.equal(list.json().count, 1);
  assert.equal(list.json().totaux.encaisse, 4000);
  const detail = await ctx.app.inject({ url: `/api/admin/payments/${payment.id}/`, headers: staff.headers });
  const body = detail.json();
  assert.deepEqual(
    body.historique.filter((h: { entite: string }) => h.entite === 'PAIEMENT').map((h: { nouveau_statut: string }) => h.nouveau_statut),
    ['EN_ATTENTE', 'REUSSI'],
  );
  assert.equal(body.historique.filter((h: { entite: string }) => h.entite === 'BILLET').length, 2);
  assert.equal(body.rappels.length, 1);
  const bad = await ctx.app.inject({ url: '/api/admin/payments/?statut=PERDU', headers: staff.headers });
  assert.equal(bad.statusCode, 400);
});

test('account deletion keeps the payment for accounting but erases the payer phone and the holder name', async () => {
  const buyer = await createUserWithToken(ctx.database.db, { password: 'Motdepasse-solide-42' });
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const { payment } = await paidTickets(buyer, event.id, 1);
  const exported = await ctx.app.inject({ url: '/api/users/me/export/', headers: buyer.headers });
  assert.equal(exported.statusCode, 200, exported.body);
  assert.match(exported.body, new RegExp(payment.reference));
  const del = await ctx.app.inject({
    method: 'POST',
    url: '/api/users/me/delete/',
    headers: buyer.headers,
    payload: { password: 'Motdepasse-solide-42' },
  });
  assert.ok(del.statusCode < 300, del.body);
  const [p] = await ctx.database.db.select().from(payments).where(eq(payments.id, payment.id));
  assert.equal(p!.statut, 'REUSSI');
  assert.equal(p!.montant, 5000);
  assert.equal(p!.telephone, '');
  const ts = await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, payment.id));
  assert.equal(ts[0]!.titulaireNom, '');
});

test('a callback the provider client cannot read is refused (401) and recorded, never a 500', async () => {
  const original = gateways.WAVE.parseCallback.bind(gateways.WAVE);
  gateways.WAVE.parseCallback = async () => {
    throw new Error('Wave : état de session inconnu « bizarre ».');
  };
  try {
    const r = await ctx.app.inject({
      method: 'POST',
      url: '/api/payments/webhooks/wave/',
      headers: { 'content-type': 'application/json' },
      payload: '{"type":"checkout.session.completed"}',
    });
    assert.equal(r.statusCode, 401);
    const rows = await ctx.database.db.select().from(momoTransactions).where(eq(momoTransactions.fournisseur, 'WAVE'));
    assert.ok(rows.some((m) => !m.authentifie && m.motifRejet.startsWith('rappel illisible : Wave : état de session inconnu')));
  } finally {
    gateways.WAVE.parseCallback = original;
  }
});

test('staff send a failed refund again; it then completes; only a failed refund can be retried', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5, prix: 2000 });
  const { payment } = await paidTickets(buyer, event.id, 1);
  const cancel = await ctx.app.inject({ method: 'POST', url: `/api/events/${event.id}/cancel/`, headers: organizer.headers, payload: {} });
  assert.equal(cancel.statusCode, 200, cancel.body);
  const [refund] = await ctx.database.db.select().from(refunds).where(eq(refunds.paymentId, payment.id));
  const deps = paymentsDeps(ctx.runtime);
  gateways.WAVE.refundResult = { status: 'failed', providerStatus: 'FAILED', reason: 'SOLDE_MARCHAND_INSUFFISANT' };
  try {
    await processRefund(deps, refund!.id);
  } finally {
    gateways.WAVE.refundResult = { status: 'succeeded', providerStatus: 'SUCCESSFUL' };
  }
  const statut = async () => (await ctx.database.db.select({ s: refunds.statut }).from(refunds).where(eq(refunds.id, refund!.id)))[0]!.s;
  assert.equal(await statut(), 'ECHOUE');

  const url = `/api/admin/refunds/${refund!.id}/retry/`;
  assert.equal((await ctx.app.inject({ method: 'POST', url, headers: buyer.headers })).statusCode, 403);
  assert.equal((await ctx.app.inject({ method: 'POST', url: '/api/admin/refunds/999999/retry/', headers: staff.headers })).statusCode, 404);
  const retried = await ctx.app.inject({ method: 'POST', url, headers: staff.headers });
  assert.equal(retried.statusCode, 200, retried.body);
  const { rows } = await ctx.database.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'payments.refund' AND (data->>'refundId')::int = $1",
    [refund!.id],
  );
  assert.ok(rows[0]!.n >= 2, 'a refund job is queued again');
  // What the queued job does:
  assert.equal(await processRefund(deps, refund!.id), 'done');
  assert.equal(await statut(), 'REUSSI');
  const [p] = await ctx.database.db.select({ s: payments.statut }).from(payments).where(eq(payments.id, payment.id));
  assert.equal(p!.s, 'REMBOURSE');
  const again = await ctx.app.inject({ method: 'POST', url, headers: staff.headers });
  assert.equal(again.statusCode, 409);
  assert.match(again.json().error, /Seul un remboursement échoué peut être relancé/);
});
