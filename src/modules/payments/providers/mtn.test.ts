import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newReference, sleep, startHarness, waitFor, type ProviderHarness } from '../simulator/testing.js';
import { createProviders } from './index.js';
import { MtnMomoProvider } from './mtn.js';
import { ProviderRejectedError, ProviderUnavailableError, type PaymentRef, type RefundRequest } from './types.js';
import { contractViolations } from '../contracts/testing.js';

let h: ProviderHarness;
let mtn: MtnMomoProvider;
before(async () => {
  h = await startHarness();
  mtn = h.providers.MTN_MONEY as MtnMomoProvider;
});
after(() => h.close());

async function start(telephone: string, montant = 5000, description = 'Billets SpotVibe', provider = mtn): Promise<PaymentRef> {
  const reference = newReference();
  const referenceFournisseur = provider.newProviderReference();
  const r = await provider.initiate({ reference, referenceFournisseur, montant, telephone, description });
  assert.equal(r.paymentUrl, null, 'push flow: no page, the payer approves on the phone');
  return { reference, referenceFournisseur, montant, data: r.data };
}

const callbacksOf = (p: PaymentRef) => h.receiver.on('mtn').filter((c) => JSON.parse(c.rawBody.toString()).externalId === p.reference);
const final = (p: PaymentRef) =>
  waitFor(async () => {
    const s = await mtn.getStatus(p);
    return s.status !== 'pending' && s;
  });

test('happy path: request to pay, callback (PUT), status SUCCESSFUL with amount and sandbox currency', async () => {
  const p = await start('+2250501020399');
  assert.equal(mtn.capabilities.flow, 'push');
  assert.equal(mtn.capabilities.callbackAuth, 'none');
  const [cb] = await waitFor(() => callbacksOf(p).length === 1 && callbacksOf(p));
  assert.equal(cb!.method, 'PUT');
  const parsed = await mtn.parseCallback({ rawBody: cb!.rawBody, headers: cb!.headers, lookup: async () => null });
  assert.ok(parsed.ok);
  assert.deepEqual(
    [parsed.reference, parsed.claimed, parsed.mustConfirm, parsed.montant, parsed.devise],
    [p.reference, 'succeeded', true, 5000, 'EUR'],
  );
  const s = await mtn.getStatus(p);
  assert.deepEqual([s.status, s.providerStatus, s.montant, s.devise], ['succeeded', 'SUCCESSFUL', 5000, 'EUR']);
  assert.ok(s.transactionId);
});

test('failures carry MTN reasons: 01 NOT_ENOUGH_FUNDS, 02 APPROVAL_REJECTED', async () => {
  const a = await start('+2250501020301');
  const b = await start('+2250501020302');
  assert.deepEqual(await final(a).then((s) => [s.status, s.reason]), ['failed', 'NOT_ENOUGH_FUNDS']);
  assert.deepEqual(await final(b).then((s) => [s.status, s.reason]), ['failed', 'APPROVAL_REJECTED']);
});

test('pending for ever (03): PENDING, no callback', async () => {
  const p = await start('+2250501020303');
  await sleep(200);
  assert.equal((await mtn.getStatus(p)).providerStatus, 'PENDING');
  assert.equal(callbacksOf(p).length, 0);
});

test('lost callback (04): the status call gives the truth', async () => {
  const p = await start('+2250501020304');
  assert.equal((await final(p)).status, 'succeeded');
  await sleep(100);
  assert.equal(callbacksOf(p).length, 0);
});

test('duplicate callbacks (05): three deliveries of the same transaction', async () => {
  const p = await start('+2250501020305');
  const cbs = await waitFor(() => callbacksOf(p).length === 3 && callbacksOf(p));
  const ids = new Set(cbs.map((c) => JSON.parse(c.rawBody.toString()).financialTransactionId));
  assert.equal(ids.size, 1);
});

test('slow success (06): pending first, SUCCESSFUL later', async () => {
  const p = await start('+2250501020306');
  assert.equal((await mtn.getStatus(p)).status, 'pending');
  assert.equal((await final(p)).status, 'succeeded');
});

