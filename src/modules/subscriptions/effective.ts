/**
 * What an organizer's plan allows, read where the action happens: the effective plan (the newest ACTIF
 * subscription in force, grace included, else the free plan `gratuit`), the usage, and assertWithinPlan, the
 * one check event and ticket-type creation call inside their own transaction. Reads tables only, so the
 * events, tickets and payments modules can call it without depending on the subscriptions module's use cases.
 */
import { and, desc, eq, gt, inArray, lte, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { selectRows, type Db, type DbOrTx } from '../../db/client.js';
import { paginate, type PageRequest } from '../../core/pagination.js';
import { AppError } from '../../core/errors.js';
import { users } from '../users/tables.js';
import { events } from '../events/tables.js';
import { ticketTypes } from '../tickets/types-table.js';
import { FREE_PLAN_CODE, subscriptionPlans, subscriptions } from './tables.js';

export type Plan = typeof subscriptionPlans.$inferSelect;
export type Subscription = typeof subscriptions.$inferSelect;

/** The subscription in force at `now` (the newest one started, until the end of its grace), or null. */
export async function currentSubscription(
  db: DbOrTx,
  organizerId: number,
  now: Date,
): Promise<{ subscription: Subscription; plan: Plan } | null> {
  const [row] = await db
    .select({ subscription: subscriptions, plan: subscriptionPlans })
    .from(subscriptions)
    .innerJoin(subscriptionPlans, eq(subscriptionPlans.id, subscriptions.planId))
    .where(
      and(
        eq(subscriptions.organisateurId, organizerId),
        eq(subscriptions.statut, 'ACTIF'),
        lte(subscriptions.dateDebut, now),
        gt(sql`coalesce(${subscriptions.enGraceJusquAu}, ${subscriptions.dateFin})`, now),
      ),
    )
    .orderBy(desc(subscriptions.dateDebut), desc(subscriptions.id))
    .limit(1);
  return row ?? null;
}

/**
 * Featured listing (`en_avant` on events), read from the same rule as currentSubscription: the organizer's newest
 * ACTIF subscription started at `now` and not past its grace decides, and its plan's `mise_en_avant` (the free
 * plan never has it: plans.ts refuses it). Computed at read time, so it follows a subscription's start, expiry,
 * upgrade or staff grant the moment it happens, with no flag to keep in step; the public cache is told by the
 * writes (bumps) and by nextFeaturedChange (time boundaries).
 *
 * One event's flag: a correlated subquery walking subscriptions_organisateur_idx (organisateur_id, statut,
 * date_debut) backwards, one probe per row of a page.
 */
export function featuredFlagSql(organizerId: SQL | AnyColumn, now: SQL): SQL<boolean> {
  return sql<boolean>`coalesce((SELECT pl.mise_en_avant FROM ${subscriptions} s JOIN ${subscriptionPlans} pl ON pl.id = s.plan_id
     WHERE s.organisateur_id = ${organizerId} AND s.statut = 'ACTIF' AND s.date_debut <= ${now}
       AND coalesce(s.en_grace_jusqu_au, s.date_fin) > ${now}
     ORDER BY s.date_debut DESC, s.id DESC LIMIT 1), false)`;
}

/**
 * The organizers featured at `now` (for `createur_id IN (…)`: the `en_avant` filter), the same rule as
 * featuredFlagSql over every subscription in force at once (DISTINCT ON: each organizer's newest started).
 */
export function featuredOrganizersSql(now: SQL): SQL {
  return sql`SELECT c.organisateur_id FROM (
      SELECT DISTINCT ON (s.organisateur_id) s.organisateur_id, pl.mise_en_avant
        FROM ${subscriptions} s JOIN ${subscriptionPlans} pl ON pl.id = s.plan_id
       WHERE s.statut = 'ACTIF' AND s.date_debut <= ${now} AND coalesce(s.en_grace_jusqu_au, s.date_fin) > ${now}
       ORDER BY s.organisateur_id, s.date_debut DESC, s.id DESC) c
    WHERE c.mise_en_avant`;
}

/**
 * The next moment after `now` when some organizer's subscription in force may change by the clock alone (a
 * paid renewal or downgrade starts, a grace ends), or null: a cached public page showing `en_avant` is good
 * until then (core/public-cache.ts's maxAgeMs). Two index reads (migration 0013's partial indexes).
 */
export async function nextFeaturedChange(db: DbOrTx, now: Date): Promise<Date | null> {
  const at = now.toISOString();
  const [row] = await selectRows<{ t: Date | string | null }>(
    db,
    sql`SELECT least(
          (SELECT min(date_debut) FROM ${subscriptions} WHERE statut = 'ACTIF' AND date_debut > ${at}::timestamptz),
          (SELECT min(coalesce(en_grace_jusqu_au, date_fin)) FROM ${subscriptions}
            WHERE statut = 'ACTIF' AND coalesce(en_grace_jusqu_au, date_fin) > ${at}::timestamptz)) AS t`,
  );
  return row?.t ? new Date(row.t) : null;
}

export async function freePlan(db: DbOrTx): Promise<Plan> {
  const [plan] = await db.select().from(subscriptionPlans).where(eq(subscriptionPlans.code, FREE_PLAN_CODE));
  if (!plan) throw new Error('forfait gratuit absent (migration 0013)');
  return plan;
}

export async function effectivePlan(db: DbOrTx, organizerId: number, now: Date): Promise<Plan> {
  return (await currentSubscription(db, organizerId, now))?.plan ?? freePlan(db);
}

/** The commission rate of the plan in force: recorded on each ticket payment when it is created. */
export async function commissionRateFor(db: DbOrTx, organizerId: number, now: Date): Promise<number> {
  return (await effectivePlan(db, organizerId, now)).commissionPourcentage;
}

/** Events that count against `max_evenements_actifs`: EN_ATTENTE or VALIDE, not yet over. */
export async function activeEventCount(db: DbOrTx, organizerId: number, now: Date, exceptEventId?: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(events)
    .where(
      and(
        eq(events.createurId, organizerId),
        inArray(events.statut, ['EN_ATTENTE', 'VALIDE']),
        gt(events.dateFin, now),
        exceptEventId !== undefined ? sql`${events.id} <> ${exceptEventId}` : undefined,
      ),
    );
  return row!.n;
}

export type PlanLimit =
  /** One more active event (a creation, a submission), `payant` when it sells tickets. */
  | { kind: 'evenement_actif'; payant: boolean; exceptEventId?: number }
  /** An event becomes (or is created) PAYANT. */
  | { kind: 'evenement_payant' }
  /** One more ticket type on this event. */
  | { kind: 'type_billet'; eventId: number }
  /** A message from the organizer to the participants of an event (POST /api/events/{id}/messages/). */
  | { kind: 'message_participants' }
  /** One more door-staff member (team module) on this event. */
  | { kind: 'membre_equipe'; eventId: number; count: (tx: DbOrTx) => Promise<number> };

export class PlanLimitError extends AppError {
  constructor(message: string) {
    super(403, 'plan_limit', message);
  }
}

const UPGRADE_HINT = 'Changez de forfait depuis /api/subscriptions/plans/.';

/**
 * Refuses (403 `plan_limit`, in French, naming the plan and the limit) what the organizer's plan does not
 * allow. Call it inside the transaction of the action: it locks the organizer's row first, so two parallel
 * creations by one organizer count one after the other and cannot both pass the last slot.
 */
export async function assertWithinPlan(tx: DbOrTx, organizerId: number, limit: PlanLimit, now = new Date()): Promise<void> {
  await tx.select({ id: users.id }).from(users).where(eq(users.id, organizerId)).for('no key update');
  const plan = await effectivePlan(tx, organizerId, now);
  const payant = limit.kind === 'evenement_payant' || (limit.kind === 'evenement_actif' && limit.payant);
  if (payant && !plan.evenementsPayants) {
    throw new PlanLimitError(`Votre forfait « ${plan.nom} » ne permet pas les événements payants. ${UPGRADE_HINT}`);
  }
  if (limit.kind === 'message_participants' && !plan.messagesParticipants) {
    throw new PlanLimitError(`Votre forfait « ${plan.nom} » ne permet pas d'écrire aux participants de vos événements. ${UPGRADE_HINT}`);
  }
  if (limit.kind === 'evenement_actif' && plan.maxEvenementsActifs !== null) {
    const n = await activeEventCount(tx, organizerId, now, limit.exceptEventId);
    if (n >= plan.maxEvenementsActifs) {
      throw new PlanLimitError(
        `Votre forfait « ${plan.nom} » permet au plus ${plan.maxEvenementsActifs} événement(s) actif(s) à la fois (en attente ou publiés, non terminés) ; vous en avez ${n}. ${UPGRADE_HINT}`,
      );
    }
  }
  if (limit.kind === 'type_billet' && plan.maxTypesBilletParEvenement !== null) {
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(ticketTypes)
      .where(eq(ticketTypes.evenementId, limit.eventId));
    if (row!.n >= plan.maxTypesBilletParEvenement) {
      throw new PlanLimitError(
        `Votre forfait « ${plan.nom} » permet au plus ${plan.maxTypesBilletParEvenement} type(s) de billet par événement. ${UPGRADE_HINT}`,
      );
    }
  }
  if (limit.kind === 'membre_equipe' && plan.maxMembresEquipe !== null) {
    // The team module counts its own rows (this file reads no table of a module that depends on it).
    const n = await limit.count(tx);
    if (n >= plan.maxMembresEquipe) {
      throw new PlanLimitError(
        `Votre forfait « ${plan.nom} » permet au plus ${plan.maxMembresEquipe} membre(s) d'équipe par événement ; cet événement en a ${n}. ${UPGRADE_HINT}`,
      );
    }
  }
}

/** A page of subscriptions with their plan, newest first: the organizer's own list and staff's list alike. */
export function subscriptionsPage(deps: { db: Db }, where: SQL | undefined, page: PageRequest) {
  return paginate(
    page,
    async () =>
      (
        await deps.db
          .select({ n: sql<number>`count(*)::int` })
          .from(subscriptions)
          .where(where)
      )[0]!.n,
    async (limit, offset) =>
      deps.db
        .select({ sub: subscriptions, plan: subscriptionPlans })
        .from(subscriptions)
        .innerJoin(subscriptionPlans, eq(subscriptionPlans.id, subscriptions.planId))
        .where(where)
        .orderBy(desc(subscriptions.dateCreation), desc(subscriptions.id))
        .limit(limit)
        .offset(offset),
  );
}
