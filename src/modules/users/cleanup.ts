/**
 * Daily removal of spent secrets: used or expired email links and SMS codes serve no purpose once a day has
 * passed (a day's grace keeps them for a support question about "my link did not work"); expired staff
 * browser sessions go too (they already stopped working at `expire_le`).
 */
import { lt, or, isNotNull, sql, and } from 'drizzle-orm';
import { affectedRows, type DbOrTx } from '../../db/client.js';
import type { JobDefinition } from '../../jobs/queue.js';
import { accountTokens, authTokens, phoneVerificationCodes } from './tables.js';

export async function purgeSpentSecrets(db: DbOrTx): Promise<{ accountTokens: number; phoneCodes: number; staffSessions: number }> {
  const dayAgo = sql`now() - interval '1 day'`;
  const a = await db
    .delete(accountTokens)
    .where(or(lt(accountTokens.expiresAt, dayAgo), and(isNotNull(accountTokens.usedAt), lt(accountTokens.usedAt, dayAgo))));
  const p = await db.delete(phoneVerificationCodes).where(lt(phoneVerificationCodes.expiresAt, dayAgo));
  const s = await db.delete(authTokens).where(and(isNotNull(authTokens.expireLe), lt(authTokens.expireLe, sql`now()`)));
  return { accountTokens: affectedRows(a), phoneCodes: affectedRows(p), staffSessions: affectedRows(s) };
}

export const purgeSecretsJob: JobDefinition<Record<string, never>> = {
  name: 'users.purge_spent_secrets',
  cron: '45 3 * * *',
  retryLimit: 2,
  handler: async (_data, ctx) => {
    ctx.log.info(await purgeSpentSecrets(ctx.database.db), 'liens et codes expirés supprimés');
  },
};
