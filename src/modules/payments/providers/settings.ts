/**
 * Provider settings from the validated configuration. A provider whose credentials are incomplete is left
 * out (null) with the names of the missing variables, so the server can say what to set, and so that "no
 * provider configured at all" can start the local simulator instead (see simulator/).
 */
import type { Config } from '../../../config.js';
import { defaultMtnCurrency, defaultOrangeCurrency } from './format.js';
import type { Fournisseur } from './types.js';

export interface CommonSettings {
  timeoutMs: number;
  /** Where a redirect provider sends the buyer after paying / cancelling (our reference is appended). */
  returnUrl: string;
  cancelUrl: string;
  /** Origin of our webhooks: `${webhookBaseUrl}/api/payments/webhooks/{orange,mtn,moov,wave}/`. */
  webhookBaseUrl: string;
}

export interface OrangeSettings {
  baseUrl: string;
  tokenUrl: string;
  /** The `Authorization` header for the token call: `Basic base64(client_id:client_secret)`. */
  tokenAuthorization: string;
  merchantKey: string;
  country: string;
  currency: string;
}

export interface MtnCredentials {
  subscriptionKey: string;
  apiUser: string;
  apiKey: string;
}

export interface MtnSettings {
  baseUrl: string;
  targetEnvironment: string;
  currency: string;
  collection: MtnCredentials;
  /** Refunds go through the Disbursement product, with its own subscription key and API user. */
  disbursement: MtnCredentials | null;
  /**
   * How long a 404 on a request we may have sent is still asked about (PAYMENT_UNCONFIRMED_WINDOW_HOURS): MTN's
   * definition gives no ground to read a 404 as final, so only this long window ends it.
   */
  notFoundGraceSeconds: number;
}

export interface CinetPaySettings {
  baseUrl: string;
  siteId: string;
  apiKey: string;
  secretKey: string;
  channel: string;
  currency: string;
  notFoundGraceSeconds: number;
}

export interface WaveSettings {
  baseUrl: string;
  apiKey: string;
  webhookSecret: string;
  currency: string;
}

export interface ProvidersSettings {
  common: CommonSettings;
  orange: OrangeSettings | null;
  mtn: MtnSettings | null;
  cinetpay: CinetPaySettings | null;
  wave: WaveSettings | null;
  /** For each provider left out, the variables that would enable it. */
  missing: Partial<Record<Fournisseur, string[]>>;
}

export const DEFAULT_BASE_URLS = {
  orange: 'https://api.orange.com',
  orangeToken: 'https://api.orange.com/oauth/v3/token',
  mtn: 'https://proxy.momoapi.mtn.com',
  cinetpay: 'https://api-checkout.cinetpay.com',
  wave: 'https://api.wave.com',
} as const;

const strip = (u: string) => u.replace(/\/+$/, '');

