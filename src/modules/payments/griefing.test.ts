/**
 * Seat griefing (issue 11, Medium 3) and provider amount limits (issue 12), attacked through HTTP: caps on seats
 * held at once per account and per payer phone, the organizer's max_par_personne across parallel orders, early
 * release of holds the payer never approves (MTN pending, a payment page never opened) with the late success
 * still honoured, and amounts a provider refuses turned away before any seat is held.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, sql } from 'drizzle-orm';
import { selectRows } from '../../db/client.js';
import { createTestContext, usingPostgres, type TestContext } from '../../test/context.js';
import { categoryIds, createPaidEvent as createEvent, eventPayload } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { createPaidPurchase } from '../../test/payments.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { payments, refunds } from './tables.js';
import { tickets, ticketTypes as ticketTypesTable } from '../tickets/tables.js';
import { events } from '../events/tables.js';
import { confirmPayment, initiateServicePayment } from './service.js';
import { insertHoldingPayment } from './reservation.js';
import { openPaymentPage } from './return-pages.js';
import { ValidationError } from '../../core/errors.js';
import { paymentsDeps } from './deps.js';
import type { PaymentDeps } from './deps.js';

const gateways = fakeGateways();
let ctx: TestContext;
let deps: PaymentDeps;
let organizer: Awaited<ReturnType<typeof createUserWithToken>>;
type Buyer = Awaited<ReturnType<typeof createUserWithToken>>;

before(async () => {
  ctx = await createTestContext({
    gateways,
    env: {
      MAX_HELD_SEATS_PER_USER: '4',
      MAX_HELD_SEATS_PER_PHONE: '6',
      MTN_PENDING_HOLD_MINUTES: '5',
      REDIRECT_UNOPENED_HOLD_MINUTES: '5',
      WAVE_MAX_AMOUNT: '20000',
    },
  });
  deps = paymentsDeps(ctx.runtime);
  organizer = await createUserWithToken(ctx.database.db);
});
after(() => ctx.close());

const db = () => ctx.database.db;
/** A paid event whose one ticket type sells at most `maxParCommande` (default 2) per order. */
const createPaidEvent = (_db: unknown, createurId: number, o: { capacite: number; prix?: number; maxParCommande?: number }) =>
  createEvent(db(), createurId, {
    capacite: o.capacite,
    types: [{ nom: 'Standard', prix: o.prix ?? 5000, quantite: o.capacite, maxParCommande: o.maxParCommande ?? 2 }],
  });
const at = (minutes: number): PaymentDeps => ({ ...deps, now: () => new Date(Date.now() + minutes * 60_000) });
const paymentRow = async (id: number) => (await db().select().from(payments).where(eq(payments.id, id)))[0]!;

function initiate(buyer: Buyer, eventId: number, quantite: number, fournisseur: string, telephone: string, key?: string) {
  return ctx.app.inject({
    method: 'POST',
    url: '/api/payments/initiate/',
    headers: key ? { ...buyer.headers, 'idempotency-key': key } : buyer.headers,
    payload: { event_id: eventId, quantite, fournisseur, telephone },
  });
}

async function heldBy(userId: number, eventId: number): Promise<number> {
  const [r] = await db()
    .select({ n: sql<number>`coalesce(sum(${payments.quantite}), 0)::int` })
    .from(payments)
    .where(and(eq(payments.utilisateurId, userId), eq(payments.evenementId, eventId), eq(payments.statut, 'EN_ATTENTE')));
  return Number(r!.n);
}

test('one account initiating again and again with a number that never approves cannot hold more than the cap', async () => {
  const griefer = await createUserWithToken(db());
  const { event } = await createPaidEvent(db(), organizer.user.id, { capacite: 100 });
  // MTN's fake never settles: every request stays pending, as with a payer who never approves.
  const first = await initiate(griefer, event.id, 2, 'MTN_MONEY', '+2250500000031');
  assert.equal(first.statusCode, 201, first.body);
  const second = await initiate(griefer, event.id, 2, 'MTN_MONEY', '+2250500000032');
  assert.equal(second.statusCode, 201, second.body);
  for (const phone of ['+2250500000033', '+2250500000034', '+2250500000035']) {
    const r = await initiate(griefer, event.id, 1, 'MTN_MONEY', phone);
    assert.equal(r.statusCode, 409, r.body);
    assert.equal(r.json().code, 'trop_de_places_reservees');
    assert.match(r.json().error, /Vous avez déjà 4 places réservées .* 4 places au plus/);
  }
  assert.equal(await heldBy(griefer.user.id, event.id), 4, 'no hold beyond the cap was stored');
  // Another event is another count.
  const { event: other } = await createPaidEvent(db(), organizer.user.id, { capacite: 100 });
  assert.equal((await initiate(griefer, other.id, 2, 'MTN_MONEY', '+2250500000036')).statusCode, 201);
});

