/**
 * The account rules with their French messages: the manual's phone validator and E.164 normalisation, and
 * Django's default password validators (minimum length, not entirely numeric, not too similar to the user's
 * attributes, not a common password). Used by the API and by the `createsuperuser` command.
 */
import difflib from 'difflib';
import { dictionary } from '@zxcvbn-ts/language-common';

/** The manual's PhoneNumberValidator message, kept word for word (clients match on it). */
export const PHONE_MESSAGE = 'Numéro de téléphone invalide. Format: +225XXXXXXXX';

/**
 * +225 and 10 digits (the numbering plan since 2021). Spaces, dots, dashes and brackets are ignored;
 * 00225…, 225… and a bare 10-digit national number 0X… are accepted. Returns null when it is not one.
 */
export function normalizeTelephone(input: string): string | null {
  let t = input.trim().replace(/[\s.\-()]/g, '');
  if (t.startsWith('00225')) t = `+${t.slice(2)}`;
  else if (/^225\d{10}$/.test(t)) t = `+${t}`;
  else if (/^0\d{9}$/.test(t)) t = `+225${t}`;
  // The manual's regex (^\+225[0-9]{8,10}$) is the outer bound; 8-digit numbers no longer exist.
  return /^\+225\d{10}$/.test(t) ? t : null;
}

export const USERNAME_MESSAGE =
  "Saisissez un nom d'utilisateur valide : 150 caractères au plus, lettres, chiffres et @/./+/-/_ uniquement.";

/** Django's UnicodeUsernameValidator. */
export function validUsername(username: string): boolean {
  return /^[\p{L}\p{N}_.@+-]{1,150}$/u.test(username);
}

export const PHONE_SHAPED_USERNAME_MESSAGE =
  "Un nom d'utilisateur ne peut pas avoir la forme d'un numéro de téléphone (on se connecte aussi avec son numéro).";

/**
 * What is wrong with a username, or null. One shaped like a phone number is refused: logins accept a telephone,
 * and such a name would capture the logins of the person whose number it is.
 */
export function usernameProblem(username: string): string | null {
  if (!validUsername(username)) return USERNAME_MESSAGE;
  if (normalizeTelephone(username) || /^\+?[\d.\-\s]{8,}$/.test(username)) return PHONE_SHAPED_USERNAME_MESSAGE;
  return null;
}

export const EMAIL_MESSAGE = 'Saisissez une adresse e-mail valide.';

export function validEmail(email: string): boolean {
  if (email.length > 254) return false;
  // One @, a non-empty local part without spaces, a dotted domain of letters, digits and hyphens.
  return /^[^\s@"(),:;<>[\\\]]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u.test(email);
}

export const PASSWORD_MIN_LENGTH = 8;
const MAX_SIMILARITY = 0.7;

// ~49,000 most common passwords (zxcvbn's list, which includes French ones like "motdepasse" or "azerty").
let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return common;
}

export interface PasswordContext {
  username?: string | undefined;
  email?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
}

/**
 * Every rule the password breaks, as French messages (Django's wording). An empty list means it is accepted.
 */
export function passwordProblems(password: string, ctx: PasswordContext = {}): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_LENGTH) {
    problems.push(`Ce mot de passe est trop court. Il doit contenir au minimum ${PASSWORD_MIN_LENGTH} caractères.`);
  }
  if (/^\d+$/.test(password)) problems.push('Ce mot de passe est entièrement numérique.');
  const similar = similarAttribute(password, ctx);
  if (similar) problems.push(`Le mot de passe est trop semblable au champ « ${similar} ».`);
  if (commonPasswords().has(password.toLowerCase().trim())) problems.push('Ce mot de passe est trop courant.');
  return problems;
}

const ATTRIBUTE_LABELS: [keyof PasswordContext, string][] = [
  ['username', "nom d'utilisateur"],
  ['firstName', 'prénom'],
  ['lastName', 'nom'],
  ['email', 'adresse e-mail'],
];

/** Django's UserAttributeSimilarityValidator: the whole value and each of its parts, SequenceMatcher ratio ≥ 0.7. */
function similarAttribute(password: string, ctx: PasswordContext): string | null {
  const pw = password.toLowerCase();
  for (const [key, label] of ATTRIBUTE_LABELS) {
    const value = ctx[key];
    if (!value) continue;
    const v = value.toLowerCase();
    const parts = [v, ...v.split(/\W+/u)].filter((p) => p.length > 0);
    for (const part of parts) {
      // Django skips the costly comparison when even the upper bound of the ratio cannot reach the limit.
      const maxRatio = (2 * Math.min(part.length, pw.length)) / (part.length + pw.length);
      if (maxRatio < MAX_SIMILARITY) continue;
      if (
        new difflib.SequenceMatcher(null, pw, part).quickRatio() >= MAX_SIMILARITY &&
        new difflib.SequenceMatcher(null, pw, part).ratio() >= MAX_SIMILARITY
      ) {
        return label;
      }
    }
  }
  return null;
}
