/**
 * The domain hooks the payments module raises (core/hooks.ts), each inside the transaction that moved the
 * payment or refund: the notifications module tells the buyer (with the ticket codes, the amount, the reason).
 * A payment that is not a ticket sale (`type` other than BILLET, e.g. ABONNEMENT) is also handed to the module that
 * owns its purpose when it settles (`payment.settled`): the guarded transition has already decided the winner, so
 * the handler runs once per outcome. Handlers must use `tx`; one that throws rolls the settlement back (retried).
 */
import type { Tx, DbOrTx } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { payments } from './tables.js';

export interface PaymentSettledPayload {
  tx: Tx;
  jobs: JobQueue;
  payment: typeof payments.$inferSelect;
  /** REUSSI (money received), ECHOUE (refused, failed, wrong amount) or EXPIRE (no answer within the hold). */
  outcome: 'REUSSI' | 'ECHOUE' | 'EXPIRE';
  /** A success reported after the payment had expired or been closed locally (or past its hold). */
  late: boolean;
  source: string;
  now: Date;
  /** Money received that can no longer buy what it was for: refund it (once), in this transaction. */
  refund(motif: string): Promise<void>;
}

declare module '../../core/hooks.js' {
  interface HookMap {
    /** The payment became REUSSI and its tickets exist. */
    'payment.succeeded': { payload: { tx: Tx | DbOrTx; jobs: JobQueue; paymentId: number }; result: void };
    /** The payment failed for good (ECHOUE): no ticket, no charge. */
    'payment.failed': { payload: { tx: Tx | DbOrTx; jobs: JobQueue; paymentId: number }; result: void };
    /** A refund was created (`completed: false`: money received without a seat to give) or completed. */
    'refund.updated': { payload: { tx: Tx | DbOrTx; jobs: JobQueue; refundId: number; completed: boolean }; result: void };
    /**
     * Money moved in a way nobody decided (a provider confirmed another amount than the one asked): the payment
     * failed, the amount received is being refunded, and staff must look (`recu`, `attendu`: amounts as the
     * provider and we gave them, for the message).
     */
    'payment.anomaly': {
      payload: { tx: Tx | DbOrTx; jobs: JobQueue; paymentId: number; refundId: number | null; recu: string; attendu: string };
      result: void;
    };
    /** A non-ticket payment settled (subscriptions activate, fail or refund their subscription). */
    'payment.settled': { payload: PaymentSettledPayload; result: void };
  }
}

export {};
