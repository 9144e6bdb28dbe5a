import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../test/context.js';
import { hostAllowed, parseHostHeader, redactUrl } from './security.js';
import { createUser } from '../test/users.js';
import { queuedMessages } from '../test/notifications.js';
import { queuedJobs, runJob } from '../test/jobs.js';
import { PASSWORD_RESET_JOB, passwordResetJob } from '../modules/users/password-flows.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({
    env: {
      DEBUG: 'False',
      SECRET_KEY: 'k'.repeat(64),
      ALLOWED_HOSTS: 'api.spotvibe.ci,.spotvibe.com',
      // One load balancer in front (issue 11: `true` is refused in production).
      TRUST_PROXY: '1',
      CORS_ALLOWED_ORIGINS: 'https://app.spotvibe.ci',
      PUBLIC_BASE_URL: 'https://api.spotvibe.ci',
      // Production refuses the console SMS backend (codes would only reach the log).
      SMS_BACKEND: 'orange',
      ORANGE_SMS_CLIENT_ID: 'id',
      ORANGE_SMS_CLIENT_SECRET: 'secret',
      ORANGE_SMS_SENDER_ADDRESS: '+2250000',
      EMAIL_HOST: 'smtp.spotvibe.ci',
      LOG_LEVEL: 'silent',
    },
  });
});
after(() => ctx.close());

test('hostAllowed follows Django rules', () => {
  assert.ok(hostAllowed('api.spotvibe.ci', ['api.spotvibe.ci']));
  assert.ok(hostAllowed('API.SpotVibe.ci', ['api.spotvibe.ci']));
  assert.ok(hostAllowed('spotvibe.com', ['.spotvibe.com']));
  assert.ok(hostAllowed('www.spotvibe.com', ['.spotvibe.com']));
  assert.ok(!hostAllowed('evilspotvibe.com', ['.spotvibe.com']));
  assert.ok(!hostAllowed('evil.com', ['api.spotvibe.ci']));
  assert.ok(hostAllowed('anything', ['*']));
});

const https = { 'x-forwarded-proto': 'https' };

test('production: an unknown Host is refused with 400', async () => {
  const r = await ctx.app.inject({ url: '/api/events/categories/', headers: { host: 'evil.example', ...https } });
  assert.equal(r.statusCode, 400);
  assert.equal(r.json().code, 'disallowed_host');
});

test('production: an allowed host over https is served, with HSTS', async () => {
  const r = await ctx.app.inject({ url: '/api/events/categories/', headers: { host: 'api.spotvibe.ci', ...https } });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains; preload');
});

test('production: plain http is redirected to https', async () => {
  const r = await ctx.app.inject({
    url: '/api/events/categories/?page=2',
    headers: { host: 'api.spotvibe.ci', 'x-forwarded-proto': 'http' },
  });
  assert.equal(r.statusCode, 301);
  assert.equal(r.headers.location, 'https://api.spotvibe.ci/api/events/categories/?page=2');
});

test('probes answer whatever the host and protocol', async () => {
  const r = await ctx.app.inject({ url: '/healthz', headers: { host: '10.1.2.3:8000' } });
  assert.equal(r.statusCode, 200);
});

test('production CORS: only the configured origins', async () => {
  const ok = await ctx.app.inject({
    url: '/api/events/categories/',
    headers: { host: 'api.spotvibe.ci', origin: 'https://app.spotvibe.ci', ...https },
  });
  assert.equal(ok.headers['access-control-allow-origin'], 'https://app.spotvibe.ci');
  const ko = await ctx.app.inject({
    url: '/api/events/categories/',
    headers: { host: 'api.spotvibe.ci', origin: 'https://evil.example', ...https },
  });
  assert.equal(ko.headers['access-control-allow-origin'], undefined);
});

test('the whole Host header is parsed: a name and an optional port, nothing else', () => {
  assert.equal(parseHostHeader('api.spotvibe.ci'), 'api.spotvibe.ci');
  assert.equal(parseHostHeader('API.SpotVibe.ci:443'), 'api.spotvibe.ci');
  assert.equal(parseHostHeader('127.0.0.1:8000'), '127.0.0.1');
  assert.equal(parseHostHeader('[::1]:8000'), '[::1]');
  for (const bad of [
    'localhost:@evil.example',
    'api.spotvibe.ci@evil.example',
    'a b',
    'api.spotvibe.ci:99999',
    'x/y',
    '',
    'api.spotvibe.ci:1:2',
  ]) {
    assert.equal(parseHostHeader(bad), null, bad);
  }
});

