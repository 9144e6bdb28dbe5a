/** The tickets' status machine (core/history.ts): issued VALIDE, then scanned once, or cancelled and refunded. */
import { eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { stateMachine, type TransitionOptions } from '../../core/history.js';
import { tickets, ticketTypes, type TicketStatut } from './tables.js';

export const TICKET_TRANSITIONS: Readonly<Record<TicketStatut, readonly TicketStatut[]>> = {
  VALIDE: ['UTILISE', 'ANNULE'],
  UTILISE: [],
  ANNULE: ['REMBOURSE'],
  REMBOURSE: [],
};

export const ticketMachine = stateMachine<TicketStatut>('BILLET', tickets, TICKET_TRANSITIONS);

/**
 * Cancels valid tickets (VALIDE → ANNULE, with history) and gives their seats back: `vendus` counts the seats of
 * tickets that still stand, so participants and availability stop counting a cancelled or refunded ticket.
 * Returns the ids actually moved (a ticket already cancelled or used is left alone).
 */
export async function cancelTickets(tx: DbOrTx, ticketIds: number[], opts: TransitionOptions): Promise<number[]> {
  const moved: number[] = [];
  const perType = new Map<number, number>();
  for (const id of ticketIds) {
    if ((await ticketMachine.transition(tx, id, ['VALIDE'], 'ANNULE', opts)) === null) continue;
    moved.push(id);
  }
  if (!moved.length) return moved;
  const types = await tx.select({ type: tickets.typeBilletId }).from(tickets).where(inArray(tickets.id, moved));
  for (const t of types) perType.set(t.type, (perType.get(t.type) ?? 0) + 1);
  for (const [typeId, n] of perType) {
    await tx
      .update(ticketTypes)
      .set({ vendus: sql`${ticketTypes.vendus} - ${n}` })
      .where(eq(ticketTypes.id, typeId));
  }
  return moved;
}
