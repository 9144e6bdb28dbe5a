import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newReference, payOnPage, sleep, startHarness, waitFor, type ProviderHarness } from '../simulator/testing.js';
import { createProviders } from './index.js';
import { OrangeMoneyProvider } from './orange.js';
import { ProviderRejectedError, ProviderUnavailableError, type PaymentRef } from './types.js';
import { contractViolations } from '../contracts/testing.js';

let h: ProviderHarness;
let orange: OrangeMoneyProvider;
before(async () => {
  h = await startHarness();
  orange = h.providers.ORANGE_MONEY as OrangeMoneyProvider;
});
after(() => h.close());

async function start(montant = 5000): Promise<PaymentRef & { paymentUrl: string }> {
  const reference = newReference();
  const referenceFournisseur = orange.newProviderReference(reference);
  const r = await orange.initiate({ reference, referenceFournisseur, montant, telephone: '+2250701020304', description: 'Billets' });
  assert.ok(r.paymentUrl);
  return { reference, referenceFournisseur, montant, data: r.data, paymentUrl: r.paymentUrl };
}

const lookupFor = (p: PaymentRef) => async (ref: { reference?: string | undefined }) =>
  ref.reference === p.reference ? { data: p.data } : null;
const callbacksOf = (p: PaymentRef) => h.receiver.on('orange').filter((c) => c.query.reference === p.reference);

test('happy path: redirect, payer confirms, authenticated notification, status SUCCESS in the sandbox currency', async () => {
  const p = await start();
  assert.equal(orange.capabilities.flow, 'redirect');
  assert.equal(orange.currency, 'OUV');
  assert.match(String(p.data.payToken), /\w+/);
  assert.equal((await orange.getStatus(p)).providerStatus, 'INITIATED');
  await payOnPage(p.paymentUrl, '+2250701020399');
  const [cb] = await waitFor(() => callbacksOf(p).length === 1 && callbacksOf(p));
  const parsed = await orange.parseCallback({ rawBody: cb!.rawBody, headers: cb!.headers, query: cb!.query, lookup: lookupFor(p) });
  assert.equal(parsed.ok, true);
  assert.ok(parsed.ok);
  assert.equal(parsed.claimed, 'succeeded');
  assert.equal(parsed.reference, p.reference);
  assert.equal(parsed.mustConfirm, true, 'Orange signs nothing: a notification must be confirmed by the status call');
  const s = await orange.getStatus(p);
  assert.deepEqual(
    { status: s.status, providerStatus: s.providerStatus, montant: s.montant, devise: s.devise },
    { status: 'succeeded', providerStatus: 'SUCCESS', montant: 5000, devise: 'OUV' },
  );
  assert.equal(s.transactionId, parsed.transactionId);
});

test('failure: numbers ending in 01 and 02 fail, and so does a payer who cancels', async () => {
  for (const [phone, action] of [
    ['+2250701020301', 'payer'],
    ['+2250701020302', 'payer'],
    ['+2250701020388', 'annuler'],
  ] as const) {
    const p = await start();
    await payOnPage(p.paymentUrl, phone, action);
    const s = await waitFor(async () => {
      const st = await orange.getStatus(p);
      return st.status !== 'pending' && st;
    });
    assert.equal(s.status, 'failed', phone);
    const [cb] = await waitFor(() => callbacksOf(p).length === 1 && callbacksOf(p));
    const parsed = await orange.parseCallback({ rawBody: cb!.rawBody, headers: cb!.headers, query: cb!.query, lookup: lookupFor(p) });
    assert.ok(parsed.ok && parsed.claimed === 'failed');
  }
});

test('pending for ever (03): the status stays PENDING and no notification comes', async () => {
  const p = await start();
  await payOnPage(p.paymentUrl, '+2250701020303');
  await sleep(200);
  const s = await orange.getStatus(p);
  assert.deepEqual([s.status, s.providerStatus], ['pending', 'PENDING']);
  assert.equal(callbacksOf(p).length, 0);
});

test('lost notification (04): the status call still gives the truth', async () => {
  const p = await start();
  await payOnPage(p.paymentUrl, '+2250701020304');
  const s = await waitFor(async () => {
    const st = await orange.getStatus(p);
    return st.status === 'succeeded' && st;
  });
  assert.equal(s.providerStatus, 'SUCCESS');
  await sleep(100);
  assert.equal(callbacksOf(p).length, 0);
});

test('duplicate notifications (05): three identical, all authentic, same txnid', async () => {
  const p = await start();
  await payOnPage(p.paymentUrl, '+2250701020305');
  const cbs = await waitFor(() => callbacksOf(p).length === 3 && callbacksOf(p));
  const parsed = await Promise.all(
    cbs.map((cb) => orange.parseCallback({ rawBody: cb.rawBody, headers: cb.headers, query: cb.query, lookup: lookupFor(p) })),
  );
  assert.ok(parsed.every((x) => x.ok && x.claimed === 'succeeded'));
  assert.equal(new Set(parsed.map((x) => (x.ok ? x.transactionId : ''))).size, 1);
});

