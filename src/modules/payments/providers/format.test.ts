import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultMtnCurrency,
  defaultOrangeCurrency,
  formatCinetPayAmount,
  formatMtnAmount,
  formatOrangeAmount,
  formatWaveAmount,
  parseProviderAmount,
  safeReference,
  sanitizeMtnMessage,
  toMsisdn,
} from './format.js';
import { InvalidAmountError } from './types.js';

test('Orange takes an integer amount', () => {
  assert.equal(formatOrangeAmount(5000), 5000);
  assert.equal(typeof formatOrangeAmount(5000), 'number');
});

test('MTN and Wave take the amount as a string of digits', () => {
  assert.equal(formatMtnAmount(5000), '5000');
  assert.equal(formatWaveAmount(12_500), '12500');
  // Never exponent notation or separators, whatever the size.
  assert.equal(formatMtnAmount(10_000_000), '10000000');
});

test('CinetPay takes an integer multiple of 5 and refuses anything else before calling', () => {
  assert.equal(formatCinetPayAmount(2500), 2500);
  assert.equal(formatCinetPayAmount(5), 5);
  assert.throws(
    () => formatCinetPayAmount(2501),
    (e: unknown) => e instanceof InvalidAmountError && /multiples de 5/.test(e.message) && e.provider === 'MOOV_MONEY',
  );
  assert.throws(() => formatCinetPayAmount(3), InvalidAmountError);
});

test('every formatter refuses fractions, zero, negatives, NaN and absurd amounts', () => {
  for (const f of [formatOrangeAmount, formatMtnAmount, formatCinetPayAmount, formatWaveAmount]) {
    for (const bad of [0, -5, 10.5, Number.NaN, Number.POSITIVE_INFINITY, 1e12]) {
      assert.throws(() => f(bad), InvalidAmountError, `${f.name}(${bad})`);
    }
  }
});

test('amounts reported by providers are read as whole francs, never rounded into a match', () => {
  assert.equal(parseProviderAmount('5000'), 5000);
  assert.equal(parseProviderAmount(5000), 5000);
  assert.equal(parseProviderAmount('5000.00'), 5000);
  assert.equal(parseProviderAmount('5000.50'), undefined);
  assert.equal(parseProviderAmount(4999.6), undefined);
  assert.equal(parseProviderAmount('5 000'), undefined);
  assert.equal(parseProviderAmount(null), undefined);
  assert.equal(parseProviderAmount('-5'), undefined);
});

test('sandbox currencies: Orange dev → OUV, MTN sandbox → EUR, production → XOF', () => {
  assert.equal(defaultOrangeCurrency('dev'), 'OUV');
  assert.equal(defaultOrangeCurrency('ci'), 'XOF');
  assert.equal(defaultMtnCurrency('sandbox'), 'EUR');
  assert.equal(defaultMtnCurrency('mtnivorycoast'), 'XOF');
});

test('phone numbers become MSISDN digits without +', () => {
  assert.equal(toMsisdn('+2250501020304'), '2250501020304');
  assert.equal(toMsisdn('002250501020304'), '2250501020304');
  assert.equal(toMsisdn('+225 05 01-02.03 04'), '2250501020304');
  assert.throws(() => toMsisdn('+225abc'));
  assert.throws(() => toMsisdn('123'));
});

test('MTN messages lose "&", accents and other characters MTN silently rejects', () => {
  assert.equal(sanitizeMtnMessage('Billets « Zouglou & Coupé-Décalé » #2'), 'Billets Zouglou Coupe-Decale 2');
  assert.equal(sanitizeMtnMessage('a'.repeat(300)).length, 160);
  assert.doesNotMatch(sanitizeMtnMessage('<script>&amp;"%'), /[&<>"%#]/);
});

test('references sent as order_id / transaction_id must be plain', () => {
  assert.equal(safeReference('WAVE', 'SV-ABC_123'), 'SV-ABC_123');
  assert.throws(() => safeReference('WAVE', 'SV 1&2'), InvalidAmountError);
  assert.throws(() => safeReference('WAVE', ''), InvalidAmountError);
});
