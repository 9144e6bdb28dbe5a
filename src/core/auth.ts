/**
 * Token authentication, resolved once per request by a hook, and the manual's permission classes as hooks:
 * IsAuthenticated, IsAuthenticatedOrReadOnly, IsVerifiedUser, IsStaff, and the object-level IsOwnerOrReadOnly
 * check. Core knows how a request is authenticated, not where accounts live: the users module registers the
 * hook with its own token lookup (users/plugin.ts) and completes `AuthUser` with its row type.
 *
 * Permission hooks run at `preValidation` everywhere (`permissions.*` below), so an anonymous caller gets 401
 * before anything looks at the body (400), and no upload is read for someone who may not send one.
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { ForbiddenError, UnauthorizedError } from './errors.js';
import { parseAuthorization, safeEqual } from './tokens.js';

/**
 * The authenticated user. The fields every module relies on are listed here; the users module merges in the
 * rest of its row (`declare module '../../core/auth.js'` in users/tables.ts). Never serialized as is: response
 * schemas choose the fields.
 */
export interface AuthUser {
  id: number;
  username: string;
  email: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  estVerifie: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
    authTokenId: number | null;
    /** The staff browser session when the request came with its cookie (never with a header). */
    staffSession: { key: string; expireLe: Date | null } | null;
    /** The door scanner token the request came with (`svscan_…`, team module), bound to one event. */
    scanner: ScannerCredential | null;
  }
  interface FastifyContextConfig {
    /** `false`: the route reads its own Authorization header (`/metrics` and its METRICS_TOKEN), not an API key. */
    authentication?: boolean;
    /** `true`: the route accepts a door scanner token (check-in, attendee search, offline export and sync). */
    scannerToken?: boolean;
  }
  interface FastifyInstance {
    /** Where the team module plugs in the lookup of scanner tokens (see registerScannerTokenLookup). */
    scannerTokens: { lookup: ScannerTokenLookup | null };
  }
}

/**
 * Door scanner tokens (issue 12): opaque keys with this prefix, scoped to one event and to the routes that
 * say `config: { scannerToken: true }`. Any other route refuses them with a 403, so a lost door phone can
 * check tickets in, and nothing else.
 */
export const SCANNER_TOKEN_PREFIX = 'svscan_';

export interface ScannerCredential {
  tokenId: number;
  eventId: number;
  /** The team member's user: who checked the tickets in. */
  userId: number;
}

/** Finds the member and event of a scanner key; null when unknown or revoked. */
export type ScannerTokenLookup = (key: string) => Promise<{ user: AuthUser; scanner: ScannerCredential } | null>;

/** The team module's lookup of scanner keys, used by the authentication hook. */
export function registerScannerTokenLookup(app: FastifyInstance, lookup: ScannerTokenLookup): void {
  app.scannerTokens.lookup = lookup;
}

export const SCANNER_SCOPE_MESSAGE =
  "Ce jeton de contrôle ne sert qu'au contrôle des billets et à la recherche de participants de son événement.";

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a key is: an apps' API token (header only) or a staff browser session (cookie only). */
export type TokenKind = 'API' | 'SESSION_PERSONNEL';

/**
 * Finds the user of a key: the users module's lookup, given to `registerAuthentication`. null: unknown;
 * 'expired': past its lifetime (an API token unused or too old, a staff session past its end).
 */
export type TokenLookup = (
  key: string,
) => Promise<{ user: AuthUser; tokenId: number; type: TokenKind; expireLe: Date | null } | null | 'expired'>;

/**
 * The staff browser session of SpotVibe Administration (/admin/). The key lives only in an httpOnly cookie
 * (scripts never see it), sent only to /api/admin/ (`Path`), never cross-site (`SameSite=Strict`), and only over
 * HTTPS in production (`Secure`, with the `__Secure-` prefix the browser enforces). Every request that changes
 * something with that cookie must also carry `X-CSRF-Token`: an HMAC of the session key under SECRET_KEY,
 * handed to the page in the session's JSON (GET/POST /api/admin/session/) and kept in memory by the page. A
 * forged cross-site request has the cookie at most (it has not, with SameSite), never the token.
 */
export const STAFF_SESSION_PATH = '/api/admin';
export const CSRF_HEADER = 'x-csrf-token';

export function staffSessionCookieName(secure: boolean): string {
  return secure ? '__Secure-sv_admin_session' : 'sv_admin_session';
}

export function csrfTokenFor(sessionKey: string, secret: string): string {
  return createHmac('sha256', secret).update(`spotvibe-csrf:${sessionKey}`).digest('base64url');
}

export interface AuthenticationOptions {
  /** SECRET_KEY: signs the CSRF tokens of staff sessions. */
  secret: string;
  /** Production (DEBUG=False): the session cookie is `Secure`. */
  secureCookies: boolean;
}

function underStaffPath(url: string): boolean {
  return url === STAFF_SESSION_PATH || url.startsWith(`${STAFF_SESSION_PATH}/`) || url.startsWith(`${STAFF_SESSION_PATH}?`);
}

