/**
 * Checking what a mobile app hands us after "Sign in with Google/Facebook". Nothing the client says is
 * trusted: a Google ID token must carry Google's signature (keys from the JWKS URL), Google as issuer, our
 * client id as audience and an unexpired `exp`; a Facebook access token must be declared valid *for our app*
 * by the Graph API's debug_token (a token issued to another app would otherwise log its holder in here).
 */
import { createHmac } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, errors as joseErrors } from 'jose';
import { AppError, BadRequestError } from '../../core/errors.js';
import type { AccountSettings } from './settings.js';

export interface SocialProfile {
  provider: 'google' | 'facebook';
  subject: string;
  email: string | null;
  emailVerified: boolean;
  firstName: string;
  lastName: string;
}

export class ProviderUnavailableError extends AppError {
  constructor(message: string, code = 'provider_unavailable') {
    super(503, code, message);
  }
}

// One key set per URL: jose caches the keys and refetches on an unknown `kid` (Google rotates them).
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

export async function verifyGoogleIdToken(idToken: string, settings: AccountSettings): Promise<SocialProfile> {
  const g = settings.google;
  if (!g.clientIds.length) throw new ProviderUnavailableError("La connexion avec Google n'est pas configurée.", 'not_configured');
  const key = `${g.jwksUrl}|${settings.socialTimeoutMs}`;
  let jwks = keySets.get(key);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(g.jwksUrl), { timeoutDuration: settings.socialTimeoutMs });
    keySets.set(key, jwks);
  }
  let payload;
  try {
    ({ payload } = await jwtVerify(idToken, jwks, {
      issuer: g.issuers,
      audience: g.clientIds,
      algorithms: ['RS256'],
      requiredClaims: ['sub', 'exp', 'iat'],
    }));
  } catch (err) {
    throw googleError(err);
  }
  return {
    provider: 'google',
    subject: String(payload.sub),
    email: typeof payload.email === 'string' ? payload.email : null,
    emailVerified: payload.email_verified === true || payload.email_verified === 'true',
    firstName: typeof payload.given_name === 'string' ? payload.given_name.slice(0, 150) : '',
    lastName: typeof payload.family_name === 'string' ? payload.family_name.slice(0, 150) : '',
  };
}

function googleError(err: unknown): AppError {
  if (err instanceof joseErrors.JWTExpired)
    return new BadRequestError('Jeton Google expiré. Reconnectez-vous avec Google.', 'invalid_social_token');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return new BadRequestError('Jeton Google destiné à une autre application.', 'invalid_social_token');
    if (err.claim === 'iss') return new BadRequestError('Jeton Google invalide : émetteur inconnu.', 'invalid_social_token');
    return new BadRequestError(`Jeton Google invalide (${err.claim}).`, 'invalid_social_token');
  }
  if (err instanceof joseErrors.JWKSTimeout) return new ProviderUnavailableError('Google ne répond pas. Réessayez plus tard.');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey) {
    return new BadRequestError('Jeton Google invalide : signature incorrecte.', 'invalid_social_token');
  }
  if (
    err instanceof joseErrors.JWSInvalid ||
    err instanceof joseErrors.JWTInvalid ||
    err instanceof joseErrors.JOSEAlgNotAllowed ||
    err instanceof joseErrors.JOSENotSupported ||
    err instanceof joseErrors.JWKSMultipleMatchingKeys
  ) {
    return new BadRequestError('Jeton Google invalide.', 'invalid_social_token');
  }
  // Anything else is the key set's fetch failing (network, bad answer from Google).
  return new ProviderUnavailableError('Impossible de vérifier le jeton auprès de Google. Réessayez plus tard.');
}

interface DebugToken {
  data?: { app_id?: string; is_valid?: boolean; user_id?: string; expires_at?: number; error?: { message?: string } };
  error?: { message?: string };
}

async function graphGet<T>(url: string, timeoutMs: number): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch {
    throw new ProviderUnavailableError('Facebook ne répond pas. Réessayez plus tard.');
  }
  if (res.status >= 500) throw new ProviderUnavailableError('Facebook est indisponible. Réessayez plus tard.');
  let body: T;
  try {
    body = (await res.json()) as T;
  } catch {
    throw new ProviderUnavailableError('Réponse illisible de Facebook. Réessayez plus tard.');
  }
  return { status: res.status, body };
}

export async function verifyFacebookToken(accessToken: string, settings: AccountSettings): Promise<SocialProfile> {
  const fb = settings.facebook;
  if (!fb.appId || !fb.appSecret) throw new ProviderUnavailableError("La connexion avec Facebook n'est pas configurée.", 'not_configured');
  const invalid = new BadRequestError('Jeton Facebook invalide ou expiré.', 'invalid_social_token');
  const debug = await graphGet<DebugToken>(
    `${fb.graphUrl}/debug_token?${new URLSearchParams({ input_token: accessToken, access_token: `${fb.appId}|${fb.appSecret}` })}`,
    settings.socialTimeoutMs,
  );
  const d = debug.body.data;
  if (debug.status !== 200 || !d || d.is_valid !== true || !d.user_id) throw invalid;
  if (String(d.app_id) !== fb.appId) throw new BadRequestError('Jeton Facebook destiné à une autre application.', 'invalid_social_token');
  if (d.expires_at && d.expires_at !== 0 && d.expires_at * 1000 < Date.now()) throw invalid;

  // appsecret_proof: Facebook refuses the call unless it comes from the holder of the app secret.
  const proof = createHmac('sha256', fb.appSecret).update(accessToken).digest('hex');
  const me = await graphGet<{ id?: string; email?: string; first_name?: string; last_name?: string }>(
    `${fb.graphUrl}/me?${new URLSearchParams({ fields: 'id,email,first_name,last_name', access_token: accessToken, appsecret_proof: proof })}`,
    settings.socialTimeoutMs,
  );
  if (me.status !== 200 || !me.body.id || String(me.body.id) !== String(d.user_id)) throw invalid;
  return {
    provider: 'facebook',
    subject: String(me.body.id),
    email: me.body.email ?? null,
    // Facebook only shares a confirmed primary address.
    emailVerified: !!me.body.email,
    firstName: (me.body.first_name ?? '').slice(0, 150),
    lastName: (me.body.last_name ?? '').slice(0, 150),
  };
}
