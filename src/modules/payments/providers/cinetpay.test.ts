import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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
import { CinetPayMoovProvider } from './cinetpay.js';
import { InvalidAmountError, ProviderRejectedError, ProviderUnavailableError, type PaymentRef } from './types.js';
import { contractViolations } from '../contracts/testing.js';

let h: ProviderHarness;
let moov: CinetPayMoovProvider;
before(async () => {
  h = await startHarness();
  moov = h.providers.MOOV_MONEY as CinetPayMoovProvider;
});
after(() => h.close());

async function start(montant = 5000, telephone = '+2250101020399'): Promise<PaymentRef & { paymentUrl: string }> {
  const reference = newReference();
  const referenceFournisseur = moov.newProviderReference(reference);
  const r = await moov.initiate({ reference, referenceFournisseur, montant, telephone, description: 'Billets « Concert » x2' });
  assert.ok(r.paymentUrl);
  return { reference, referenceFournisseur, montant, data: r.data, paymentUrl: r.paymentUrl };
}

const callbacksOf = (p: PaymentRef) =>
  h.receiver.on('moov').filter((c) => new URLSearchParams(c.rawBody.toString()).get('cpm_trans_id') === p.referenceFournisseur);
const parse = (cb: Pick<ReceivedCallback, 'rawBody' | 'headers'>) =>
  moov.parseCallback({ rawBody: cb.rawBody, headers: cb.headers, lookup: async () => null });
const final = (p: PaymentRef) =>
  waitFor(async () => {
    const s = await moov.getStatus(p);
    return s.status !== 'pending' && s;
  });

test('happy path: CinetPay page with the number pre-filled, signed notification, check says ACCEPTED', async () => {
  const p = await start();
  assert.equal(moov.capabilities.callbackAuth, 'hmac');
  const page = await (await fetch(p.paymentUrl)).text();
  assert.match(page, /value="2250101020399"/);
  assert.equal((await moov.getStatus(p)).status, 'pending');
  await payOnPage(p.paymentUrl, '+2250101020399');
  const [cb] = await waitFor(() => callbacksOf(p).length === 1 && callbacksOf(p));
  assert.match(String(cb!.headers['content-type']), /x-www-form-urlencoded/);
  const parsed = await parse(cb!);
  assert.ok(parsed.ok);
  assert.deepEqual(
    [parsed.referenceFournisseur, parsed.claimed, parsed.montant, parsed.devise, parsed.mustConfirm],
    [p.referenceFournisseur, 'succeeded', 5000, 'XOF', true],
  );
  const s = await moov.getStatus(p);
  assert.deepEqual([s.status, s.providerStatus, s.montant, s.devise], ['succeeded', 'ACCEPTED', 5000, 'XOF']);
});

test('failure (01, 02): REFUSED, and the notification says so', async () => {
  for (const phone of ['+2250101020301', '+2250101020302']) {
    const p = await start();
    await payOnPage(p.paymentUrl, phone);
    const s = await final(p);
    assert.deepEqual([s.status, s.providerStatus], ['failed', 'REFUSED']);
    const [cb] = await waitFor(() => callbacksOf(p).length === 1 && callbacksOf(p));
    const parsed = await parse(cb!);
    assert.ok(parsed.ok && parsed.claimed === 'failed');
  }
});

test('pending for ever (03), lost notification (04), three notifications (05)', async () => {
  const pending = await start();
  const lost = await start();
  const thrice = await start();
  await payOnPage(pending.paymentUrl, '+2250101020303');
  await payOnPage(lost.paymentUrl, '+2250101020304');
  await payOnPage(thrice.paymentUrl, '+2250101020305');
  assert.equal((await final(lost)).status, 'succeeded');
  const cbs = await waitFor(() => callbacksOf(thrice).length === 3 && callbacksOf(thrice));
  for (const cb of cbs) assert.ok((await parse(cb)).ok);
  await sleep(150);
  assert.equal((await moov.getStatus(pending)).status, 'pending');
  assert.equal(callbacksOf(pending).length + callbacksOf(lost).length, 0);
});

test('slow success (06)', async () => {
  const p = await start();
  await payOnPage(p.paymentUrl, '+2250101020306');
  assert.equal((await moov.getStatus(p)).status, 'pending');
  assert.equal((await final(p)).status, 'succeeded');
});

