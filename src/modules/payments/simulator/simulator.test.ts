import { createHash } from 'node:crypto';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from './server.js';
import { DEFAULT_DELAYS, outcomeFor } from './outcomes.js';
import { SIMULATOR_CREDENTIALS } from './credentials.js';

let sim: Simulator;
before(async () => {
  sim = await startSimulator({ port: 0, host: '127.0.0.1', delays: { normalMs: 20 } });
});
after(() => sim.close());

const wave = (path: string, init: RequestInit = {}) =>
  fetch(`${sim.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${SIMULATOR_CREDENTIALS.wave.apiKey}`, 'content-type': 'application/json', ...init.headers },
  });

async function waveSession(description = 'x') {
  const res = await wave('/v1/checkout/sessions', {
    method: 'POST',
    body: JSON.stringify({
      amount: '1000',
      currency: 'XOF',
      success_url: 'https://a.test/ok',
      error_url: 'https://a.test/ko',
      client_reference: description,
    }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as { id: string; wave_launch_url: string };
}

test('the outcome table goes by the last two digits, as PROVIDERS.md says; default delays are ~1 s and 10 s', () => {
  assert.deepEqual([outcomeFor('+2250701020301').final, outcomeFor('+2250701020301').reason], ['failed', 'NOT_ENOUGH_FUNDS']);
  assert.equal(outcomeFor('0702').reason, 'APPROVAL_REJECTED');
  assert.equal(outcomeFor('0703').final, 'never');
  assert.equal(outcomeFor('0704').callbacks, 0);
  assert.equal(outcomeFor('0705').callbacks, 3);
  assert.equal(outcomeFor('0706').delay, 'slow');
  assert.deepEqual([outcomeFor('0799').final, outcomeFor('0799').callbacks], ['succeeded', 1]);
  assert.equal(outcomeFor('0710').final, 'succeeded');
  assert.ok(DEFAULT_DELAYS.normalMs <= 1000);
  assert.equal(DEFAULT_DELAYS.slowMs, 10_000);
});

test('the payment page is French, self-contained, and escapes what the merchant sent', async () => {
  const s = await waveSession('<script>alert(1)</script>');
  const res = await fetch(s.wave_launch_url);
  assert.equal(res.status, 200);
  assert.match(String(res.headers.get('content-type')), /text\/html/);
  const html = await res.text();
  assert.match(html, /<html lang="fr">/);
  assert.match(html, /Numéro de téléphone/);
  assert.match(html, /1\s000 F CFA/);
  assert.doesNotMatch(html, /<script>alert/);
  // No external asset: no stylesheet, script, image or font fetched from anywhere.
  assert.doesNotMatch(html, /<(script|link|img)\b|@import|url\(/i);
  // Issue 11 (low): a strict Content-Security-Policy; the page's own style is allowed by its hash only.
  const csp = String(res.headers.get('content-security-policy'));
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /form-action 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|script-src/);
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
  assert.ok(csp.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`), csp);
  const missing = await fetch(s.wave_launch_url.replace(/[^/]+$/, 'inconnu'));
  assert.equal(missing.status, 404);
  assert.match(String(missing.headers.get('content-security-policy')), /default-src 'none'/);
});

test('the page refuses a bad number in French and keeps the session payable', async () => {
  const s = await waveSession();
  const bad = await fetch(s.wave_launch_url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'telephone=abc&action=payer',
  });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /Numéro de téléphone invalide/);
  const ok = await fetch(s.wave_launch_url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'telephone=%2B225+07+01+02+03+99&action=payer',
    redirect: 'manual',
  });
  assert.equal(ok.status, 303);
  const again = await fetch(s.wave_launch_url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'telephone=0701020399&action=payer',
  });
  assert.equal(again.status, 409, 'a session is paid once');
  assert.equal((await fetch(`${sim.url}/pay/wave/inconnu`)).status, 404);
});

test('issue 18: a Wave session expired after an insufficient-funds attempt says why, not "expired"', async () => {
  const s = await waveSession();
  const paid = await fetch(s.wave_launch_url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'telephone=0701020301&action=payer',
    redirect: 'manual',
  });
  assert.equal(paid.status, 303);
  // The failure lands after the normal delay (20 ms here); the merchant then expires the session, as our client does.
  let page = '';
  for (let i = 0; i < 50 && !/refusé/.test(page); i++) {
    await new Promise((r) => setTimeout(r, 20));
    page = await (await fetch(s.wave_launch_url)).text();
  }
  assert.equal((await wave(`/v1/checkout/sessions/${s.id}/expire`, { method: 'POST', body: '{}' })).status, 200);
  page = await (await fetch(s.wave_launch_url)).text();
  assert.match(page, /Paiement refusé \(solde insuffisant\)/);
  assert.doesNotMatch(page, /expiré/);
});

test("issue 18: Orange's sandbox page shows francs CFA for its play currency OUV", async () => {
  const { francsForPayer } = await import('./page.js');
  assert.match(francsForPayer(5000, 'XOF'), /^5\s000 F CFA$/);
  assert.match(francsForPayer(5000, 'OUV'), /^5\s000 F CFA \(OUV/);
});

test('test hooks over HTTP: a fault on the next call, token expiry, state', async () => {
  const f = await fetch(`${sim.url}/__simulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'wave', kind: 'error', status: 502 }),
  });
  assert.equal(f.status, 201);
  assert.equal((await wave('/v1/checkout/sessions/x')).status, 502);
  assert.equal((await wave('/v1/checkout/sessions/x')).status, 404, 'only the next call');
  assert.equal(
    (
      await fetch(`${sim.url}/__simulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"kind":"nope"}',
      })
    ).status,
    400,
  );

  const basic = `Basic ${Buffer.from(`${SIMULATOR_CREDENTIALS.orange.clientId}:${SIMULATOR_CREDENTIALS.orange.clientSecret}`).toString('base64')}`;
  const tok = await fetch(`${sim.url}/oauth/v3/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const { access_token } = (await tok.json()) as { access_token: string };
  const status = () =>
    fetch(`${sim.url}/orange-money-webpay/dev/v1/transactionstatus`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ order_id: 'x', amount: 1, pay_token: 'y' }),
    });
  assert.equal((await status()).status, 404);
  await fetch(`${sim.url}/__simulator/tokens/expire`, { method: 'POST' });
  const expired = await status();
  assert.equal(expired.status, 401);
  assert.deepEqual(await expired.json(), {
    code: 42,
    message: 'Expired credentials',
    description: 'The requested service needs credentials, but the ones provided have expired.',
  });

  const st = (await (await fetch(`${sim.url}/__simulator/state`)).json()) as { payments: unknown[]; tokensIssued: Record<string, number> };
  assert.ok(st.payments.length >= 1);
  assert.equal(st.tokensIssued.orange, 1);
});

