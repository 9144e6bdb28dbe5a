/**
 * Token authentication, resolved once per request by a hook, and the manual's permission classes as
 * reusable preHandlers: IsAuthenticated, IsAuthenticatedOrReadOnly, IsVerifiedUser, IsStaff, and the
 * object-level IsOwnerOrReadOnly check.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { and, eq, lt, or, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { authTokens, users } from '../modules/users/tables.js';
import { ForbiddenError, UnauthorizedError } from './errors.js';
import { hashSecret, parseAuthorization } from './tokens.js';
import { preparedOnce } from '../db/prepared.js';

export type UserRow = typeof users.$inferSelect;
/** The authenticated user: the full row, never serialized as is (response schemas choose the fields). */
export type AuthUser = UserRow;

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
    authTokenId: number | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** `derniere_utilisation` is refreshed at most this often, so reads do not each become a write. */
const TOKEN_TOUCH_INTERVAL_MS = 5 * 60_000;

export async function findUserByToken(db: Db, key: string): Promise<{ user: UserRow; tokenId: number } | null> {
  const lookup = preparedOnce(db, 'auth_token_user', (d, name) =>
    d
      .select({ user: users, tokenId: authTokens.id, lastUsed: authTokens.derniereUtilisation })
      .from(authTokens)
      .innerJoin(users, eq(users.id, authTokens.userId))
      .where(eq(authTokens.keyHash, sql.placeholder('hash')))
      .limit(1)
      .prepare(name),
  );
  const rows = await lookup.execute({ hash: hashSecret(key) });
  const row = rows[0];
  if (!row) return null;
  if (!row.lastUsed || Date.now() - row.lastUsed.getTime() > TOKEN_TOUCH_INTERVAL_MS) {
    const stale = new Date(Date.now() - TOKEN_TOUCH_INTERVAL_MS);
    await db
      .update(authTokens)
      .set({ derniereUtilisation: sql`now()` })
      .where(and(eq(authTokens.id, row.tokenId), or(isNull(authTokens.derniereUtilisation), lt(authTokens.derniereUtilisation, stale))));
  }
  return { user: row.user, tokenId: row.tokenId };
}

export function registerAuthentication(app: FastifyInstance, db: Db): void {
  app.decorateRequest('user', null);
  app.decorateRequest('authTokenId', null);
  app.addHook('onRequest', async (request) => {
    const parsed = parseAuthorization(request.headers.authorization);
    if (parsed.kind === 'none') return;
    if (parsed.kind === 'invalid') throw new UnauthorizedError(parsed.message, 'authentication_failed');
    const found = await findUserByToken(db, parsed.key);
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

const isAuthenticated: preHandlerAsyncHookHandler = async (request) => {
  if (!request.user) throw new UnauthorizedError();
};

const isAuthenticatedOrReadOnly: preHandlerAsyncHookHandler = async (request) => {
  if (!SAFE_METHODS.has(request.method) && !request.user) throw new UnauthorizedError();
};

const isVerifiedUser: preHandlerAsyncHookHandler = async (request) => {
  if (!request.user) throw new UnauthorizedError();
  if (!request.user.estVerifie) {
    throw new ForbiddenError('Votre compte doit être vérifié pour effectuer cette action.', 'not_verified');
  }
};

const isStaff: preHandlerAsyncHookHandler = async (request) => {
  if (!request.user) throw new UnauthorizedError();
  if (!request.user.isStaff && !request.user.isSuperuser) {
    throw new ForbiddenError('Action réservée au personnel de la plateforme.', 'staff_only');
  }
};

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
export function assertOwnerOrReadOnly(request: FastifyRequest, ownerId: number): void {
  if (SAFE_METHODS.has(request.method)) return;
  const user = currentUser(request);
  if (user.id !== ownerId) {
    throw new ForbiddenError("Vous n'êtes pas le propriétaire de cette ressource.", 'not_owner');
  }
}

export function isStaffUser(user: AuthUser | null): boolean {
  return !!user && (user.isStaff || user.isSuperuser);
}

export type Reply = FastifyReply;
