/**
 * Why a payment failed, for the buyer: one French sentence per normalised reason (`code_echec`), with the
 * provider's own code kept apart (`code_fournisseur`). `payments.raison_echec` stores either one of our codes
 * (set where we close a payment) or the code the provider reported (MTN `NOT_ENOUGH_FUNDS`, Wave
 * `insufficient-funds`, Orange `FAILED`…); this is the one place that reads them for people.
 */
export const FAILURE_MESSAGES = {
  SOLDE_INSUFFISANT: 'Solde insuffisant sur le compte mobile money.',
  REFUSE_PAR_LE_PAYEUR: 'Le paiement a été refusé sur le téléphone du payeur.',
  ANNULE: 'Le paiement a été annulé.',
  DELAI_DEPASSE: "Le paiement n'a pas été validé à temps.",
  COMPTE_INTROUVABLE: 'Aucun compte mobile money actif pour ce numéro.',
  REFUS_FOURNISSEUR: 'Le fournisseur de paiement a refusé la demande.',
  FOURNISSEUR_INDISPONIBLE: 'Le fournisseur de paiement était indisponible.',
  NON_TRANSMIS: "La demande de paiement n'a pas pu être transmise au fournisseur.",
  MONTANT_INCOHERENT: 'Le montant confirmé par le fournisseur ne correspond pas : la somme reçue est remboursée.',
  INTROUVABLE: 'Le fournisseur ne retrouve pas ce paiement.',
  NON_APPROUVE:
    "Le paiement n'a pas été approuvé sur le téléphone à temps : les places ont été remises en vente. S'il est approuvé plus tard, vous recevrez vos billets s'il en reste, sinon vous serez remboursé.",
  PAGE_NON_OUVERTE: "La page de paiement n'a pas été ouverte à temps : les places ont été remises en vente.",
  ECHEC: 'Le paiement a échoué.',
} as const;

export type FailureCode = keyof typeof FAILURE_MESSAGES;

/** Our own codes, stored as they are (never a provider's). */
const OURS = new Set<string>([
  'REFUS_FOURNISSEUR',
  'FOURNISSEUR_INDISPONIBLE',
  'NON_TRANSMIS',
  'MONTANT_INCOHERENT',
  'DELAI_DEPASSE',
  'NON_APPROUVE',
  'PAGE_NON_OUVERTE',
  'ECHEC',
]);

/** A provider's failure code in our vocabulary (by meaning: each provider spells them its own way). */
function normalise(raw: string): FailureCode {
  const r = raw.toLowerCase().replace(/[-\s]+/g, '_');
  if (/insufficient|not_enough|solde|balance/.test(r)) return 'SOLDE_INSUFFISANT';
  if (/payer_not_found|account_not_found|not_allowed|unknown_(payer|subscriber)|invalid_(msisdn|payer)|mismatch|blocked/.test(r))
    return 'COMPTE_INTROUVABLE';
  if (/reject|refus|declin|denied/.test(r)) return 'REFUSE_PAR_LE_PAYEUR';
  if (/cancel|annul/.test(r)) return 'ANNULE';
  if (/expir|timeout|timed_out|delai/.test(r)) return 'DELAI_DEPASSE';
  if (/not_found|introuvable/.test(r)) return 'INTROUVABLE';
  return 'ECHEC';
}

/** The three fields of a failed payment's answer; all empty when it did not fail. */
export function failureView(stored: string): { raison_echec: string; code_echec: string; code_fournisseur: string } {
  if (!stored) return { raison_echec: '', code_echec: '', code_fournisseur: '' };
  const code: FailureCode = OURS.has(stored) ? (stored as FailureCode) : normalise(stored);
  return { raison_echec: FAILURE_MESSAGES[code], code_echec: code, code_fournisseur: OURS.has(stored) ? '' : stored };
}
