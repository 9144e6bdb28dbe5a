/**
 * Seat holds. A pending payment holds `quantite` seats of its ticket type until `expire_le`.
 * availability = quantite − vendus − seats held by unexpired pending payments, computed while holding the
 * ticket type's row lock, in one short transaction: concurrent buyers queue on that lock, so two of them can
 * never both take the last seat. No provider call ever happens while the lock is held.
 */
import { and, eq, gt, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { ticketTypes } from '../tickets/tables.js';
import { payments } from './tables.js';

export type LockedTicketType = typeof ticketTypes.$inferSelect;

/**
 * FOR NO KEY UPDATE, not FOR UPDATE: inserting a payment or a ticket that references the type takes a
 * KEY SHARE lock on it (the foreign key check), which FOR UPDATE would conflict with; two buyers each holding
 * KEY SHARE and waiting for FOR UPDATE would deadlock. NO KEY UPDATE still serialises the buyers.
 */
export async function lockTicketType(tx: DbOrTx, typeId: number): Promise<LockedTicketType | undefined> {
  const [row] = await tx.select().from(ticketTypes).where(eq(ticketTypes.id, typeId)).for('no key update');
  return row;
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

/** Call with the type's lock held (lockTicketType in the same transaction). */
export async function availableSeats(tx: DbOrTx, type: LockedTicketType, now: Date, exceptPaymentId?: number): Promise<number> {
  return type.quantite - type.vendus - (await heldSeats(tx, type.id, now, exceptPaymentId));
}
