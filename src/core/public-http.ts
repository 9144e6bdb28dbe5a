/**
 * Sending a public page (core/public-cache.ts) over HTTP: its ETag and 304 Not Modified, a Cache-Control
 * that lets a client or shared cache keep it only if it asks again before each reuse (so never past a
 * change), and its compressed bytes made once per page instead of once per request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PublicCache, etagOf, type CachedPage } from './public-cache.js';

/** Anonymous answers: any cache may store them, and must revalidate (ETag → 304) before each reuse. */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=0, must-revalidate';
/** Answers with a person's own fields: their browser only, revalidated each time. */
export const PRIVATE_CACHE_CONTROL = 'private, no-cache';

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  // Weak comparison (RFC 9110 §13.1.2): W/ prefixes do not count.
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

/**
 * Answers 200 with the page (compressed when accepted and large enough), or 304 when the client's copy is
 * this one. `personal`: the page carries the caller's own fields (is_participating), so it is private.
 */
export function sendPage(request: FastifyRequest, reply: FastifyReply, page: CachedPage, personal = false): FastifyReply {
  reply.header('cache-control', personal ? PRIVATE_CACHE_CONTROL : PUBLIC_CACHE_CONTROL);
  reply.header('vary', 'Accept-Encoding, Authorization');
  reply.header('etag', page.etag);
  if (matches(request.headers['if-none-match'], page.etag)) return reply.code(304).send();
  const { payload, encoding } = PublicCache.encoded(page, request.headers['accept-encoding']);
  reply.type('application/json; charset=utf-8');
  if (encoding) reply.header('content-encoding', encoding);
  return reply.send(payload);
}

/** A page made for one request only (a person's version of a cached page). */
export function pageOf(body: string): CachedPage {
  return { body, etag: etagOf(body) };
}