test('an unauthenticated callback is only a reason to ask: a forged SUCCESSFUL does not make a pending payment paid', async () => {
  const p = await start('+2250501020303');
  const forged = Buffer.from(
    JSON.stringify({ externalId: p.reference, amount: '5000', currency: 'EUR', status: 'SUCCESSFUL', financialTransactionId: '1' }),
  );
  const parsed = await mtn.parseCallback({ rawBody: forged, headers: {}, lookup: async () => null });
  assert.ok(parsed.ok && parsed.mustConfirm);
  assert.equal((await mtn.getStatus(p)).status, 'pending');
  assert.equal(
    (await mtn.parseCallback({ rawBody: Buffer.from('{"status":"SUCCESSFUL"}'), headers: {}, lookup: async () => null })).ok,
    false,
  );
  assert.equal((await mtn.parseCallback({ rawBody: Buffer.from('nope'), headers: {}, lookup: async () => null })).ok, false);
});

test('idempotent initiation: the answer is lost, the retry with the same X-Reference-Id gets 409 and is the same payment', async () => {
  const quick = createProviders(h.sim.settings({ ...h.common, timeoutMs: 300 })).MTN_MONEY!;
  const reference = newReference();
  const referenceFournisseur = quick.newProviderReference(reference);
  const req = { reference, referenceFournisseur, montant: 5000, telephone: '+2250501020399', description: 'Billets' };
  h.sim.injectFault({ provider: 'mtn', kind: 'hang-after' });
  await assert.rejects(quick.initiate(req), (e: unknown) => e instanceof ProviderUnavailableError && e.timedOut);
  const again = await quick.initiate(req);
  assert.equal(again.data.repeated, true);
  const inSim = [...h.sim.state.payments.values()].filter((x) => x.provider === 'mtn' && x.key === referenceFournisseur);
  assert.equal(inSim.length, 1, 'one request to pay, one debit');
  // A request that never reached MTN (hang before processing): the retry is simply the first request.
  const other = { ...req, reference: newReference(), referenceFournisseur: quick.newProviderReference('') };
  h.sim.injectFault({ provider: 'mtn', kind: 'hang' });
  await assert.rejects(quick.initiate(other), ProviderUnavailableError);
  assert.equal((await quick.initiate(other)).data.repeated, false);
  assert.equal((await final({ reference, referenceFournisseur, montant: 5000, data: again.data })).status, 'succeeded');
});

test('a 404 after the 202 is "not yet visible" (pending) for the whole window; only past it is it failed', async () => {
  const visibility = h.sim.state.delays.mtnVisibilityMs;
  h.sim.state.delays.mtnVisibilityMs = 60_000;
  try {
    const p = await start('+2250501020399');
    const s = await mtn.getStatus(p);
    assert.deepEqual([s.status, s.providerStatus], ['pending', 'NOT_FOUND']);
    // Issue 12 case 1: ten minutes of 404 after MTN's 202 was failed by the old 300 s rule; MTN may still debit.
    const old = { ...p, data: { ...p.data, initiatedAt: new Date(Date.now() - 600_000).toISOString() } };
    assert.equal((await mtn.getStatus(old)).status, 'pending');
    const past = { ...p, data: { ...p.data, initiatedAt: new Date(Date.now() - 49 * 3_600_000).toISOString() } };
    assert.deepEqual(await mtn.getStatus(past).then((x) => [x.status, x.reason]), ['failed', 'RESOURCE_NOT_FOUND']);
  } finally {
    h.sim.state.delays.mtnVisibilityMs = visibility;
  }
});

test('messages with "&" would be silently failed by MTN: the client strips them and the payment succeeds', async () => {
  const p = await start('+2250501020399', 5000, 'Concert Zouglou & Coupé-Décalé');
  assert.equal((await final(p)).status, 'succeeded');
});

test('token expiry: collection token refused once, renewed, call succeeds', async () => {
  const p = await start('+2250501020303');
  const before = h.sim.state.tokensIssued['mtn-collection'] ?? 0;
  h.sim.expireTokens();
  assert.equal((await mtn.getStatus(p)).status, 'pending');
  assert.equal(h.sim.state.tokensIssued['mtn-collection'], before + 1);
});

