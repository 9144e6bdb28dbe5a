/**
 * Callback authentication primitives. Every comparison of a secret-derived value is constant-time so an
 * attacker cannot learn a valid token or signature byte by byte from response times.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../../core/tokens.js';

export function hmacSha256Hex(secret: string, data: string | Buffer): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

/** The 16 fields of a CinetPay notification, in the order the x-token HMAC concatenates them. */
export const CINETPAY_TOKEN_FIELDS = [
  'cpm_site_id',
  'cpm_trans_id',
  'cpm_trans_date',
  'cpm_amount',
  'cpm_currency',
  'signature',
  'payment_method',
  'cel_phone_num',
  'cpm_phone_prefixe',
  'cpm_language',
  'cpm_version',
  'cpm_payment_config',
  'cpm_page_action',
  'cpm_custom',
  'cpm_designation',
  'cpm_error_message',
] as const;

/** CinetPay's x-token: hex HMAC-SHA256(secret key, the 16 values concatenated in order, absent ones empty). */
export function cinetpayToken(secretKey: string, fields: Record<string, string | undefined>): string {
  return hmacSha256Hex(secretKey, CINETPAY_TOKEN_FIELDS.map((f) => fields[f] ?? '').join(''));
}

export function verifyCinetpayToken(secretKey: string, fields: Record<string, string | undefined>, xToken: string): boolean {
  return safeEqual(cinetpayToken(secretKey, fields), xToken.trim().toLowerCase());
}

/** Parses `Wave-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]` (several v1 while Wave rotates a secret). */
export function parseWaveSignatureHeader(header: string): { t: number; v1: string[] } | null {
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-fA-F]{64}$/.test(v)) v1.push(v.toLowerCase());
  }
  return t === undefined || v1.length === 0 ? null : { t, v1 };
}

/** Wave's v1: hex HMAC-SHA256(webhook secret, t + raw body), no separator, over the exact bytes received. */
export function waveSignature(secret: string, t: number, rawBody: Buffer): string {
  return hmacSha256Hex(secret, Buffer.concat([Buffer.from(String(t), 'utf8'), rawBody]));
}

export const WAVE_TOLERANCE_SECONDS = 300;

export type WaveVerification = { ok: true; t: number } | { ok: false; reason: string };

/**
 * A Wave webhook is genuine when one v1 matches, and fresh when its t is within 5 minutes of now: a captured
 * request replayed later is refused even though its signature is valid.
 */
export function verifyWaveSignature(
  secret: string,
  header: string | undefined,
  rawBody: Buffer,
  nowSeconds: number,
  toleranceSeconds = WAVE_TOLERANCE_SECONDS,
): WaveVerification {
  if (!header) return { ok: false, reason: 'en-tête Wave-Signature absent' };
  const parsed = parseWaveSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'en-tête Wave-Signature illisible' };
  const expected = waveSignature(secret, parsed.t, rawBody);
  // Check every candidate without stopping early, so timing says nothing about which one matched.
  let match = false;
  for (const v of parsed.v1) match = safeEqual(expected, v) || match;
  if (!match) return { ok: false, reason: 'signature Wave invalide' };
  if (Math.abs(nowSeconds - parsed.t) > toleranceSeconds) return { ok: false, reason: 'signature Wave périmée (plus de 5 minutes)' };
  return { ok: true, t: parsed.t };
}
