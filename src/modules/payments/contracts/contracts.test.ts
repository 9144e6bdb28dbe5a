/**
 * Contract tests (issue 12): every request our provider clients send and every answer and callback the
 * simulator gives, checked against the providers' definitions written down in this folder (MTN: its OpenAPI
 * Collection and Disbursement definitions; Wave, CinetPay, Orange: their documentation pages as JSON Schema).
 * A shared misunderstanding between client and simulator now has to get past a third party's text.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newReference, payOnPage, sleep, startHarness, waitFor, type ProviderHarness } from '../simulator/testing.js';
import { UNCONFIRMED } from '../simulator/unconfirmed.js';
import { SIMULATOR_CREDENTIALS } from '../simulator/credentials.js';
import type { MtnMomoProvider } from '../providers/mtn.js';
import type { WaveCheckoutProvider } from '../providers/wave.js';
import type { CinetPayMoovProvider } from '../providers/cinetpay.js';
import type { OrangeMoneyProvider } from '../providers/orange.js';
import type { PaymentProvider, PaymentRef, RefundRequest } from '../providers/types.js';
import { ContractBook, type ContractProvider, type Exchange } from './testing.js';

const book = new ContractBook();
let h: ProviderHarness;
before(async () => {
  // The harness records every exchange of the real clients with the simulator (h.exchanges).
  h = await startHarness();
});
after(() => h.close());

const of = (provider: ContractProvider) => h.exchanges.filter((e) => e.provider === provider);
const violations = (provider: ContractProvider) => of(provider).flatMap((e) => book.checkExchange(e));
/** "METHOD template status" of every exchange seen, to prove each documented answer was really exercised. */
const seen = (provider: ContractProvider) =>
  new Set(of(provider).map((e) => `${e.method} ${book.operation(provider, e.method, e.path)?.template ?? e.path} ${e.status}`));

async function start(p: PaymentProvider, telephone: string, montant = 5000): Promise<PaymentRef & { paymentUrl: string | null }> {
  const reference = newReference();
  const referenceFournisseur = p.newProviderReference(reference);
  const r = await p.initiate({ reference, referenceFournisseur, montant, telephone, description: 'Billets SpotVibe' });
  return { reference, referenceFournisseur, montant, data: r.data, paymentUrl: r.paymentUrl, creeLe: new Date() };
}
const final = (p: PaymentProvider, ref: PaymentRef) =>
  waitFor(async () => {
    const s = await p.getStatus(ref);
    return s.status !== 'pending' && s;
  });

