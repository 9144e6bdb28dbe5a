/**
 * The public origin of absolute URLs in answers (DRF's ImageField, pagination links): PUBLIC_BASE_URL, which
 * production requires (config.ts). Only in development does it fall back to the request's own protocol and host,
 * and then only to a host that parses as one (a crafted Host header never becomes part of a link).
 */
import type { FastifyRequest } from 'fastify';
import { parseHostHeader } from './security.js';

export function publicOrigin(request: FastifyRequest, publicBaseUrl: string | undefined): string {
  if (publicBaseUrl) return publicBaseUrl;
  const host = parseHostHeader(request.host) ? request.host : 'localhost';
  return `${request.protocol === 'https' ? 'https' : 'http'}://${host}`;
}
