/** The pages the payer's browser returns to after a redirect provider's payment page. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { createPaidEvent } from '../../test/events.js';
import { createUser } from '../../test/users.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { confirmPayment, initiatePayment, type PaymentDeps } from './service.js';
import { paymentsDeps } from './deps.js';
import { events } from '../events/tables.js';

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

async function buy(capacite = 10, quantite = 2) {
  const buyer = await createUser(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.id, { capacite, prix: 5000 });
  const { payment } = await initiatePayment(deps, buyer.id, {
    eventId: event.id,
    quantite,
    fournisseur: 'WAVE',
    telephone: '+2250500000010',
  });
  return { payment, event };
}

const page = (path: string, reference: string) =>
  ctx.app.inject({ method: 'GET', url: `${path}?reference=${encodeURIComponent(reference)}` });

async function queuedConfirmations(paymentId: number): Promise<number> {
  const { rows } = await ctx.database.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'payments.confirm' AND singleton_key = $1",
    [`confirm:${paymentId}`],
  );
  return rows[0]!.n;
}

test('pending: a French page that reloads itself, and a status check queued once', async () => {
  const { payment } = await buy();
  const res = await page('/paiement/retour/', payment.reference);
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/html; charset=utf-8/);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.match(res.body, /<html lang="fr">/);
  assert.match(res.body, /Paiement en cours de confirmation/);
  assert.match(res.body, /votre paiement de 10 000 F CFA \(2 billets pour « Concert Zouglou au Palais de la Culture »\)/);
  assert.match(res.body, /<meta http-equiv="refresh" content="3">/);
  assert.equal(await queuedConfirmations(payment.id), 1);
  // Reloads while the check waits do not queue more of them.
  await page('/paiement/retour/', payment.reference);
  await page('/paiement/retour/', payment.reference);
  assert.equal(await queuedConfirmations(payment.id), 1);
});

test('confirmed: the tickets are announced and the page stops reloading', async () => {
  const { payment } = await buy(10, 3);
  gateways.WAVE.settle(payment.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(deps, payment.id, 'test'), 'REUSSI');
  const res = await page('/paiement/retour/', payment.reference);
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /Paiement confirmé/);
  assert.match(res.body, /Votre paiement de 15 000 F CFA est confirmé : 3 billets pour « Concert Zouglou/);
  assert.match(res.body, /Mes billets/);
  assert.doesNotMatch(res.body, /http-equiv="refresh"/);
});

test('failed, and the cancel page of a payer who left: said plainly, no reload once final', async () => {
  const { payment } = await buy();
  const left = await page('/paiement/annule/', payment.reference);
  assert.equal(left.statusCode, 200);
  assert.match(left.body, /Vous avez quitté la page de paiement/);
  assert.equal(await queuedConfirmations(payment.id), 1);
  gateways.WAVE.settle(payment.referenceFournisseur, { status: 'failed', reason: 'CANCELLED' });
  assert.equal(await confirmPayment(deps, payment.id, 'test'), 'ECHOUE');
  const res = await page('/paiement/annule/', payment.reference);
  assert.match(res.body, /Le paiement n&#39;a pas abouti/);
  assert.match(res.body, /rien n&#39;a été débité et aucun billet n&#39;a été émis/);
  assert.doesNotMatch(res.body, /http-equiv="refresh"/);
});

test('unknown or malformed references get a 404 page; nothing is queued', async () => {
  for (const ref of ['SV-0000000000000000', 'nimporte quoi', '']) {
    const res = await page('/paiement/retour/', ref);
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /Paiement introuvable/);
  }
  const bare = await ctx.app.inject({ method: 'GET', url: '/paiement/retour/' });
  assert.equal(bare.statusCode, 404);
});

test('what the organizer wrote is escaped', async () => {
  const { payment, event } = await buy();
  await ctx.database.db.update(events).set({ titre: '<script>alert(1)</script> & "Nuit"' }).where(eq(events.id, event.id));
  const res = await page('/paiement/retour/', payment.reference);
  assert.doesNotMatch(res.body, /<script>/);
  assert.match(res.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;Nuit&quot;/);
});