// PGlite runs one statement at a time, so parallel requests cannot race there: PostgreSQL only.
test(
  'parallel initiations by one account queue on its (event, buyer) lock: never more than the cap together (PostgreSQL)',
  { skip: !usingPostgres() },
  async () => {
    const griefer = await createUserWithToken(db());
    const { event: rush } = await createPaidEvent(db(), organizer.user.id, { capacite: 100 });
    const answers = await Promise.all([61, 62, 63, 64, 65, 66].map((n) => initiate(griefer, rush.id, 1, 'MTN_MONEY', `+22505000000${n}`)));
    assert.deepEqual(answers.map((r) => r.statusCode).sort(), [201, 201, 201, 201, 409, 409], answers.map((r) => r.body).join('\n'));
    assert.equal(await heldBy(griefer.user.id, rush.id), 4);
  },
);

test('the held-seats cap never refuses one full order of the ticket type (groups sold by the organizer)', async () => {
  const { event } = await createPaidEvent(db(), organizer.user.id, { capacite: 100, maxParCommande: 8 });
  const group = await createUserWithToken(db());
  assert.equal((await initiate(group, event.id, 8, 'MTN_MONEY', '+2250500000037')).statusCode, 201, 'cap 4, but one order of 8');
  const more = await initiate(group, event.id, 1, 'MTN_MONEY', '+2250500000038');
  assert.equal(more.statusCode, 409, more.body);
  assert.equal(more.json().code, 'trop_de_places_reservees');
});

test('one payer phone shared by several accounts cannot hold more than its own cap', async () => {
  const { event } = await createPaidEvent(db(), organizer.user.id, { capacite: 100 });
  const phone = '+2250500000041';
  const a = await createUserWithToken(db());
  const b = await createUserWithToken(db());
  const c = await createUserWithToken(db());
  assert.equal((await initiate(a, event.id, 2, 'MTN_MONEY', phone)).statusCode, 201);
  assert.equal((await initiate(a, event.id, 2, 'MTN_MONEY', phone)).statusCode, 201);
  assert.equal((await initiate(b, event.id, 2, 'MTN_MONEY', phone)).statusCode, 201);
  const r = await initiate(c, event.id, 1, 'MTN_MONEY', phone);
  assert.equal(r.statusCode, 409, r.body);
  assert.equal(r.json().code, 'trop_de_places_reservees');
  assert.match(r.json().error, /Ce numéro de téléphone a déjà 6 places réservées/);
  assert.equal(await heldBy(c.user.id, event.id), 0);
});

test('max_par_personne: the organizer sets it (PATCH), the event shows it, and orders one after the other cannot pass it', async () => {
  const { event } = await createPaidEvent(db(), organizer.user.id, { capacite: 100 });
  await db().update(events).set({ descriptionCourte: 'Zouglou', adresse: 'Boulevard de Marseille' }).where(eq(events.id, event.id));
  const bad = await ctx.app.inject({
    method: 'PATCH',
    url: `/api/events/${event.id}/`,
    headers: organizer.headers,
    payload: { max_par_personne: 0 },
  });
  assert.equal(bad.statusCode, 400, bad.body);
  const patch = await ctx.app.inject({
    method: 'PATCH',
    url: `/api/events/${event.id}/`,
    headers: organizer.headers,
    payload: { max_par_personne: 3 },
  });
  assert.ok(patch.statusCode < 300, patch.body);
  const shown = await ctx.app.inject({ url: `/api/events/${event.id}/` });
  assert.equal(shown.json().max_par_personne, 3);

  const buyer = await createUserWithToken(db());
  const answers = [];
  for (const n of [51, 52, 53, 54, 55]) answers.push(await initiate(buyer, event.id, 1, 'WAVE', `+22507000000${n}`));
  assert.deepEqual(
    answers.map((r) => r.statusCode),
    [201, 201, 201, 409, 409],
    answers.map((r) => r.body).join('\n'),
  );
  for (const r of answers.filter((x) => x.statusCode === 409)) {
    assert.equal(r.json().code, 'limite_par_personne');
    assert.match(r.json().error, /3 billets au plus par personne pour cet événement/);
  }
  assert.equal(await heldBy(buyer.user.id, event.id), 3);
});

