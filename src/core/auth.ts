/**
 * Token authentication, resolved once per request by a hook, and the manual's permission classes as hooks:
 * IsAuthenticated, IsAuthenticatedOrReadOnly, IsVerifiedUser, IsStaff, and the object-level IsOwnerOrReadOnly
 * check. Core knows how a request is authenticated, not where accounts live: the users module registers the
 * hook with its own token lookup (users/plugin.ts) and completes `AuthUser` with its row type.
 *
 * Permission hooks run at `preValidation` everywhere (`permissions.*` below), so an anonymous caller gets 401
 * before anything looks at the body (400), and no upload is read for someone who may not send one.
 */
import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { ForbiddenError, UnauthorizedError } from './errors.js';
import { parseAuthorization } from './tokens.js';

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
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Finds the user of an API key (null: unknown; 'expired': past its lifetime): the users module's lookup. */
export type TokenLookup = (key: string) => Promise<{ user: AuthUser; tokenId: number } | null | 'expired'>;

export function registerAuthentication(app: FastifyInstance, lookup: TokenLookup): void {
  app.decorateRequest('user', null);
  app.decorateRequest('authTokenId', null);
  app.addHook('onRequest', async (request) => {
    const parsed = parseAuthorization(request.headers.authorization);
    if (parsed.kind === 'none') return;
    if (parsed.kind === 'invalid') throw new UnauthorizedError(parsed.message, 'authentication_failed');
    const found = await lookup(parsed.key);
    // A distinct code, so that apps send their user to the login screen instead of showing an error.
    if (found === 'expired') throw new UnauthorizedError('Session expirée : reconnectez-vous.', 'token_expired');
    if (!found) throw new UnauthorizedError('Jeton invalide.', 'authentication_failed');
    if (!found.user.isActive) throw new UnauthorizedError('Utilisateur inactif ou supprimé.', 'authentication_failed');
    request.user = found.user;
    request.authTokenId = found.tokenId;
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
