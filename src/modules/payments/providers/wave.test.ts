import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  newReference,
  payOnPage,
  sleep,
  startHarness,
  waitFor,
  type ProviderHarness,
  type ReceivedCallback,
} from '../simulator/testing.js';
import { createProviders } from './index.js';
import { WaveCheckoutProvider } from './wave.js';
import { ProviderRejectedError, ProviderUnavailableError, type PaymentRef, type RefundRequest } from './types.js';
import { contractViolations } from '../contracts/testing.js';

let h: ProviderHarness;
let wave: WaveCheckoutProvider;
before(async () => {
  h = await startHarness();
  wave = h.providers.WAVE as WaveCheckoutProvider;
});
after(() => h.close());

async function start(montant = 7500): Promise<PaymentRef & { paymentUrl: string }> {
  const reference = newReference();
  const referenceFournisseur = wave.newProviderReference(reference);
  const r = await wave.initiate({ reference, referenceFournisseur, montant, telephone: '+2250701020304', description: 'Billets' });
  assert.ok(r.paymentUrl);
  return { reference, referenceFournisseur, montant, data: r.data, paymentUrl: r.paymentUrl };
}

const eventsOf = (p: PaymentRef) =>
  h.receiver.on('wave').filter((c) => JSON.parse(c.rawBody.toString()).data.client_reference === p.referenceFournisseur);
const parse = (cb: Pick<ReceivedCallback, 'rawBody' | 'headers'>, nowSeconds?: number) =>
  wave.parseCallback({ rawBody: cb.rawBody, headers: cb.headers, lookup: async () => null, ...(nowSeconds ? { nowSeconds } : {}) });
const final = (p: PaymentRef) =>
  waitFor(async () => {
    const s = await wave.getStatus(p);
    return s.status !== 'pending' && s;
  });

test('happy path: session, payer pays, signed checkout.session.completed, session complete', async () => {
  const p = await start();
  assert.match(String(p.data.sessionId), /^cos-/);
  assert.equal((await wave.getStatus(p)).status, 'pending');
  await payOnPage(p.paymentUrl, '+2250701020399');
  const [cb] = await waitFor(() => eventsOf(p).length === 1 && eventsOf(p));
  assert.match(String(cb!.headers['wave-signature']), /^t=\d+,v1=[0-9a-f]{64}$/);
  const parsed = await parse(cb!);
  assert.ok(parsed.ok);
  assert.deepEqual([parsed.claimed, parsed.montant, parsed.devise, parsed.mustConfirm], ['succeeded', 7500, 'XOF', false]);
  const s = await wave.getStatus(p);
  assert.deepEqual([s.status, s.providerStatus, s.montant, s.devise], ['succeeded', 'complete/succeeded', 7500, 'XOF']);
});

test('failure (01): payment_failed event; the status call closes the session at Wave so the failure is final', async () => {
  const p = await start();
  await payOnPage(p.paymentUrl, '+2250701020301');
  const [cb] = await waitFor(() => eventsOf(p).length === 1 && eventsOf(p));
  const parsed = await parse(cb!);
  assert.ok(parsed.ok && parsed.claimed === 'failed' && parsed.mustConfirm);
  const s = await final(p);
  assert.deepEqual([s.status, s.reason, s.providerStatus], ['failed', 'insufficient-funds', 'expired/cancelled']);
  // The payer cannot pay the released session afterwards, and is told why it failed (issue 18: not "expiré").
  const html = await (await fetch(p.paymentUrl)).text();
  assert.match(html, /Paiement refusé \(solde insuffisant\)/);
  assert.doesNotMatch(html, /<form/);
});

test('pending for ever (03), lost webhook (04), same event three times (05), slow (06)', async () => {
  const [pending, lost, thrice, slow] = await Promise.all([start(), start(), start(), start()]);
  await payOnPage(pending.paymentUrl, '+2250701020303');
  await payOnPage(lost.paymentUrl, '+2250701020304');
  await payOnPage(thrice.paymentUrl, '+2250701020305');
  await payOnPage(slow.paymentUrl, '+2250701020306');
  assert.equal((await wave.getStatus(slow)).status, 'pending');
  assert.equal((await final(lost)).status, 'succeeded');
  const cbs = await waitFor(() => eventsOf(thrice).length === 3 && eventsOf(thrice));
  const parsed = await Promise.all(cbs.map((c) => parse(c)));
  assert.ok(parsed.every((x) => x.ok));
  assert.equal(new Set(parsed.map((x) => (x.ok ? x.eventId : ''))).size, 1, 'a redelivery carries the same event id');
  assert.equal((await final(slow)).status, 'succeeded');
  assert.equal((await wave.getStatus(pending)).status, 'pending');
  await sleep(50);
  assert.equal(eventsOf(pending).length + eventsOf(lost).length, 0);
});

