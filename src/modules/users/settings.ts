/** The users module's settings, read from the validated environment (config.ts, block "Accounts"). */
import type { Config } from '../../config.js';

export interface AccountSettings {
  loginRateLimit: { max: number; windowMs: number };
  accountRateLimit: { max: number; windowMs: number };
  /** `failures` per account and address; `accountFailures` per account from every address (the slower line). */
  lockout: { failures: number; accountFailures: number; windowMs: number };
  passwordResetUrl: string | undefined;
  emailVerificationUrl: string | undefined;
  google: { clientIds: string[]; jwksUrl: string; issuers: string[] };
  facebook: { appId: string | undefined; appSecret: string | undefined; graphUrl: string };
  socialTimeoutMs: number;
  /** API tokens: idle lifetime and maximum age (API_TOKEN_IDLE_DAYS, API_TOKEN_MAX_AGE_DAYS). */
  tokenLifetime: { idleMs: number; maxAgeMs: number };
  /** Largest profile photo accepted (PHOTO_MAX_BYTES); where photos are stored is the media store's (core/media.ts). */
  photoMaxBytes: number;
}

/** How long the links and codes stay valid (fixed: shorter is safer, longer gains nothing). */
export const PASSWORD_RESET_TTL_MS = 60 * 60_000;
export const EMAIL_VERIFICATION_TTL_MS = 48 * 3600_000;
export const PHONE_CODE_TTL_MS = 10 * 60_000;
export const PHONE_CODE_MAX_TRIES = 5;
/** A new SMS code no sooner than this after the previous one (SMS cost, and a victim's phone spammed). */
export const PHONE_CODE_RESEND_MS = 60_000;

const cache = new WeakMap<Config, AccountSettings>();

export function accountSettings(config: Config): AccountSettings {
  const hit = cache.get(config);
  if (hit) return hit;
  const env = config.env;
  const settings: AccountSettings = {
    loginRateLimit: { max: env.LOGIN_RATE_LIMIT_MAX, windowMs: env.LOGIN_RATE_LIMIT_WINDOW_SECONDS * 1000 },
    accountRateLimit: { max: env.ACCOUNT_RATE_LIMIT_MAX, windowMs: env.ACCOUNT_RATE_LIMIT_WINDOW_SECONDS * 1000 },
    lockout: {
      failures: env.LOGIN_LOCKOUT_FAILURES,
      accountFailures: env.LOGIN_LOCKOUT_ACCOUNT_FAILURES,
      windowMs: env.LOGIN_LOCKOUT_MINUTES * 60_000,
    },
    passwordResetUrl: env.PASSWORD_RESET_URL,
    emailVerificationUrl: env.EMAIL_VERIFICATION_URL,
    google: {
      clientIds: (env.GOOGLE_OAUTH2_CLIENT_ID ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      jwksUrl: env.GOOGLE_JWKS_URL ?? 'https://www.googleapis.com/oauth2/v3/certs',
      issuers: env.GOOGLE_ISSUERS,
    },
    facebook: {
      appId: env.FACEBOOK_APP_ID,
      appSecret: env.FACEBOOK_APP_SECRET,
      graphUrl: (env.FACEBOOK_GRAPH_URL ?? 'https://graph.facebook.com/v19.0').replace(/\/+$/, ''),
    },
    socialTimeoutMs: env.SOCIAL_HTTP_TIMEOUT_MS,
    photoMaxBytes: env.PHOTO_MAX_BYTES,
    tokenLifetime: { idleMs: env.API_TOKEN_IDLE_DAYS * 86_400_000, maxAgeMs: env.API_TOKEN_MAX_AGE_DAYS * 86_400_000 },
  };
  cache.set(config, settings);
  return settings;
}
