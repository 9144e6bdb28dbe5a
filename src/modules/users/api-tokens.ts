/**
 * API tokens: issuing, finding the user of a key (the lookup core/auth.ts runs for every request) and
 * revoking. The clear key is returned once; only its SHA-256 is stored.
 */
import { and, eq, gt, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { preparedOnce } from '../../db/prepared.js';
import { generateSecret, hashSecret } from '../../core/tokens.js';
import { authTokens, users, type AuthTokenType, type UserRow } from './tables.js';

/** `derniere_utilisation` is refreshed at most this often, so reads do not each become a write. */
const TOKEN_TOUCH_INTERVAL_MS = 5 * 60_000;

export async function issueToken(db: DbOrTx, userId: number, userAgent = ''): Promise<string> {
  const key = generateSecret(32);
  await db.insert(authTokens).values({ userId, keyHash: hashSecret(key), userAgent: userAgent.slice(0, 255) });
  return key;
}

/** A staff browser session (SpotVibe Administration): a key for the session cookie, valid until `expireLe`. */
export async function issueStaffSession(db: DbOrTx, userId: number, userAgent: string, expireLe: Date): Promise<string> {
  const key = generateSecret(32);
  await db
    .insert(authTokens)
    .values({ userId, keyHash: hashSecret(key), userAgent: userAgent.slice(0, 255), type: 'SESSION_PERSONNEL', expireLe });
  return key;
}

/** Ends a staff browser session by its key (sign-out); a key already gone is fine. */
export async function revokeKey(db: DbOrTx, key: string): Promise<void> {
  await db.delete(authTokens).where(eq(authTokens.keyHash, hashSecret(key)));
}

export async function revokeToken(db: DbOrTx, tokenId: number): Promise<void> {
  await db.delete(authTokens).where(eq(authTokens.id, tokenId));
}

/** Every token of the user but the one in use (after a password change, other sessions end). */
export async function revokeOtherTokens(db: DbOrTx, userId: number, keepTokenId: number | null): Promise<void> {
  await db
    .delete(authTokens)
    .where(keepTokenId === null ? eq(authTokens.userId, userId) : and(eq(authTokens.userId, userId), ne(authTokens.id, keepTokenId)));
}

export interface TokenLifetime {
  /** An API token unused for this long stops working (refreshed by each use). */
  idleMs: number;
  /** An API token stops working this long after it was issued, used or not. */
  maxAgeMs: number;
}

/**
 * The user of a key; null when it is unknown (or a staff session past its end), 'expired' when an API token
 * outlived its lifetime (it is then deleted, and the client is told to log in again). Built once as a prepared
 * query: it runs for every authenticated request.
 */
export async function findUserByToken(
  db: Db,
  key: string,
  lifetime: TokenLifetime,
): Promise<{ user: UserRow; tokenId: number; type: AuthTokenType; expireLe: Date | null } | null | 'expired'> {
  const lookup = preparedOnce(db, 'auth_token_user', (d, name) =>
    d
      .select({
        user: users,
        tokenId: authTokens.id,
        lastUsed: authTokens.derniereUtilisation,
        issued: authTokens.dateCreation,
        type: authTokens.type,
        expireLe: authTokens.expireLe,
      })
      .from(authTokens)
      .innerJoin(users, eq(users.id, authTokens.userId))
      // An expired session is not found (its row is purged later).
      .where(and(eq(authTokens.keyHash, sql.placeholder('hash')), or(isNull(authTokens.expireLe), gt(authTokens.expireLe, sql`now()`))))
      .limit(1)
      .prepare(name),
  );
  const rows = await lookup.execute({ hash: hashSecret(key) });
  const row = rows[0];
  if (!row) return null;
  const now = Date.now();
  if (
    row.type === 'API' &&
    (now - row.issued.getTime() > lifetime.maxAgeMs || now - (row.lastUsed ?? row.issued).getTime() > lifetime.idleMs)
  ) {
    await revokeToken(db, row.tokenId);
    return 'expired';
  }
  if (!row.lastUsed || Date.now() - row.lastUsed.getTime() > TOKEN_TOUCH_INTERVAL_MS) {
    const stale = new Date(Date.now() - TOKEN_TOUCH_INTERVAL_MS);
    await db
      .update(authTokens)
      .set({ derniereUtilisation: sql`now()` })
      .where(and(eq(authTokens.id, row.tokenId), or(isNull(authTokens.derniereUtilisation), lt(authTokens.derniereUtilisation, stale))));
  }
  return { user: row.user, tokenId: row.tokenId, type: row.type, expireLe: row.expireLe };
}
