/**
 * The short code printed on a ticket for manual entry at the door when the QR code cannot be scanned:
 * 11 random Crockford base-32 characters (55 bits: not guessable, and check-in is online, by the event's
 * organizer or staff only)
 * plus one Luhn mod 32 check character, so a mistyped code is caught before any lookup. Shown as
 * XXXX-XXXX-XXXX; typing it in lower case, without dashes, or with O for 0 and I/L for 1 still works.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const N = ALPHABET.length; // 32
const RANDOM_LENGTH = 11;
export const TICKET_CODE_LENGTH = RANDOM_LENGTH + 1;

function luhnCheckChar(body: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    let addend = factor * ALPHABET.indexOf(body[i]!);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / N) + (addend % N);
    sum += addend;
  }
  return ALPHABET[(N - (sum % N)) % N]!;
}

export function generateTicketCode(): string {
  // 256 is a multiple of 32: masking a random byte to 5 bits is uniform.
  const body = [...randomBytes(RANDOM_LENGTH)].map((b) => ALPHABET[b & 31]).join('');
  return body + luhnCheckChar(body);
}

/** Canonical form (12 characters, no dashes) of what a person typed, or null if it cannot be a ticket code. */
export function normalizeTicketCode(input: string): string | null {
  const s = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== TICKET_CODE_LENGTH || [...s].some((c) => !ALPHABET.includes(c))) return null;
  const body = s.slice(0, RANDOM_LENGTH);
  return luhnCheckChar(body) === s[RANDOM_LENGTH] ? s : null;
}

/** XXXX-XXXX-XXXX for print and screens. */
export function formatTicketCode(code: string): string {
  return code.match(/.{1,4}/g)!.join('-');
}
