/**
 * The manual's production security settings: ALLOWED_HOSTS enforced and HTTPS redirect when DEBUG=False
 * (HSTS is set by helmet in app.ts). Health probes are exempt: orchestrators call them by pod address.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { isIP } from 'node:net';
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

/**
 * A Host value as RFC 9110 allows it: a DNS name, an IPv4 address or a bracketed IPv6 address, and an optional
 * port. Fastify's `hostname` only cuts the header at its first ":", so `localhost:@evil.example` would pass a
 * host check as "localhost" and then build links to evil.example: the whole value is parsed first.
 */
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_VALUE = new RegExp(`^(?:(${LABEL}(?:\\.${LABEL})*\\.?)|\\[([0-9a-f:.]+)\\])(?::(\\d{1,5}))?$`, 'i');

/** The host name of a Host value, or null when the value is not one (junk, userinfo, a path, two ports). */
export function parseHostHeader(value: string | undefined): string | null {
  if (!value || value.length > 260) return null;
  const m = HOST_VALUE.exec(value.trim());
  if (!m) return null;
  if (m[3] !== undefined && Number(m[3]) > 65535) return null;
  if (m[2] !== undefined) return isIP(m[2]) === 6 ? `[${m[2].toLowerCase()}]` : null;
  return m[1]!.toLowerCase();
}

export function registerHostChecks(app: FastifyInstance, config: Config): void {
  if (config.debug) return;
  // Production requires PUBLIC_BASE_URL (config.ts): redirects go there, never to a host the request names.
  const publicBase = config.publicBaseUrl!;
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (PROBES.has(path)) return;
    // `request.host` is X-Forwarded-Host when the proxy is trusted, else the Host header: both are the client's words.
    const host = parseHostHeader(request.host);
    if (!host) throw new BadRequestError("En-tête Host invalide : un nom d'hôte et éventuellement un port sont attendus.", 'bad_host');
    if (!hostAllowed(host, config.allowedHosts)) {
      throw new BadRequestError(`Hôte non autorisé : ${host.slice(0, 100)}.`, 'disallowed_host');
    }
    if (config.secureSslRedirect && request.protocol === 'http') {
      return reply.redirect(`${publicBase.replace(/^http:/, 'https:')}${request.url}`, 301);
    }
  });
}

/** Query keys whose values are secrets wherever they appear (`ticket`: the live stream's, notifications). */
const SECRET_KEYS = /token|code|pass|secret|signature|key|otp|notif|ticket/i;
/** Paths whose whole query string is personal or secret (account links, verification). */
const SECRET_PATHS = /^\/(api\/auth|compte)\//;

/**
 * A URL as the request log may record it: secret query values are masked (a reset link's token, an SMS code, a
 * provider's notif_token), and every value on account paths. Logs travel to other systems; secrets must not.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const path = url.slice(0, q);
  const all = SECRET_PATHS.test(path);
  const params = new URLSearchParams(url.slice(q + 1));
  const out: string[] = [];
  for (const [k, v] of params) out.push(`${encodeURIComponent(k)}=${all || SECRET_KEYS.test(k) ? '[masqué]' : encodeURIComponent(v)}`);
  return `${path}?${out.join('&')}`;
}
