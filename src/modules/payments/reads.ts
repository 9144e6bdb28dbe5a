/**
 * Reading payments, as use cases: a buyer's own payments, and staff views of money (payments with filters and
 * totals, one payment's whole history, refunds).
 */
import { and, asc, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { statusHistory } from '../../core/history.js';
import { paginate, type PageRequest, type PageSlice } from '../../core/pagination.js';
import { tickets } from '../tickets/tables.js';
import { momoTransactions, payments, refunds, type Fournisseur, type PaymentStatut, type RefundStatut } from './tables.js';
import type { PaymentDeps } from './deps.js';
import type { Payment } from './service.js';
import { moneyTotals } from './money.js';

export type Refund = typeof refunds.$inferSelect;

async function pageOf<T>(deps: PaymentDeps, page: PageRequest, table: typeof payments | typeof refunds, where: SQL | undefined) {
  return paginate(
    page,
    async () =>
      (
        await deps.db
          .select({ n: sql<number>`count(*)::int` })
          .from(table)
          .where(where)
      )[0]!.n,
    async (limit, offset) =>
      (await deps.db
        .select()
        .from(table)
        .where(where)
        .orderBy(desc(table.dateCreation), desc(table.id))
        .limit(limit)
        .offset(offset)) as T[],
  );
}

export async function listMyPayments(
  deps: PaymentDeps,
  userId: number,
  statut: PaymentStatut | undefined,
  page: PageRequest,
): Promise<PageSlice<Payment>> {
  const where = statut ? and(eq(payments.utilisateurId, userId), eq(payments.statut, statut)) : eq(payments.utilisateurId, userId);
  return pageOf<Payment>(deps, page, payments, where);
}

/** Someone else's payment is "not found": its existence is not the caller's business. */
export async function getMyPayment(deps: PaymentDeps, userId: number, id: number): Promise<Payment> {
  const [p] = await deps.db
    .select()
    .from(payments)
    .where(and(eq(payments.id, id), eq(payments.utilisateurId, userId)));
  if (!p) throw new NotFoundError('Paiement introuvable.');
  return p;
}

export interface StaffPaymentFilters {
  statut?: PaymentStatut | undefined;
  fournisseur?: Fournisseur | undefined;
  evenement?: number | undefined;
  /** AAAA-MM-JJ, inclusive (UTC days). */
  date_debut?: string | undefined;
  date_fin?: string | undefined;
}

export async function listPaymentsForStaff(deps: PaymentDeps, q: StaffPaymentFilters, page: PageRequest) {
  const conds: SQL[] = [];
  if (q.statut) conds.push(eq(payments.statut, q.statut));
  if (q.fournisseur) conds.push(eq(payments.fournisseur, q.fournisseur));
  if (q.evenement) conds.push(eq(payments.evenementId, q.evenement));
  if (q.date_debut) conds.push(gte(payments.dateCreation, new Date(`${q.date_debut}T00:00:00Z`)));
  if (q.date_fin) conds.push(lt(payments.dateCreation, new Date(new Date(`${q.date_fin}T00:00:00Z`).getTime() + 86_400_000)));
  if (q.date_debut && q.date_fin && q.date_fin < q.date_debut)
    throw ValidationError.field('date_fin', 'La date de fin doit suivre la date de début.');
  const where = conds.length ? and(...conds) : undefined;
  const slice = await pageOf<Payment>(deps, page, payments, where);
  const rows = await deps.db
    .select({
      statut: payments.statut,
      n: sql<number>`count(*)::int`,
      total: sql<number>`coalesce(sum(${payments.montant}), 0)::bigint`,
    })
    .from(payments)
    .where(where)
    .groupBy(payments.statut);
  const parStatut = Object.fromEntries(rows.map((r) => [r.statut, { nombre: r.n, montant: Number(r.total) }]));
  // A payment whose refund is done or under way is not cashed: `encaisse` is the net (money.ts), not the REUSSI sum.
  const money = await moneyTotals(deps.db, where);
  return { page: slice, totals: { par_statut: parStatut, ...money, encaisse: money.net } };
}

/** A payment with everything that happened to it: status changes (its tickets' and refund's too), callbacks, refund. */
export async function paymentHistoryForStaff(deps: PaymentDeps, id: number) {
  const db = deps.db;
  const [payment] = await db.select().from(payments).where(eq(payments.id, id));
  if (!payment) throw new NotFoundError('Paiement introuvable.');
  const [refund] = await db.select().from(refunds).where(eq(refunds.paymentId, payment.id));
  const history = await db
    .select()
    .from(statusHistory)
    .where(
      sql`(${statusHistory.entite} = 'PAIEMENT' AND ${statusHistory.entiteId} = ${payment.id}) OR (${statusHistory.entite} = 'REMBOURSEMENT' AND ${statusHistory.entiteId} = ${refund?.id ?? -1})
                   OR (${statusHistory.entite} = 'BILLET' AND ${statusHistory.entiteId} IN (SELECT id FROM ${tickets} WHERE payment_id = ${payment.id}))`,
    )
    .orderBy(asc(statusHistory.date), asc(statusHistory.id));
  const callbacks = await db
    .select()
    .from(momoTransactions)
    .where(eq(momoTransactions.paymentId, payment.id))
    .orderBy(asc(momoTransactions.dateReception));
  return { payment, refund: refund ?? null, history, callbacks };
}

export async function listRefunds(deps: PaymentDeps, statut: RefundStatut | undefined, page: PageRequest): Promise<PageSlice<Refund>> {
  return pageOf<Refund>(deps, page, refunds, statut ? eq(refunds.statut, statut) : undefined);
}

export async function getRefund(deps: PaymentDeps, id: number): Promise<Refund> {
  const [r] = await deps.db.select().from(refunds).where(eq(refunds.id, id));
  if (!r) throw new NotFoundError('Remboursement introuvable.');
  return r;
}
