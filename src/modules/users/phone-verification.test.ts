import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { queuedMessages } from '../../test/notifications.js';
import { register } from '../../test/users.js';
import { phoneVerificationCodes } from './tables.js';
import { auditLogs } from '../../core/audit.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ env: { LOGIN_RATE_LIMIT_MAX: '10000', ACCOUNT_RATE_LIMIT_MAX: '10000' } });
});
after(() => ctx.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url, payload: payload as object, headers });

/** The code as the SMS delivery carries it (the queue is the way out; nothing else holds the clear code). */
async function lastCodeSentTo(telephone: string): Promise<string> {
  const sms = (await queuedMessages(ctx.database, 'SMS')).filter((m) => m.to === telephone);
  const text = sms.at(-1)?.text ?? '';
  return /code de vérification est (\d{6})/.exec(text)![1]!;
}

/** Lets the next code be requested at once (the 60-second resend delay is tested on its own). */
async function ageCodes(userId: number) {
  await ctx.database.db
    .update(phoneVerificationCodes)
    .set({ dateCreation: sql`${phoneVerificationCodes.dateCreation} - interval '2 minutes'` })
    .where(eq(phoneVerificationCodes.userId, userId));
}

test('a 6-digit code by SMS (in French, queued), stored hashed; the right code sets est_verifie and date_verification', async () => {
  const u = await register(ctx.app);
  const sent = await post('/api/auth/phone/send-code/', {}, u.headers);
  assert.equal(sent.statusCode, 200);
  assert.equal(sent.json().telephone, u.body.telephone);
  assert.ok(Date.parse(sent.json().expire_le) > Date.now() + 9 * 60_000);
  const code = await lastCodeSentTo(u.body.telephone);
  const [row] = await ctx.database.db.select().from(phoneVerificationCodes).where(eq(phoneVerificationCodes.userId, u.user.id));
  assert.match(row!.codeHash, /^[0-9a-f]{64}$/);
  assert.ok(!row!.codeHash.includes(code));
  const ok = await post('/api/auth/phone/verify/', { code }, u.headers);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().est_verifie, true);
  assert.ok(Date.parse(ok.json().date_verification) <= Date.now());
  const logs = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.userId, u.user.id));
  assert.ok(logs.some((l) => l.action === 'telephone_verifie' && l.cible === u.body.telephone));
  const reuse = await post('/api/auth/phone/verify/', { code }, u.headers);
  assert.equal(reuse.statusCode, 400);
  const again = await post('/api/auth/phone/send-code/', {}, u.headers);
  assert.equal(again.statusCode, 400);
  assert.equal(again.json().code, 'already_verified');
});

test('five tries per code: wrong codes count down, then even the right code is refused', async () => {
  const u = await register(ctx.app);
  await post('/api/auth/phone/send-code/', {}, u.headers);
  const code = await lastCodeSentTo(u.body.telephone);
  const wrong = code === '000000' ? '111111' : '000000';
  const messages = [];
  for (let i = 0; i < 5; i++) {
    const r = await post('/api/auth/phone/verify/', { code: wrong }, u.headers);
    assert.equal(r.statusCode, 400);
    messages.push(r.json().details.code[0]);
  }
  assert.equal(messages[0], 'Code incorrect. Il vous reste 4 essais.');
  assert.equal(messages[3], 'Code incorrect. Il vous reste 1 essai.');
  assert.equal(messages[4], 'Code incorrect. Nombre maximal d’essais atteint : demandez un nouveau code.');
  const right = await post('/api/auth/phone/verify/', { code }, u.headers);
  assert.equal(right.statusCode, 400);
  assert.deepEqual(right.json().details, { code: ['Nombre maximal d’essais atteint pour ce code. Demandez un nouveau code.'] });
  // A new code starts over.
  await ageCodes(u.user.id);
  await post('/api/auth/phone/send-code/', {}, u.headers);
  const fresh = await lastCodeSentTo(u.body.telephone);
  assert.equal((await post('/api/auth/phone/verify/', { code: fresh }, u.headers)).statusCode, 200);
});

test('parallel wrong guesses cannot exceed five tries', async () => {
  const u = await register(ctx.app);
  await post('/api/auth/phone/send-code/', {}, u.headers);
  const code = await lastCodeSentTo(u.body.telephone);
  const guesses = Array.from({ length: 12 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
  await Promise.all(guesses.map((g) => post('/api/auth/phone/verify/', { code: g }, u.headers)));
  const [row] = await ctx.database.db.select().from(phoneVerificationCodes).where(eq(phoneVerificationCodes.userId, u.user.id));
  assert.equal(row!.tentatives, 5);
  assert.equal((await post('/api/auth/phone/verify/', { code }, u.headers)).statusCode, 400);
});

test('an expired code is refused', async () => {
  const u = await register(ctx.app);
  await post('/api/auth/phone/send-code/', {}, u.headers);
  const code = await lastCodeSentTo(u.body.telephone);
  await ctx.database.db
    .update(phoneVerificationCodes)
    .set({ expiresAt: sql`now() - interval '1 second'` })
    .where(eq(phoneVerificationCodes.userId, u.user.id));
  const r = await post('/api/auth/phone/verify/', { code }, u.headers);
  assert.equal(r.statusCode, 400);
  assert.deepEqual(r.json().details, { code: ['Ce code a expiré. Demandez un nouveau code.'] });
});

test('only the newest code works; a new code waits 60 seconds (429 with Retry-After)', async () => {
  const u = await register(ctx.app);
  await post('/api/auth/phone/send-code/', {}, u.headers);
  const first = await lastCodeSentTo(u.body.telephone);
  const soon = await post('/api/auth/phone/send-code/', {}, u.headers);
  assert.equal(soon.statusCode, 429);
  assert.ok(Number(soon.headers['retry-after']) >= 1 && Number(soon.headers['retry-after']) <= 60);
  await ageCodes(u.user.id);
  await post('/api/auth/phone/send-code/', {}, u.headers);
  const second = await lastCodeSentTo(u.body.telephone);
  if (first !== second) {
    const old = await post('/api/auth/phone/verify/', { code: first }, u.headers);
    assert.equal(old.statusCode, 400);
  }
  assert.equal((await post('/api/auth/phone/verify/', { code: second }, u.headers)).statusCode, 200);
});

test('a code sent to the old number proves nothing once the number changed', async () => {
  const u = await register(ctx.app);
  await post('/api/auth/phone/send-code/', {}, u.headers);
  const code = await lastCodeSentTo(u.body.telephone);
  await ctx.app.inject({ method: 'PATCH', url: '/api/users/me/', payload: { telephone: '+2250566778899' }, headers: u.headers });
  const r = await post('/api/auth/phone/verify/', { code }, u.headers);
  assert.equal(r.statusCode, 400);
  assert.equal((await ctx.app.inject({ url: '/api/users/me/', headers: u.headers })).json().est_verifie, false);
});

test('input checks: no code yet, malformed code, anonymous', async () => {
  const u = await register(ctx.app);
  const none = await post('/api/auth/phone/verify/', { code: '123456' }, u.headers);
  assert.deepEqual(none.json().details, { code: ['Aucun code en cours. Demandez un nouveau code.'] });
  const bad = await post('/api/auth/phone/verify/', { code: '12ab' }, u.headers);
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json().details.code, ['Le code doit comporter 6 chiffres.']);
  assert.equal((await post('/api/auth/phone/send-code/', {})).statusCode, 401);
  assert.equal((await post('/api/auth/phone/verify/', { code: '123456' })).statusCode, 401);
});
