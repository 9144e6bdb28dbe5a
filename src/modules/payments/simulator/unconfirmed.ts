/**
 * Every answer the simulator gives that the providers' documentation does not show, in one place: the
 * simulator speaks the documented shapes everywhere else (see payments/contracts/), and these few stand-ins
 * are marked (unconfirmed) in the contract files too. A sandbox observation replaces a value here, and the
 * contract tests read the same table, so nothing else needs to change.
 */
export interface ErrorAnswer {
  status: number;
  body: Record<string, unknown>;
}

export const UNCONFIRMED = {
  /** CinetPay /v2/payment/check for a transaction_id it never received: no documented answer. */
  cinetpayNotFound: { status: 404, body: { code: '404', message: 'TRANSACTION_NOT_FOUND', description: 'Transaction introuvable.' } },
  /** Wave: expiring a session that is complete or being paid (the refusal's code is not documented). */
  waveExpireRefused: { status: 409, body: { code: 'checkout-session-not-open', message: 'La session ne peut plus être expirée.' } },
  /**
   * Orange Web Payment error codes with no documented meaning (23 Missing body field, 40-42 credentials and
   * 60 Resource not found are documented): an invalid body field.
   */
  orangeCodes: { invalidBodyField: { code: 24, message: 'Invalid body field' } },
  /** The body of an injected provider outage (5xx), per provider; MTN's is its definition's ErrorReason. */
  faultBodies: {
    mtn: { code: 'INTERNAL_PROCESSING_ERROR', message: 'An internal error occurred while processing.' },
    orange: { code: 1000, message: 'Internal error', description: 'Panne simulée du fournisseur.' },
    cinetpay: { code: '624', message: 'PROCESSING_ERROR', description: 'Panne simulée du fournisseur.' },
    wave: { code: 'internal-server-error', message: 'Panne simulée du fournisseur.' },
  } as Record<'mtn' | 'orange' | 'cinetpay' | 'wave', Record<string, unknown>>,
};
