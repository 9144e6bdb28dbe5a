import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../test/context.js';
import { createUserWithToken } from '../test/users.js';
import { assertOwnerOrReadOnly, currentUser, permissions } from './auth.js';
import { authTokens, users } from '../modules/users/tables.js';
import { revokeToken } from '../modules/users/api-tokens.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
  const { app } = ctx;
  app.get('/t/me', { preValidation: permissions.IsAuthenticated }, async (req) => ({ id: currentUser(req).id }));
  app.route({
    method: ['GET', 'POST'],
    url: '/t/ro',
    preValidation: permissions.IsAuthenticatedOrReadOnly,
    handler: async (req) => ({ user: req.user?.id ?? null }),
  });
  app.get('/t/staff', { preValidation: permissions.IsStaff }, async () => ({ ok: true }));
  app.get('/t/verified', { preValidation: permissions.IsVerifiedUser }, async () => ({ ok: true }));
  app.route({
    method: ['GET', 'PATCH'],
    url: '/t/owned/:owner',
    handler: async (req) => {
      assertOwnerOrReadOnly(req.method, req.user, Number((req.params as { owner: string }).owner));
      return { ok: true };
    },
  });
  await app.ready();
});
after(() => ctx.close());

test('Token and Bearer both authenticate', async () => {
  const { user, token } = await createUserWithToken(ctx.database.db);
  for (const scheme of ['Token', 'Bearer']) {
    const r = await ctx.app.inject({ url: '/t/me', headers: { authorization: `${scheme} ${token}` } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().id, user.id);
  }
});

test('no credentials on a protected route: 401 in French with WWW-Authenticate', async () => {
  const r = await ctx.app.inject({ url: '/t/me' });
  assert.equal(r.statusCode, 401);
  assert.equal(r.headers['www-authenticate'], 'Token');
  assert.deepEqual(r.json(), { error: "Informations d'authentification non fournies.", code: 'not_authenticated' });
});

test('an unknown token is 401 even on a public route', async () => {
  const r = await ctx.app.inject({ url: '/t/ro', headers: { authorization: 'Token nimportequoi' } });
  assert.equal(r.statusCode, 401);
  assert.equal(r.json().error, 'Jeton invalide.');
});

test('a malformed header is 401', async () => {
  const r = await ctx.app.inject({ url: '/t/ro', headers: { authorization: 'Token a b' } });
  assert.equal(r.statusCode, 401);
  assert.equal(r.json().code, 'authentication_failed');
});

test('a revoked token no longer works', async () => {
  const { headers } = await createUserWithToken(ctx.database.db);
  const ok = await ctx.app.inject({ url: '/t/me', headers });
  assert.equal(ok.statusCode, 200);
  const tokens = await ctx.database.query<{ id: number }>('SELECT id FROM auth_tokens ORDER BY id DESC LIMIT 1');
  await revokeToken(ctx.database.db, tokens.rows[0]!.id);
  const r = await ctx.app.inject({ url: '/t/me', headers });
  assert.equal(r.statusCode, 401);
});

test('a deactivated user is refused', async () => {
  const { user, headers } = await createUserWithToken(ctx.database.db);
  await ctx.database.db.update(users).set({ isActive: false }).where(eq(users.id, user.id));
  const r = await ctx.app.inject({ url: '/t/me', headers });
  assert.equal(r.statusCode, 401);
  assert.equal(r.json().error, 'Utilisateur inactif ou supprimé.');
});

test('IsAuthenticatedOrReadOnly: reading is open, writing needs a user', async () => {
  assert.equal((await ctx.app.inject({ url: '/t/ro' })).statusCode, 200);
  assert.equal((await ctx.app.inject({ method: 'POST', url: '/t/ro' })).statusCode, 401);
  const { headers } = await createUserWithToken(ctx.database.db);
  assert.equal((await ctx.app.inject({ method: 'POST', url: '/t/ro', headers })).statusCode, 200);
});

test('IsStaff: 401 anonymous, 403 for a normal user, 200 for staff', async () => {
  assert.equal((await ctx.app.inject({ url: '/t/staff' })).statusCode, 401);
  const normal = await createUserWithToken(ctx.database.db);
  const r = await ctx.app.inject({ url: '/t/staff', headers: normal.headers });
  assert.equal(r.statusCode, 403);
  assert.equal(r.json().code, 'staff_only');
  const staff = await createUserWithToken(ctx.database.db, { isStaff: true });
  assert.equal((await ctx.app.inject({ url: '/t/staff', headers: staff.headers })).statusCode, 200);
});

test('IsVerifiedUser: 403 until est_verifie', async () => {
  const u = await createUserWithToken(ctx.database.db);
  const r = await ctx.app.inject({ url: '/t/verified', headers: u.headers });
  assert.equal(r.statusCode, 403);
  assert.equal(r.json().code, 'not_verified');
  const v = await createUserWithToken(ctx.database.db, { estVerifie: true });
  assert.equal((await ctx.app.inject({ url: '/t/verified', headers: v.headers })).statusCode, 200);
});

test('IsOwnerOrReadOnly: anyone reads, only the owner writes', async () => {
  const owner = await createUserWithToken(ctx.database.db);
  const other = await createUserWithToken(ctx.database.db);
  const url = `/t/owned/${owner.user.id}`;
  assert.equal((await ctx.app.inject({ url })).statusCode, 200);
  assert.equal((await ctx.app.inject({ method: 'PATCH', url })).statusCode, 401);
  const r = await ctx.app.inject({ method: 'PATCH', url, headers: other.headers });
  assert.equal(r.statusCode, 403);
  assert.equal(r.json().code, 'not_owner');
  assert.equal((await ctx.app.inject({ method: 'PATCH', url, headers: owner.headers })).statusCode, 200);
});

test('tokens expire: 30 days unused or 365 days old is a 401 token_expired, and the token is gone', async () => {
  const idle = await createUserWithToken(ctx.database.db);
  await ctx.database.db
    .update(authTokens)
    .set({ dateCreation: sql`now() - interval '40 days'`, derniereUtilisation: sql`now() - interval '31 days'` })
    .where(eq(authTokens.userId, idle.user.id));
  const r = await ctx.app.inject({ url: '/t/me', headers: idle.headers });
  assert.equal(r.statusCode, 401);
  assert.deepEqual(r.json(), { error: 'Session expirée : reconnectez-vous.', code: 'token_expired' });
  assert.equal((await ctx.database.db.select().from(authTokens).where(eq(authTokens.userId, idle.user.id))).length, 0);

  const old = await createUserWithToken(ctx.database.db);
  await ctx.database.db
    .update(authTokens)
    .set({ dateCreation: sql`now() - interval '366 days'`, derniereUtilisation: sql`now() - interval '1 hour'` })
    .where(eq(authTokens.userId, old.user.id));
  assert.equal((await ctx.app.inject({ url: '/t/me', headers: old.headers })).json().code, 'token_expired');

  // In use: each use refreshes it (its idle clock starts again).
  const active = await createUserWithToken(ctx.database.db);
  await ctx.database.db
    .update(authTokens)
    .set({ dateCreation: sql`now() - interval '200 days'`, derniereUtilisation: sql`now() - interval '29 days'` })
    .where(eq(authTokens.userId, active.user.id));
  assert.equal((await ctx.app.inject({ url: '/t/me', headers: active.headers })).statusCode, 200);
  const [t] = await ctx.database.db.select().from(authTokens).where(eq(authTokens.userId, active.user.id));
  assert.ok(Date.now() - t!.derniereUtilisation!.getTime() < 60_000, 'refreshed by the use');
});