test('a bad Wave-Signature is refused: tampered body, wrong secret, missing header, stale timestamp', async () => {
  const p = await start();
  await payOnPage(p.paymentUrl, '+2250701020399');
  const [cb] = await waitFor(() => eventsOf(p).length === 1 && eventsOf(p));
  const tampered = Buffer.from(cb!.rawBody.toString().replace('"amount":"7500"', '"amount":"75"'));
  assert.notDeepEqual(tampered, cb!.rawBody);
  assert.deepEqual(await parse({ rawBody: tampered, headers: cb!.headers }), { ok: false, reason: 'signature Wave invalide' });
  const t = Math.floor(Date.now() / 1000);
  const forged = `t=${t},v1=${createHmac('sha256', 'pas-le-secret').update(`${t}${cb!.rawBody}`).digest('hex')}`;
  assert.equal((await parse({ rawBody: cb!.rawBody, headers: { 'wave-signature': forged } })).ok, false);
  assert.equal((await parse({ rawBody: cb!.rawBody, headers: {} })).ok, false);
  // A genuine event replayed six minutes later is refused.
  const stale = await parse(cb!, Math.floor(Date.now() / 1000) + 360);
  assert.deepEqual(stale, { ok: false, reason: 'signature Wave périmée (plus de 5 minutes)' });
  assert.ok((await parse(cb!)).ok);
});

test('refund: a paid session is refunded; asking again is not a second refund; an unpaid one cannot be', async () => {
  const p = await start();
  await payOnPage(p.paymentUrl, '+2250701020399');
  await final(p);
  const req: RefundRequest = { referenceRemboursement: wave.newRefundReference(), payment: p, montant: 7500, motif: 'Annulation' };
  assert.equal((await wave.refund(req)).status, 'succeeded');
  assert.equal((await wave.refundStatus(req)).status, 'succeeded');
  const sim = [...h.sim.state.payments.values()].find((x) => x.key === p.data.sessionId)!;
  assert.equal(sim.refunds, 7500, 'refunded once, in full');
  await assert.rejects(wave.refund({ ...req, montant: 100 }), ProviderRejectedError);
  // Issue 12 case 3: the same Idempotency-Key replays the first answer; a new key for a refunded session is
  // Wave's documented checkout-refund-failed, an end state (failed), not an exception thrown for ever.
  assert.equal((await wave.refundStatus(req)).status, 'succeeded');
  const again = await wave.refund({ ...req, referenceRemboursement: wave.newRefundReference() });
  assert.deepEqual([again.status, again.providerStatus], ['failed', 'checkout-refund-failed']);
  assert.equal(sim.refunds, 7500, 'still refunded once');
  const unpaid = await start();
  const refused = await wave.refundStatus({ ...req, payment: unpaid, referenceRemboursement: wave.newRefundReference() });
  assert.deepEqual([refused.status, refused.providerStatus], ['failed', 'checkout-refund-failed']);
});

test('5xx and timeout from Wave are retryable errors', async () => {
  const p = await start();
  h.sim.injectFault({ provider: 'wave', kind: 'error', status: 500 });
  await assert.rejects(wave.getStatus(p), (e: unknown) => e instanceof ProviderUnavailableError && e.httpStatus === 500);
  const quick = createProviders(h.sim.settings({ ...h.common, timeoutMs: 300 })).WAVE!;
  h.sim.injectFault({ provider: 'wave', kind: 'hang' });
  await assert.rejects(
    quick.initiate({ reference: 'SV-T1', referenceFournisseur: 'SV-T1', montant: 100, telephone: '+2250701020304', description: 'x' }),
    (e: unknown) => e instanceof ProviderUnavailableError && e.timedOut,
  );
  assert.equal((await wave.getStatus(p)).status, 'pending');
});

test('a wrong API key is a non-retryable rejection', async () => {
  const s = h.sim.settings(h.common);
  s.wave!.apiKey = 'wave_sn_faux';
  const wrong = createProviders(s).WAVE!;
  await assert.rejects(
    wrong.initiate({ reference: 'SV-T2', referenceFournisseur: 'SV-T2', montant: 100, telephone: '+2250701020304', description: 'x' }),
    (e: unknown) => e instanceof ProviderRejectedError && e.httpStatus === 401,
  );
});

test("contract: every request this file made and every answer it got conform to Wave's definition (payments/contracts)", () => {
  assert.ok(h.exchanges.length > 0);
  assert.deepEqual(contractViolations(h.exchanges), []);
});
