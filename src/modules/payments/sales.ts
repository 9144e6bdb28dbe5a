/**
 * The organizer's sales summary of one event (`GET /api/events/{id}/ventes/`): what a real organizer checks on
 * the day. Per ticket type and in total: seats (quantity, sold, held by pending payments, left, checked in) and
 * money (gross, commission, refunds done and under way, net), and the event's ticket payments by status.
 *
 * Money follows payments/money.ts (gross = succeeded payments, refunded since included; refunds of those
 * payments, done apart from under way). The commission is the platform's share of each sale the organizer keeps:
 * per payment, `round(montant × commission_pourcentage / 100)` at the rate recorded on the payment when it was
 * made (subscriptions: a later plan change never alters it), rounded to the nearest franc, halves up, then
 * summed; only on payments still REUSSI with no refund at all (a refunded or refunding sale owes none; a payment
 * made before rates were recorded counts 0 %). Net = gross − refunds done − commission, and
 * `net_apres_remboursements_en_cours` also takes off the refunds under way (what stays once they are paid).
 */
import { eventRole } from '../team/access.js';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { isStaffUser, type AuthUser } from '../../core/auth.js';
import { ForbiddenError, NotFoundError } from '../../core/errors.js';
import { events } from '../events/tables.js';
import { canSee, EVENT_NOT_FOUND } from '../events/access.js';
import { tickets, ticketTypes } from '../tickets/tables.js';
import { heldSeatsSql } from './reservation.js';
import { moneyColumns, moneyTotalsOf, type MoneyTotals } from './money.js';
import { PAYMENT_STATUTS, payments, refunds, type PaymentStatut } from './tables.js';
import type { PaymentDeps } from './deps.js';

interface SalesEvent {
  id: number;
  titre: string;
  statut: (typeof events.$inferSelect)['statut'];
  createurId: number;
  dateValidation: Date | null;
  capaciteMax: number;
}

/**
 * Who may read an event's sales figures: its creator, the GESTIONNAIRE members of its team (issue 12: "creator and
 * their GESTIONNAIRE") and staff. A SCANNER checks tickets in; the money is not theirs to see.
 */
export async function canSeeSales(tx: DbOrTx, event: { id: number; createurId: number }, user: AuthUser): Promise<boolean> {
  if (user.id === event.createurId || isStaffUser(user)) return true;
  const { role } = await eventRole(tx, event.id, user);
  return role === 'GESTIONNAIRE';
}

export interface SeatFigures {
  quantite: number;
  vendus: number;
  reserves: number;
  disponibles: number;
  entrees: number;
}

export interface SalesMoney extends MoneyTotals {
  commission: number;
  net_apres_remboursements_en_cours: number;
}

export interface TypeSales extends SeatFigures, SalesMoney {
  id: number;
  nom: string;
  prix: number;
}

export interface SalesSummary {
  evenement: { id: number; titre: string; statut: string; capacite_max: number };
  types_billet: TypeSales[];
  places: SeatFigures;
  montants: SalesMoney & { devise: 'XOF' };
  paiements_par_statut: Record<PaymentStatut, number>;
  calcule_le: Date;
}

/** The commission of the kept sales (see the header): per payment, nearest franc (halves up), summed. */
const commissionSql = sql<string>`coalesce(sum(round(${payments.montant} * coalesce(${payments.commissionPourcentage}, 0) / 100))
  FILTER (WHERE ${payments.statut} = 'REUSSI' AND ${refunds.id} IS NULL), 0)::bigint`;

function salesMoney(m: MoneyTotals, commission: number): SalesMoney {
  const net = m.brut - m.rembourse - commission;
  return {
    brut: m.brut,
    commission,
    rembourse: m.rembourse,
    rembourse_en_cours: m.rembourse_en_cours,
    net,
    net_apres_remboursements_en_cours: net - m.rembourse_en_cours,
  };
}

const ZERO_MONEY: SalesMoney = {
  brut: 0,
  commission: 0,
  rembourse: 0,
  rembourse_en_cours: 0,
  net: 0,
  net_apres_remboursements_en_cours: 0,
};

function addMoney(a: SalesMoney, b: SalesMoney): SalesMoney {
  return {
    brut: a.brut + b.brut,
    commission: a.commission + b.commission,
    rembourse: a.rembourse + b.rembourse,
    rembourse_en_cours: a.rembourse_en_cours + b.rembourse_en_cours,
    net: a.net + b.net,
    net_apres_remboursements_en_cours: a.net_apres_remboursements_en_cours + b.net_apres_remboursements_en_cours,
  };
}