test('attack: Host "localhost:@evil.example" (it passed as "localhost") is a 400, no reset email goes out', async () => {
  const u = await createUser(ctx.database.db);
  const before = (await queuedMessages(ctx.database, 'EMAIL')).length;
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/auth/password/reset/',
    headers: { host: 'api.spotvibe.ci:@evil.example', ...https },
    payload: { email: u.email },
  });
  assert.equal(r.statusCode, 400);
  assert.equal(r.json().code, 'bad_host');
  assert.equal((await queuedMessages(ctx.database, 'EMAIL')).length, before);
});

test('attack: a reset requested through an allowed but spoofed X-Forwarded-Host links to PUBLIC_BASE_URL only', async () => {
  const u = await createUser(ctx.database.db);
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/auth/password/reset/',
    // X-Forwarded-Host from a client the proxy forwarded: allowed domain, but links never come from it.
    headers: { host: 'api.spotvibe.ci', 'x-forwarded-host': 'www.spotvibe.com', ...https },
    payload: { email: u.email },
  });
  assert.equal(r.statusCode, 200, r.body);
  const [request] = (await queuedJobs<Parameters<typeof passwordResetJob.handler>[0]>(ctx.database, PASSWORD_RESET_JOB)).filter(
    (d) => d.email === u.email,
  );
  assert.equal(request!.origin, 'https://api.spotvibe.ci');
  await runJob(ctx.runtime, passwordResetJob, request!);
  const jobs = await queuedMessages(ctx.database, 'EMAIL');
  const mail = jobs.reverse().find((m) => m.to === u.email && /mot-de-passe/.test(m.text))!;
  assert.match(mail.text, /https:\/\/api\.spotvibe\.ci\/compte\/mot-de-passe\/nouveau\/#token=/);
  assert.doesNotMatch(mail.text, /www\.spotvibe\.com|evil/);
});

test('attack: the HTTPS redirect goes to PUBLIC_BASE_URL, never to a Host the request names', async () => {
  for (const host of ['api.spotvibe.ci:@evil.com', 'www.spotvibe.com']) {
    const r = await ctx.app.inject({ url: '/api/events/?page=2', headers: { host, 'x-forwarded-proto': 'http' } });
    if (r.statusCode === 301) assert.equal(r.headers.location, 'https://api.spotvibe.ci/api/events/?page=2', host);
    else assert.equal(r.statusCode, 400, host);
  }
});

test('pagination links come from PUBLIC_BASE_URL', async () => {
  const r = await ctx.app.inject({ url: '/api/events/?page_size=1', headers: { host: 'www.spotvibe.com', ...https } });
  assert.equal(r.statusCode, 200);
  if (r.json().next) assert.match(r.json().next, /^https:\/\/api\.spotvibe\.ci\//);
});

test('attack: a client cannot choose its own address with X-Forwarded-For (one trusted hop)', async () => {
  // The load balancer appends the client's real address; what the client wrote before it is not believed.
  const r = await ctx.app.inject({
    url: '/healthz',
    remoteAddress: '10.0.0.5',
    headers: { 'x-forwarded-for': '1.2.3.4, 203.0.113.7' },
  });
  assert.equal(r.statusCode, 200);
  const ips: string[] = [];
  const probe = await ctx.app.inject({
    method: 'POST',
    url: '/api/users/login/',
    remoteAddress: '10.0.0.5',
    headers: { host: 'api.spotvibe.ci', 'x-forwarded-for': '1.2.3.4, 203.0.113.7', ...https },
    payload: { login: 'personne@exemple.ci', password: 'faux-mot-de-passe' },
  });
  assert.equal(probe.statusCode, 400);
  const { rows } = await ctx.database.query<{ ip: string }>(
    "SELECT host(ip) AS ip FROM login_attempts WHERE login = 'personne@exemple.ci'",
  );
  for (const row of rows) ips.push(row.ip);
  assert.deepEqual(ips, ['203.0.113.7']);
});

test('secrets in query strings are masked in logs', () => {
  assert.equal(redactUrl('/api/auth/password/reset/confirm/?token=abc'), '/api/auth/password/reset/confirm/?token=[masqué]');
  assert.equal(redactUrl('/api/events/?search=concert&page=2'), '/api/events/?search=concert&page=2');
  assert.equal(redactUrl('/paiement/retour/?notif_token=x&reference=SV-1'), '/paiement/retour/?notif_token=[masqué]&reference=SV-1');
  assert.equal(redactUrl('/compte/email/verifier/?email=a@b.ci'), '/compte/email/verifier/?email=[masqué]');
});
