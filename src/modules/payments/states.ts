/**
 * The payments' and refunds' status machines as data (core/history.ts): which status may follow which. Every
 * change goes through `machine.transition()`, a guarded UPDATE that also writes the history row, so two
 * actors racing to move the same row cannot both succeed and each effect happens once.
 */
import { stateMachine } from '../../core/history.js';
import { payments, refunds, type PaymentStatut, type RefundStatut } from './tables.js';

export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatut, readonly PaymentStatut[]>> = {
  // Pending: the provider answers, or our local expiry releases the seats first.
  EN_ATTENTE: ['REUSSI', 'ECHOUE', 'EXPIRE'],
  // Expired locally, but the provider may still report the payment's real end (late success → tickets or refund).
  EXPIRE: ['REUSSI', 'ECHOUE'],
  REUSSI: ['REMBOURSE'],
  // Closed on our side without a "failed" from the provider (its window ran out): a confirmed late success reopens it.
  ECHOUE: ['REUSSI'],
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

export const paymentMachine = stateMachine<PaymentStatut>('PAIEMENT', payments, PAYMENT_TRANSITIONS);
export const refundMachine = stateMachine<RefundStatut>('REMBOURSEMENT', refunds, REFUND_TRANSITIONS);
