/**
 * What money a set of payments brought, one rule for every total shown (staff's payments list, the dashboard,
 * the organizer's sales summary), in whole XOF:
 * - `brut`: payments that succeeded (REUSSI, or REMBOURSE since): the money that came in;
 * - `rembourse`: completed refunds (REUSSI) of those payments: the money that went back;
 * - `rembourse_en_cours`: refunds of those payments not completed yet (waiting, sent to the provider, failed
 *   and waiting for a retry, or to be settled by hand): money that is owed back, so not cashed;
 * - `net`: brut − rembourse − rembourse_en_cours, what was cashed and is kept ("encaissé").
 * A refund of a payment that never succeeded (a success for another amount is ECHOUE, refunded for what was
 * received) is in none of them: that money was never counted in.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { payments, refunds } from './tables.js';

export interface MoneyTotals {
  brut: number;
  rembourse: number;
  rembourse_en_cours: number;
  net: number;
}

/** Payments whose money came in. */
export const CASHED_SQL = sql`${payments.statut} IN ('REUSSI', 'REMBOURSE')`;

/** The three sums over payments LEFT JOIN refunds (one refund per payment: the join adds no row). */
export const moneyColumns = {
  brut: sql<string>`coalesce(sum(${payments.montant}) FILTER (WHERE ${CASHED_SQL}), 0)::bigint`,
  rembourse: sql<string>`coalesce(sum(${refunds.montant}) FILTER (WHERE ${CASHED_SQL} AND ${refunds.statut} = 'REUSSI'), 0)::bigint`,
  rembourseEnCours: sql<string>`coalesce(sum(${refunds.montant}) FILTER (WHERE ${payments.statut} = 'REUSSI' AND ${refunds.statut} <> 'REUSSI'), 0)::bigint`,
};

export function moneyTotalsOf(row: { brut: unknown; rembourse: unknown; rembourseEnCours: unknown }): MoneyTotals {
  const brut = Number(row.brut ?? 0);
  const rembourse = Number(row.rembourse ?? 0);
  const enCours = Number(row.rembourseEnCours ?? 0);
  return { brut, rembourse, rembourse_en_cours: enCours, net: brut - rembourse - enCours };
}

/** The totals of the payments matching `where` (conditions on the payments table). */
export async function moneyTotals(db: DbOrTx, where: SQL | undefined): Promise<MoneyTotals> {
  const [row] = await db
    .select(moneyColumns)
    .from(payments)
    .leftJoin(refunds, sql`${refunds.paymentId} = ${payments.id}`)
    .where(where);
  return moneyTotalsOf(row ?? { brut: 0, rembourse: 0, rembourseEnCours: 0 });
}
