/**
 * The public-read cache under writes (issue 16): two app instances (two runtimes, each with its own cache and
 * Redis connection, as two server processes) on one database and one real redis-server; Redis killed and
 * restarted mid-test. A cached list never shows an event after its cancellation, sell-out or any change once
 * the write answered; ETags follow the content; per-user fields are each person's own.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { createTestContext, eventually, type TestContext } from '../../test/context.js';
import { createPaidEvent, insertEvent } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { buyTicketsThroughApi } from '../../test/payments.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { TestRedisServer, redisServerAvailable } from '../../test/redis-server.js';
import { openRuntime, type Runtime } from '../../runtime.js';
import { buildApp } from '../../app.js';

const skip = redisServerAvailable() ? false : 'redis-server absent';
const gateways = fakeGateways();
let redis: TestRedisServer;
let ctx: TestContext;
let runtimeB: Runtime;
let appB: Awaited<ReturnType<typeof buildApp>>;
let organizer: Awaited<ReturnType<typeof createUserWithToken>>;
let staff: Awaited<ReturnType<typeof createUserWithToken>>;

const usable = async (rt: Runtime) => eventually(async () => (await rt.publicCache.version()) !== null, 5000, 20);

before(async () => {
  if (skip) return;
  redis = await TestRedisServer.start();
  ctx = await createTestContext({ env: { REDIS_URL: redis.url }, gateways, work: true });
  const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
  // The second "process": its own runtime (cache, Redis connection, jobs not run) on the same database.
  runtimeB = await openRuntime(ctx.config, { role: 'test', work: false, log, database: ctx.database, gateways, migrate: false });
  appB = await buildApp(runtimeB, false);
  await usable(ctx.runtime);
  await usable(runtimeB);
  organizer = await createUserWithToken(ctx.database.db);
  staff = await createUserWithToken(ctx.database.db, { isStaff: true });
});
after(async () => {
  if (skip) return;
  await appB?.close();
  await runtimeB?.close();
  await ctx?.close();
  await redis?.kill();
});

type App = TestContext['app'];
const ids = async (app: App, query = '', headers: Record<string, string> = {}) => {
  const r = await app.inject({ url: `/api/events/?page_size=100${query}`, headers });
  assert.equal(r.statusCode, 200, r.body);
  return (r.json().results as { id: number }[]).map((e) => e.id);
};
const published = async (o: Parameters<typeof insertEvent>[2] = {}) => {
  const id = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'VALIDE', dateValidation: new Date(), ...o });
  // Inserted behind the use cases' back: renew the version as their commit would.
  await ctx.runtime.publicCache.bump();
  return id;
};

test('a cancellation on one process hides the event from the other process’s cached list at once', { skip }, async () => {
  const id = await published();
  assert.ok((await ids(ctx.app)).includes(id));
  assert.ok((await ids(appB)).includes(id));
  const hits = runtimeB.publicCache.stats.hits;
  assert.ok((await ids(appB)).includes(id));
  assert.ok(runtimeB.publicCache.stats.hits > hits, 'the second read is served from the cache');

  const cancel = await ctx.app.inject({ method: 'POST', url: `/api/events/${id}/cancel/`, headers: organizer.headers, payload: {} });
  assert.equal(cancel.statusCode, 200, cancel.body);
  assert.ok(!(await ids(appB)).includes(id), 'B no longer lists it');
  assert.ok(!(await ids(ctx.app)).includes(id));
  const detail = await appB.inject({ url: `/api/events/${id}/` });
  assert.equal(detail.json().statut, 'ANNULE');
});

test('moderation: an approval shows at once, a rejected event never appears', { skip }, async () => {
  const pending = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'EN_ATTENTE' });
  const other = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'EN_ATTENTE' });
  await ctx.runtime.publicCache.bump();
  assert.ok(!(await ids(appB)).includes(pending));
  const ok = await ctx.app.inject({ method: 'POST', url: `/api/admin/events/${pending}/approve/`, headers: staff.headers });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.ok((await ids(appB)).includes(pending), 'approved: listed on B at once');
  const no = await ctx.app.inject({
    method: 'POST',
    url: `/api/admin/events/${other}/reject/`,
    headers: staff.headers,
    payload: { motif: 'Informations incomplètes' },
  });
  assert.equal(no.statusCode, 200, no.body);
  assert.ok(!(await ids(appB)).includes(other));
  assert.equal((await appB.inject({ url: `/api/events/${other}/` })).statusCode, 404);
});

test('a sold-out paid event shows 0 seats left on the other process within a second of its confirmation', { skip }, async () => {
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 1 });
  await ctx.runtime.publicCache.bump();
  const seats = async () => {
    const r = await appB.inject({ url: `/api/events/${event.id}/` });
    return r.json().places_restantes as number;
  };
  assert.equal(await seats(), 1);
  assert.equal(await seats(), 1);
  const buyer = await createUserWithToken(ctx.database.db);
  await buyTicketsThroughApi(ctx, gateways, buyer, event.id, 1);
  // The worker's confirmation bumps after its commit: within a second everywhere.
  await eventually(async () => (await seats()) === 0, 1000, 20);
  const row = (await appB.inject({ url: `/api/events/?page_size=100&type_acces=PAYANT` }))
    .json()
    .results.find((e: { id: number }) => e.id === event.id);
  assert.equal(row.places_restantes, 0);
  // The buyer sees that they take part; someone else does not, on the same cached page.
  const mine = await appB.inject({ url: `/api/events/${event.id}/`, headers: buyer.headers });
  assert.equal(mine.json().is_participating, true);
  assert.match(String(mine.headers['cache-control']), /private/);
  assert.equal((await appB.inject({ url: `/api/events/${event.id}/`, headers: organizer.headers })).json().is_participating, false);
});

test('per-user fields on a cached page are each person’s own', { skip }, async () => {
  const id = await published({ capaciteMax: 10 });
  const [alice, bob] = await Promise.all([createUserWithToken(ctx.database.db), createUserWithToken(ctx.database.db)]);
  const join = await ctx.app.inject({ method: 'POST', url: `/api/events/${id}/participate/`, headers: alice.headers });
  assert.equal(join.statusCode, 201, join.body);
  const flag = async (app: App, headers: Record<string, string>) => {
    const r = await app.inject({ url: '/api/events/?page_size=100', headers });
    return r.json().results.find((e: { id: number }) => e.id === id) as { is_participating: boolean; participants_count: number };
  };
  for (const app of [ctx.app, appB]) {
    assert.equal((await flag(app, alice.headers)).is_participating, true);
    assert.equal((await flag(app, bob.headers)).is_participating, false);
    assert.equal((await flag(app, {})).is_participating, false);
    assert.equal((await flag(app, alice.headers)).is_participating, true, 'after an anonymous read of the same page');
    assert.equal((await flag(app, {})).participants_count, 1);
  }
});

test('ETag: 304 for the same content, a new one after a change; Cache-Control never holds a page', { skip }, async () => {
  const id = await published();
  const first = await appB.inject({ url: '/api/events/?page_size=100' });
  const etag = String(first.headers.etag);
  assert.match(etag, /^W\/"/);
  assert.equal(first.headers['cache-control'], 'public, max-age=0, must-revalidate');
  const again = await appB.inject({ url: '/api/events/?page_size=100', headers: { 'if-none-match': etag } });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, '');
  const edit = await ctx.app.inject({
    method: 'PATCH',
    url: `/api/events/${id}/`,
    headers: organizer.headers,
    payload: { capacite_max: 77 },
  });
  assert.equal(edit.statusCode, 200, edit.body);
  const after = await appB.inject({ url: '/api/events/?page_size=100', headers: { 'if-none-match': etag } });
  assert.equal(after.statusCode, 200);
  assert.notEqual(after.headers.etag, etag);
  assert.equal(after.json().results.find((e: { id: number }) => e.id === id).capacite_max, 77);
});

test('Redis killed mid-test: reads come from the database, writes still show; on its return no stale page', { skip }, async () => {
  const a = await published();
  const b = await published();
  assert.ok((await ids(ctx.app)).includes(a));
  assert.ok((await ids(appB)).includes(b));
  await redis.kill();
  // No error while Redis is away: answers come from the database.
  const during = await ctx.app.inject({ url: '/api/events/?page_size=100' });
  assert.equal(during.statusCode, 200);
  const cancel = await appB.inject({ method: 'POST', url: `/api/events/${a}/cancel/`, headers: organizer.headers, payload: {} });
  assert.equal(cancel.statusCode, 200, cancel.body);
  assert.ok(!(await ids(ctx.app)).includes(a), 'A, without Redis, reads the database');
  assert.ok(!(await ids(appB)).includes(a));
  assert.equal((await ctx.app.inject({ url: `/api/events/${b}/` })).statusCode, 200);
  // Back (empty, as after a crash without persistence): each process renews the version before using the cache.
  await redis.restart();
  await usable(ctx.runtime);
  await usable(runtimeB);
  assert.ok(!(await ids(ctx.app)).includes(a));
  assert.ok(!(await ids(appB)).includes(a));
  const cancelB = await ctx.app.inject({ method: 'POST', url: `/api/events/${b}/cancel/`, headers: organizer.headers, payload: {} });
  assert.equal(cancelB.statusCode, 200);
  assert.ok(!(await ids(appB)).includes(b), 'bumps go through Redis again');
});

test('an organizer’s new name shows in the other process’s cached list at once', { skip }, async () => {
  const id = await published();
  const name = async () =>
    (await appB.inject({ url: '/api/events/?page_size=100' })).json().results.find((e: { id: number }) => e.id === id).createur
      .first_name as string;
  await name();
  const r = await ctx.app.inject({ method: 'PATCH', url: '/api/users/me/', headers: organizer.headers, payload: { first_name: 'Adjoua' } });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(await name(), 'Adjoua');
});

test('sparse fields: only those asked, cached apart; an unknown field is a French 400', { skip }, async () => {
  await published();
  const r = await appB.inject({ url: '/api/events/?fields=id,titre,date_debut,lieu,prix' });
  assert.equal(r.statusCode, 200);
  for (const e of r.json().results) assert.deepEqual(Object.keys(e), ['id', 'titre', 'date_debut', 'lieu', 'prix']);
  const full = await appB.inject({ url: '/api/events/' });
  assert.ok('description' in full.json().results[0]);
  assert.ok(r.body.length < full.body.length / 3);
  const bad = await appB.inject({ url: '/api/events/?fields=id,mot_de_passe' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().code, 'validation_error');
  assert.match(bad.json().details.fields[0], /Champ inconnu : « mot_de_passe »/);
  const one = await appB.inject({ url: `/api/events/${r.json().results[0].id}/?fields=id,titre` });
  assert.deepEqual(Object.keys(one.json()), ['id', 'titre']);
});

test('compression: br or gzip on request above the threshold, the same bytes once decoded', { skip }, async () => {
  await published();
  const { brotliDecompressSync, gunzipSync } = await import('node:zlib');
  const plain = await appB.inject({ url: '/api/events/?page_size=100' });
  const br = await appB.inject({ url: '/api/events/?page_size=100', headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(brotliDecompressSync(br.rawPayload).toString(), plain.body);
  const gz = await appB.inject({ url: '/api/events/?page_size=100', headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gz.rawPayload).toString(), plain.body);
  assert.ok(gz.rawPayload.length < plain.rawPayload.length / 3);
  assert.match(String(gz.headers.vary), /Accept-Encoding/);
  // An uncached route is compressed by the plugin.
  const mine = await appB.inject({ url: '/api/events/mine/?page_size=100', headers: { ...organizer.headers, 'accept-encoding': 'gzip' } });
  assert.equal(mine.headers['content-encoding'], 'gzip');
});
