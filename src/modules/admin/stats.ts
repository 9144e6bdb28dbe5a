/**
 * The manual's AdminDashboardView as data (API.md "Admin"): the figures, events by status, net revenue per
 * day over the last 30 days (every day present, zero included), the newest pending events and accounts.
 * Money follows payments/money.ts: a payment counts when it succeeded (REUSSI, or REMBOURSE later); the totals
 * subtract its refund once it is done or under way (not cashed); the days subtract a refund on the day it was
 * completed (money out that day). Days are UTC days (Africa/Abidjan is UTC+0).
 */
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { eventCategories, eventRevisions, events, EVENT_STATUTS, type EventStatut } from '../events/tables.js';
import { users } from '../users/tables.js';
import { payments, refunds } from '../payments/tables.js';
import { moneyTotals } from '../payments/money.js';
import { maskEmail } from '../users/admin.js';
import { rowsOf } from '../../db/client.js';
import type { AdminDeps } from './deps.js';

export const REVENUE_DAYS = 30;

const num = (v: unknown) => Number(v ?? 0);

/** Money of payments matching `type` (all, tickets, subscriptions): payments/money.ts's one rule. */
async function netRevenue(deps: Pick<AdminDeps, 'db'>, type?: 'BILLET' | 'ABONNEMENT') {
  return moneyTotals(deps.db, type ? eq(payments.type, type) : undefined);
}

export async function dashboardStats(deps: Pick<AdminDeps, 'db'>, now = new Date()) {
  const db = deps.db;
  const [counts] = await db
    .select({
      users: sql<number>`(SELECT count(*)::int FROM ${users} WHERE ${users.dateSuppression} IS NULL)`,
      validated: sql<number>`(SELECT count(*)::int FROM ${events} WHERE ${events.statut} = 'VALIDE')`,
      // What the moderation queue holds: pending and not over yet (a past one can no longer be approved).
      pending: sql<number>`(SELECT count(*)::int FROM ${events} WHERE ${events.statut} = 'EN_ATTENTE' AND ${events.dateFin} > ${now})`,
      // What the revisions queue holds (GET /api/admin/events/revisions/): pending changes of events still published.
      revisions: sql<number>`(SELECT count(*)::int FROM ${eventRevisions} r JOIN ${events} e ON e.id = r.evenement_id
        WHERE r.statut = 'EN_ATTENTE' AND e.statut = 'VALIDE')`,
    })
    .from(sql`(SELECT 1) AS one`);

  const byStatus = await db
    .select({ statut: events.statut, count: sql<number>`count(*)::int` })
    .from(events)
    .groupBy(events.statut);
  const statusCount = new Map(byStatus.map((r) => [r.statut, r.count]));

  const total = await netRevenue(deps);
  const subscriptions = await netRevenue(deps, 'ABONNEMENT');

  // One row per UTC day, today included: money in on the day a payment succeeded, out on the day a refund was made.
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (REVENUE_DAYS - 1)));
  const perDay = await db.execute(sql`
    WITH days AS (
      SELECT generate_series(${start.toISOString()}::timestamptz, ${start.toISOString()}::timestamptz + interval '${sql.raw(String(REVENUE_DAYS - 1))} days', interval '1 day') AS d
    ),
    money AS (
      SELECT date_trunc('day', p.date_finalisation AT TIME ZONE 'UTC') AS d, p.montant AS m
        FROM ${payments} p WHERE p.statut IN ('REUSSI', 'REMBOURSE') AND p.date_finalisation >= ${start.toISOString()}::timestamptz
      UNION ALL
      SELECT date_trunc('day', r.date_finalisation AT TIME ZONE 'UTC'), -r.montant
        FROM ${refunds} r JOIN ${payments} p ON p.id = r.payment_id
       WHERE r.statut = 'REUSSI' AND p.statut IN ('REUSSI', 'REMBOURSE') AND r.date_finalisation >= ${start.toISOString()}::timestamptz
    )
    SELECT to_char(days.d AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date, coalesce(sum(money.m), 0) AS montant
      FROM days LEFT JOIN money ON money.d = (days.d AT TIME ZONE 'UTC')
      GROUP BY days.d ORDER BY days.d`);

  const recentEvents = await db
    .select({
      id: events.id,
      titre: events.titre,
      statut: events.statut,
      date_debut: events.dateDebut,
      date_creation: events.dateCreation,
      lieu: events.lieu,
      createur: { id: users.id, username: users.username },
      categorie: { id: eventCategories.id, nom: eventCategories.nom },
    })
    .from(events)
    .innerJoin(users, eq(users.id, events.createurId))
    .innerJoin(eventCategories, eq(eventCategories.id, events.categorieId))
    .where(and(eq(events.statut, 'EN_ATTENTE'), gt(events.dateFin, now)))
    .orderBy(desc(events.dateCreation), desc(events.id))
    .limit(10);

  const recentUsers = await db
    .select()
    .from(users)
    .where(isNull(users.dateSuppression))
    .orderBy(desc(users.dateCreation), desc(users.id))
    .limit(10);

  return {
    total_users: counts!.users,
    total_events: counts!.validated,
    pending_events: counts!.pending,
    pending_revisions: counts!.revisions,
    total_revenue: total.net,
    revenue: total,
    subscriptions_revenue: subscriptions.net,
    events_stats: EVENT_STATUTS.map((statut: EventStatut) => ({ statut, count: statusCount.get(statut) ?? 0 })),
    revenue_data: rowsOf<{ date: string; montant: unknown }>(perDay).map((r) => ({
      date: r.date,
      montant: num(r.montant),
    })),
    recent_events: recentEvents.map((e) => ({
      ...e,
      date_debut: e.date_debut.toISOString(),
      date_creation: e.date_creation.toISOString(),
    })),
    recent_users: recentUsers.map((u) => ({
      id: u.id,
      username: u.username,
      first_name: u.firstName,
      last_name: u.lastName,
      email_masque: maskEmail(u.email),
      is_active: u.isActive,
      is_staff: u.isStaff || u.isSuperuser,
      date_creation: u.dateCreation.toISOString(),
    })),
  };
}
