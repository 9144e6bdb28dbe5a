/**
 * Payment jobs: confirm one payment (after a callback, or when reconciliation finds it due), the
 * reconciliation sweep (every minute: pending payments due for a poll or past their hold), and refunds.
 */
import { and, eq, gt, lte, or, sql } from 'drizzle-orm';
import type { JobContext, JobDefinition, JobQueue } from '../../jobs/queue.js';
import type { DbOrTx } from '../../db/client.js';
import { momoTransactions, payments } from './tables.js';
import { confirmPayment, CONFIRM_JOB, REFUND_JOB } from './service.js';
import { processRefund } from './refunds.js';
import { paymentsDeps, type PaymentDeps } from './deps.js';

export const RECONCILE_JOB = 'payments.reconcile';

/** A payment already waiting for confirmation is not queued twice (queue policy `short`). */
export function queueConfirmation(jobs: JobQueue, paymentId: number, source: string, tx?: DbOrTx): Promise<string | null> {
  return jobs.send(CONFIRM_JOB, { paymentId, source }, { singletonKey: `confirm:${paymentId}`, ...(tx ? { tx } : {}) });
}
/**
 * An expired payment is still polled this long: a provider may report a late success. Default of
 * PAYMENT_UNCONFIRMED_WINDOW_HOURS (the same window the provider clients keep a "not found" pending for).
 */
export const LATE_POLL_HOURS = 48;

function depsOf(ctx: JobContext): PaymentDeps {
  return paymentsDeps(ctx);
}

export const confirmJob: JobDefinition<{ paymentId: number; source?: string }> = {
  name: CONFIRM_JOB,
  // One queued confirmation per payment (singletonKey confirm:<id>): a burst of callbacks is one status call.
  policy: 'short',
  // A flash sale ends in hundreds of callbacks within seconds: confirm several payments at once.
  workers: 4,
  batchSize: 5,
  retryLimit: 5,
  retryDelay: 5,
  handler: async (data, ctx) => {
    await confirmPayment(depsOf(ctx), data.paymentId, data.source ?? 'rapprochement');
  },
};

export const reconcileJob: JobDefinition<Record<string, never>> = {
  name: RECONCILE_JOB,
  cron: '* * * * *',
  retryLimit: 0,
  handler: async (_data, ctx) => {
    const now = new Date();
    // A little longer than the providers' "not found" window, so the poll that ends a payment always happens.
    const windowHours = (ctx.config.env.PAYMENT_UNCONFIRMED_WINDOW_HOURS ?? LATE_POLL_HOURS) + 1;
    const due = await ctx.database.db
      .select({ id: payments.id })
      .from(payments)
      .where(
        or(
          and(eq(payments.statut, 'EN_ATTENTE'), or(lte(payments.prochaineVerification, now), lte(payments.expireLe, now))),
          and(
            eq(payments.statut, 'EXPIRE'),
            lte(payments.prochaineVerification, now),
            gt(payments.dateCreation, sql`now() - make_interval(hours => ${windowHours})`),
          ),
        ),
      )
      .orderBy(payments.prochaineVerification)
      .limit(500);
    for (const { id } of due) {
      await queueConfirmation(ctx.jobs, id, 'rapprochement');
    }
    if (due.length) ctx.log.info({ count: due.length }, 'paiements à vérifier');
  },
};

export const refundJob: JobDefinition<{ refundId: number }> = {
  name: REFUND_JOB,
  retryLimit: 10,
  retryDelay: 30,
  retryBackoff: true,
  handler: async (data, ctx) => {
    const step = await processRefund(depsOf(ctx), data.refundId);
    // Pending at the provider, or unreachable: ask again later (pg-boss retries with backoff).
    if (step === 'retry') throw new Error(`remboursement ${data.refundId} en attente du fournisseur`);
  },
};

/** Deletes refused (forged or unreadable) callbacks past their retention; authentic ones stay with their payment. */
export async function pruneForgedCallbacks(deps: Pick<PaymentDeps, 'db' | 'forgedRetentionDays'>): Promise<number> {
  const rows = await deps.db
    .delete(momoTransactions)
    .where(
      and(
        eq(momoTransactions.authentifie, false),
        lte(momoTransactions.dateReception, sql`now() - make_interval(days => ${deps.forgedRetentionDays})`),
      ),
    )
    .returning({ id: momoTransactions.id });
  return rows.length;
}

export const pruneForgedJob: JobDefinition<Record<string, never>> = {
  name: 'payments.prune_forged_callbacks',
  cron: '50 3 * * *',
  retryLimit: 2,
  handler: async (_data, ctx) => {
    const n = await pruneForgedCallbacks(depsOf(ctx));
    if (n) ctx.log.info({ n }, 'rappels refusés anciens supprimés');
  },
};

export const paymentJobs = [confirmJob, reconcileJob, refundJob, pruneForgedJob] as JobDefinition<never>[];
