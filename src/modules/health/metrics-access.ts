/** `/metrics` is readable by the scraper only when METRICS_TOKEN is set (API.md): `Authorization: Bearer <token>`. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether an Authorization header carries the token (compared as digests: constant time, any length). */
export function bearerMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return !!m && timingSafeEqual(digest(m[1]!.trim()), digest(token));
}

export const METRICS_UNAUTHORIZED = { error: 'Jeton des métriques manquant ou invalide.', code: 'not_authenticated' } as const;

export function metricsAccess(token: string | undefined) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!bearerMatches(request.headers.authorization, token)) {
      throw new AppError(401, METRICS_UNAUTHORIZED.code, METRICS_UNAUTHORIZED.error, undefined, {
        'WWW-Authenticate': 'Bearer realm="metrics"',
      });
    }
  };
}
