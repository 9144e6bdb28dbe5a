/**
 * The subscriptions sweep (every 10 minutes, and on demand in tests with a controllable clock): renewal
 * reminders at each step of SUBSCRIPTION_REMINDER_DAYS, then expiry at the end of grace (back to the free
 * plan) or at the end of the period when a paid successor has started. Safe on several workers at once: a
 * reminder step is a row with a primary key (the insert that wins sends it), an expiry a guarded transition.
 */
import { and, eq, isNull, lte, sql } from 'drizzle-orm';
import type { JobDefinition } from '../../jobs/queue.js';
import { queueEmail, queueSms } from '../notifications/delivery.js';
import { users } from '../users/tables.js';
import { subscriptionPlans, subscriptionReminders, subscriptions } from './tables.js';
import { subscriptionMachine } from './states.js';
import { subscriptionsDeps, type SubscriptionsDeps } from './deps.js';
import { DAY_MS, frDate } from './service.js';
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
      .select({ sub: subscriptions, plan: subscriptionPlans, user: users })
      .from(subscriptions)
      .innerJoin(subscriptionPlans, eq(subscriptionPlans.id, subscriptions.planId))
      .innerJoin(users, eq(users.id, subscriptions.organisateurId))
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
    for (const { sub, plan, user } of due) {
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
        await deps.hooks.run('subscription.expiring', {
          tx,
          jobs: deps.jobs,
          etape: stepName(last),
          joursRestants,
          subscription: {
            id: sub.id,
            organisateurId: sub.organisateurId,
            planId: sub.planId,
            planNom: plan.nom,
            dateDebut: sub.dateDebut,
            dateFin: sub.dateFin,
            enGraceJusquAu: sub.enGraceJusquAu,
          },
        });
        // TODO(issue 13): ABONNEMENT_EXPIRE_BIENTOT through the notification types and templates; until then
        // the notifications module's email and SMS queues directly (SMS: renewal is critical).
        const when =
          joursRestants > 0
            ? `se termine le ${frDate(sub.dateFin!)} (dans ${joursRestants} jour(s))`
            : joursRestants === 0
              ? `se termine aujourd'hui`
              : `est terminé depuis le ${frDate(sub.dateFin!)} ; vos fonctionnalités restent actives jusqu'au ${frDate(sub.enGraceJusquAu!)}`;
        const text = `Votre forfait SpotVibe ${plan.nom} ${when}. Renouvelez-le (${plan.prix} FCFA) depuis l'application, rubrique Abonnement.`;
        if (user.email)
          await queueEmail(deps.jobs, { to: user.email, subject: `SpotVibe : renouvelez votre forfait ${plan.nom}`, text }, tx);
        if (user.telephone) await queueSms(deps.jobs, { to: user.telephone, text }, tx);
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
  await deps.hooks.run('subscription.expired', {
    tx,
    jobs: deps.jobs,
    subscription: {
      id: sub.id,
      organisateurId: sub.organisateurId,
      planId: sub.planId,
      planNom: plan!.nom,
      dateDebut: sub.dateDebut,
      dateFin: sub.dateFin,
      enGraceJusquAu: sub.enGraceJusquAu,
    },
  });
  const [user] = await tx.select().from(users).where(eq(users.id, sub.organisateurId));
  if (user?.email) {
    // TODO(issue 13): ABONNEMENT_EXPIRE through the notification types and templates.
    await queueEmail(
      deps.jobs,
      {
        to: user.email,
        subject: `SpotVibe : votre forfait ${plan!.nom} a expiré`,
        text: `Bonjour ${user.firstName || user.username},\n\nVotre forfait ${plan!.nom} a expiré : vous êtes revenu(e) au forfait gratuit. Vos événements et les billets vendus restent en place ; seules les nouvelles créations suivent les limites du forfait gratuit.\nRéabonnez-vous à tout moment depuis l'application.\n\nL'équipe SpotVibe`,
      },
      tx,
    );
  }
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
