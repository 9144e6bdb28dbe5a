/**
 * Opaque secrets (API tokens, reset links): 256 random bits, sent once to the client, stored as SHA-256.
 * A fast hash is right here: unlike passwords, these have full entropy, so there is nothing to brute-force.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function generateSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time string equality for secrets and signatures (lengths may leak, contents do not). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    // Compare against itself anyway so a length mismatch costs about the same time as a content mismatch.
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

export type ParsedAuthorization = { kind: 'none' } | { kind: 'token'; key: string } | { kind: 'invalid'; message: string };

/**
 * `Authorization: Token <key>` (DRF, what the manual's clients send) or `Bearer <key>`.
 * Another scheme (Basic…) is not ours: the request is anonymous, as in DRF.
 */
export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (header === undefined) return { kind: 'none' };
  const parts = header.trim().split(/\s+/);
  const scheme = parts[0]?.toLowerCase();
  if (scheme !== 'token' && scheme !== 'bearer') return { kind: 'none' };
  if (parts.length === 1 || parts[1] === '') {
    return { kind: 'invalid', message: "En-tête d'authentification invalide : aucun jeton fourni." };
  }
  if (parts.length > 2) {
    return { kind: 'invalid', message: "En-tête d'authentification invalide : le jeton ne doit pas contenir d'espaces." };
  }
  const key = parts[1]!;
  if (key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    return { kind: 'invalid', message: "En-tête d'authentification invalide : caractères non autorisés dans le jeton." };
  }
  return { kind: 'token', key };
}
