/**
 * The credentials the simulator accepts, and the provider settings that point SpotVibe's real clients at it.
 * These are development values with no meaning anywhere else; they exist so that the clients' authentication
 * code (Basic token calls, subscription keys, HMAC signatures) runs for real against the simulator.
 */
import type { CommonSettings, ProvidersSettings } from '../providers/settings.js';

export interface SimulatorCredentials {
  orange: { clientId: string; clientSecret: string; merchantKey: string; country: string };
  mtn: {
    targetEnvironment: string;
    collection: { subscriptionKey: string; apiUser: string; apiKey: string };
    disbursement: { subscriptionKey: string; apiUser: string; apiKey: string };
  };
  cinetpay: { siteId: string; apiKey: string; secretKey: string };
  wave: { apiKey: string; webhookSecret: string };
}

export const SIMULATOR_CREDENTIALS: SimulatorCredentials = {
  // Orange's sandbox country is `dev` (currency OUV); MTN's sandbox environment is `sandbox` (currency EUR).
  orange: {
    clientId: 'simulateur-orange',
    clientSecret: 'secret-simulateur-orange',
    merchantKey: 'cle-marchand-simulateur',
    country: 'dev',
  },
  mtn: {
    targetEnvironment: 'sandbox',
    collection: {
      subscriptionKey: 'cle-collection-simulateur',
      apiUser: '6f1c2d0e-7a4b-4e2f-9c1d-3b5a7e9f0a12',
      apiKey: 'cle-api-collection-simulateur',
    },
    disbursement: {
      subscriptionKey: 'cle-disbursement-simulateur',
      apiUser: '0d2b5a8e-1f47-4e8a-9c6f-3f9a1c2e7b4d',
      apiKey: 'cle-api-disbursement-simulateur',
    },
  },
  cinetpay: { siteId: '5870000', apiKey: 'cle-api-cinetpay-simulateur', secretKey: 'cle-secrete-cinetpay-simulateur' },
  wave: { apiKey: 'wave_sn_simulateur_cle_api', webhookSecret: 'wave_sn_WHS_simulateur_secret' },
};

/** Provider settings for a simulator listening at `url`: the same shape live credentials produce. */
export function simulatorProviderSettings(
  url: string,
  common: CommonSettings,
  c: SimulatorCredentials = SIMULATOR_CREDENTIALS,
): ProvidersSettings {
  const base = url.replace(/\/+$/, '');
  return {
    common,
    orange: {
      baseUrl: base,
      tokenUrl: `${base}/oauth/v3/token`,
      tokenAuthorization: `Basic ${Buffer.from(`${c.orange.clientId}:${c.orange.clientSecret}`).toString('base64')}`,
      merchantKey: c.orange.merchantKey,
      country: c.orange.country,
      currency: c.orange.country === 'dev' ? 'OUV' : 'XOF',
    },
    mtn: {
      baseUrl: base,
      targetEnvironment: c.mtn.targetEnvironment,
      currency: c.mtn.targetEnvironment === 'sandbox' ? 'EUR' : 'XOF',
      collection: { ...c.mtn.collection },
      disbursement: { ...c.mtn.disbursement },
      notFoundGraceSeconds: 48 * 3600,
    },
    cinetpay: {
      baseUrl: base,
      siteId: c.cinetpay.siteId,
      apiKey: c.cinetpay.apiKey,
      secretKey: c.cinetpay.secretKey,
      channel: 'MOBILE_MONEY',
      currency: 'XOF',
      notFoundGraceSeconds: 48 * 3600,
    },
    wave: { baseUrl: base, apiKey: c.wave.apiKey, webhookSecret: c.wave.webhookSecret, currency: 'XOF' },
    missing: {},
  };
}

/** The same settings as environment variables, printed by `npm run simulator` for a server run apart. */
export function simulatorEnv(url: string, c: SimulatorCredentials = SIMULATOR_CREDENTIALS): Record<string, string> {
  const base = url.replace(/\/+$/, '');
  return {
    ORANGE_MONEY_BASE_URL: base,
    ORANGE_MONEY_TOKEN_URL: `${base}/oauth/v3/token`,
    ORANGE_MONEY_CLIENT_ID: c.orange.clientId,
    ORANGE_MONEY_CLIENT_SECRET: c.orange.clientSecret,
    ORANGE_MONEY_MERCHANT_KEY: c.orange.merchantKey,
    ORANGE_MONEY_COUNTRY: c.orange.country,
    MTN_MONEY_BASE_URL: base,
    MTN_MONEY_TARGET_ENVIRONMENT: c.mtn.targetEnvironment,
    MTN_MONEY_SUBSCRIPTION_KEY: c.mtn.collection.subscriptionKey,
    MTN_MONEY_API_USER: c.mtn.collection.apiUser,
    MTN_MONEY_API_KEY: c.mtn.collection.apiKey,
    MTN_MONEY_DISBURSEMENT_SUBSCRIPTION_KEY: c.mtn.disbursement.subscriptionKey,
    MTN_MONEY_DISBURSEMENT_API_USER: c.mtn.disbursement.apiUser,
    MTN_MONEY_DISBURSEMENT_API_KEY: c.mtn.disbursement.apiKey,
    CINETPAY_BASE_URL: base,
    CINETPAY_SITE_ID: c.cinetpay.siteId,
    CINETPAY_API_KEY: c.cinetpay.apiKey,
    CINETPAY_SECRET_KEY: c.cinetpay.secretKey,
    WAVE_BASE_URL: base,
    WAVE_API_KEY: c.wave.apiKey,
    WAVE_WEBHOOK_SECRET: c.wave.webhookSecret,
  };
}
