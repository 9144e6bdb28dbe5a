/**
 * Amount, currency, phone and message formats, one per provider, because each wants something different:
 * Orange an integer, MTN and Wave a string, CinetPay an integer multiple of 5; Orange's sandbox only takes
 * the play currency OUV and MTN's sandbox only EUR. Amounts are whole XOF francs everywhere in SpotVibe.
 */
import { InvalidAmountError, type Fournisseur } from './types.js';

/** No ticket order comes near this; a larger value is a bug upstream, not a purchase. */
export const MAX_AMOUNT = 100_000_000;

function wholeFrancs(provider: Fournisseur, montant: number): number {
  if (!Number.isSafeInteger(montant) || montant <= 0 || montant > MAX_AMOUNT) {
    throw new InvalidAmountError(provider, `Montant invalide : ${montant} (francs CFA entiers, supérieur à 0 attendus).`);
  }
  return montant;
}

/** Orange Web Payment: an integer. */
export function formatOrangeAmount(montant: number): number {
  return wholeFrancs('ORANGE_MONEY', montant);
}

/** MTN MoMo: a string of digits ("5000"). */
export function formatMtnAmount(montant: number): string {
  return String(wholeFrancs('MTN_MONEY', montant));
}

/** CinetPay: an integer that is a multiple of 5; anything else is refused by CinetPay, so we refuse first. */
export function formatCinetPayAmount(montant: number): number {
  const m = wholeFrancs('MOOV_MONEY', montant);
  if (m % 5 !== 0) {
    throw new InvalidAmountError('MOOV_MONEY', `Moov Money (CinetPay) n'accepte que des montants multiples de 5 F CFA (reçu ${m}).`);
  }
  return m;
}

/** Wave Checkout: a string; XOF has no decimals. */
export function formatWaveAmount(montant: number): string {
  return String(wholeFrancs('WAVE', montant));
}

/**
 * Reads an amount a provider reports back ("5000", 5000, "5000.00") as whole francs, or undefined when it is
 * not a whole number: a fractional XOF amount can never match a stored payment, and must not be rounded into
 * a match.
 */
export function parseProviderAmount(v: unknown): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\s*\d+(\.0+)?\s*$/.test(v)) n = Number(v);
  else return undefined;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Orange's sandbox country is `dev` and only takes the play currency OUV; real countries take XOF. */
export function defaultOrangeCurrency(country: string): string {
  return country === 'dev' ? 'OUV' : 'XOF';
}

/** MTN's sandbox only takes EUR; production environments take the local currency. */
export function defaultMtnCurrency(targetEnvironment: string): string {
  return targetEnvironment === 'sandbox' ? 'EUR' : 'XOF';
}

/**
 * E.164 with or without "+" → digits only (MTN's MSISDN, CinetPay): "+2250501020304" → "2250501020304".
 * Côte d'Ivoire numbers have 10 digits after 225 since 2021.
 */
export function toMsisdn(telephone: string): string {
  const digits = telephone
    .replace(/[\s.-]/g, '')
    .replace(/^\+/, '')
    .replace(/^00/, '');
  if (!/^\d{8,15}$/.test(digits)) throw new Error(`Numéro de téléphone invalide : ${telephone}`);
  return digits;
}

/**
 * MTN silently rejects a request whose payerMessage or payeeNote holds "&" and other special characters, so
 * messages keep letters without accents, digits, spaces and plain punctuation, within 160 characters.
 */
export function sanitizeMtnMessage(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9 .,:_/-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
}

/**
 * The references we send as order_id / transaction_id / client_reference: providers are known to choke on
 * anything but letters, digits, "-" and "_"; a reference outside that set cannot be sent as is.
 */
export function safeReference(provider: Fournisseur, reference: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(reference)) {
    throw new InvalidAmountError(provider, `Référence de paiement inutilisable chez le fournisseur : ${reference}`);
  }
  return reference;
}