export function providerSettingsFromConfig(config: Config): ProvidersSettings {
  const env = config.env;
  const listenHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const webhookBaseUrl = strip(env.PAYMENT_WEBHOOK_BASE_URL ?? config.publicBaseUrl ?? `http://${listenHost}:${config.port}`);
  const common: CommonSettings = {
    timeoutMs: env.PAYMENT_PROVIDER_TIMEOUT_MS,
    webhookBaseUrl,
    returnUrl: env.PAYMENT_RETURN_URL ?? `${webhookBaseUrl}/paiement/retour/`,
    cancelUrl: env.PAYMENT_CANCEL_URL ?? `${webhookBaseUrl}/paiement/annule/`,
  };
  const missing: Partial<Record<Fournisseur, string[]>> = {};
  const need = (id: Fournisseur, pairs: [string, string | undefined][]): boolean => {
    const absent = pairs.filter(([, v]) => !v).map(([k]) => k);
    if (absent.length) missing[id] = absent;
    return absent.length === 0;
  };

  // Orange: the portal gives client id + secret, or directly the Basic header value (the manual's API key).
  const orangeAuth =
    env.ORANGE_MONEY_CLIENT_ID && env.ORANGE_MONEY_CLIENT_SECRET
      ? `Basic ${Buffer.from(`${env.ORANGE_MONEY_CLIENT_ID}:${env.ORANGE_MONEY_CLIENT_SECRET}`).toString('base64')}`
      : env.ORANGE_MONEY_API_KEY
        ? /^basic /i.test(env.ORANGE_MONEY_API_KEY)
          ? env.ORANGE_MONEY_API_KEY
          : `Basic ${env.ORANGE_MONEY_API_KEY}`
        : undefined;
  const orange = need('ORANGE_MONEY', [
    ['ORANGE_MONEY_MERCHANT_KEY', env.ORANGE_MONEY_MERCHANT_KEY],
    ['ORANGE_MONEY_CLIENT_ID + ORANGE_MONEY_CLIENT_SECRET (ou ORANGE_MONEY_API_KEY)', orangeAuth],
  ])
    ? {
        baseUrl: strip(env.ORANGE_MONEY_BASE_URL ?? DEFAULT_BASE_URLS.orange),
        tokenUrl: env.ORANGE_MONEY_TOKEN_URL ?? DEFAULT_BASE_URLS.orangeToken,
        tokenAuthorization: orangeAuth!,
        merchantKey: env.ORANGE_MONEY_MERCHANT_KEY!,
        country: env.ORANGE_MONEY_COUNTRY,
        currency: env.ORANGE_MONEY_CURRENCY ?? defaultOrangeCurrency(env.ORANGE_MONEY_COUNTRY),
      }
    : null;

  const mtn = need('MTN_MONEY', [
    ['MTN_MONEY_SUBSCRIPTION_KEY', env.MTN_MONEY_SUBSCRIPTION_KEY],
    ['MTN_MONEY_API_USER', env.MTN_MONEY_API_USER],
    ['MTN_MONEY_API_KEY', env.MTN_MONEY_API_KEY],
  ])
    ? {
        baseUrl: strip(env.MTN_MONEY_BASE_URL ?? DEFAULT_BASE_URLS.mtn),
        targetEnvironment: env.MTN_MONEY_TARGET_ENVIRONMENT,
        currency: env.MTN_MONEY_CURRENCY ?? defaultMtnCurrency(env.MTN_MONEY_TARGET_ENVIRONMENT),
        collection: { subscriptionKey: env.MTN_MONEY_SUBSCRIPTION_KEY!, apiUser: env.MTN_MONEY_API_USER!, apiKey: env.MTN_MONEY_API_KEY! },
        disbursement:
          env.MTN_MONEY_DISBURSEMENT_SUBSCRIPTION_KEY && env.MTN_MONEY_DISBURSEMENT_API_USER && env.MTN_MONEY_DISBURSEMENT_API_KEY
            ? {
                subscriptionKey: env.MTN_MONEY_DISBURSEMENT_SUBSCRIPTION_KEY,
                apiUser: env.MTN_MONEY_DISBURSEMENT_API_USER,
                apiKey: env.MTN_MONEY_DISBURSEMENT_API_KEY,
              }
            : null,
        notFoundGraceSeconds: env.PAYMENT_UNCONFIRMED_WINDOW_HOURS * 3600,
      }
    : null;

  // Moov Money goes through CinetPay; the manual's MOOV_MONEY_API_KEY is CinetPay's API key.
  const cinetpayKey = env.CINETPAY_API_KEY ?? env.MOOV_MONEY_API_KEY;
  const cinetpay = need('MOOV_MONEY', [
    ['CINETPAY_SITE_ID', env.CINETPAY_SITE_ID],
    ['CINETPAY_API_KEY (ou MOOV_MONEY_API_KEY)', cinetpayKey],
    ['CINETPAY_SECRET_KEY', env.CINETPAY_SECRET_KEY],
  ])
    ? {
        baseUrl: strip(env.CINETPAY_BASE_URL ?? DEFAULT_BASE_URLS.cinetpay),
        siteId: env.CINETPAY_SITE_ID!,
        apiKey: cinetpayKey!,
        secretKey: env.CINETPAY_SECRET_KEY!,
        channel: env.MOOV_MONEY_CHANNEL,
        currency: 'XOF',
        notFoundGraceSeconds: env.PAYMENT_UNCONFIRMED_WINDOW_HOURS * 3600,
      }
    : null;

  const wave = need('WAVE', [
    ['WAVE_API_KEY', env.WAVE_API_KEY],
    ['WAVE_WEBHOOK_SECRET', env.WAVE_WEBHOOK_SECRET],
  ])
    ? {
        baseUrl: strip(env.WAVE_BASE_URL ?? DEFAULT_BASE_URLS.wave),
        apiKey: env.WAVE_API_KEY!,
        webhookSecret: env.WAVE_WEBHOOK_SECRET!,
        currency: 'XOF',
      }
    : null;

  return { common, orange, mtn, cinetpay, wave, missing };
}

/** True when at least one real provider has credentials: the server then talks to providers, not the simulator. */
export function anyLiveProvider(s: ProvidersSettings): boolean {
  return !!(s.orange || s.mtn || s.cinetpay || s.wave);
}

/** Our webhook URL for a provider (`orange`, `mtn`, `moov`, `wave`). */
export function webhookUrl(common: CommonSettings, path: 'orange' | 'mtn' | 'moov' | 'wave'): string {
  return `${common.webhookBaseUrl}/api/payments/webhooks/${path}/`;
}

/** A configured return/cancel URL with our reference appended, so the page the buyer lands on can show it. */
export function withReference(url: string, reference: string): string {
  const u = new URL(url);
  u.searchParams.set('reference', reference);
  return u.toString();
}