test('MTN: every request the client sends and every answer the simulator gives match the Collection and Disbursement definitions', async () => {
  const mtn = h.providers.MTN_MONEY as MtnMomoProvider;
  // 202 then 404 while not yet visible (on by default; long enough here that the first status call sees it),
  // then 200 PENDING / SUCCESSFUL / FAILED with a reason.
  h.sim.state.delays.mtnVisibilityMs = 1_000;
  const ok = await start(mtn, '+2250501020399');
  assert.equal((await mtn.getStatus(ok)).providerStatus, 'NOT_FOUND');
  const okStatus = await final(mtn, ok);
  assert.deepEqual([okStatus.status, okStatus.montant], ['succeeded', 5000], 'amount read from a JSON number');
  assert.match(okStatus.transactionId ?? '', /^\d+$/, 'financialTransactionId read from a JSON number');
  const poor = await start(mtn, '+2250501020301');
  assert.deepEqual(await final(mtn, poor).then((s) => [s.status, s.reason]), ['failed', 'NOT_ENOUGH_FUNDS'], 'reason.code read');
  const waiting = await start(mtn, '+2250501020303');
  await waitFor(async () => (await mtn.getStatus(waiting)).providerStatus === 'PENDING');
  // 409: the same X-Reference-Id again.
  await mtn.initiate({
    reference: ok.reference,
    referenceFournisseur: ok.referenceFournisseur,
    montant: 5000,
    telephone: '+2250501020399',
    description: 'x',
  });
  // 401 from the gateway (expired token), renewed once; account check; 500 (ErrorReason body).
  h.sim.expireTokens();
  assert.equal(await mtn.isAccountActive('+2250501020399'), true);
  h.sim.injectFault({ provider: 'mtn', kind: 'error', status: 500 });
  await assert.rejects(mtn.getStatus(ok));
  // Disbursement: token, refund 202 / 409, refund status 404 then 200 SUCCESSFUL, and FAILED with a reason.
  const refund: RefundRequest = {
    referenceRemboursement: mtn.newRefundReference(),
    payment: ok,
    montant: 5000,
    motif: 'Annulation',
    creeLe: new Date(),
  };
  await mtn.refund(refund);
  await mtn.refund(refund);
  assert.equal((await mtn.refundStatus(refund)).providerStatus, 'NOT_FOUND');
  await waitFor(async () => (await mtn.refundStatus(refund)).status === 'succeeded');
  h.sim.state.delays.mtnVisibilityMs = 0;
  const twice: RefundRequest = { ...refund, referenceRemboursement: mtn.newRefundReference() };
  await mtn.refund(twice);
  await waitFor(async () => (await mtn.refundStatus(twice)).status === 'failed');

  assert.deepEqual(violations('mtn'), []);
  const s = seen('mtn');
  for (const k of [
    'POST /collection/token/ 200',
    'POST /collection/v1_0/requesttopay 202',
    'POST /collection/v1_0/requesttopay 409',
    'GET /collection/v1_0/requesttopay/{referenceId} 404',
    'GET /collection/v1_0/requesttopay/{referenceId} 200',
    'GET /collection/v1_0/requesttopay/{referenceId} 500',
    'GET /collection/v1_0/accountholder/{accountHolderIdType}/{accountHolderId}/active 401',
    'GET /collection/v1_0/accountholder/{accountHolderIdType}/{accountHolderId}/active 200',
    'POST /disbursement/token/ 200',
    'POST /disbursement/v1_0/refund 202',
    'POST /disbursement/v1_0/refund 409',
    'GET /disbursement/v1_0/refund/{referenceId} 404',
    'GET /disbursement/v1_0/refund/{referenceId} 200',
  ])
    assert.ok(s.has(k), `not exercised: ${k}`);
  const statuses = of('mtn')
    .filter((e) => e.method === 'GET' && e.status === 200 && e.path.includes('/requesttopay/'))
    .map((e) => JSON.parse(e.response) as { status: string });
  assert.deepEqual([...new Set(statuses.map((x) => x.status))].sort(), ['FAILED', 'PENDING', 'SUCCESSFUL']);

  // Callbacks (PUT to X-Callback-Url) carry the status body: a RequestToPayResult.
  const callbacks = await waitFor(() => h.receiver.on('mtn').length >= 2 && h.receiver.on('mtn'));
  for (const c of callbacks)
    assert.deepEqual(book.check('mtn-collection#/definitions/RequestToPayResult', JSON.parse(c.rawBody.toString()), 'callback'), []);
});

test('MTN: the check fails when a request or an answer departs from the definition (mutated once)', () => {
  const pay = of('mtn').find((e) => e.method === 'POST' && e.path.endsWith('/requesttopay') && e.status === 202)!;
  const body = JSON.parse(pay.body!) as Record<string, unknown>;
  const mutate = (patch: Partial<Exchange>) => book.checkExchange({ ...pay, ...patch });
  assert.deepEqual(mutate({}), []);
  assert.notDeepEqual(mutate({ body: JSON.stringify({ ...body, amount: 5000 }) }), [], 'amount must be a string');
  assert.notDeepEqual(mutate({ body: JSON.stringify({ ...body, payer: { partyIdType: 'PHONE', partyId: '1' } }) }), []);
  assert.notDeepEqual(mutate({ body: JSON.stringify({ ...body, invented: true }) }), [], 'no undeclared field');
  assert.notDeepEqual(mutate({ headers: { ...pay.headers, 'x-reference-id': 'SV-123' } }), [], 'X-Reference-Id is a UUID v4');
  const { ['x-target-environment']: _env, ...noEnv } = pay.headers;
  assert.notDeepEqual(mutate({ headers: noEnv }), [], 'X-Target-Environment is required');
  assert.notDeepEqual(mutate({ response: '{"ok":true}' }), [], 'a 202 has no body');

  const status = of('mtn').find((e) => e.status === 200 && e.path.includes('/requesttopay/') && e.response.includes('FAILED'))!;
  const answer = JSON.parse(status.response) as Record<string, unknown>;
  const check = (a: unknown) => book.checkExchange({ ...status, response: JSON.stringify(a) });
  assert.deepEqual(check(answer), []);
  assert.notDeepEqual(check({ ...answer, reason: 'NOT_ENOUGH_FUNDS' }), [], 'reason is an object {code, message}');
  assert.notDeepEqual(check({ ...answer, status: 'REJECTED' }), [], 'REJECTED is not a status of the definition');
  assert.notDeepEqual(check({ ...answer, reason: { code: 'INSUFFICIENT', message: 'x' } }), [], 'codes are the ErrorReason enum');
  assert.notDeepEqual(book.checkExchange({ ...status, status: 418 }), [], 'undeclared status');
});

