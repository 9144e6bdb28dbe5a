/**
 * The simulator's outcome table, decided by the payer's number the way MTN's sandbox does, so every path of
 * the payment code (failure, never final, lost callback, duplicate callbacks, slow success) can be reached on
 * purpose from a test or by hand.
 */
export interface SimulatorDelays {
  /** "Succeeds within about a second" and the failures. */
  normalMs: number;
  /** Outcome 06: "succeeds after 10 seconds". */
  slowMs: number;
  /** Gap between the three deliveries of outcome 05. */
  duplicateGapMs: number;
  /**
   * MTN answers 404 for this long after accepting a request or a refund (its "not yet visible" quirk). On by
   * default, as at MTN; a test that needs the answer at once sets it to 0 explicitly.
   */
  mtnVisibilityMs: number;
  /** A redirect session nobody pays expires after this long (Orange EXPIRED, Wave expired). */
  sessionTtlMs: number;
}

export const DEFAULT_DELAYS: SimulatorDelays = {
  normalMs: 800,
  slowMs: 10_000,
  duplicateGapMs: 500,
  mtnVisibilityMs: 2_000,
  sessionTtlMs: 15 * 60_000,
};

export interface Outcome {
  /** `never`: stays pending for ever. */
  final: 'succeeded' | 'failed' | 'never';
  reason?: 'NOT_ENOUGH_FUNDS' | 'APPROVAL_REJECTED';
  delay: 'normal' | 'slow';
  /** How many times the callback is sent. */
  callbacks: 0 | 1 | 3;
  label: string;
}

export const OUTCOMES: Record<string, Outcome> = {
  '01': { final: 'failed', reason: 'NOT_ENOUGH_FUNDS', delay: 'normal', callbacks: 1, label: 'échoue (solde insuffisant)' },
  '02': { final: 'failed', reason: 'APPROVAL_REJECTED', delay: 'normal', callbacks: 1, label: 'refusé par le payeur' },
  '03': { final: 'never', delay: 'normal', callbacks: 0, label: 'reste en attente pour toujours' },
  '04': { final: 'succeeded', delay: 'normal', callbacks: 0, label: 'réussit, sans notification' },
  '05': { final: 'succeeded', delay: 'normal', callbacks: 3, label: 'réussit, notification envoyée trois fois' },
  '06': { final: 'succeeded', delay: 'slow', callbacks: 1, label: 'réussit après 10 secondes' },
};

const DEFAULT_OUTCOME: Outcome = { final: 'succeeded', delay: 'normal', callbacks: 1, label: 'réussit en une seconde environ' };

export function outcomeFor(payer: string): Outcome {
  const digits = payer.replace(/\D/g, '');
  return OUTCOMES[digits.slice(-2)] ?? DEFAULT_OUTCOME;
}
