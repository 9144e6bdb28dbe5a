/**
 * Buying a ticket end to end: the API on a real port, the real provider clients, the provider simulator
 * (its callbacks reach our webhook routes over HTTP), the job worker confirming with status calls, and
 * reconciliation catching what callbacks miss.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, eventually, type TestContext } from '../../test/context.js';
import { createPaidEvent } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { startSimulator, type Simulator } from './simulator/server.js';
import { payOnPage, TEST_DELAYS } from './simulator/testing.js';
import { createProviders, providerSettingsFromConfig } from './providers/index.js';
import type { GatewayRegistry } from './gateway.js';
import { momoTransactions, payments } from './tables.js';
import { tickets } from '../tickets/tables.js';
import { reconcileJob } from './jobs.js';
import type { JobContext } from '../../jobs/queue.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

let ctx: TestContext;
let sim: Simulator;
const gateways: GatewayRegistry = {};
let organizer: Awaited<ReturnType<typeof createUserWithToken>>;

before(async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  sim = await startSimulator({ port: 0, host: '127.0.0.1', delays: TEST_DELAYS, waveWebhookUrl: `${base}/api/payments/webhooks/wave/` });
  ctx = await createTestContext({
    work: true,
    // PUBLIC_BASE_URL: a ticket payment's payment_url is our own link (/paiement/ouvrir/…), on this server.
    env: { PAYMENT_WEBHOOK_BASE_URL: base, PUBLIC_BASE_URL: base, PAYMENT_PROVIDER_TIMEOUT_MS: '3000' },
    gateways,
  });
  // The providers need our webhook URL, known now: fill the registry the app and the worker already hold.
  Object.assign(gateways, createProviders(sim.settings(providerSettingsFromConfig(ctx.config).common)));
  await ctx.app.listen({ port, host: '127.0.0.1' });
  organizer = await createUserWithToken(ctx.database.db);
});
after(async () => {
  await ctx.close();
  await sim.close();
});

async function initiate(
  buyer: Awaited<ReturnType<typeof createUserWithToken>>,
  eventId: number,
  fournisseur: string,
  telephone: string,
  quantite = 1,
) {
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/payments/initiate/',
    headers: buyer.headers,
    payload: { event_id: eventId, quantite, fournisseur, telephone },
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json().payment as { id: number; statut: string; payment_url: string | null; montant: number };
}

const statusOf = async (id: number) => (await ctx.database.db.select().from(payments).where(eq(payments.id, id)))[0]!;
const ticketsOf = async (id: number) => ctx.database.db.select().from(tickets).where(eq(tickets.paymentId, id));

for (const [fournisseur, telephone] of [
  ['ORANGE_MONEY', '+2250700000010'],
  ['MTN_MONEY', '+2250500000010'],
  ['MOOV_MONEY', '+2250100000010'],
  ['WAVE', '+2250700000020'],
] as const) {
  test(`${fournisseur}: pay → callback → status call → tickets`, async () => {
    const buyer = await createUserWithToken(ctx.database.db);
    const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 10, prix: 5000 });
    const p = await initiate(buyer, event.id, fournisseur, telephone, 2);
    assert.equal(p.statut, 'EN_ATTENTE');
    if (fournisseur === 'MTN_MONEY') assert.equal(p.payment_url, null);
    else await payOnPage(p.payment_url!, telephone);
    await eventually(async () => (await statusOf(p.id)).statut === 'REUSSI', 20_000);
    assert.equal((await ticketsOf(p.id)).length, 2);
    const cbs = await ctx.database.db.select().from(momoTransactions).where(eq(momoTransactions.paymentId, p.id));
    assert.ok(cbs.length >= 1 && cbs.every((c) => c.authentifie), JSON.stringify(cbs.map((c) => c.motifRejet)));
  });
}

test('a payer without funds (…01): ECHOUE, seats released', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 1 });
  const p = await initiate(buyer, event.id, 'MTN_MONEY', '+2250500000001');
  await eventually(async () => (await statusOf(p.id)).statut === 'ECHOUE', 20_000);
  assert.equal((await statusOf(p.id)).raisonEchec, 'NOT_ENOUGH_FUNDS');
  const again = await initiate(buyer, event.id, 'MTN_MONEY', '+2250500000010');
  assert.equal(again.statut, 'EN_ATTENTE');
});

test('callback sent three times (…05): one set of tickets', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 10 });
  const p = await initiate(buyer, event.id, 'MTN_MONEY', '+2250500000005', 3);
  await eventually(
    async () => (await ctx.database.db.select().from(momoTransactions).where(eq(momoTransactions.paymentId, p.id))).length >= 3,
    20_000,
  );
  await eventually(async () => (await statusOf(p.id)).statut === 'REUSSI', 20_000);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await ticketsOf(p.id)).length, 3);
});

test('callback never sent (…04): reconciliation finds the success', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 10 });
  const p = await initiate(buyer, event.id, 'MTN_MONEY', '+2250500000004');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await statusOf(p.id)).statut, 'EN_ATTENTE');
  // The minute cron's sweep, run now with the payment due, and again every few seconds as the cron would (a
  // status call that times out on a loaded machine leaves the payment pending until the next sweep).
  const sweep = async () => {
    await ctx.database.db
      .update(payments)
      .set({ prochaineVerification: sql`now()` })
      .where(eq(payments.id, p.id));
    await reconcileJob.handler({}, { ...ctx.runtime, retryCount: 0 } as JobContext);
  };
  await sweep();
  let last = Date.now();
  await eventually(async () => {
    if ((await statusOf(p.id)).statut === 'REUSSI') return true;
    if (Date.now() - last > 5_000) {
      last = Date.now();
      await sweep();
    }
    return false;
  }, 30_000);
  assert.equal((await ticketsOf(p.id)).length, 1);
});

test('pending for ever (…03): the hold expires, the seats come back, the payment is EXPIRE', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 1 });
  const p = await initiate(buyer, event.id, 'MTN_MONEY', '+2250500000003');
  const full = await ctx.app.inject({
    method: 'POST',
    url: '/api/payments/initiate/',
    headers: buyer.headers,
    payload: { event_id: event.id, quantite: 1, fournisseur: 'MTN_MONEY', telephone: '+2250500000010' },
  });
  assert.equal(full.statusCode, 409);
  await ctx.database.db
    .update(payments)
    .set({ expireLe: new Date(Date.now() - 1000), prochaineVerification: sql`now()` })
    .where(eq(payments.id, p.id));
  await reconcileJob.handler({}, { ...ctx.runtime, retryCount: 0 } as JobContext);
  await eventually(async () => (await statusOf(p.id)).statut === 'EXPIRE', 20_000);
  const next = await initiate(buyer, event.id, 'MTN_MONEY', '+2250500000010');
  assert.equal(next.statut, 'EN_ATTENTE');
});

test('a forged Wave callback is refused and recorded; the payment does not move', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const p = await initiate(buyer, event.id, 'WAVE', '+2250700000030');
  const body = JSON.stringify({ id: 'EV_faux', type: 'checkout.session.completed', data: { client_reference: 'x' } });
  const r = await fetch(
    `http://127.0.0.1:${ctx.app.server.address() && (ctx.app.server.address() as { port: number }).port}/api/payments/webhooks/wave/`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'wave-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      body,
    },
  );
  assert.equal(r.status, 401);
  const [row] = await ctx.database.db.select().from(momoTransactions).where(eq(momoTransactions.corps, body));
  assert.equal(row!.authentifie, false);
  assert.equal((await statusOf(p.id)).statut, 'EN_ATTENTE');
});
