/**
 * The manual's `cleanup_old_data`: deletes login attempts and audit log entries older than the retention
 * period (30 days in the manual). Used by the CLI command and by a daily scheduled job. The staff journal
 * (entries `par_personnel`: moderation decisions, accounts changed by staff, refunds settled) is kept, as
 * Django keeps its admin LogEntry: who approved an event or settled a refund stays answerable.
 */
import { and, lt, not } from 'drizzle-orm';
import { affectedRows, type DbOrTx } from '../../db/client.js';
import { loginAttempts } from '../users/tables.js';
import { auditLogs } from '../../core/audit.js';
import type { JobDefinition } from '../../jobs/queue.js';

export interface CleanupResult {
  loginAttempts: number;
  auditLogs: number;
  cutoff: Date;
}

export async function cleanupOldData(db: DbOrTx, days = 30, now = new Date()): Promise<CleanupResult> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  const la = affectedRows(await db.delete(loginAttempts).where(lt(loginAttempts.dateTentative, cutoff)));
  const al = affectedRows(await db.delete(auditLogs).where(and(lt(auditLogs.dateAction, cutoff), not(auditLogs.parPersonnel))));
  return { loginAttempts: la, auditLogs: al, cutoff };
}

export const cleanupJob: JobDefinition<Record<string, never>> = {
  name: 'maintenance.cleanup_old_data',
  cron: '30 3 * * *',
  retryLimit: 2,
  handler: async (_data, ctx) => {
    const r = await cleanupOldData(ctx.database.db);
    ctx.log.info(r, 'nettoyage des anciennes données terminé');
  },
};