test('max_par_personne: 5 parallel orders cannot pass it (PostgreSQL)', { skip: !usingPostgres() }, async () => {
  const { event } = await createPaidEvent(db(), organizer.user.id, { capacite: 100 });
  await db().update(events).set({ maxParPersonne: 3 }).where(eq(events.id, event.id));
  const buyer = await createUserWithToken(db());
  const answers = await Promise.all([56, 57, 58, 59, 60].map((n) => initiate(buyer, event.id, 1, 'WAVE', `+22507000000${n}`)));
  const codes = answers.map((r) => r.statusCode).sort();
  assert.deepEqual(codes, [201, 201, 201, 409, 409], answers.map((r) => r.body).join('\n'));
  for (const r of answers.filter((x) => x.statusCode === 409)) assert.equal(r.json().code, 'limite_par_personne');
  assert.equal(await heldBy(buyer.user.id, event.id), 3);
});

test('max_par_personne is set at creation and validated (≥ 1 or null)', async () => {
  const [categorie] = await categoryIds(db());
  const payload = (max: unknown) => eventPayload(categorie!, { type_acces: 'PAYANT', prix: 5000, max_par_personne: max });
  const created = await ctx.app.inject({ method: 'POST', url: '/api/events/', headers: organizer.headers, payload: payload(6) });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json().event.max_par_personne, 6);
  const none = await ctx.app.inject({ method: 'POST', url: '/api/events/', headers: organizer.headers, payload: payload(null) });
  assert.equal(none.json().event.max_par_personne, null);
  const bad = await ctx.app.inject({ method: 'POST', url: '/api/events/', headers: organizer.headers, payload: payload(2.5) });
  assert.equal(bad.statusCode, 400, bad.body);
  assert.ok(bad.json().details.max_par_personne, bad.body);
});

test('max_par_personne counts tickets already bought in earlier orders', async () => {
  const { event, types } = await createPaidEvent(db(), organizer.user.id, { capacite: 100 });
  await db()
    .update(events)
    .set({ maxParPersonne: 3 })
    .where(sql`id = ${event.id}`);
  const buyer = await createUserWithToken(db());
  await createPaidPurchase(db(), { buyerId: buyer.user.id, eventId: event.id, typeId: types[0]!.id, quantite: 2 });
  const over = await initiate(buyer, event.id, 2, 'WAVE', '+2250700000061');
  assert.equal(over.statusCode, 409, over.body);
  assert.match(over.json().error, /vous en avez déjà 2 .*encore en prendre 1/);
  assert.equal((await initiate(buyer, event.id, 1, 'WAVE', '+2250700000061')).statusCode, 201);
});