test('slow success (06): pending at first, SUCCESS later', async () => {
  const p = await start();
  await payOnPage(p.paymentUrl, '+2250701020306');
  assert.equal((await orange.getStatus(p)).status, 'pending');
  await waitFor(async () => (await orange.getStatus(p)).status === 'succeeded');
});

test('forged notifications are refused: wrong notif_token, no reference, unknown payment, garbage', async () => {
  const p = await start();
  const body = (token: string) => Buffer.from(JSON.stringify({ status: 'SUCCESS', notif_token: token, txnid: 'MP1' }));
  const parse = (rawBody: Buffer, query: Record<string, string>) =>
    orange.parseCallback({ rawBody, headers: {}, query, lookup: lookupFor(p) });
  const genuine = String(p.data.notifToken);
  const forged = genuine.slice(0, -1) + (genuine.endsWith('a') ? 'b' : 'a');
  assert.deepEqual(await parse(body(forged), { reference: p.reference }), {
    ok: false,
    reason: 'notif_token invalide',
    reference: p.reference,
  });
  assert.equal((await parse(body(''), { reference: p.reference })).ok, false);
  assert.equal((await parse(body(genuine), {})).ok, false);
  assert.equal((await parse(body(genuine), { reference: 'SV-INCONNUE' })).ok, false);
  assert.equal((await parse(Buffer.from('<xml/>'), { reference: p.reference })).ok, false);
  // The genuine token is accepted, and still only as a reason to ask.
  const ok = await parse(body(genuine), { reference: p.reference });
  assert.ok(ok.ok && ok.mustConfirm);
});

test('token expiry: a refused token is renewed once and the call succeeds; tokens are renewed ahead of expiry', async () => {
  const p = await start();
  const before = h.sim.state.tokensIssued.orange ?? 0;
  h.sim.expireTokens();
  assert.equal((await orange.getStatus(p)).status, 'pending');
  assert.equal(h.sim.state.tokensIssued.orange, before + 1);

  // With a clock 59 minutes ahead, the cached token is within the renewal margin: renewed before any 401.
  let offset = 0;
  const ahead = createProviders(h.sim.settings(h.common), { now: () => Date.now() + offset }).ORANGE_MONEY as OrangeMoneyProvider;
  await ahead.getStatus(p);
  assert.equal(ahead.token.fetchCount, 1);
  offset = 59 * 60_000 + 30_000;
  await ahead.getStatus(p);
  assert.equal(ahead.token.fetchCount, 2);
});

test('a provider 5xx is a retryable ProviderUnavailableError; the next call works', async () => {
  const p = await start();
  h.sim.injectFault({ provider: 'orange', kind: 'error', status: 503 });
  await assert.rejects(orange.getStatus(p), (e: unknown) => e instanceof ProviderUnavailableError && e.retryable && e.httpStatus === 503);
  assert.equal((await orange.getStatus(p)).status, 'pending');
});

test('a provider that hangs is a timeout (retryable), not a wait for ever', async () => {
  const quick = createProviders(h.sim.settings({ ...h.common, timeoutMs: 300 })).ORANGE_MONEY!;
  h.sim.injectFault({ provider: 'orange', kind: 'hang' });
  const reference = newReference();
  await assert.rejects(
    quick.initiate({ reference, referenceFournisseur: reference, montant: 5000, telephone: '+2250701020304', description: 'x' }),
    (e: unknown) => e instanceof ProviderUnavailableError && e.timedOut && e.retryable,
  );
  // Same order_id again once Orange answers: the buyer gets one payment page, the one we hand out.
  const again = await quick.initiate({
    reference,
    referenceFournisseur: reference,
    montant: 5000,
    telephone: '+2250701020304',
    description: 'x',
  });
  assert.ok(again.paymentUrl);
});

test('bad credentials are a non-retryable rejection', async () => {
  const s = h.sim.settings(h.common);
  s.orange!.tokenAuthorization = 'Basic ' + Buffer.from('x:y').toString('base64');
  const wrong = createProviders(s).ORANGE_MONEY!;
  const reference = newReference();
  await assert.rejects(
    wrong.initiate({ reference, referenceFournisseur: reference, montant: 5000, telephone: '+2250701020304', description: 'x' }),
    (e: unknown) => e instanceof ProviderRejectedError && e.httpStatus === 401 && !e.retryable,
  );
});

test('Orange has no refund API: refund() says so', async () => {
  assert.equal(orange.capabilities.refund, false);
  await assert.rejects(orange.refund(), ProviderRejectedError);
});

test("contract: every request this file made and every answer it got conform to Orange's definition (payments/contracts)", () => {
  assert.ok(h.exchanges.length > 0);
  assert.deepEqual(contractViolations(h.exchanges), []);
});
