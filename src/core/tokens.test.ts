import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSecret, hashSecret, parseAuthorization, safeEqual } from './tokens.js';

test('Token and Bearer schemes, case-insensitive', () => {
  assert.deepEqual(parseAuthorization('Token abc123'), { kind: 'token', key: 'abc123' });
  assert.deepEqual(parseAuthorization('token abc123'), { kind: 'token', key: 'abc123' });
  assert.deepEqual(parseAuthorization('Bearer abc123'), { kind: 'token', key: 'abc123' });
  assert.deepEqual(parseAuthorization('  Bearer   abc123  '), { kind: 'token', key: 'abc123' });
});

test('no header or another scheme is anonymous', () => {
  assert.deepEqual(parseAuthorization(undefined), { kind: 'none' });
  assert.deepEqual(parseAuthorization('Basic dXNlcjpwYXNz'), { kind: 'none' });
  assert.deepEqual(parseAuthorization(''), { kind: 'none' });
});

test('malformed Token headers are invalid, with French messages', () => {
  for (const h of ['Token', 'Token ', 'Bearer a b', 'Token abc\u00e9', `Token ${'a'.repeat(201)}`]) {
    const p = parseAuthorization(h);
    assert.equal(p.kind, 'invalid', h);
    assert.match((p as { message: string }).message, /^En-tête d'authentification invalide/);
  }
});

test('secrets are random, url-safe and hashed to 64 hex chars', () => {
  const a = generateSecret();
  const b = generateSecret();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.match(hashSecret(a), /^[0-9a-f]{64}$/);
  assert.equal(hashSecret(a), hashSecret(a));
  assert.ok(safeEqual(a, a));
  assert.ok(!safeEqual(a, b));
  assert.ok(!safeEqual(a, a.slice(1)));
});
