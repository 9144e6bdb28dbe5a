/**
 * Test builders for money: a paid purchase as a confirmed payment leaves it (payment REUSSI, its tickets
 * VALIDE, the seats counted as sold), written straight to the database for tests of what happens next
 * (cancellation refunds, account erasure). Tests of the purchase itself go through the API or the use cases.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { payments, type Fournisseur } from '../modules/payments/tables.js';
import { tickets, ticketTypes } from '../modules/tickets/tables.js';
import { generateTicketCode } from '../modules/tickets/render/code.js';
import { eventually, type TestContext } from './context.js';
import type { FakeGateways } from './fake-gateway.js';

export interface PaidPurchase {
  paymentId: number;
  reference: string;
  ticketIds: number[];
}

export async function createPaidPurchase(
  db: DbOrTx,
  o: { buyerId: number; eventId: number; typeId: number; quantite?: number; fournisseur?: Fournisseur; telephone?: string },
): Promise<PaidPurchase> {
  const quantite = o.quantite ?? 1;
  const [type] = await db.select().from(ticketTypes).where(eq(ticketTypes.id, o.typeId));
  const reference = `SV-${randomBytes(8).toString('hex').toUpperCase().slice(0, 16)}`;
  const [p] = await db
    .insert(payments)
    .values({
      reference,
      utilisateurId: o.buyerId,
      evenementId: o.eventId,
      typeBilletId: o.typeId,
      quantite,
      montant: type!.prix * quantite,
      fournisseur: o.fournisseur ?? 'MTN_MONEY',
      telephone: o.telephone ?? '+2250500000010',
      statut: 'REUSSI',
      referenceFournisseur: randomUUID(),
      expireLe: new Date(Date.now() + 15 * 60_000),
      dateFinalisation: new Date(),
    })
    .returning({ id: payments.id });
  const issued = await db
    .insert(tickets)
    .values(
      Array.from({ length: quantite }, (_, i) => ({
        code: generateTicketCode(),
        paymentId: p!.id,
        rang: i + 1,
        typeBilletId: o.typeId,
        evenementId: o.eventId,
        titulaireId: o.buyerId,
        titulaireNom: 'Awa Koné',
      })),
    )
    .returning({ id: tickets.id });
  await db
    .update(ticketTypes)
    .set({ vendus: sql`${ticketTypes.vendus} + ${quantite}` })
    .where(eq(ticketTypes.id, o.typeId));
  return { paymentId: p!.id, reference, ticketIds: issued.map((t) => t.id) };
}

interface Buyer {
  headers: Record<string, string>;
}

/** POST /api/payments/initiate/ with Wave (any number), expecting 201. */
export async function initiateThroughApi(ctx: TestContext, buyer: Buyer, eventId: number, quantite = 1) {
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/payments/initiate/',
    headers: buyer.headers,
    payload: { event_id: eventId, quantite, fournisseur: 'WAVE', telephone: '0100000010' },
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json().payment as { id: number; reference: string };
}

/**
 * A purchase through the API as a buyer makes it: initiate, the provider (a FakeGateway) says paid, its callback
 * arrives, the worker confirms. The context must run its jobs (`work: true`). Returns the payment and its tickets.
 */
export async function buyTicketsThroughApi(ctx: TestContext, gateways: FakeGateways, buyer: Buyer, eventId: number, quantite = 1) {
  const p = await initiateThroughApi(ctx, buyer, eventId, quantite);
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