/**
 * The sales summary of an event for `user`: 404 when the event is unknown or hidden from them (events'
 * visibility rule), 403 when they see it but may not read its sales (canSeeSales). Read in one repeatable-read
 * snapshot, so seats and money agree with each other even while tickets sell.
 */
export async function salesSummary(deps: Pick<PaymentDeps, 'db' | 'now'>, user: AuthUser, eventId: number): Promise<SalesSummary> {
  const now = deps.now?.() ?? new Date();
  return deps.db.transaction(
    async (tx) => {
      const [ev]: SalesEvent[] = await tx
        .select({
          id: events.id,
          titre: events.titre,
          statut: events.statut,
          createurId: events.createurId,
          dateValidation: events.dateValidation,
          capaciteMax: events.capaciteMax,
        })
        .from(events)
        .where(eq(events.id, eventId));
      if (!ev) throw new NotFoundError(EVENT_NOT_FOUND);
      if (!(await canSeeSales(tx, ev, user))) {
        if (!canSee(ev, user)) throw new NotFoundError(EVENT_NOT_FOUND);
        throw new ForbiddenError("Seuls l'organisateur de l'événement et le personnel voient ses ventes.", 'not_owner');
      }

      // Qualified by hand: in a one-table select Drizzle writes columns bare, and a bare "id" inside the
      // subqueries below would name the subquery's own table.
      const typeId = sql`${ticketTypes}.${sql.identifier('id')}`;
      const types = await tx
        .select({
          id: ticketTypes.id,
          nom: ticketTypes.nom,
          prix: ticketTypes.prix,
          quantite: ticketTypes.quantite,
          vendus: ticketTypes.vendus,
          reserves: heldSeatsSql(typeId, now),
          entrees: sql<number>`(SELECT count(*)::int FROM ${tickets} k WHERE k.type_billet_id = ${typeId} AND k.statut = 'UTILISE')`,
        })
        .from(ticketTypes)
        .where(eq(ticketTypes.evenementId, ev.id))
        .orderBy(asc(ticketTypes.prix), asc(ticketTypes.id));

      const ticketSale = and(eq(payments.evenementId, ev.id), eq(payments.type, 'BILLET'));
      const moneyRows = await tx
        .select({ typeId: payments.typeBilletId, ...moneyColumns, commission: commissionSql })
        .from(payments)
        .leftJoin(refunds, eq(refunds.paymentId, payments.id))
        .where(ticketSale)
        .groupBy(payments.typeBilletId);
      const moneyOf = new Map(moneyRows.map((r) => [r.typeId, salesMoney(moneyTotalsOf(r), Number(r.commission))]));

      const statusRows = await tx
        .select({ statut: payments.statut, n: sql<number>`count(*)::int` })
        .from(payments)
        .where(ticketSale)
        .groupBy(payments.statut);
      const parStatut = Object.fromEntries(PAYMENT_STATUTS.map((s) => [s, 0])) as Record<PaymentStatut, number>;
      for (const r of statusRows) parStatut[r.statut] = r.n;

      const perType: TypeSales[] = types.map((t) => ({
        id: t.id,
        nom: t.nom,
        prix: t.prix,
        quantite: t.quantite,
        vendus: t.vendus,
        reserves: t.reserves,
        disponibles: Math.max(0, t.quantite - t.vendus - t.reserves),
        entrees: t.entrees,
        ...(moneyOf.get(t.id) ?? ZERO_MONEY),
      }));
      const places = perType.reduce<SeatFigures>(
        (a, t) => ({
          quantite: a.quantite + t.quantite,
          vendus: a.vendus + t.vendus,
          reserves: a.reserves + t.reserves,
          disponibles: a.disponibles + t.disponibles,
          entrees: a.entrees + t.entrees,
        }),
        { quantite: 0, vendus: 0, reserves: 0, disponibles: 0, entrees: 0 },
      );
      // Every ticket payment of the event, whatever its type (the types listed hold them all: a paid type cannot go).
      const total = [...moneyOf.values()].reduce(addMoney, ZERO_MONEY);
      return {
        evenement: { id: ev.id, titre: ev.titre, statut: ev.statut, capacite_max: ev.capaciteMax },
        types_billet: perType,
        places,
        montants: { devise: 'XOF' as const, ...total },
        paiements_par_statut: parStatut,
        calcule_le: now,
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
