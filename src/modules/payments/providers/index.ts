/**
 * The provider layer's entry point: build the configured providers from settings. Production code gets its
 * base URLs and credentials from configuration only; whether those point at the real providers or at the
 * local simulator is not something any file here knows.
 */
import type { ProviderDeps } from './http.js';
import { OrangeMoneyProvider } from './orange.js';
import { MtnMomoProvider } from './mtn.js';
import { CinetPayMoovProvider } from './cinetpay.js';
import { WaveCheckoutProvider } from './wave.js';
import type { ProvidersSettings } from './settings.js';
import type { PaymentProvider, Fournisseur } from './types.js';

export type ProviderRegistry = Partial<Record<Fournisseur, PaymentProvider>>;

export function createProviders(s: ProvidersSettings, deps: ProviderDeps = {}): ProviderRegistry {
  const r: ProviderRegistry = {};
  if (s.orange) r.ORANGE_MONEY = new OrangeMoneyProvider(s.orange, s.common, deps);
  if (s.mtn) r.MTN_MONEY = new MtnMomoProvider(s.mtn, s.common, deps);
  if (s.cinetpay) r.MOOV_MONEY = new CinetPayMoovProvider(s.cinetpay, s.common, deps);
  if (s.wave) r.WAVE = new WaveCheckoutProvider(s.wave, s.common, deps);
  return r;
}

export * from './types.js';
export { OrangeMoneyProvider, MtnMomoProvider, CinetPayMoovProvider, WaveCheckoutProvider };
export { providerSettingsFromConfig, anyLiveProvider, type ProvidersSettings } from './settings.js';
export type { ProviderDeps } from './http.js';
