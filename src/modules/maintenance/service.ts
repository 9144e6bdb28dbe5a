/**
 * The manual's `cleanup_old_data`: deletes login attempts and audit log entries older than the retention
 * period (30 days in the manual). Used by the CLI command and by a daily scheduled job. The staff journal
 * (entries `par_personnel`: moderation decisions, accounts changed by staff, refunds settled) is kept, as
 * Django keeps its admin LogEntry: who approved an event or settled a refund stays answerable.
 */
import { and, lt, not, sql } from 'drizzle-orm';
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

/** The tables whose statistics the public reads' plans depend on. */
export const ANALYZED_TABLES = ['events', 'users', 'event_categories', 'event_participations', 'ticket_types', 'tickets', 'follows'];

/** Fresh planner statistics (ANALYZE) for the tables the reads use; returns how long it took, in ms. */
export async function analyzeTables(db: DbOrTx): Promise<number> {
  const t0 = Date.now();
  await db.execute(sql.raw(`ANALYZE ${ANALYZED_TABLES.join(', ')}`));
  return Date.now() - t0;
}

/**
 * The embedded database has no autovacuum: nothing refreshes its statistics as rows come and go, and plans
 * go stale. Every hour this job runs ANALYZE there (a few hundred ms on 10,000 events). On PostgreSQL
 * autovacuum does it; the job then does nothing.
 */
export const analyzeJob: JobDefinition<Record<string, never>> = {
  name: 'maintenance.analyze',
  cron: '17 * * * *',
  retryLimit: 1,
  handler: async (_data, ctx) => {
    if (ctx.config.database.kind !== 'pglite') return;
    const ms = await analyzeTables(ctx.database.db);
    ctx.log.info({ ms }, 'statistiques de la base embarquée mises à jour (ANALYZE)');
  },
};

export const cleanupJob: JobDefinition<Record<string, never>> = {
  name: 'maintenance.cleanup_old_data',
  cron: '30 3 * * *',
  retryLimit: 2,
  handler: async (_data, ctx) => {
    const r = await cleanupOldData(ctx.database.db);
    ctx.log.info(r, 'nettoyage des anciennes données terminé');
  },
};
