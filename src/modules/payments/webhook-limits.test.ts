/** Forged webhook calls (issue 11): rate-limited per source, stored as a bounded sample, pruned after their retention. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { momoTransactions } from './tables.js';
import { FORGED_BODY_SAMPLE } from './callbacks.js';
import { pruneForgedCallbacks } from './jobs.js';
import { paymentsDeps } from './deps.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ gateways: fakeGateways(), env: { WEBHOOK_RATE_LIMIT_MAX: '5', FORGED_CALLBACKS_RETENTION_DAYS: '7' } });
});
after(() => ctx.close());

const forged = (remoteAddress: string, size = 100) =>
  ctx.app.inject({
    method: 'POST',
    url: '/api/payments/webhooks/wave/',
    remoteAddress,
    headers: { 'content-type': 'application/json', 'x-token': 'faux' },
    payload: JSON.stringify({ reference: 'SV-INCONNU', remplissage: 'x'.repeat(size) }),
  });

test('attack: a flood of forged calls from one source is cut off (429); another source is unaffected', async () => {
  const codes = [];
  for (let i = 0; i < 7; i++) codes.push((await forged('198.51.100.7')).statusCode);
  assert.deepEqual(codes.slice(0, 5), [401, 401, 401, 401, 401]);
  assert.deepEqual(codes.slice(5), [429, 429]);
  assert.equal((await forged('198.51.100.8')).statusCode, 401);
  const stored = await ctx.database.db.select().from(momoTransactions).where(eq(momoTransactions.ip, '198.51.100.7'));
  assert.equal(stored.length, 5, 'the refused-by-limit calls are not stored at all');
});

test('a forged call is stored as a bounded sample, and pruned after its retention', async () => {
  assert.equal((await forged('198.51.100.9', 19_000)).statusCode, 401);
  const [row] = await ctx.database.db.select().from(momoTransactions).where(eq(momoTransactions.ip, '198.51.100.9'));
  assert.equal(row!.authentifie, false);
  assert.equal(row!.corps.length, FORGED_BODY_SAMPLE);
  await ctx.database.db
    .update(momoTransactions)
    .set({ dateReception: sql`now() - interval '8 days'` })
    .where(eq(momoTransactions.ip, '198.51.100.9'));
  assert.ok((await pruneForgedCallbacks(paymentsDeps(ctx.runtime))) >= 1);
  assert.equal((await ctx.database.db.select().from(momoTransactions).where(eq(momoTransactions.ip, '198.51.100.9'))).length, 0);
  // Recent refused calls stay (evidence for staff).
  assert.equal((await ctx.database.db.select().from(momoTransactions).where(eq(momoTransactions.ip, '198.51.100.8'))).length, 1);
});

test('issue 12 case 4: the notify URL answers GET with 200 (CinetPay pings it), and records nothing', async () => {
  const before = (await ctx.database.db.select({ n: sql<number>`count(*)::int` }).from(momoTransactions))[0]!.n;
  const res = await ctx.app.inject({ method: 'GET', url: '/api/payments/webhooks/moov/', remoteAddress: '10.9.9.9' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: 'OK' });
  const after = (await ctx.database.db.select({ n: sql<number>`count(*)::int` }).from(momoTransactions))[0]!.n;
  assert.equal(after, before);
});
