import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../config.js';
import { anyLiveProvider, providerSettingsFromConfig, withReference } from './settings.js';
import { simulatorEnv } from '../simulator/credentials.js';
import { createProviders } from './index.js';

test('no credentials: no provider, each one says which variables it needs', () => {
  const s = providerSettingsFromConfig(loadConfig({}));
  assert.equal(anyLiveProvider(s), false);
  assert.deepEqual([s.orange, s.mtn, s.cinetpay, s.wave], [null, null, null, null]);
  assert.deepEqual(s.missing.WAVE, ['WAVE_API_KEY', 'WAVE_WEBHOOK_SECRET']);
  assert.ok(s.missing.MTN_MONEY?.includes('MTN_MONEY_API_USER'));
  assert.equal(s.common.webhookBaseUrl, 'http://127.0.0.1:8000');
  assert.equal(s.common.timeoutMs, 15_000);
});

test('the variables a simulator prints configure all four providers through the ordinary configuration', () => {
  const s = providerSettingsFromConfig(
    loadConfig({ ...simulatorEnv('http://127.0.0.1:8900'), PUBLIC_BASE_URL: 'https://api.spotvibe.ci' }),
  );
  assert.equal(anyLiveProvider(s), true);
  assert.equal(s.orange?.currency, 'OUV');
  assert.equal(s.mtn?.currency, 'EUR');
  assert.ok(s.mtn?.disbursement);
  assert.equal(s.cinetpay?.channel, 'MOBILE_MONEY');
  assert.equal(s.common.webhookBaseUrl, 'https://api.spotvibe.ci');
  assert.deepEqual(Object.keys(createProviders(s)).sort(), ['MOOV_MONEY', 'MTN_MONEY', 'ORANGE_MONEY', 'WAVE']);
});

test("the manual's variables work: ORANGE_MONEY_API_KEY as the Basic header, MOOV_MONEY_API_KEY as CinetPay's key", () => {
  const s = providerSettingsFromConfig(
    loadConfig({
      ORANGE_MONEY_API_KEY: 'YWJjOmRlZg==',
      ORANGE_MONEY_MERCHANT_KEY: 'mk',
      MOOV_MONEY_API_KEY: 'moov-key',
      CINETPAY_SITE_ID: '1',
      CINETPAY_SECRET_KEY: 's',
      MTN_MONEY_SUBSCRIPTION_KEY: 'sub',
      MTN_MONEY_API_USER: 'u',
      MTN_MONEY_API_KEY: 'k',
    }),
  );
  assert.equal(s.orange?.tokenAuthorization, 'Basic YWJjOmRlZg==');
  assert.equal(s.orange?.currency, 'XOF');
  assert.equal(s.orange?.country, 'ci');
  assert.equal(s.cinetpay?.apiKey, 'moov-key');
  assert.equal(s.mtn?.targetEnvironment, 'mtnivorycoast');
  assert.equal(s.mtn?.currency, 'XOF');
  assert.equal(s.mtn?.disbursement, null);
});

test('bad values are refused at boot with the variable named', () => {
  assert.throws(() => loadConfig({ ORANGE_MONEY_COUNTRY: 'Côte' }), /ORANGE_MONEY_COUNTRY/);
  assert.throws(() => loadConfig({ WAVE_BASE_URL: 'ftp://x' }), /WAVE_BASE_URL/);
  assert.throws(() => loadConfig({ PAYMENT_PROVIDER_TIMEOUT_MS: '10' }), /PAYMENT_PROVIDER_TIMEOUT_MS/);
});

test('return URLs carry our reference', () => {
  assert.equal(withReference('https://spotvibe.ci/retour/?a=1', 'SV-1'), 'https://spotvibe.ci/retour/?a=1&reference=SV-1');
});
