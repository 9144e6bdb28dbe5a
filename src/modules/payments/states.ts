/**
 * Status machines as data: which status may follow which, for payments, tickets and refunds.
 * Every change goes through `transition()`, a guarded UPDATE (… WHERE statut = <from>) that also writes
 * the history row: two actors racing to move the same row cannot both succeed, so each effect happens once.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { payments, refunds, statusHistory, type PaymentStatut, type RefundStatut } from './tables.js';
import { tickets, type TicketStatut } from '../tickets/tables.js';

export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatut, readonly PaymentStatut[]>> = {
  // Pending: the provider answers, or our local expiry releases the seats first.
  EN_ATTENTE: ['REUSSI', 'ECHOUE', 'EXPIRE'],
  // Expired locally, but the provider may still report the payment's real end (late success → tickets or refund).
  EXPIRE: ['REUSSI', 'ECHOUE'],
  REUSSI: ['REMBOURSE'],
  ECHOUE: [],
  REMBOURSE: [],
};

export const TICKET_TRANSITIONS: Readonly<Record<TicketStatut, readonly TicketStatut[]>> = {
  VALIDE: ['UTILISE', 'ANNULE'],
  UTILISE: [],
  ANNULE: ['REMBOURSE'],
  REMBOURSE: [],
};

export const REFUND_TRANSITIONS: Readonly<Record<RefundStatut, readonly RefundStatut[]>> = {
  EN_ATTENTE: ['EN_COURS', 'REMBOURSEMENT_MANUEL', 'ECHOUE'],
  EN_COURS: ['REUSSI', 'ECHOUE'],
  // A failed automatic refund is retried, or handed to staff.
  ECHOUE: ['EN_ATTENTE', 'REMBOURSEMENT_MANUEL'],
  // Staff settle it by hand (cash, bank transfer) and record it.
  REMBOURSEMENT_MANUEL: ['REUSSI'],
  REUSSI: [],
};

export function canTransition<S extends string>(table: Readonly<Record<S, readonly S[]>>, from: S, to: S): boolean {
  return table[from].includes(to);
}

type Entity = 'PAIEMENT' | 'BILLET' | 'REMBOURSEMENT';

const TABLES = {
  PAIEMENT: { table: payments, transitions: PAYMENT_TRANSITIONS },
  BILLET: { table: tickets, transitions: TICKET_TRANSITIONS },
  REMBOURSEMENT: { table: refunds, transitions: REFUND_TRANSITIONS },
} as const;

export class IllegalTransitionError extends Error {
  constructor(entity: Entity, from: string, to: string) {
    super(`Transition interdite (${entity}) : ${from} → ${to}`);
  }
}

export interface TransitionOptions {
  source: string;
  details?: Record<string, unknown>;
  /** Extra columns to set with the status (date_finalisation, raison_echec…). */
  set?: Record<string, unknown>;
}

/**
 * Moves one row from any of `from` to `to` if it is still in one of them. Returns the previous status, or
 * null when the row was not in `from` any more (someone else moved it first: the caller does nothing).
 */
export async function transition(
  tx: DbOrTx,
  entity: Entity,
  id: number,
  from: readonly string[],
  to: string,
  opts: TransitionOptions,
): Promise<string | null> {
  const { table: anyTable, transitions } = TABLES[entity];
  // The three tables share `id` and `statut`; one typed view of them keeps the query builder simple.
  const table = anyTable as unknown as typeof payments;
  for (const f of from) {
    if (!canTransition(transitions as Record<string, readonly string[]>, f, to)) throw new IllegalTransitionError(entity, f, to);
  }
  // Lock the row first so we know the status we leave (the UPDATE alone cannot return the old value).
  const [row] = await tx
    .select({ statut: table.statut })
    .from(table)
    .where(and(eq(table.id, id), inArray(table.statut, from as PaymentStatut[])))
    .for('no key update');
  if (!row) return null;
  await tx
    .update(table)
    .set({ statut: to, ...(opts.set ?? {}) } as never)
    .where(eq(table.id, id));
  await tx.insert(statusHistory).values({
    entite: entity,
    entiteId: id,
    ancienStatut: row.statut,
    nouveauStatut: to,
    source: opts.source,
    details: opts.details ?? {},
  });
  return row.statut;
}

export async function recordCreation(
  tx: DbOrTx,
  entity: Entity,
  ids: number[],
  statut: string,
  source: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  if (!ids.length) return;
  await tx
    .insert(statusHistory)
    .values(ids.map((entiteId) => ({ entite: entity, entiteId, ancienStatut: null, nouveauStatut: statut, source, details })));
}