test('a notification with a bad x-token is refused: tampered amount, wrong secret, missing header, other site', async () => {
  const p = await start();
  await payOnPage(p.paymentUrl, '+2250101020399');
  const [cb] = await waitFor(() => callbacksOf(p).length === 1 && callbacksOf(p));
  const form = new URLSearchParams(cb!.rawBody.toString());
  form.set('cpm_amount', '5');
  assert.deepEqual(await parse({ rawBody: Buffer.from(form.toString()), headers: cb!.headers }), {
    ok: false,
    reason: 'x-token invalide (HMAC)',
    referenceFournisseur: p.referenceFournisseur,
  });
  assert.equal((await parse({ rawBody: cb!.rawBody, headers: { ...cb!.headers, 'x-token': 'f'.repeat(64) } })).ok, false);
  assert.equal((await parse({ rawBody: cb!.rawBody, headers: {} })).ok, false);
  const s = h.sim.settings(h.common);
  s.cinetpay!.secretKey = 'une-autre-cle';
  const otherKey = createProviders(s).MOOV_MONEY!;
  assert.equal((await otherKey.parseCallback({ rawBody: cb!.rawBody, headers: cb!.headers, lookup: async () => null })).ok, false);
  s.cinetpay!.secretKey = h.sim.settings(h.common).cinetpay!.secretKey;
  s.cinetpay!.siteId = '999';
  const otherSite = createProviders(s).MOOV_MONEY!;
  assert.deepEqual(
    await otherSite.parseCallback({ rawBody: cb!.rawBody, headers: cb!.headers, lookup: async () => null }).then((r) => r.ok || r.reason),
    'cpm_site_id inattendu',
  );
  // The untouched one still passes.
  assert.ok((await parse(cb!)).ok);
});

test('amounts must be multiples of 5: refused before any call', async () => {
  const before = h.sim.state.payments.size;
  await assert.rejects(start(5002), InvalidAmountError);
  assert.equal(h.sim.state.payments.size, before);
});

test('5xx and timeout from CinetPay are retryable errors', async () => {
  const p = await start();
  h.sim.injectFault({ provider: 'cinetpay', kind: 'error', status: 500 });
  await assert.rejects(moov.getStatus(p), (e: unknown) => e instanceof ProviderUnavailableError && e.httpStatus === 500);
  const quick = createProviders(h.sim.settings({ ...h.common, timeoutMs: 300 })).MOOV_MONEY!;
  h.sim.injectFault({ provider: 'cinetpay', kind: 'hang' });
  await assert.rejects(quick.getStatus(p), (e: unknown) => e instanceof ProviderUnavailableError && e.timedOut);
  assert.equal((await moov.getStatus(p)).status, 'pending');
});

test('a transaction_id already used is refused by CinetPay: a lost init answer cannot be replayed', async () => {
  const p = await start();
  await assert.rejects(
    moov.initiate({
      reference: p.reference,
      referenceFournisseur: p.referenceFournisseur,
      montant: 5000,
      telephone: '+2250101020399',
      description: 'x',
    }),
    (e: unknown) => e instanceof ProviderRejectedError && !e.retryable,
  );
});

test('unknown to CinetPay: pending for the whole window (an hour later still), failed only after it', async () => {
  const ghost: PaymentRef = {
    reference: 'SV-FANTOME',
    referenceFournisseur: 'SV-FANTOME',
    montant: 5000,
    data: { initiatedAt: new Date().toISOString() },
  };
  assert.equal((await moov.getStatus(ghost)).status, 'pending');
  const old = { ...ghost, data: { initiatedAt: new Date(Date.now() - 3_600_000).toISOString() } };
  assert.equal((await moov.getStatus(old)).status, 'pending', 'issue 12: the old 300 s rule failed it here');
  const past = { ...ghost, data: {}, creeLe: new Date(Date.now() - 49 * 3_600_000) };
  assert.deepEqual(await moov.getStatus(past).then((s) => [s.status, s.reason]), ['failed', 'RESOURCE_NOT_FOUND']);
});

test('bad API key is a non-retryable rejection; no refund API', async () => {
  const s = h.sim.settings(h.common);
  s.cinetpay!.apiKey = 'mauvaise';
  const wrong = createProviders(s).MOOV_MONEY!;
  await assert.rejects(
    wrong.initiate({ reference: 'SV-X1', referenceFournisseur: 'SV-X1', montant: 5000, telephone: '+2250101020399', description: 'x' }),
    ProviderRejectedError,
  );
  assert.equal(moov.capabilities.refund, false);
  await assert.rejects(moov.refund(), ProviderRejectedError);
});

test('issue 12 case 4: a documented channel (MOBILE_MONEY) with the Moov number locked; FLOOZ as a channel is refused like the real API', async () => {
  const p = await start();
  const sim = [...h.sim.state.payments.values()].find((x) => x.key === p.referenceFournisseur)!;
  assert.equal(sim.extra.channel, 'MOBILE_MONEY');
  const s = h.sim.settings(h.common);
  s.cinetpay!.channel = 'FLOOZ';
  const wrong = createProviders(s).MOOV_MONEY!;
  const reference = newReference();
  await assert.rejects(
    wrong.initiate({ reference, referenceFournisseur: reference, montant: 5000, telephone: '+2250101020399', description: 'x' }),
    (e: unknown) => e instanceof ProviderRejectedError && e.httpStatus === 400,
  );
  // An init that timed out (no initiatedAt) counts its age from the stored time, not from nothing.
  const lost: PaymentRef = {
    reference,
    referenceFournisseur: newReference(),
    montant: 5000,
    data: {},
    creeLe: new Date(Date.now() - 3600_000),
  };
  assert.equal((await moov.getStatus(lost)).status, 'pending');
});

test("contract: every request this file made and every answer it got conform to CinetPay's definition (payments/contracts)", () => {
  assert.ok(h.exchanges.length > 0);
  assert.deepEqual(contractViolations(h.exchanges), []);
});