test('5xx and timeout from MTN are retryable errors', async () => {
  const p = await start('+2250501020303');
  h.sim.injectFault({ provider: 'mtn', kind: 'error', status: 500 });
  await assert.rejects(mtn.getStatus(p), (e: unknown) => e instanceof ProviderUnavailableError && e.httpStatus === 500);
  const quick = createProviders(h.sim.settings({ ...h.common, timeoutMs: 300 })).MTN_MONEY!;
  h.sim.injectFault({ provider: 'mtn', kind: 'hang' });
  await assert.rejects(quick.getStatus(p), (e: unknown) => e instanceof ProviderUnavailableError && e.timedOut);
  // A token endpoint failing is the same kind of error.
  h.sim.expireTokens();
  h.sim.injectFault({ provider: 'mtn', kind: 'error', status: 502, endpoint: 'token' });
  await assert.rejects(mtn.getStatus(p), (e: unknown) => e instanceof ProviderUnavailableError && e.httpStatus === 502);
  assert.equal((await mtn.getStatus(p)).status, 'pending');
});

test('refund through Disbursement: accepted, then SUCCESSFUL; repeated with the same reference is not a second refund', async () => {
  assert.equal(mtn.capabilities.refund, true);
  const p = await start('+2250501020399');
  assert.equal((await final(p)).status, 'succeeded');
  const req: RefundRequest = {
    referenceRemboursement: mtn.newRefundReference(),
    payment: p,
    montant: 5000,
    motif: 'Événement annulé & remboursé',
  };
  assert.deepEqual(await mtn.refund(req), { status: 'pending', providerStatus: 'ACCEPTED' });
  assert.equal((await mtn.refund(req)).providerStatus, 'ALREADY_REQUESTED');
  // The Disbursement token is its own: expired, it is renewed once like Collection's.
  const issued = h.sim.state.tokensIssued['mtn-disbursement'] ?? 0;
  h.sim.expireTokens();
  await mtn.refundStatus(req);
  assert.equal(h.sim.state.tokensIssued['mtn-disbursement'], issued + 1);
  const done = await waitFor(async () => {
    const r = await mtn.refundStatus(req);
    return r.status !== 'pending' && r;
  });
  assert.equal(done.status, 'succeeded');
  // Nothing is left to refund: a second refund under a new reference is refused by MTN.
  const more: RefundRequest = { ...req, referenceRemboursement: mtn.newRefundReference() };
  await mtn.refund(more);
  const refused = await waitFor(async () => {
    const r = await mtn.refundStatus(more);
    return r.status !== 'pending' && r;
  });
  assert.deepEqual([refused.status, refused.reason], ['failed', 'NOT_ALLOWED']);
  // A refund MTN does not know (yet) is pending, never failed on a 404 (issue 12 case 2).
  assert.deepEqual(
    await mtn
      .refundStatus({ ...req, referenceRemboursement: mtn.newRefundReference(), creeLe: new Date() })
      .then((r) => [r.status, r.providerStatus]),
    ['pending', 'NOT_FOUND'],
  );
  assert.equal(refused.referenceSpent, true, 'MTN said FAILED: that reference is spent');
});

test('without Disbursement keys, MTN refunds are manual', async () => {
  const s = h.sim.settings(h.common);
  s.mtn!.disbursement = null;
  const noRefund = createProviders(s).MTN_MONEY!;
  assert.equal(noRefund.capabilities.refund, false);
  await assert.rejects(
    noRefund.refund({
      referenceRemboursement: noRefund.newRefundReference(),
      payment: { reference: 'x', referenceFournisseur: 'y', montant: 1, data: {} },
      montant: 1,
      motif: 'x',
    }),
    ProviderRejectedError,
  );
});

test('wrong subscription key or API key is a non-retryable rejection', async () => {
  const s = h.sim.settings(h.common);
  s.mtn!.collection.subscriptionKey = 'mauvaise';
  const wrong = createProviders(s).MTN_MONEY!;
  await assert.rejects(
    start('+2250501020399', 5000, 'x', wrong as MtnMomoProvider),
    (e: unknown) => e instanceof ProviderRejectedError && e.httpStatus === 401,
  );
});