test('MTN pending with no approval: the seats go back after the short window, and a late success still becomes tickets', async () => {
  const { event } = await createPaidEvent(db(), organizer.user.id, { capacite: 2 });
  const buyer = await createUserWithToken(db());
  const r = await initiate(buyer, event.id, 2, 'MTN_MONEY', '+2250500000071');
  assert.equal(r.statusCode, 201, r.body);
  const id = r.json().payment.id as number;

  // Within the window: still held; the next poll is not later than the release time.
  assert.equal(await confirmPayment(at(1), id, 'rapprochement'), 'EN_ATTENTE');
  const held = await paymentRow(id);
  assert.ok(held.prochaineVerification!.getTime() <= held.dateCreation.getTime() + 5 * 60_000 + 1000);
  const other = await createUserWithToken(db());
  assert.equal((await initiate(other, event.id, 1, 'WAVE', '+2250700000072')).statusCode, 409, 'sold out while held');

  // Past it, MTN still says PENDING: the hold ends (EXPIRE, not final), the seats are on sale again.
  assert.equal(await confirmPayment(at(6), id, 'rapprochement'), 'EXPIRE');
  const released = await paymentRow(id);
  assert.equal(released.raisonEchec, 'NON_APPROUVE');
  const mine = await ctx.app.inject({ url: `/api/payments/${id}/`, headers: buyer.headers });
  assert.equal(mine.json().code_echec, 'NON_APPROUVE');
  assert.match(mine.json().raison_echec, /remises en vente/);

  // The payer approves late: seats remain, so tickets.
  gateways.MTN_MONEY.settle(released.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(at(8), id, 'rapprochement'), 'REUSSI');
  assert.equal((await db().select().from(tickets).where(eq(tickets.paymentId, id))).length, 2);
});

test('MTN released early, the seats sold to someone else, then a late success: an automatic refund, no ticket', async () => {
  const { event } = await createPaidEvent(db(), organizer.user.id, { capacite: 1 });
  const buyer = await createUserWithToken(db());
  const r = await initiate(buyer, event.id, 1, 'MTN_MONEY', '+2250500000081');
  const id = r.json().payment.id as number;
  assert.equal(await confirmPayment(at(6), id, 'rapprochement'), 'EXPIRE');
  const other = await createUserWithToken(db());
  assert.equal((await initiate(other, event.id, 1, 'WAVE', '+2250700000082')).statusCode, 201, 'the seat is on sale again');
  gateways.MTN_MONEY.settle((await paymentRow(id)).referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(at(7), id, 'rapprochement'), 'REUSSI');
  assert.equal((await db().select().from(tickets).where(eq(tickets.paymentId, id))).length, 0);
  const [refund] = await db().select().from(refunds).where(eq(refunds.paymentId, id));
  assert.ok(refund, 'the money received is refunded');
  assert.equal(refund.montant, (await paymentRow(id)).montant);
});

test('a late success over max_par_personne is refunded, not turned into tickets', async () => {
  const { event } = await createPaidEvent(db(), organizer.user.id, { capacite: 10 });
  await db()
    .update(events)
    .set({ maxParPersonne: 2 })
    .where(sql`id = ${event.id}`);
  const buyer = await createUserWithToken(db());
  const first = (await initiate(buyer, event.id, 2, 'MTN_MONEY', '+2250500000091')).json().payment.id as number;
  assert.equal(await confirmPayment(at(6), first, 'rapprochement'), 'EXPIRE');
  // Released: the buyer may order again, up to the limit.
  assert.equal((await initiate(buyer, event.id, 2, 'WAVE', '+2250700000091')).statusCode, 201);
  gateways.MTN_MONEY.settle((await paymentRow(first)).referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(at(7), first, 'rapprochement'), 'REUSSI');
  assert.equal((await db().select().from(tickets).where(eq(tickets.paymentId, first))).length, 0);
  const [refund] = await db().select().from(refunds).where(eq(refunds.paymentId, first));
  assert.match(refund!.motif, /Limite de 2 billets par personne/);
});

