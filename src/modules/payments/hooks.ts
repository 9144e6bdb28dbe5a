/**
 * The domain hooks the payments module raises (core/hooks.ts). A payment that is not a ticket sale (`type`
 * other than BILLET, e.g. ABONNEMENT) is handed to the module that owns its purpose when it settles, inside
 * the transaction that settles it: the guarded transition has already decided the winner, so the handler runs
 * once per outcome. Handlers must use `tx`; one that throws rolls the settlement back (it is retried).
 */
import type { Tx } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { payments } from './tables.js';

export interface PaymentSettledPayload {
  tx: Tx;
  jobs: JobQueue;
  payment: typeof payments.$inferSelect;
  /** REUSSI (money received), ECHOUE (refused, failed, wrong amount) or EXPIRE (no answer within the hold). */
  outcome: 'REUSSI' | 'ECHOUE' | 'EXPIRE';
  /** A success reported after the payment had expired locally (or past its hold). */
  late: boolean;
  source: string;
  now: Date;
  /** Money received that can no longer buy what it was for: refund it (once), in this transaction. */
  refund(motif: string): Promise<void>;
}

declare module '../../core/hooks.js' {
  interface HookMap {
    /** A non-ticket payment settled (subscriptions activate, fail or refund their subscription). */
    'payment.settled': { payload: PaymentSettledPayload; result: void };
  }
}

export {};
