/**
 * The manual's production security settings: ALLOWED_HOSTS enforced and HTTPS redirect when DEBUG=False
 * (HSTS is set by helmet in app.ts). Health probes are exempt: orchestrators call them by pod address.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { BadRequestError } from './errors.js';

const PROBES = new Set(['/healthz', '/readyz']);

export function hostAllowed(hostname: string, allowed: string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return allowed.some((pattern) => {
    if (pattern === '*') return true;
    // Django: ".example.com" matches example.com and every subdomain.
    if (pattern.startsWith('.')) return host === pattern.slice(1) || host.endsWith(pattern);
    return host === pattern;
  });
}

export function registerHostChecks(app: FastifyInstance, config: Config): void {
  if (config.debug) return;
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (PROBES.has(path)) return;
    if (!hostAllowed(request.hostname, config.allowedHosts)) {
      throw new BadRequestError(`Hôte non autorisé : ${request.hostname.slice(0, 100)}.`, 'disallowed_host');
    }
    if (config.secureSslRedirect && request.protocol === 'http') {
      return reply.redirect(`https://${request.host}${request.url}`, 301);
    }
  });
}
