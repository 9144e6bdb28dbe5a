import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenCache } from './token-cache.js';

function fakeIssuer(expiresIn = 3600) {
  let n = 0;
  return {
    get issued() {
      return n;
    },
    fetch: async () => {
      n += 1;
      await new Promise((r) => setTimeout(r, 5));
      return { token: `t${n}`, expiresIn };
    },
  };
}

test('a token is reused until shortly before it expires, then renewed ahead of expiry', async () => {
  let now = 1_000_000;
  const issuer = fakeIssuer(3600);
  const cache = new TokenCache(issuer.fetch, { now: () => now, refreshBeforeSeconds: 60 });
  assert.equal(await cache.get(), 't1');
  now += 3000 * 1000;
  assert.equal(await cache.get(), 't1');
  // 59 s before expiry: inside the 60 s margin, so a new one is fetched while the old one is still valid.
  now += 541 * 1000;
  assert.equal(await cache.get(), 't2');
  assert.equal(issuer.issued, 2);
});

test('concurrent callers share one token request', async () => {
  const issuer = fakeIssuer();
  const cache = new TokenCache(issuer.fetch);
  const tokens = await Promise.all(Array.from({ length: 50 }, () => cache.get()));
  assert.deepEqual(new Set(tokens), new Set(['t1']));
  assert.equal(issuer.issued, 1);
});

test('invalidate() forces a new token on the next call', async () => {
  const issuer = fakeIssuer();
  const cache = new TokenCache(issuer.fetch);
  await cache.get();
  cache.invalidate();
  assert.equal(await cache.get(), 't2');
});

test('a short-lived token is renewed at half its life, not refetched on every call', async () => {
  let now = 0;
  const issuer = fakeIssuer(20);
  const cache = new TokenCache(issuer.fetch, { now: () => now, refreshBeforeSeconds: 60 });
  await cache.get();
  now += 9_000;
  await cache.get();
  assert.equal(issuer.issued, 1);
  now += 2_000;
  await cache.get();
  assert.equal(issuer.issued, 2);
});

test('a failed token request is not cached: the next call tries again', async () => {
  let fail = true;
  const cache = new TokenCache(async () => {
    if (fail) throw new Error('panne');
    return { token: 'ok', expiresIn: 3600 };
  });
  await assert.rejects(cache.get(), /panne/);
  fail = false;
  assert.equal(await cache.get(), 'ok');
});
