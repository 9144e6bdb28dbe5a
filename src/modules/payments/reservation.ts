/**
 * Seat holds. A pending payment holds `quantite` seats of its ticket type until `expire_le`.
 * availability = quantite − vendus − seats held by unexpired pending payments, computed while holding the
 * ticket type's row lock: concurrent buyers queue on that lock, so two of them can never both take the last
 * seat. No provider call ever happens while the lock is held.
 *
 * A new hold is one statement (insertHoldingPayment): the lock is taken and released inside PostgreSQL, so
 * buyers of one ticket type pass at the database's speed, not at the pace of round trips to a busy server.
 */
import { and, eq, gt, ne, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { ConflictError, pgErrorCode } from '../../core/errors.js';
import { payments, statusHistory } from './tables.js';

export type NewPayment = typeof payments.$inferInsert & { typeBilletId: number; quantite: number };

/** Raised by sv_hold_seats (migration 0006) when the seats asked for are not left; DETAIL holds the seats left. */
const SOLD_OUT = 'SV409';

export function soldOutError(left: number): ConflictError {
  return new ConflictError(left <= 0 ? 'Plus aucune place disponible pour ce billet.' : `Il ne reste que ${left} place(s) pour ce billet.`, 'sold_out');
}

/**
 * Inserts a pending payment holding its seats, and its creation history row, in one statement run on its own
 * (never inside a transaction, whose end would keep the lock for another round trip). The payment's
 * `quantite` is computed by sv_hold_seats, which locks the ticket type, counts the holds with a fresh
 * snapshot and refuses (409 in French) when the seats do not fit; either everything is written or nothing.
 */
export async function insertHoldingPayment(db: Db, values: NewPayment, now: Date, history: { source: string; details: Record<string, unknown> }): Promise<typeof payments.$inferSelect> {
  const held = sql`sv_hold_seats(${values.typeBilletId}::integer, ${values.quantite}::integer, ${now.toISOString()}::timestamptz)`;
  const p = db.$with('p').as(db.insert(payments).values({ ...values, quantite: held }).returning());
  const h = db.$with('h', { id: sql<number>`id` }).as(
    sql`INSERT INTO ${statusHistory} (entite, entite_id, ancien_statut, nouveau_statut, source, details)
        SELECT 'PAIEMENT', p.id, NULL, p.statut, ${history.source}, ${JSON.stringify(history.details)}::jsonb FROM ${p} RETURNING id`,
  );
  try {
    const [row] = await db.with(p, h).select().from(p);
    return row!;
  } catch (err) {
    if (pgErrorCode(err) === SOLD_OUT) throw soldOutError(seatsLeft(err));
    throw err;
  }
}

/** Seats held by pending, unexpired payments of this type (optionally not counting one payment). */
export async function heldSeats(tx: DbOrTx, typeId: number, now: Date, exceptPaymentId?: number): Promise<number> {
  const conditions = [eq(payments.typeBilletId, typeId), eq(payments.statut, 'EN_ATTENTE'), gt(payments.expireLe, now)];
  if (exceptPaymentId) conditions.push(ne(payments.id, exceptPaymentId));
  const [row] = await tx
    .select({ n: sql<number>`coalesce(sum(${payments.quantite}), 0)::int` })
    .from(payments)
    .where(and(...conditions));
  return row?.n ?? 0;
}

/**
 * Turns a confirmed payment's seats into sold ones (sv_sell_seats, migration 0006): locks the ticket type,
 * checks that the seats are still there, adds them to `vendus`. Run it as the last statement of the confirming
 * transaction: buyers then wait on the lock for this statement and the COMMIT only.
 * Throws soldOutError (with the seats left) when they are gone, which a late success can meet.
 */
export async function sellSeats(tx: DbOrTx, typeId: number, quantite: number, now: Date, paymentId: number): Promise<void> {
  try {
    await tx.execute(sql`SELECT sv_sell_seats(${typeId}::integer, ${quantite}::integer, ${now.toISOString()}::timestamptz, ${paymentId}::integer)`);
  } catch (err) {
    if (pgErrorCode(err) === SOLD_OUT) throw soldOutError(seatsLeft(err));
    throw err;
  }
}

function seatsLeft(err: unknown): number {
  const e = err as { detail?: string; cause?: { detail?: string } };
  return Number(e.cause?.detail ?? e.detail ?? 0);
}
