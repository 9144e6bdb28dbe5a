/** Issuing and revoking API tokens. The clear key is returned once; only its hash is stored. */
import { and, eq, ne } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { authTokens } from '../modules/users/tables.js';
import { generateSecret, hashSecret } from './tokens.js';

export async function issueToken(db: DbOrTx, userId: number, userAgent = ''): Promise<string> {
  const key = generateSecret(32);
  await db.insert(authTokens).values({ userId, keyHash: hashSecret(key), userAgent: userAgent.slice(0, 255) });
  return key;
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
