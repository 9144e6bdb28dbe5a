/** The public origin for absolute URLs in answers (DRF's ImageField, pagination links): PUBLIC_BASE_URL when set. */
import type { FastifyRequest } from 'fastify';

export function publicOrigin(request: FastifyRequest, publicBaseUrl: string | undefined): string {
  return publicBaseUrl ?? `${request.protocol}://${request.host}`;
}
