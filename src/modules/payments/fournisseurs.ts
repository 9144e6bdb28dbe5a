/**
 * The payment methods, one word and one list for the whole module: `fournisseur` as in the manual's API
 * (`ORANGE_MONEY`, `MTN_MONEY`, `MOOV_MONEY`, `WAVE`). Moov Money is reached through CinetPay.
 */
export const FOURNISSEURS = ['ORANGE_MONEY', 'MTN_MONEY', 'MOOV_MONEY', 'WAVE'] as const;
export type Fournisseur = (typeof FOURNISSEURS)[number];
