/**
 * Single-use secrets sent by email (password reset, email verification). The clear secret leaves once, in the
 * email; the table keeps its SHA-256. Consuming is one guarded UPDATE (`used_at IS NULL AND expires_at > now()`),
 * so two clicks racing on the same link cannot both succeed.
 */
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { generateSecret, hashSecret } from '../../core/tokens.js';
import { accountTokens, users, type AccountTokenPurpose } from './tables.js';

export async function createAccountToken(
  tx: DbOrTx,
  userId: number,
  purpose: AccountTokenPurpose,
  email: string,
  ttlMs: number,
): Promise<string> {
  // A new link voids the older ones: only the latest email in the inbox works.
  await tx
    .update(accountTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt)));
  const secret = generateSecret(32);
  await tx.insert(accountTokens).values({
    userId,
    purpose,
    tokenHash: hashSecret(secret),
    email,
    expiresAt: sql`now() + ${`${Math.round(ttlMs / 1000)} seconds`}::interval`,
  });
  return secret;
}

/** The token and its user if the secret is valid right now (not used, not expired, still the account's address). */
export async function findValidToken(db: DbOrTx, secret: string, purpose: AccountTokenPurpose) {
  const rows = await db
    .select({ token: accountTokens, user: users })
    .from(accountTokens)
    .innerJoin(users, eq(users.id, accountTokens.userId))
    .where(
      and(
        eq(accountTokens.tokenHash, hashSecret(secret)),
        eq(accountTokens.purpose, purpose),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, sql`now()`),
        eq(users.isActive, true),
        sql`lower(${users.email}) = lower(${accountTokens.email})`,
      ),
    )
    .limit(1);
  return rows[0] ?? null;
}

/** Marks the token used; false when another request used it first (or it expired meanwhile). */
export async function consumeToken(tx: DbOrTx, tokenId: number): Promise<boolean> {
  const rows = await tx
    .update(accountTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(accountTokens.id, tokenId), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, sql`now()`)))
    .returning({ id: accountTokens.id });
  return rows.length === 1;
}
