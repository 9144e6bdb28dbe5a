/** The public cache on its own: bounded memory, versions, stampedes, Redis unreachable, encodings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { PublicCache, publicCacheEnabled } from './public-cache.js';

const log = { warn: () => undefined, info: () => undefined };
const local = (maxBytes = 1_000_000) => new PublicCache({ enabled: true, redis: null, ttlSeconds: 60, maxBytes, log });

test('a flood of distinct query strings cannot grow the cache past its bound', async () => {
  const maxBytes = 256 * 1024;
  const cache = local(maxBytes);
  const body = 'x'.repeat(2000);
  for (let i = 0; i < 5000; i++) await cache.get(`events|search=${i}-${Math.random()}`, async () => body);
  assert.ok(cache.localSize.bytes <= maxBytes, `${cache.localSize.bytes} octets`);
  assert.ok(cache.localSize.entries < 100, `${cache.localSize.entries} entrées`);
  // The most recent pages are still there.
  const again = await cache.get('recent', async () => body);
  assert.equal(again.hit, false);
  assert.equal((await cache.get('recent', async () => 'autre')).hit, true);
});

test('a bump makes every key load again; concurrent misses share one load; a failed load is not kept', async () => {
  const cache = local();
  let loads = 0;
  const load = async () => {
    loads++;
    await new Promise((r) => setTimeout(r, 20));
    return `{"n":${loads}}`;
  };
  const pages = await Promise.all(Array.from({ length: 10 }, () => cache.get('k', load)));
  assert.equal(loads, 1);
  assert.ok(pages.every((p) => p.page.body === '{"n":1}'));
  const etag = pages[0]!.page.etag;
  await cache.bump();
  const after = await cache.get('k', load);
  assert.equal(after.page.body, '{"n":2}');
  assert.notEqual(after.page.etag, etag, 'the ETag follows the content');
  await assert.rejects(
    cache.get('bad', async () => {
      throw new Error('base indisponible');
    }),
  );
  assert.equal((await cache.get('bad', async () => 'ok')).page.body, 'ok');
});

test('Redis unreachable: every read goes to the database, promptly, and nothing fails', async () => {
  // A port nobody listens on.
  const redis = new Redis('redis://127.0.0.1:1/0', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  void redis.connect().catch(() => undefined);
  const cache = new PublicCache({ enabled: true, redis, ttlSeconds: 60, maxBytes: 1_000_000, log });
  let loads = 0;
  const started = Date.now();
  for (let i = 0; i < 3; i++) assert.equal((await cache.get('k', async () => `${++loads}`)).hit, false);
  await cache.bump();
  assert.equal(loads, 3);
  assert.ok(Date.now() - started < 2000);
  redis.disconnect();
});

test('a page is kept no longer than its loader says (an event ending), nor than the TTL', async () => {
  const cache = local();
  let n = 0;
  const load = async () => ({ body: `${++n}`, maxAgeMs: 80 });
  assert.equal((await cache.get('k', load)).page.body, '1');
  assert.equal((await cache.get('k', load)).page.body, '1');
  await new Promise((r) => setTimeout(r, 120));
  assert.equal((await cache.get('k', load)).page.body, '2', 'expired when its first event ended');
  const past = async () => ({ body: `p${++n}`, maxAgeMs: -5 });
  assert.equal((await cache.get('gone', past)).hit, false);
  assert.equal((await cache.get('gone', past)).hit, false, 'a page already past its moment is not kept');
});

test('off on PostgreSQL without Redis (the worker’s sales would go unseen), on otherwise', () => {
  assert.equal(publicCacheEnabled(true, false, false), false);
  assert.equal(publicCacheEnabled(true, true, false), true);
  assert.equal(publicCacheEnabled(true, false, true), true);
  assert.equal(publicCacheEnabled(false, true, true), false);
});

test('encodings: br preferred, gzip next, q=0 refused, small pages sent plain', () => {
  const body = JSON.stringify({ results: Array.from({ length: 50 }, (_, i) => ({ id: i, titre: 'Concert à Abidjan' })) });
  const page = { body, etag: 'W/"x"' };
  const br = PublicCache.encoded(page, 'gzip, deflate, br');
  assert.equal(br.encoding, 'br');
  assert.equal(brotliDecompressSync(br.payload as Buffer).toString(), body);
  const gz = PublicCache.encoded(page, 'gzip, br;q=0');
  assert.equal(gz.encoding, 'gzip');
  assert.equal(gunzipSync(gz.payload as Buffer).toString(), body);
  assert.equal(PublicCache.encoded(page, 'identity').encoding, null);
  assert.equal(PublicCache.encoded({ body: '{}', etag: 'W/"y"' }, 'br').encoding, null);
});
