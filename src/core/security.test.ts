import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../test/context.js';
import { hostAllowed } from './security.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({
    env: {
      DEBUG: 'False',
      SECRET_KEY: 'k'.repeat(64),
      ALLOWED_HOSTS: 'api.spotvibe.ci,.spotvibe.com',
      TRUST_PROXY: 'true',
      CORS_ALLOWED_ORIGINS: 'https://app.spotvibe.ci',
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