test('redirect payments: our link records the opening; a page never opened gives its seats back sooner', async () => {
  const { event } = await createPaidEvent(db(), organizer.user.id, { capacite: 10 });
  const buyer = await createUserWithToken(db());
  const opened = (await initiate(buyer, event.id, 1, 'WAVE', '+2250700000101')).json().payment;
  const ignored = (await initiate(buyer, event.id, 1, 'WAVE', '+2250700000102')).json().payment;
  assert.match(opened.payment_url, new RegExp(`/paiement/ouvrir/${opened.reference}/$`));

  const follow = await ctx.app.inject({ url: new URL(opened.payment_url).pathname });
  assert.equal(follow.statusCode, 302, follow.body);
  assert.match(String(follow.headers.location), /^http:\/\/fournisseur\.test\/payer\//);
  assert.ok((await paymentRow(opened.id)).dateOuverture);

  assert.equal(await confirmPayment(at(6), opened.id, 'rapprochement'), 'EN_ATTENTE', 'opened: the hold lasts');
  assert.equal(await confirmPayment(at(6), ignored.id, 'rapprochement'), 'EXPIRE', 'never opened: released');
  assert.equal((await paymentRow(ignored.id)).raisonEchec, 'PAGE_NON_OUVERTE');
  // The link of a released payment no longer leads to the provider's page.
  const late = await ctx.app.inject({ url: new URL(ignored.payment_url).pathname });
  assert.equal(late.statusCode, 200);
  assert.equal(late.headers.location, undefined);
  assert.match(late.body, /places ont été libérées/);
  assert.equal((await ctx.app.inject({ url: '/paiement/ouvrir/SV-INCONNU/' })).statusCode, 404);
});

test('Moov 1 001 F is refused (400, multiple of 5) before any seat is held; over a provider maximum too', async () => {
  const { event } = await createPaidEvent(db(), organizer.user.id, { capacite: 10, prix: 1001 });
  const buyer = await createUserWithToken(db());
  const r = await initiate(buyer, event.id, 1, 'MOOV_MONEY', '+2250100000111');
  assert.equal(r.statusCode, 400, r.body);
  assert.match(JSON.stringify(r.json()), /multiples de 5 F CFA/);
  assert.equal((await db().select().from(payments).where(eq(payments.evenementId, event.id))).length, 0, 'no hold row');
  assert.equal(gateways.MOOV_MONEY.initiated.length, 0, 'the provider was never called');
  // 1 005 F is a multiple of 5: accepted.
  const { event: ok } = await createPaidEvent(db(), organizer.user.id, { capacite: 10, prix: 1005 });
  assert.equal((await initiate(buyer, ok.id, 1, 'MOOV_MONEY', '+2250100000111')).statusCode, 201);

  const { event: cheap } = await createPaidEvent(db(), organizer.user.id, { capacite: 10, prix: 50 });
  const under = await initiate(buyer, cheap.id, 1, 'WAVE', '+2250700000112');
  assert.equal(under.statusCode, 400, under.body);
  assert.match(JSON.stringify(under.json()), /montant minimum d'un paiement Wave est de 100 F CFA/);

  const { event: big } = await createPaidEvent(db(), organizer.user.id, { capacite: 10, prix: 15000 });
  const over = await initiate(buyer, big.id, 2, 'WAVE', '+2250700000112');
  assert.equal(over.statusCode, 400, over.body);
  assert.match(JSON.stringify(over.json()), /montant maximum d'un paiement Wave est de 20 000 F CFA \(commande de 30 000 F CFA\)/);
  assert.equal((await db().select().from(payments).where(eq(payments.evenementId, big.id))).length, 0);
});

test('max_par_personne: a payment refunded for want of a seat (no ticket) does not count, neither at the next order nor at a late success', async () => {
  const { event, types } = await createPaidEvent(db(), organizer.user.id, { capacite: 1 });
  await db().update(events).set({ maxParPersonne: 1 }).where(eq(events.id, event.id));
  const buyer = await createUserWithToken(db());
  const first = (await initiate(buyer, event.id, 1, 'MTN_MONEY', '+2250500000121')).json().payment.id as number;
  assert.equal(await confirmPayment(at(6), first, 'rapprochement'), 'EXPIRE');
  // The seat is taken by someone else; then the payer approves: REUSSI, refunded, no ticket.
  const other = await createUserWithToken(db());
  assert.equal((await initiate(other, event.id, 1, 'WAVE', '+2250700000121')).statusCode, 201);
  gateways.MTN_MONEY.settle((await paymentRow(first)).referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(at(7), first, 'rapprochement'), 'REUSSI');
  assert.equal((await db().select().from(tickets).where(eq(tickets.paymentId, first))).length, 0);
  const [refund] = await db().select().from(refunds).where(eq(refunds.paymentId, first));
  assert.ok(refund, 'refunded');

  // A second seat: the buyer, who holds no ticket, may order one (sv_hold_seats_capped).
  await db().update(ticketTypesTable).set({ quantite: 2 }).where(eq(ticketTypesTable.id, types[0]!.id));
  const again = await initiate(buyer, event.id, 1, 'MTN_MONEY', '+2250500000122');
  assert.equal(again.statusCode, 201, again.body);
  // Released early too, then approved late: the late-success check (boughtOrHeldBy) does not count the refund either.
  const second = again.json().payment.id as number;
  assert.equal(await confirmPayment(at(6), second, 'rapprochement'), 'EXPIRE');
  gateways.MTN_MONEY.settle((await paymentRow(second)).referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(at(7), second, 'rapprochement'), 'REUSSI');
  assert.equal((await db().select().from(tickets).where(eq(tickets.paymentId, second))).length, 1, 'tickets, not a refund');
  assert.equal((await db().select().from(refunds).where(eq(refunds.paymentId, second))).length, 0);
  // Now the buyer has one live ticket: the limit is reached (with a seat left to buy).
  await db().update(ticketTypesTable).set({ quantite: 3 }).where(eq(ticketTypesTable.id, types[0]!.id));
  const over = await initiate(buyer, event.id, 1, 'WAVE', '+2250700000122');
  assert.equal(over.statusCode, 409, over.body);
  assert.equal(over.json().code, 'limite_par_personne');
});

test('the hold statement answers a key already stored by this buyer before any cap (the replay wins over the cap)', async () => {
  const { event, types } = await createPaidEvent(db(), organizer.user.id, { capacite: 10 });
  await db().update(events).set({ maxParPersonne: 2 }).where(eq(events.id, event.id));
  const buyer = await createUserWithToken(db());
  const first = await initiate(buyer, event.id, 2, 'MTN_MONEY', '+2250500000131', 'cle-131');
  assert.equal(first.statusCode, 201, first.body);
  // What the second of two parallel requests with this key does once it has the buyer's lock: its check for the
  // key ran before the first one's commit, so only the hold statement can still see it.
  const now = new Date();
  const hold = insertHoldingPayment(
    db(),
    {
      reference: 'SV-CLE131REJOUEE',
      type: 'BILLET',
      utilisateurId: buyer.user.id,
      evenementId: event.id,
      typeBilletId: types[0]!.id,
      quantite: 2,
      montant: 10000,
      fournisseur: 'MTN_MONEY',
      telephone: '+2250500000131',
      referenceFournisseur: 'ref-cle-131-bis',
      idempotencyKey: 'cle-131',
      empreinteRequete: '',
      expireLe: new Date(now.getTime() + 15 * 60_000),
      prochaineVerification: now,
      commissionPourcentage: 0,
    },
    now,
    { source: 'initiation', details: {} },
    { perUser: 4, perPhone: 6 },
  );
  await assert.rejects(hold, (err: { code?: string }) => {
    assert.equal(err.code, 'idempotency_key_reused', 'not limite_par_personne');
    return true;
  });
  assert.equal(await heldBy(buyer.user.id, event.id), 2);
});

test(
  'two parallel initiations with the same Idempotency-Key: one payment, a 201 and a 200 replay (PostgreSQL)',
  { skip: !usingPostgres() },
  async () => {
    const { event } = await createPaidEvent(db(), organizer.user.id, { capacite: 10 });
    await db().update(events).set({ maxParPersonne: 2 }).where(eq(events.id, event.id));
    for (const round of [1, 2, 3]) {
      const buyer = await createUserWithToken(db());
      const key = `cle-parallele-${round}`;
      const answers = await Promise.all([1, 2].map(() => initiate(buyer, event.id, 2, 'MTN_MONEY', '+2250500000141', key)));
      assert.deepEqual(answers.map((r) => r.statusCode).sort(), [200, 201], answers.map((r) => r.body).join('\n'));
      assert.equal(answers[0]!.json().payment.id, answers[1]!.json().payment.id);
      const rows = await db()
        .select()
        .from(payments)
        .where(and(eq(payments.utilisateurId, buyer.user.id), eq(payments.evenementId, event.id)));
      assert.equal(rows.length, 1, 'one hold');
    }
  },
);

test('a redirect page opened while the provider was asked keeps its hold (the release re-reads the opening under the row lock)', async () => {
  const { event } = await createPaidEvent(db(), organizer.user.id, { capacite: 10 });
  const buyer = await createUserWithToken(db());
  const p = (await initiate(buyer, event.id, 1, 'WAVE', '+2250700000151')).json().payment;
  // The buyer follows the link during the status call, after the payment was read for the release decision.
  const wave = gateways.WAVE;
  const racing = Object.create(wave) as typeof wave;
  racing.getStatus = async (ref) => {
    const opened = await openPaymentPage(deps, p.reference);
    assert.ok(opened.redirect, 'the page opens');
    return wave.getStatus(ref);
  };
  const later: PaymentDeps = { ...at(6), gateways: { ...deps.gateways, WAVE: racing } };
  assert.equal(await confirmPayment(later, p.id, 'rapprochement'), 'EN_ATTENTE');
  const row = await paymentRow(p.id);
  assert.equal(row.statut, 'EN_ATTENTE');
  assert.ok(row.dateOuverture);
  assert.equal(await heldBy(buyer.user.id, event.id), 1, 'the hold lasts');
});

test('a subscription payment over a provider maximum gets a neutral message (no « billets », no « commande »)', async () => {
  const organizer2 = await createUserWithToken(db());
  const attempt = initiateServicePayment(
    deps,
    organizer2.user.id,
    {
      type: 'ABONNEMENT',
      montant: 30000,
      fournisseur: 'WAVE',
      telephone: '+2250700000161',
      description: 'SpotVibe abonnement',
      fingerprint: [1],
    },
    undefined,
    async () => {},
  );
  await assert.rejects(attempt, (err: unknown) => {
    assert.ok(err instanceof ValidationError);
    const text = JSON.stringify(err.details ?? err.message);
    assert.match(
      text,
      /montant maximum d'un paiement Wave est de 20 000 F CFA \(montant à payer : 30 000 F CFA\) : choisissez un autre moyen de paiement/,
    );
    assert.doesNotMatch(text, /billets|commande/);
    return true;
  });
  assert.equal((await db().select().from(payments).where(eq(payments.utilisateurId, organizer2.user.id))).length, 0);
});

test('the (event, phone) lock is taken only when a per-phone cap is set (PostgreSQL)', { skip: !usingPostgres() }, async () => {
  const { event, types } = await createPaidEvent(db(), organizer.user.id, { capacite: 10 });
  const buyer = await createUserWithToken(db());
  const phone = '+2250500000171';
  const waitingOnAdvisoryLock = async () =>
    (
      await selectRows<{ n: number }>(
        db(),
        sql`SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
             WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted`,
      )
    )[0]!.n;
  const hold = (n: number, perPhone: number | null) => {
    const now = new Date();
    return insertHoldingPayment(
      db(),
      {
        reference: `SV-VERROU${n}`,
        type: 'BILLET',
        utilisateurId: buyer.user.id,
        evenementId: event.id,
        typeBilletId: types[0]!.id,
        quantite: 1,
        montant: 5000,
        fournisseur: 'MTN_MONEY',
        telephone: phone,
        referenceFournisseur: `ref-verrou-${n}`,
        idempotencyKey: null,
        empreinteRequete: '',
        expireLe: new Date(now.getTime() + 15 * 60_000),
        prochaineVerification: now,
        commissionPourcentage: 0,
      },
      now,
      { source: 'initiation', details: {} },
      { perUser: null, perPhone },
    );
  };
  // Someone holds the phone's lock (another account's initiation with this phone). Each hold either ends, or is
  // seen queueing on an advisory lock: the only one it can queue on here is the phone's.
  for (const [n, perPhone, expected] of [
    [1, null, 'held'],
    [2, 6, 'waiting'],
  ] as const) {
    let attempt: Promise<unknown> = Promise.resolve();
    try {
      await db().transaction(async (tx) => {
        await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`sv_hold_phone:${event.id}:${phone}`}, 0))`);
        let done = false;
        attempt = hold(n, perPhone).finally(() => (done = true));
        let outcome: 'held' | 'waiting' = 'held';
        while (!done) {
          if ((await waitingOnAdvisoryLock()) > 0) {
            outcome = 'waiting';
            break;
          }
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.equal(outcome, expected, `perPhone=${perPhone}`);
      });
    } finally {
      // The lock is released with the transaction: a hold that queued on it ends now.
      await attempt;
    }
  }
});
