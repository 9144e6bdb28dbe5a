/**
 * The Ed25519 key that signs ticket QR codes. Ed25519 because a door-scanning app can then verify a ticket
 * offline with the public key alone (an HMAC would need the secret on every phone, and anyone holding it
 * could mint tickets), and because its signatures are small (64 bytes) for a QR code.
 *
 * TICKET_SIGNING_PRIVATE_KEY holds the key (PEM PKCS#8, as `openssl genpkey -algorithm ed25519` writes it,
 * or the 32-byte seed in base64/base64url). Without it, the key is derived from SECRET_KEY with HKDF-SHA256
 * under a label of its own: the derived key reveals nothing about SECRET_KEY (publishing its public key is
 * safe), no other use of SECRET_KEY can produce it, and a development machine needs no extra setting. The
 * cost: rotating SECRET_KEY changes the ticket key and invalidates printed QR codes, which is why production
 * should set its own key. In development SECRET_KEY is a public default, so development tickets are forgeable
 * by design; production refuses that default (see config.ts).
 */
import { createHash, createPrivateKey, createPublicKey, hkdfSync, type KeyObject } from 'node:crypto';

export interface TicketSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Names the key inside each payload, so keys can be rotated while old tickets still verify. */
  keyId: string;
  /** The raw 32-byte public key in base64url, what a scanning app embeds. */
  publicKeyRaw: string;
  publicKeyPem: string;
}

/** PKCS#8 DER header for an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const HKDF_INFO = 'spotvibe/tickets/qr-signing/ed25519/v1';

export function keyFromSeed(seed: Buffer): TicketSigningKey {
  if (seed.length !== 32) throw new Error('la graine Ed25519 doit faire 32 octets');
  return fromPrivate(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
}

function fromPrivate(privateKey: KeyObject): TicketSigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('TICKET_SIGNING_PRIVATE_KEY doit être une clé Ed25519');
  const publicKey = createPublicKey(privateKey);
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return {
    privateKey,
    publicKey,
    keyId: createHash('sha256').update(raw).digest('base64url').slice(0, 8),
    publicKeyRaw: raw.toString('base64url'),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** Reads TICKET_SIGNING_PRIVATE_KEY; throws a message naming the variable when it is not a usable key. */
export function parseTicketSigningKey(value: string): TicketSigningKey {
  const v = value.trim().replace(/\\n/g, '\n');
  try {
    if (v.includes('-----BEGIN')) return fromPrivate(createPrivateKey({ key: v, format: 'pem' }));
    if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) {
      const bytes = Buffer.from(v, /[-_]/.test(v) ? 'base64url' : 'base64');
      if (bytes.length === 32) return keyFromSeed(bytes);
      if (bytes.length === 48) return fromPrivate(createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' }));
    }
  } catch (err) {
    throw new Error(`TICKET_SIGNING_PRIVATE_KEY: clé illisible (${(err as Error).message})`);
  }
  throw new Error('TICKET_SIGNING_PRIVATE_KEY: clé Ed25519 attendue (PEM PKCS#8, ou graine de 32 octets en base64)');
}

export function deriveTicketSigningKey(secretKey: string): TicketSigningKey {
  const seed = Buffer.from(hkdfSync('sha256', secretKey, 'spotvibe-tickets', HKDF_INFO, 32));
  return keyFromSeed(seed);
}

/** The key for this server: the configured one, else one derived from SECRET_KEY. */
export function ticketSigningKey(config: {
  secretKey: string;
  env: { TICKET_SIGNING_PRIVATE_KEY?: string | undefined };
}): TicketSigningKey {
  const configured = config.env.TICKET_SIGNING_PRIVATE_KEY;
  return configured ? parseTicketSigningKey(configured) : deriveTicketSigningKey(config.secretKey);
}
