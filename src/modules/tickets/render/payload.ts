/**
 * The signed payload inside a ticket's QR code: `SV1.<claims>.<signature>`, where claims is base64url JSON
 * `{k: key id, t: ticket id, e: event id, c: ticket code}` and the signature is Ed25519 over the ASCII bytes
 * of `SV1.<claims>` (the version prefix is signed too, so a payload cannot be re-read under another format).
 * A scanner verifies it offline with the public key; the server verifies it again at check-in.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { normalizeTicketCode } from './code.js';
import type { TicketSigningKey } from './keys.js';

export const PAYLOAD_PREFIX = 'SV1';

export interface TicketClaims {
  ticketId: number;
  eventId: number;
  code: string;
}

export type VerifyResult = { ok: true; claims: TicketClaims; keyId: string } | { ok: false; reason: string };

export function signTicketPayload(key: TicketSigningKey, claims: TicketClaims): string {
  const code = normalizeTicketCode(claims.code);
  if (
    !code ||
    !Number.isSafeInteger(claims.ticketId) ||
    claims.ticketId <= 0 ||
    !Number.isSafeInteger(claims.eventId) ||
    claims.eventId <= 0
  ) {
    throw new Error('billet invalide : identifiants entiers positifs et code de billet valide attendus');
  }
  const body = Buffer.from(JSON.stringify({ k: key.keyId, t: claims.ticketId, e: claims.eventId, c: code })).toString('base64url');
  const signed = `${PAYLOAD_PREFIX}.${body}`;
  return `${signed}.${sign(null, Buffer.from(signed, 'ascii'), key.privateKey).toString('base64url')}`;
}

/** Public keys by key id: the current key and any retired one whose tickets must still verify. */
export type PublicKeyRing = Readonly<Record<string, KeyObject>>;

export function keyRing(...keys: Pick<TicketSigningKey, 'keyId' | 'publicKey'>[]): PublicKeyRing {
  return Object.fromEntries(keys.map((k) => [k.keyId, k.publicKey]));
}

const SHAPE = /^SV1\.([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{86})$/;

/**
 * Verifies a scanned payload against the known public keys (current and retired, by key id). Anything
 * altered, truncated, signed with another key, or well signed but malformed is refused with a reason.
 */
export function verifyTicketPayload(payload: string, known: PublicKeyRing): VerifyResult {
  const m = SHAPE.exec(payload.trim());
  if (!m) return { ok: false, reason: 'format de billet inconnu' };
  const [, body, sig] = m as unknown as [string, string, string];
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'contenu illisible' };
  }
  const c = claims as Record<string, unknown>;
  const publicKey = typeof c?.k === 'string' && Object.hasOwn(known, c.k) ? known[c.k] : undefined;
  if (!publicKey) return { ok: false, reason: 'clé de signature inconnue' };
  const signature = Buffer.from(sig, 'base64url');
  // Only the canonical encoding is accepted, so one ticket has exactly one valid payload string.
  if (signature.length !== 64 || signature.toString('base64url') !== sig || Buffer.from(body, 'base64url').toString('base64url') !== body) {
    return { ok: false, reason: 'encodage non canonique' };
  }
  if (!verify(null, Buffer.from(`${PAYLOAD_PREFIX}.${body}`, 'ascii'), publicKey, signature))
    return { ok: false, reason: 'signature invalide' };
  const code = typeof c.c === 'string' ? normalizeTicketCode(c.c) : null;
  if (!Number.isSafeInteger(c.t) || (c.t as number) <= 0 || !Number.isSafeInteger(c.e) || (c.e as number) <= 0 || !code || code !== c.c) {
    return { ok: false, reason: 'contenu de billet invalide' };
  }
  return { ok: true, claims: { ticketId: c.t as number, eventId: c.e as number, code }, keyId: c.k as string };
}
