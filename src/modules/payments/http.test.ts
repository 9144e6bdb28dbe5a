/** Webhooks, tickets, check-in, ticket types and staff views over HTTP (programmable gateway). */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { createTestContext, eventually, type TestContext } from '../../test/context.js';
import { createUserWithToken } from '../../test/factories.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { createPaidEvent } from './test-helpers.js';
import { momoTransactions, payments, refunds } from './tables.js';
import { processRefund } from './refunds.js';
import { tickets } from '../tickets/tables.js';
import { formatTicketCode, generateTicketCode } from '../tickets/render/code.js';
import { signTicketPayload } from '../tickets/render/payload.js';
import { keyFromSeed, ticketSigningKey } from '../tickets/render/keys.js';

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

async function buy(buyer: Awaited<ReturnType<typeof createUserWithToken>>, eventId: number, quantite = 1) {
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/payments/initiate/',
    headers: buyer.headers,
    payload: { event_id: eventId, quantite, fournisseur: 'WAVE', telephone: '0100000010' },
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json().payment as { id: number; reference: string };
}

async function paidTickets(buyer: Awaited<ReturnType<typeof createUserWithToken>>, eventId: number, quantite = 1) {
  const p = await buy(buyer, eventId, quantite);
  gateways.WAVE.settle(p.reference, { status: 'succeeded' });
  const cb = await ctx.app.inject({
    method: 'POST',
    url: '/api/payments/webhooks/wave/',
    headers: { 'content-type': 'application/json', 'x-token': gateways.WAVE.secret },
    payload: JSON.stringify({ reference: p.reference, statut: 'completed' }),
  });
  assert.equal(cb.statusCode, 200);
  await eventually(async () => (await ctx.database.db.select().from(payments).where(eq(payments.id, p.id)))[0]!.statut === 'REUSSI');
  return { payment: p, tickets: await ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, p.id)) };
}

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

test('MTN callbacks arrive with PUT; an unknown provider path is 400', async () => {
  const put = await ctx.app.inject({
    method: 'PUT',
    url: '/api/payments/webhooks/mtn/',
    headers: { 'content-type': 'application/json' },
    payload: '{}',
  });
  assert.equal(put.statusCode, 401); // the fake MTN gateway wants its token too; what matters is that PUT is routed
  const unknown = await ctx.app.inject({ method: 'POST', url: '/api/payments/webhooks/paypal/', payload: '{}' });
  assert.equal(unknown.statusCode, 400);
});

test('my tickets: list and detail; another user gets 404', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const other = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const { tickets: issued } = await paidTickets(buyer, event.id, 1);
  const list = await ctx.app.inject({ url: '/api/tickets/', headers: buyer.headers });
  assert.equal(list.statusCode, 200);
  assert.equal(list.json().count, 1);
  const t = list.json().results[0];
  assert.match(t.code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.equal(t.evenement.id, event.id);
  assert.equal(t.type_billet.nom, 'Standard');
  assert.equal((await ctx.app.inject({ url: `/api/tickets/${issued[0]!.id}/`, headers: buyer.headers })).statusCode, 200);
  assert.equal((await ctx.app.inject({ url: `/api/tickets/${issued[0]!.id}/`, headers: other.headers })).statusCode, 404);
  assert.equal((await ctx.app.inject({ url: '/api/tickets/', headers: other.headers })).json().count, 0);
});

test('check-in: 200 the first time, 409 with the time after; others and forgeries refused', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const stranger = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const other = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const { tickets: issued } = await paidTickets(buyer, event.id, 1);
  const code = issued[0]!.code;
  const scan = (headers: Record<string, string>, body: object) =>
    ctx.app.inject({ method: 'POST', url: '/api/tickets/checkin/', headers, payload: body });

  assert.equal((await scan(stranger.headers, { code })).statusCode, 404, "not the event's organizer");
  assert.equal((await scan(organizer.headers, { code: generateTicketCode() })).statusCode, 404, 'well-formed but unknown code');
  assert.equal((await scan(organizer.headers, { code: 'pas un code' })).statusCode, 400, 'garbage');
  const typo = code.slice(0, 11) + (code[11] === '0' ? '1' : '0');
  assert.equal((await scan(organizer.headers, { code: typo })).statusCode, 400, 'a typo is caught by the check character');
  const forged = signTicketPayload(keyFromSeed(Buffer.alloc(32, 7)), { ticketId: issued[0]!.id, eventId: event.id, code });
  const forgedScan = await scan(organizer.headers, { code: forged });
  assert.equal(forgedScan.statusCode, 400, 'QR signed with another key');
  assert.match(forgedScan.json().details.code[0], /QR code invalide/);
  assert.equal((await scan(organizer.headers, { code, evenement_id: other.event.id })).statusCode, 400, 'another event');

  const first = await scan(organizer.headers, { code: formatTicketCode(code).toLowerCase(), evenement_id: event.id });
  assert.equal(first.statusCode, 200, first.body);
  assert.equal(first.json().ticket.statut, 'UTILISE');
  assert.equal(first.json().ticket.type_billet, 'Standard');
  const second = await scan(staff.headers, { code });
  assert.equal(second.statusCode, 409);
  assert.equal(second.json().code, 'already_checked_in');
  assert.equal(second.json().details.date_utilisation[0], first.json().ticket.date_utilisation);
});

