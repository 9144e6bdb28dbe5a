/**
 * The domain hooks the payments module raises (core/hooks.ts), each inside the transaction that moved the
 * payment or refund: the notifications module tells the buyer (with the ticket codes, the amount, the reason).
 */
import type { Tx, DbOrTx } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';

declare module '../../core/hooks.js' {
  interface HookMap {
    /** The payment became REUSSI and its tickets exist. */
    'payment.succeeded': { payload: { tx: Tx | DbOrTx; jobs: JobQueue; paymentId: number }; result: void };
    /** The payment failed for good (ECHOUE): no ticket, no charge. */
    'payment.failed': { payload: { tx: Tx | DbOrTx; jobs: JobQueue; paymentId: number }; result: void };
    /** A refund was created (`completed: false`: money received without a seat to give) or completed. */
    'refund.updated': { payload: { tx: Tx | DbOrTx; jobs: JobQueue; refundId: number; completed: boolean }; result: void };
  }
}

export {};