export function registerAuthentication(app: FastifyInstance, lookup: TokenLookup, opts: AuthenticationOptions): void {
  app.decorateRequest('user', null);
  app.decorateRequest('authTokenId', null);
  app.decorateRequest('staffSession', null);
  app.decorateRequest('scanner', null);
  const scannerTokens: { lookup: ScannerTokenLookup | null } = { lookup: null };
  app.decorate('scannerTokens', scannerTokens);
  const cookieName = staffSessionCookieName(opts.secureCookies);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.authentication === false) return;
    const parsed = parseAuthorization(request.headers.authorization);
    if (parsed.kind === 'invalid') throw new UnauthorizedError(parsed.message, 'authentication_failed');
    if (parsed.kind === 'token' && parsed.key.startsWith(SCANNER_TOKEN_PREFIX)) {
      const found = scannerTokens.lookup ? await scannerTokens.lookup(parsed.key) : null;
      if (!found || !found.user.isActive) throw new UnauthorizedError('Jeton de contrôle invalide ou révoqué.', 'authentication_failed');
      if (request.routeOptions.config?.scannerToken !== true) throw new ForbiddenError(SCANNER_SCOPE_MESSAGE, 'scanner_token_scope');
      request.user = found.user;
      request.scanner = found.scanner;
      return;
    }
    if (parsed.kind === 'token') {
      const found = await lookup(parsed.key);
      // A distinct code, so that apps send their user to the login screen instead of showing an error.
      if (found === 'expired') throw new UnauthorizedError('Session expirée : reconnectez-vous.', 'token_expired');
      // A session key sent as a header is refused like an unknown one: it only ever travels in its cookie.
      if (!found || found.type !== 'API') throw new UnauthorizedError('Jeton invalide.', 'authentication_failed');
      if (!found.user.isActive) throw new UnauthorizedError('Utilisateur inactif ou supprimé.', 'authentication_failed');
      request.user = found.user;
      request.authTokenId = found.tokenId;
      return;
    }
    const key = request.cookies?.[cookieName];
    if (!key || !underStaffPath(request.url)) return;
    const found = await lookup(key);
    // An expired or revoked session, or one whose owner is no longer staff, is no session: the request is
    // anonymous (so signing in again works), and protected routes answer 401.
    if (!found || found === 'expired' || found.type !== 'SESSION_PERSONNEL' || !found.user.isActive || !isStaffUser(found.user)) return;
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(key, opts.secret))) {
        throw new ForbiddenError('Jeton CSRF absent ou invalide : rechargez la page.', 'csrf_failed');
      }
    }
    request.user = found.user;
    request.authTokenId = found.tokenId;
    request.staffSession = { key, expireLe: found.expireLe };
  });
}

/** The caller, or a 401: for handlers behind IsAuthenticated, where the user is known to be there. */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new UnauthorizedError();
  return request.user;
}

const isAuthenticated: preValidationAsyncHookHandler = async (request) => {
  if (!request.user) throw new UnauthorizedError();
};

const isAuthenticatedOrReadOnly: preValidationAsyncHookHandler = async (request) => {
  if (!SAFE_METHODS.has(request.method) && !request.user) throw new UnauthorizedError();
};

const isVerifiedUser: preValidationAsyncHookHandler = async (request) => {
  if (!request.user) throw new UnauthorizedError();
  if (!request.user.estVerifie) {
    throw new ForbiddenError('Votre compte doit être vérifié pour effectuer cette action.', 'not_verified');
  }
};

const isStaff: preValidationAsyncHookHandler = async (request) => {
  if (!request.user) throw new UnauthorizedError();
  if (!isStaffUser(request.user)) {
    throw new ForbiddenError('Action réservée au personnel de la plateforme.', 'staff_only');
  }
};

/** Use as `preValidation: permissions.IsAuthenticated` on a route, or `app.addHook('preValidation', …)` for a prefix. */
export const permissions = {
  IsAuthenticated: isAuthenticated,
  IsAuthenticatedOrReadOnly: isAuthenticatedOrReadOnly,
  IsVerifiedUser: isVerifiedUser,
  IsStaff: isStaff,
} as const;

/**
 * IsOwnerOrReadOnly (object level): reading is open; writing only for the object's creator.
 * Staff do not bypass it: moderation has its own routes.
 */
export function assertOwnerOrReadOnly(method: string, user: AuthUser | null, ownerId: number): void {
  if (SAFE_METHODS.has(method)) return;
  assertOwner(user, ownerId);
}

/** The write half of IsOwnerOrReadOnly, for use cases that change an object. */
export function assertOwner(user: AuthUser | null, ownerId: number): void {
  if (!user) throw new UnauthorizedError();
  if (user.id !== ownerId) {
    throw new ForbiddenError("Vous n'êtes pas le propriétaire de cette ressource.", 'not_owner');
  }
}

export function isStaffUser(user: AuthUser | null): boolean {
  return !!user && (user.isStaff || user.isSuperuser);
}
