/**
 * The process's Redis connection (REDIS_URL): rate limits, view counting, and whatever else is shared between
 * server processes. No offline queue: when Redis is away, commands fail at once and their users fall back
 * (to this process's memory, or to letting the request through), so Redis down never stops the site.
 */
import { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

export function openRedis(url: string, log: Pick<FastifyBaseLogger, 'warn'>): Redis {
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1000 });
  redis.on('error', (err) => log.warn({ err: err.message }, 'Redis indisponible'));
  void redis.connect().catch(() => undefined);
  return redis;
}

/** Waits until the connection is ready or has failed (tests, and code that prefers to know before starting). */
export async function redisSettled(redis: Redis, timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (redis.status === 'connecting' || redis.status === 'wait' || redis.status === 'connect') {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return redis.status === 'ready';
}
