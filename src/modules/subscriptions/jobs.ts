/**
 * The subscriptions sweep (every 10 minutes, and on demand in tests with a controllable clock): renewal
 * reminders at each step of SUBSCRIPTION_REMINDER_DAYS, then expiry at the end of grace (back to the free
 * plan) or at the end of the period when a paid successor has started. Safe on several workers at once: a
 * reminder step is a row with a primary key (the insert that wins sends it), an expiry a guarded transition.
 */
import { and, eq, isNull, lte, sql } from 'drizzle-orm';
import type { JobDefinition } from '../../jobs/queue.js';
import { subscriptionPlans, subscriptionReminders, subscriptions } from './tables.js';
import { subscriptionMachine } from './states.js';
import { subscriptionsDeps, type SubscriptionsDeps } from './deps.js';
import { DAY_MS, hookSubscription } from './service.js';
import type { Subscription } from './effective.js';

export const SWEEP_JOB = 'subscriptions.sweep';

function stepName(days: number): string {
  return days === 0 ? 'J0' : days < 0 ? `J${days}` : `J+${days}`;
}

/** A later ACTIF subscription of the same organizer that continues this one (renewal, change, grant). */
const successorExists = (s: typeof subscriptions) =>
  sql`EXISTS (SELECT 1 FROM ${subscriptions} n WHERE n.organisateur_id = ${s.organisateurId} AND n.statut = 'ACTIF'
              AND n.id <> ${s.id} AND n.date_debut >= ${s.dateFin})`;

export interface SweepResult {
  reminders: number;
  expired: number;
  relayed: number;
}

export async function runSubscriptionSweep(deps: SubscriptionsDeps): Promise<SweepResult> {
  const now = deps.now?.() ?? new Date();
  const out: SweepResult = { reminders: 0, expired: 0, relayed: 0 };
  const steps = deps.reminderDays;
  // Reminders: ACTIF, not cancelled, nothing paid after it, first step already due, grace not over.
  if (steps.length) {
    const first = steps[0]!;
    const due = await deps.db
      .select({ sub: subscriptions, plan: subscriptionPlans })
      .from(subscriptions)
      .innerJoin(subscriptionPlans, eq(subscriptionPlans.id, subscriptions.planId))
      .where(
        and(
          eq(subscriptions.statut, 'ACTIF'),
          isNull(subscriptions.annuleLe),
          lte(subscriptions.dateFin, new Date(now.getTime() - first * DAY_MS)),
          sql`coalesce(${subscriptions.enGraceJusquAu}, ${subscriptions.dateFin}) > ${now.toISOString()}::timestamptz`,
          sql`NOT ${successorExists(subscriptions)}`,
        ),
      )
      .limit(1000);
    for (const { sub, plan } of due) {
      // The latest step due; earlier ones missed (worker down) are recorded as passed, not sent late.
      const dueSteps = steps.filter((d) => sub.dateFin!.getTime() + d * DAY_MS <= now.getTime());
      const last = dueSteps.at(-1);
      if (last === undefined) continue;
      await deps.db.transaction(async (tx) => {
        const rows = await tx
          .insert(subscriptionReminders)
          .values(dueSteps.map((d) => ({ subscriptionId: sub.id, etape: stepName(d) })))
          .onConflictDoNothing()
          .returning({ etape: subscriptionReminders.etape });
        if (!rows.some((r) => r.etape === stepName(last))) return;
        out.reminders++;
        const joursRestants = Math.ceil((sub.dateFin!.getTime() - now.getTime()) / DAY_MS);
        // The notifications module turns it into ABONNEMENT_EXPIRE_BIENTOT (inbox, email, push, SMS: critical).
        await deps.hooks.run('subscription.expiring', {
          tx,
          jobs: deps.jobs,
          etape: stepName(last),
          joursRestants,
          subscription: hookSubscription(sub, plan),
        });
      });
    }
  }
  // Expiry: grace over; or the period over with a successor already started (relay, quietly).
  const ending = await deps.db
    .select({ sub: subscriptions, relay: sql<boolean>`${successorExists(subscriptions)}` })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.statut, 'ACTIF'),
        sql`(coalesce(${subscriptions.enGraceJusquAu}, ${subscriptions.dateFin}) <= ${now.toISOString()}::timestamptz
             OR (${subscriptions.dateFin} <= ${now.toISOString()}::timestamptz AND ${successorExists(subscriptions)}))`,
      ),
    )
    .limit(1000);
  for (const { sub, relay } of ending) {
    await deps.db.transaction(async (tx) => {
      const left = await subscriptionMachine.transition(tx, sub.id, ['ACTIF'], 'EXPIRE', {
        source: 'echeance',
        details: relay ? { relais: true } : { retour_forfait_gratuit: true },
      });
      if (!left) return;
      if (relay) {
        out.relayed++;
        return;
      }
      out.expired++;
      await expiredMessage(deps, tx, sub);
    });
  }
  return out;
}

async function expiredMessage(
  deps: SubscriptionsDeps,
  tx: Parameters<Parameters<SubscriptionsDeps['db']['transaction']>[0]>[0],
  sub: Subscription,
) {
  const [plan] = await tx.select().from(subscriptionPlans).where(eq(subscriptionPlans.id, sub.planId));
  // The notifications module turns it into ABONNEMENT_EXPIRE.
  await deps.hooks.run('subscription.expired', { tx, jobs: deps.jobs, subscription: hookSubscription(sub, plan!) });
}

export const sweepJob: JobDefinition<Record<string, never>> = {
  name: SWEEP_JOB,
  cron: '*/10 * * * *',
  retryLimit: 1,
  handler: async (_data, ctx) => {
    const r = await runSubscriptionSweep(subscriptionsDeps(ctx));
    if (r.reminders || r.expired || r.relayed) ctx.log.info(r, 'abonnements : rappels et échéances');
  },
};

export const subscriptionJobs = [sweepJob] as JobDefinition<never>[];