test("sandbox rules are enforced: Orange's dev country wants OUV, MTN's sandbox wants EUR", async () => {
  const basic = `Basic ${Buffer.from(`${SIMULATOR_CREDENTIALS.orange.clientId}:${SIMULATOR_CREDENTIALS.orange.clientSecret}`).toString('base64')}`;
  const { access_token } = (await (
    await fetch(`${sim.url}/oauth/v3/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    })
  ).json()) as { access_token: string };
  const body = {
    merchant_key: SIMULATOR_CREDENTIALS.orange.merchantKey,
    currency: 'XOF',
    order_id: 'o1',
    amount: 100,
    return_url: 'https://a.test',
    cancel_url: 'https://a.test',
    notif_url: 'https://a.test',
    lang: 'fr',
    reference: 'r',
  };
  const res = await fetch(`${sim.url}/orange-money-webpay/dev/v1/webpayment`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { description: string }).description, /expected OUV/);
  const missing = await fetch(`${sim.url}/orange-money-webpay/dev/v1/webpayment`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, notif_url: undefined }),
  });
  assert.deepEqual(await missing.json(), { code: 23, message: 'Missing body field', description: 'The field notif_url is missing.' });
});

test('close() stops it: nothing listens afterwards', async () => {
  const other = await startSimulator({ port: 0 });
  await other.close();
  await assert.rejects(fetch(`${other.url}/v1/checkout/sessions/x`));
});