test('MTN simulator: a refused request to pay is a 400 with no body (as declared), a wrong currency its ErrorReason', async () => {
  const mtn = h.providers.MTN_MONEY as MtnMomoProvider;
  const ok = of('mtn').find((e) => e.method === 'POST' && e.path.endsWith('/requesttopay') && e.status === 202)!;
  await mtn.isAccountActive('+2250501020399'); // a current token (earlier ones were expired on purpose)
  const { authorization } = of('mtn').at(-1)!.headers;
  const send = (body: Record<string, unknown>) =>
    fetch(`${h.sim.url}${ok.path}`, {
      method: 'POST',
      headers: { ...ok.headers, authorization: authorization!, 'x-reference-id': mtn.newProviderReference() },
      body: JSON.stringify({ ...(JSON.parse(ok.body!) as object), ...body }),
    });
  const badAmount = await send({ amount: 5000 });
  assert.deepEqual([badAmount.status, await badAmount.text()], [400, '']);
  const badCurrency = await send({ currency: 'XAF' });
  assert.equal(badCurrency.status, 400);
  const reason = await badCurrency.json();
  assert.equal((reason as { code: string }).code, 'INVALID_CURRENCY');
  assert.deepEqual(book.check('mtn-collection#/definitions/ErrorReason', reason, 'refusal'), []);
});

test('Wave: session requests, sessions, refund, expire, errors and signed webhooks match docs.wave.com', async () => {
  const wave = h.providers.WAVE as WaveCheckoutProvider;
  const paid = await start(wave, '+2250701020304', 7500);
  await payOnPage(paid.paymentUrl!, '+2250701020399');
  await final(wave, paid);
  const poor = await start(wave, '+2250701020304', 7500);
  await payOnPage(poor.paymentUrl!, '+2250701020301');
  await final(wave, poor);
  const refund: RefundRequest = { referenceRemboursement: wave.newRefundReference(), payment: paid, montant: 7500, motif: 'x' };
  await wave.refund(refund);
  await wave.refundStatus(refund);
  await wave.refund({ ...refund, referenceRemboursement: wave.newRefundReference() });
  await assert.rejects(wave.getStatus({ ...paid, data: { ...paid.data, sessionId: 'cos-unknown' } }));

  assert.deepEqual(violations('wave'), []);
  const s = seen('wave');
  for (const k of [
    'POST /v1/checkout/sessions 200',
    'GET /v1/checkout/sessions/{id} 200',
    'GET /v1/checkout/sessions/{id} 404',
    'POST /v1/checkout/sessions/{id}/expire 200',
    'POST /v1/checkout/sessions/{id}/refund 200',
    'POST /v1/checkout/sessions/{id}/refund 400',
  ])
    assert.ok(s.has(k), `not exercised: ${k}`);

  const events = await waitFor(() => h.receiver.on('wave').length >= 2 && h.receiver.on('wave'));
  for (const e of events) {
    assert.deepEqual(book.check('wave#/definitions/WebhookHeaders', e.headers, 'webhook headers'), []);
    assert.deepEqual(book.check('wave#/definitions/WebhookEvent', JSON.parse(e.rawBody.toString()), 'webhook'), []);
  }
  // Mutated once: an invented payment_status, an invented error code, a signature in another format.
  const session = JSON.parse(of('wave').find((e) => e.status === 200 && e.method === 'GET')!.response) as Record<string, unknown>;
  assert.notDeepEqual(book.check('wave#/definitions/CheckoutSession', { ...session, payment_status: 'refunded' }, 's'), []);
  assert.notDeepEqual(book.check('wave#/definitions/Error', { code: 'not-found', message: 'x' }, 'e'), []);
  assert.notDeepEqual(book.check('wave#/definitions/WebhookHeaders', { ...events[0]!.headers, 'wave-signature': 'sha256=ab' }, 'h'), []);
  const create = of('wave').find((e) => e.method === 'POST' && e.path === '/v1/checkout/sessions')!;
  const body = JSON.parse(create.body!) as Record<string, unknown>;
  assert.notDeepEqual(book.checkExchange({ ...create, body: JSON.stringify({ ...body, amount: 7500 }) }), [], 'amount is a string');
});

