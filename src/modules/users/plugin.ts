/**
 * The accounts feature as one plugin: the login rate limiter (shared through Redis when REDIS_URL is set, so
 * that several server processes count together), multipart uploads, the `/api/users`, `/api/auth` and
 * `/api/admin/users` routes, and the local media directory served back under MEDIA_URL.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import multipart from '@fastify/multipart';
import { Redis } from 'ioredis';
import { NotFoundError, RateLimitedError } from '../../core/errors.js';
import { accountsDeps } from './deps.js';
import { userRoutes } from './routes.js';
import { authRoutes } from './auth-routes.js';
import { adminUserRoutes } from './admin-routes.js';
import { IMAGE_TYPES, type ImageExt } from './photos.js';

export async function accountsPlugin(app: FastifyInstance): Promise<void> {
  const deps = accountsDeps(app.deps);

  let redis: Redis | null = null;
  if (app.deps.config.redisUrl) {
    redis = new Redis(app.deps.config.redisUrl, { connectTimeout: 1000, maxRetriesPerRequest: 1, lazyConnect: false });
    redis.on('error', (err) => app.log.warn({ err: err.message }, 'Redis (limites de débit) indisponible'));
    app.addHook('onClose', async () => {
      await redis?.quit().catch(() => redis?.disconnect());
    });
  }
  await app.register(rateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: 'spotvibe-rl-' } : {}),
    // Redis down: let requests through rather than lock everyone out; the per-account lockout still holds.
    skipOnError: true,
    errorResponseBuilder: (_req, ctx) => new RateLimitedError(ctx.ttl / 1000),
  });
  await app.register(multipart, {
    limits: { fileSize: deps.settings.media.maxBytes, files: 1, fields: 5, parts: 6, headerPairs: 50 },
  });

  await app.register(userRoutes(deps), { prefix: '/api/users' });
  await app.register(authRoutes(deps), { prefix: '/api/auth' });
  await app.register(adminUserRoutes(deps), { prefix: '/api/admin' });

  const mediaUrl = deps.settings.media.url;
  if (deps.storage.kind === 'local' && mediaUrl.startsWith('/')) {
    app.get(`${mediaUrl}profiles/:name`, { schema: { hide: true } }, async (request, reply) => {
      const { name } = request.params as { name: string };
      // Only names we generate: no path separators, no dot-dot, a known image extension.
      const m = /^[0-9a-f-]{36}\.(jpg|png|webp)$/.exec(name);
      if (!m) throw new NotFoundError('Fichier introuvable.');
      const file = path.join(deps.settings.media.root, 'profiles', name);
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) throw new NotFoundError('Fichier introuvable.');
      return reply
        .header('content-type', IMAGE_TYPES[m[1] as ImageExt])
        .header('content-length', info.size)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(createReadStream(file));
    });
  }
}
