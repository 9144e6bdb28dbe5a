import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cinetpayToken, parseWaveSignatureHeader, verifyCinetpayToken, verifyWaveSignature, waveSignature } from './signatures.js';
import { safeEqual as constantTimeEqual } from '../../../core/tokens.js';

// Expected values computed outside this code base with `openssl dgst -sha256 -hmac <secret>`.
const WAVE_BODY = Buffer.from('{"id":"AE_1","type":"checkout.session.completed"}');
const WAVE_V1 = 'a390fe29da67ade98e313d253d40585b1652598a5085f6ce011a3dfe1898cd4a';
const CINETPAY_FIELDS = {
  cpm_site_id: '5870000',
  cpm_trans_id: 'SV-123',
  cpm_trans_date: '2024-01-15 12:00:00',
  cpm_amount: '5000',
  cpm_currency: 'XOF',
  signature: 'sig',
  payment_method: 'FLOOZ',
  cel_phone_num: '0101020304',
  cpm_phone_prefixe: '225',
  cpm_language: 'fr',
  cpm_version: 'V4',
  cpm_payment_config: 'SINGLE',
  cpm_page_action: 'PAYMENT',
  cpm_custom: '',
  cpm_designation: 'Billets x2',
  cpm_error_message: 'SUCCES',
};
const CINETPAY_TOKEN = '7475db01519ec6bce2f0cbd6e126316811bfcef25c05dd30de53b3e016643139';

test('Wave v1 is HMAC-SHA256 of t + raw body with no separator (known answer)', () => {
  assert.equal(waveSignature('wave_sn_WHS_test', 1_700_000_000, WAVE_BODY), WAVE_V1);
});

test('a Wave signature is accepted when genuine and fresh, refused when tampered, stale or from the future', () => {
  const header = `t=1700000000,v1=${WAVE_V1}`;
  assert.deepEqual(verifyWaveSignature('wave_sn_WHS_test', header, WAVE_BODY, 1_700_000_100), { ok: true, t: 1_700_000_000 });
  const tampered = Buffer.from(WAVE_BODY.toString().replace('completed', 'completee'));
  assert.equal(verifyWaveSignature('wave_sn_WHS_test', header, tampered, 1_700_000_100).ok, false);
  assert.equal(verifyWaveSignature('autre-secret', header, WAVE_BODY, 1_700_000_100).ok, false);
  const stale = verifyWaveSignature('wave_sn_WHS_test', header, WAVE_BODY, 1_700_000_301);
  assert.deepEqual(stale, { ok: false, reason: 'signature Wave périmée (plus de 5 minutes)' });
  assert.equal(verifyWaveSignature('wave_sn_WHS_test', header, WAVE_BODY, 1_699_999_000).ok, false);
  assert.equal(verifyWaveSignature('wave_sn_WHS_test', undefined, WAVE_BODY, 1_700_000_000).ok, false);
  assert.equal(verifyWaveSignature('wave_sn_WHS_test', 'v1=abc', WAVE_BODY, 1_700_000_000).ok, false);
});

test('a Wave header may carry several v1 (secret rotation): one match is enough', () => {
  const header = `t=1700000000,v1=${'0'.repeat(64)},v1=${WAVE_V1}`;
  assert.equal(verifyWaveSignature('wave_sn_WHS_test', header, WAVE_BODY, 1_700_000_000).ok, true);
  assert.deepEqual(parseWaveSignatureHeader('t=12, v1=' + 'A'.repeat(64)), { t: 12, v1: ['a'.repeat(64)] });
  assert.equal(parseWaveSignatureHeader('t=abc,v1=' + 'a'.repeat(64)), null);
});

test('CinetPay x-token is HMAC-SHA256 of the 16 fields in order (known answer)', () => {
  assert.equal(cinetpayToken('secret-cinetpay', CINETPAY_FIELDS), CINETPAY_TOKEN);
  assert.equal(verifyCinetpayToken('secret-cinetpay', CINETPAY_FIELDS, CINETPAY_TOKEN.toUpperCase()), true);
  assert.equal(verifyCinetpayToken('secret-cinetpay', { ...CINETPAY_FIELDS, cpm_amount: '50' }, CINETPAY_TOKEN), false);
  assert.equal(verifyCinetpayToken('autre', CINETPAY_FIELDS, CINETPAY_TOKEN), false);
  // CinetPay's scheme has no separators: text moved between adjacent fields keeps the same token. That is
  // the provider's design, and one reason every notification is confirmed with /v2/payment/check.
  assert.equal(
    verifyCinetpayToken('secret-cinetpay', { ...CINETPAY_FIELDS, cpm_custom: 'Billets x2', cpm_designation: '' }, CINETPAY_TOKEN),
    true,
  );
});

test('constant-time comparison is plain equality in result', () => {
  assert.equal(constantTimeEqual('abc', 'abc'), true);
  assert.equal(constantTimeEqual('abc', 'abd'), false);
  assert.equal(constantTimeEqual('abc', 'abcd'), false);
  assert.equal(constantTimeEqual('', ''), true);
});
