/**
 * What each provider takes as one payment's amount, checked before any seat is held (issue 12): an amount the
 * provider would refuse must never hold seats, nor reach the provider. Whole XOF francs.
 *
 * - Multiple of 5: CinetPay (our Moov Money route) documents `amount` as an integer multiple of 5 for XOF
 *   (CinetPay checkout API v2, « Initialiser un paiement », docs.cinetpay.com; /work/shared/PROVIDERS.md).
 * - Minimum and maximum: none of the four providers publishes a merchant's per-payment bounds for Côte
 *   d'Ivoire (CinetPay's own error codes, e.g. 719 AMOUNT_TOO_SMALL / 720 AMOUNT_TOO_LARGE on its transfer
 *   API, say "consult the tranches by country"; Orange, MTN and Wave leave them to the merchant contract and
 *   the payer's wallet level). So they are settings, `<FOURNISSEUR>_MIN_AMOUNT` / `<FOURNISSEUR>_MAX_AMOUNT`
 *   (defaults 100 and 1 500 000 F CFA: to be set from each contract).
 */
import { ValidationError } from '../../core/errors.js';
import { formatFrancs } from '../../core/french.js';
import type { Config } from '../../config.js';
import { providerLabel, type Fournisseur } from './providers/types.js';

export interface AmountLimit {
  min: number;
  max: number;
  /** The amount must be a multiple of this (CinetPay: 5). */
  step: number;
}

export type AmountLimits = Record<Fournisseur, AmountLimit>;

/** CinetPay's documented rule for XOF amounts (see above). */
export const CINETPAY_AMOUNT_STEP = 5;

export function amountLimitsFromEnv(env: Config['env']): AmountLimits {
  return {
    ORANGE_MONEY: { min: env.ORANGE_MONEY_MIN_AMOUNT, max: env.ORANGE_MONEY_MAX_AMOUNT, step: 1 },
    MTN_MONEY: { min: env.MTN_MONEY_MIN_AMOUNT, max: env.MTN_MONEY_MAX_AMOUNT, step: 1 },
    MOOV_MONEY: { min: env.MOOV_MONEY_MIN_AMOUNT, max: env.MOOV_MONEY_MAX_AMOUNT, step: CINETPAY_AMOUNT_STEP },
    WAVE: { min: env.WAVE_MIN_AMOUNT, max: env.WAVE_MAX_AMOUNT, step: 1 },
  };
}

/**
 * What is paid for, for the wording of the refusal: a ticket order (the buyer can order fewer tickets) or a service
 * payment (a subscription: one amount, nothing to order fewer of).
 */
export type AmountContext = 'billets' | 'service';

/** A French 400 naming the provider's limit when `montant` cannot be paid with it; nothing otherwise. */
export function assertAmountAccepted(
  limits: AmountLimits | undefined,
  fournisseur: Fournisseur,
  montant: number,
  field = 'quantite',
  context: AmountContext = 'billets',
): void {
  const l = limits?.[fournisseur];
  if (!l) return;
  const label = providerLabel(fournisseur);
  const asked = context === 'billets' ? `commande de ${formatFrancs(montant)}` : `montant à payer : ${formatFrancs(montant)}`;
  if (montant % l.step !== 0) {
    throw ValidationError.field(
      field,
      `${label} n'accepte que des montants multiples de ${l.step} F CFA : ${formatFrancs(montant)} ne peut pas être payé avec ${label}. Choisissez un autre moyen de paiement.`,
    );
  }
  if (montant < l.min) {
    throw ValidationError.field(field, `Le montant minimum d'un paiement ${label} est de ${formatFrancs(l.min)} (${asked}).`);
  }
  if (montant > l.max) {
    const what = context === 'billets' ? 'commandez moins de billets à la fois ou choisissez' : 'choisissez';
    throw ValidationError.field(
      field,
      `Le montant maximum d'un paiement ${label} est de ${formatFrancs(l.max)} (${asked}) : ${what} un autre moyen de paiement.`,
    );
  }
}
