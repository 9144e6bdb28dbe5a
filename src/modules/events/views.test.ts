/**
 * The view counter shared through Redis: two server processes (two counters) count a viewer once. Runs only
 * when a Redis answers on REDIS_URL (default redis://127.0.0.1:6379/15); skipped with the reason otherwise.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTestContext, type TestContext } from '../../test/context.js';
import { eventRow, insertEvent } from '../../test/events.js';
import { createUser } from '../../test/users.js';
import { EventViewCounter } from './views.js';
import { openRedis, redisSettled } from '../../core/redis.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

async function redisReachable(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

const reachable = await redisReachable();
const skip = reachable ? false : `Redis injoignable sur ${REDIS_URL}`;

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ noApp: true });
});
after(() => ctx.close());

test('two processes sharing Redis count a viewer once per window', { skip }, async () => {
  const owner = await createUser(ctx.database.db);
  const id = await insertEvent(ctx.database.db, owner.id);
  // Two processes: two connections to the same Redis.
  const connections = [openRedis(REDIS_URL, ctx.log), openRedis(REDIS_URL, ctx.log)];
  await Promise.all(connections.map((c) => redisSettled(c)));
  const make = (redis: Redis) => new EventViewCounter({ db: ctx.database.db, log: ctx.log, flushIntervalMs: 0, dedupSeconds: 60, redis });
  const [one, two] = [make(connections[0]!), make(connections[1]!)];
  await one.start();
  await two.start();
  try {
    const viewer = `u-test-${randomBytes(6).toString('hex')}`;
    assert.equal(await one.record(id, viewer), true);
    assert.equal(await two.record(id, viewer), false, 'the other process knows it was counted');
    assert.equal(await two.record(id, `${viewer}-other`), true);
    await one.flush();
    await two.flush();
    assert.equal((await eventRow(ctx.database.db, id))!.nombreVues, 2);
  } finally {
    await one.close();
    await two.close();
    for (const c of connections) c.disconnect();
  }
});

test('when Redis is unreachable, views are still counted (in memory)', async () => {
  const unreachable = openRedis('redis://127.0.0.1:1/0', { warn: () => undefined });
  await redisSettled(unreachable);
  const owner = await createUser(ctx.database.db);
  const id = await insertEvent(ctx.database.db, owner.id);
  const counter = new EventViewCounter({
    db: ctx.database.db,
    log: ctx.log,
    flushIntervalMs: 0,
    dedupSeconds: 60,
    redis: unreachable,
  });
  await counter.start();
  try {
    assert.equal(await counter.record(id, 'u1'), true);
    assert.equal(await counter.record(id, 'u1'), false);
    await counter.flush();
    assert.equal((await eventRow(ctx.database.db, id))!.nombreVues, 1);
  } finally {
    await counter.close();
    unreachable.disconnect();
  }
});