test('CinetPay (Moov): payment and check requests, answers and notifications match docs.cinetpay.com', async () => {
  const moov = h.providers.MOOV_MONEY as CinetPayMoovProvider;
  const paid = await start(moov, '+2250101020399');
  await payOnPage(paid.paymentUrl!, '+2250101020399');
  await final(moov, paid);
  const waiting = await start(moov, '+2250101020399');
  assert.equal((await moov.getStatus(waiting)).status, 'pending');
  const refused = await start(moov, '+2250101020301');
  await payOnPage(refused.paymentUrl!, '+2250101020301');
  await final(moov, refused);
  // Never received by CinetPay: the one undocumented answer, from unconfirmed.ts.
  const unknown = { ...paid, referenceFournisseur: moov.newProviderReference(newReference()) };
  assert.equal((await moov.getStatus(unknown)).status, 'pending');

  assert.deepEqual(violations('cinetpay'), []);
  const codes = of('cinetpay').map((e) => (JSON.parse(e.response) as { code: string }).code);
  for (const c of ['201', '00', '662', '627', UNCONFIRMED.cinetpayNotFound.body.code])
    assert.ok(codes.includes(c), `code ${c} not exercised`);

  const notes = await waitFor(() => h.receiver.on('moov').length >= 2 && h.receiver.on('moov'));
  for (const n of notes) {
    assert.deepEqual(book.check('cinetpay#/definitions/NotificationHeaders', n.headers, 'notification headers'), []);
    assert.deepEqual(
      book.check('cinetpay#/definitions/Notification', Object.fromEntries(new URLSearchParams(n.rawBody.toString())), 'notification'),
      [],
    );
  }
  const init = of('cinetpay').find((e) => e.path === '/v2/payment')!;
  const body = JSON.parse(init.body!) as Record<string, unknown>;
  assert.notDeepEqual(book.checkExchange({ ...init, body: JSON.stringify({ ...body, channels: 'FLOOZ' }) }), [], 'FLOOZ is not a channel');
  assert.notDeepEqual(book.checkExchange({ ...init, body: JSON.stringify({ ...body, amount: 5001 }) }), [], 'a multiple of 5');
});

test('CinetPay simulator refuses what CinetPay refuses: an undocumented channel, an amount not a multiple of 5', async () => {
  const { apiKey, siteId } = SIMULATOR_CREDENTIALS.cinetpay;
  const base = {
    apikey: apiKey,
    site_id: siteId,
    transaction_id: newReference(),
    currency: 'XOF',
    description: 'Billets',
    notify_url: 'https://a.test/',
    return_url: 'https://a.test/',
  };
  for (const wrong of [
    { amount: 5000, channels: 'FLOOZ' },
    { amount: 5001, channels: 'MOBILE_MONEY' },
  ]) {
    const res = await fetch(`${h.sim.url}/v2/payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...base, ...wrong }),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(book.check('cinetpay#/definitions/Error', await res.json(), 'refusal'), []);
  }
});

test('Orange: token, webpayment, transactionstatus, errors and notifications match developer.orange.com', async () => {
  const orange = h.providers.ORANGE_MONEY as OrangeMoneyProvider;
  const paid = await start(orange, '+2250701020399');
  await payOnPage(paid.paymentUrl!, '+2250701020399');
  await final(orange, paid);
  const failed = await start(orange, '+2250701020301');
  await payOnPage(failed.paymentUrl!, '+2250701020301');
  await final(orange, failed);
  h.sim.expireTokens();
  await orange.getStatus(paid);
  await assert.rejects(orange.getStatus({ ...paid, data: { ...paid.data, payToken: 'v1unknown' } }));

  assert.deepEqual(violations('orange'), []);
  const s = seen('orange');
  for (const k of [
    'POST /oauth/v3/token 200',
    'POST /orange-money-webpay/{country}/v1/webpayment 201',
    'POST /orange-money-webpay/{country}/v1/transactionstatus 201',
    'POST /orange-money-webpay/{country}/v1/transactionstatus 401',
    'POST /orange-money-webpay/{country}/v1/transactionstatus 404',
  ])
    assert.ok(s.has(k), `not exercised: ${k}`);
  // Error codes: documented ones, or the simulator's configurable (unconfirmed) table.
  const allowed = new Set<unknown>([23, 40, 41, 42, 60, ...Object.values(UNCONFIRMED.orangeCodes).map((c) => c.code)]);
  for (const e of of('orange').filter((x) => x.status >= 400 && !x.path.startsWith('/oauth')))
    assert.ok(allowed.has((JSON.parse(e.response) as { code: unknown }).code), e.response);

  await sleep(50);
  const notes = await waitFor(() => h.receiver.on('orange').length >= 2 && h.receiver.on('orange'));
  for (const n of notes)
    assert.deepEqual(book.check('orange#/definitions/Notification', JSON.parse(n.rawBody.toString()), 'notification'), []);
  const st = of('orange').find((e) => e.path.endsWith('/transactionstatus') && e.status === 201)!;
  const answer = JSON.parse(st.response) as Record<string, unknown>;
  assert.notDeepEqual(book.checkExchange({ ...st, response: JSON.stringify({ ...answer, status: 'REFUNDED' }) }), []);
  const init = of('orange').find((e) => e.path.endsWith('/webpayment'))!;
  const body = JSON.parse(init.body!) as Record<string, unknown>;
  assert.notDeepEqual(book.checkExchange({ ...init, body: JSON.stringify({ ...body, amount: '5000' }) }), [], 'amount is an integer');
});