test('account check: an active number says true', async () => {
  assert.equal(await mtn.isAccountActive('+2250501020304'), true);
  assert.equal(await mtn.isAccountActive('+2250501020300'), false);
});

test('issue 12 case 1/2: a 404 stays pending for the whole configured window, counted from the stored time when the call timed out', async () => {
  let clock = Date.now();
  const s = h.sim.settings(h.common);
  s.mtn!.notFoundGraceSeconds = 48 * 3600;
  const p = createProviders(s, { now: () => clock }).MTN_MONEY as MtnMomoProvider;
  // A request MTN never shows (our call timed out: no initiatedAt), stored 10 minutes ago: still pending.
  const lost: PaymentRef = {
    reference: newReference(),
    referenceFournisseur: p.newProviderReference(),
    montant: 5000,
    data: {},
    creeLe: new Date(clock - 600_000),
  };
  assert.deepEqual(await p.getStatus(lost).then((r) => [r.status, r.providerStatus]), ['pending', 'NOT_FOUND']);
  // Acknowledged (initiatedAt set) an hour ago and still 404: pending too — the old 300 s rule failed it here.
  const acked: PaymentRef = { ...lost, data: { initiatedAt: new Date(clock - 3600_000).toISOString() } };
  assert.equal((await p.getStatus(acked)).status, 'pending');
  // Past the window only: failed, with the reason the service may later reopen on a late success.
  clock += 49 * 3600_000;
  assert.deepEqual(await p.getStatus(lost).then((r) => [r.status, r.reason]), ['failed', 'RESOURCE_NOT_FOUND']);
  const refund: RefundRequest = {
    referenceRemboursement: p.newRefundReference(),
    payment: lost,
    montant: 5000,
    motif: 'x',
    creeLe: new Date(clock - 600_000),
  };
  assert.equal((await p.refundStatus(refund)).status, 'pending');
  assert.equal(
    (await p.refundStatus({ ...refund, creeLe: new Date(clock - 49 * 3600_000) })).referenceSpent,
    undefined,
    'our failure: reuse the reference',
  );
});

test('issue 12 case 5: REJECTED and TIMEOUT are not MTN statuses: read as pending (ask again), never as a final failure', async () => {
  for (const status of ['REJECTED', 'TIMEOUT']) {
    const parsed = await mtn.parseCallback({
      rawBody: Buffer.from(
        JSON.stringify({ externalId: 'SV-X', status, financialTransactionId: 123456789, amount: 5000, currency: 'EUR' }),
      ),
      headers: {},
      lookup: async () => null,
    });
    assert.ok(parsed.ok);
    assert.deepEqual([parsed.claimed, parsed.transactionId, parsed.montant], ['pending', '123456789', 5000]);
  }
});

test("contract: every request this file made and every answer it got conform to MTN's definition (payments/contracts)", () => {
  assert.ok(h.exchanges.length > 0);
  assert.deepEqual(contractViolations(h.exchanges), []);
});

test('the client reads amount and financialTransactionId as MTN sends them: JSON numbers (its examples) or strings (its schema)', async () => {
  const answers = [
    { amount: 5000, financialTransactionId: 23503452 },
    { amount: '5000', financialTransactionId: '23503452' },
  ];
  const read = [];
  for (const a of answers) {
    const fake = async (url: string) =>
      new Response(
        JSON.stringify(
          url.includes('/token/')
            ? { access_token: 't', token_type: 'access_token', expires_in: 3600 }
            : { ...a, currency: 'EUR', externalId: 'SV-1', status: 'SUCCESSFUL' },
        ),
        { status: 200, headers: { 'content-type': 'application/json' } },
      );
    const client = createProviders(h.sim.settings(h.common), { fetch: fake }).MTN_MONEY!;
    const s = await client.getStatus({ reference: 'SV-1', referenceFournisseur: client.newProviderReference(''), montant: 5000, data: {} });
    read.push([s.status, s.montant, s.transactionId]);
  }
  assert.deepEqual(read, [
    ['succeeded', 5000, '23503452'],
    ['succeeded', 5000, '23503452'],
  ]);
});
