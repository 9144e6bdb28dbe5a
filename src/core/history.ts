/**
 * Status machines as data, with a history row for every change (Vendure's payment process, pretix's order
 * log). Each entity (a payment, a ticket, a refund…) declares its transition table once with
 * `stateMachine()`; every change then goes through `machine.transition()`, a guarded UPDATE (… WHERE statut
 * IN <from>) that also writes the history row. Two actors racing to move the same row cannot both succeed, so
 * each effect of a transition happens once; a transition the table forbids is a programming error.
 */
import { and, eq, inArray, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../db/client.js';
import { statusHistory, type HistoryEntity } from './tables.js';

export { statusHistory, HISTORY_ENTITIES, type HistoryEntity } from './tables.js';

export class IllegalTransitionError extends Error {
  constructor(entity: HistoryEntity, from: string, to: string) {
    super(`Transition interdite (${entity}) : ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export interface TransitionOptions {
  /** Who or what moved it (callback, rapprochement, personnel, controle…): kept in the history. */
  source: string;
  details?: Record<string, unknown>;
  /** Extra columns to set with the status (date_finalisation, raison_echec…). */
  set?: Record<string, unknown>;
}

type StatefulTable = PgTable & { id: PgColumn; statut: PgColumn };

export interface StateMachine<S extends string> {
  readonly entity: HistoryEntity;
  readonly transitions: Readonly<Record<S, readonly S[]>>;
  can(from: S, to: S): boolean;
  /**
   * Moves row `id` from any of `from` to `to` if it is still in one of them. Returns the status it left, or
   * null when the row was in none of them (someone else moved it first: the caller does nothing).
   */
  transition(tx: DbOrTx, id: number, from: readonly S[], to: S, opts: TransitionOptions): Promise<S | null>;
  /** History rows for rows just created in status `statut`. */
  recordCreation(tx: DbOrTx, ids: number[], statut: S, source: string, details?: Record<string, unknown>): Promise<void>;
}

export function stateMachine<S extends string>(
  entity: HistoryEntity,
  table: StatefulTable,
  transitions: Readonly<Record<S, readonly S[]>>,
): StateMachine<S> {
  const can = (from: S, to: S) => transitions[from].includes(to);
  return {
    entity,
    transitions,
    can,
    async transition(tx, id, from, to, opts) {
      for (const f of from) if (!can(f, to)) throw new IllegalTransitionError(entity, f, to);
      // Lock the row first so we know the status we leave (the UPDATE alone cannot return the old value).
      const where: SQL | undefined = and(eq(table.id, id), inArray(table.statut, from as readonly string[] as string[]));
      const [row] = (await tx
        .select({ statut: table.statut })
        .from(table as PgTable)
        .where(where)
        .for('no key update')) as { statut: S }[];
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
    },
    async recordCreation(tx, ids, statut, source, details = {}) {
      if (!ids.length) return;
      await tx
        .insert(statusHistory)
        .values(ids.map((entiteId) => ({ entite: entity, entiteId, ancienStatut: null, nouveauStatut: statut, source, details })));
    },
  };
}