test('QR code (SVG, PNG) and PDF of my ticket; the QR payload checks the ticket in', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const other = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const { tickets: issued } = await paidTickets(buyer, event.id, 1);
  const id = issued[0]!.id;
  const svg = await ctx.app.inject({ url: `/api/tickets/${id}/qr.svg`, headers: buyer.headers });
  assert.equal(svg.statusCode, 200);
  assert.match(String(svg.headers['content-type']), /image\/svg\+xml/);
  assert.match(svg.body, /^<svg|<\?xml/);
  const png = await ctx.app.inject({ url: `/api/tickets/${id}/qr.png`, headers: buyer.headers });
  assert.equal(png.statusCode, 200);
  assert.deepEqual([...png.rawPayload.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const pdf = await ctx.app.inject({ url: `/api/tickets/${id}/pdf`, headers: buyer.headers });
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
  for (const suffix of ['qr.svg', 'qr.png', 'pdf']) {
    assert.equal((await ctx.app.inject({ url: `/api/tickets/${id}/${suffix}`, headers: other.headers })).statusCode, 404, suffix);
  }
  // What the PNG encodes is what the door scanner sends.
  const payload = signTicketPayload(ticketSigningKey(ctx.config), { ticketId: id, eventId: event.id, code: issued[0]!.code });
  const r = await ctx.app.inject({ method: 'POST', url: '/api/tickets/checkin/', headers: organizer.headers, payload: { code: payload } });
  assert.equal(r.statusCode, 200, r.body);
});

test('simultaneous scans of one ticket: exactly one gets in', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const { tickets: issued } = await paidTickets(buyer, event.id, 1);
  const results = await Promise.all(
    Array.from({ length: 5 }, () =>
      ctx.app.inject({ method: 'POST', url: '/api/tickets/checkin/', headers: organizer.headers, payload: { code: issued[0]!.code } }),
    ),
  );
  assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409, 409, 409, 409]);
});

test('ticket types: public list with availability; creator adds within capacity; others 403', async () => {
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, {
    capacite: 100,
    types: [{ nom: 'Standard', prix: 5000, quantite: 80 }],
  });
  const list = await ctx.app.inject({ url: `/api/events/${event.id}/ticket-types/` });
  assert.equal(list.statusCode, 200);
  assert.equal(list.json()[0].disponibles, 80);
  const tooMany = await ctx.app.inject({
    method: 'POST',
    url: `/api/events/${event.id}/ticket-types/`,
    headers: organizer.headers,
    payload: { nom: 'VIP', prix: 25000, quantite: 30 },
  });
  assert.equal(tooMany.statusCode, 400);
  assert.match(tooMany.json().details.quantite[0], /dépasseraient la capacité/);
  const vip = await ctx.app.inject({
    method: 'POST',
    url: `/api/events/${event.id}/ticket-types/`,
    headers: organizer.headers,
    payload: { nom: 'VIP', prix: 25000, quantite: 20, max_par_commande: 4 },
  });
  assert.equal(vip.statusCode, 201, vip.body);
  const dup = await ctx.app.inject({
    method: 'POST',
    url: `/api/events/${event.id}/ticket-types/`,
    headers: organizer.headers,
    payload: { nom: 'VIP', prix: 1000, quantite: 0 },
  });
  assert.equal(dup.statusCode, 400);
  const notMine = await ctx.app.inject({
    method: 'POST',
    url: `/api/events/${event.id}/ticket-types/`,
    headers: staff.headers,
    payload: { nom: 'Autre', prix: 1000, quantite: 1 },
  });
  assert.equal(notMine.statusCode, 403);
  const patch = await ctx.app.inject({
    method: 'PATCH',
    url: `/api/events/${event.id}/ticket-types/${vip.json().id}/`,
    headers: organizer.headers,
    payload: { prix: 30000 },
  });
  assert.equal(patch.json().prix, 30000);
  assert.equal(
    (await ctx.app.inject({ method: 'DELETE', url: `/api/events/${event.id}/ticket-types/${vip.json().id}/`, headers: organizer.headers }))
      .statusCode,
    204,
  );
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
  const deps = { db: ctx.database.db, jobs: ctx.jobs, gateways };
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
