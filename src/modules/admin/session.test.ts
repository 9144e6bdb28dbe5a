import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { createUser, createUserWithToken } from '../../test/users.js';
import { signInStaff } from '../../test/admin.js';
import { auditLogs } from '../../core/audit.js';
import { authTokens } from '../users/tables.js';
import { NOT_STAFF } from '../users/login.js';

const PASSWORD = 'Soleil-Abidjan-2024';
let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ env: { LOGIN_RATE_LIMIT_MAX: '10000', ADMIN_SESSION_HOURS: '8' } });
});
after(() => ctx.close());

const staffUser = (o: { isSuperuser?: boolean } = {}) => createUser(ctx.database.db, { password: PASSWORD, isStaff: true, ...o });

describe('signing in to SpotVibe Administration', () => {
  test('a staff account gets an httpOnly, SameSite=Strict cookie limited to /api/admin, and a CSRF token', async () => {
    const staff = await staffUser();
    const r = await ctx.app.inject({ method: 'POST', url: '/api/admin/session/', payload: { login: staff.username, password: PASSWORD } });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.equal(body.user.id, staff.id);
    assert.deepEqual(body.user.roles, ['staff']);
    assert.match(body.csrf_token, /^[A-Za-z0-9_-]{43}$/);
    const expires = new Date(body.expire_le).getTime() - Date.now();
    assert.ok(expires > 7.9 * 3_600_000 && expires <= 8 * 3_600_000, 'ADMIN_SESSION_HOURS=8');
    const setCookie = String(r.headers['set-cookie']);
    assert.match(setCookie, /^sv_admin_session=[A-Za-z0-9_-]{43};/);
    assert.match(setCookie, /; Path=\/api\/admin/);
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; SameSite=Strict/);
    assert.doesNotMatch(setCookie, /Secure/, 'development (DEBUG=True) serves plain http');
    // The key itself is never in the JSON: scripts cannot read it.
    assert.ok(!r.body.includes(r.cookies[0]!.value));
    const [row] = await ctx.database.db.select().from(authTokens).where(eq(authTokens.userId, staff.id));
    assert.equal(row!.type, 'SESSION_PERSONNEL');
    const [log] = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.userId, staff.id));
    assert.equal(log!.action, 'connexion_admin');
  });

  test('a non-staff account is refused with a clear French message, a wrong password as usual', async () => {
    const u = await createUser(ctx.database.db, { password: PASSWORD });
    const r = await ctx.app.inject({ method: 'POST', url: '/api/admin/session/', payload: { login: u.email, password: PASSWORD } });
    assert.equal(r.statusCode, 403);
    assert.deepEqual(r.json(), { error: NOT_STAFF, code: 'staff_only' });
    assert.equal(r.headers['set-cookie'], undefined);
    assert.equal((await ctx.database.db.select().from(authTokens).where(eq(authTokens.userId, u.id))).length, 0);
    const bad = await ctx.app.inject({ method: 'POST', url: '/api/admin/session/', payload: { login: u.email, password: 'faux-mot' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'invalid_credentials');
  });

  test('GET /api/admin/session/ gives the same CSRF token back after a reload; 401 without the cookie', async () => {
    const staff = await staffUser({ isSuperuser: true });
    const s = await signInStaff(ctx.app, staff.username, PASSWORD);
    const r = await ctx.app.inject({ url: '/api/admin/session/', headers: s.read });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().csrf_token, s.csrf);
    assert.deepEqual(r.json().user.roles, ['staff', 'superuser']);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal((await ctx.app.inject({ url: '/api/admin/session/' })).statusCode, 401);
  });
});

describe('CSRF and where the cookie counts', () => {
  test('a change with the cookie needs X-CSRF-Token: none or a wrong one is 403, the right one passes', async () => {
    const staff = await staffUser();
    const s = await signInStaff(ctx.app, staff.username, PASSWORD);
    const target = await createUser(ctx.database.db);
    const url = `/api/admin/users/${target.id}/deactivate/`;
    const none = await ctx.app.inject({ method: 'POST', url, headers: s.read, payload: {} });
    assert.equal(none.statusCode, 403);
    assert.equal(none.json().code, 'csrf_failed');
    const other = await signInStaff(ctx.app, staff.username, PASSWORD);
    const wrong = await ctx.app.inject({ method: 'POST', url, headers: { ...s.read, 'x-csrf-token': other.csrf }, payload: {} });
    assert.equal(wrong.statusCode, 403, "another session's token is not this one's");
    const ok = await ctx.app.inject({ method: 'POST', url, headers: s.write, payload: {} });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().is_active, false);
    // Reads need no token.
    assert.equal((await ctx.app.inject({ url: '/api/admin/stats/', headers: s.read })).statusCode, 200);
  });

  test('the cookie is no credential outside /api/admin/, and the key is refused as an Authorization header', async () => {
    const staff = await staffUser();
    const s = await signInStaff(ctx.app, staff.username, PASSWORD);
    assert.equal((await ctx.app.inject({ url: '/api/users/me/', headers: s.read })).statusCode, 401);
    const key = s.cookie.split('=')[1]!;
    const asHeader = await ctx.app.inject({ url: '/api/admin/stats/', headers: { authorization: `Token ${key}` } });
    assert.equal(asHeader.statusCode, 401);
    // An apps' API token in the cookie is not a session either.
    const api = await createUserWithToken(ctx.database.db, { isStaff: true });
    assert.equal(
      (await ctx.app.inject({ url: '/api/admin/stats/', headers: { cookie: `sv_admin_session=${api.token}` } })).statusCode,
      401,
    );
    // Staff API tokens keep working on the same routes (no CSRF: a header is no ambient credential).
    assert.equal((await ctx.app.inject({ url: '/api/admin/stats/', headers: api.headers })).statusCode, 200);
  });

  test('an expired session, or one whose owner lost staff access or was deactivated, is no session', async () => {
    const a = await staffUser();
    const s = await signInStaff(ctx.app, a.username, PASSWORD);
    await ctx.database.db
      .update(authTokens)
      .set({ expireLe: sql`now() - interval '1 second'` })
      .where(eq(authTokens.userId, a.id));
    assert.equal((await ctx.app.inject({ url: '/api/admin/stats/', headers: s.read })).statusCode, 401);
    // Signing in again works with the stale cookie still sent.
    const again = await ctx.app.inject({
      method: 'POST',
      url: '/api/admin/session/',
      headers: s.read,
      payload: { login: a.username, password: PASSWORD },
    });
    assert.equal(again.statusCode, 200);

    const superuser = await staffUser({ isSuperuser: true });
    const boss = await signInStaff(ctx.app, superuser.username, PASSWORD);
    const b = await staffUser();
    const sb = await signInStaff(ctx.app, b.username, PASSWORD);
    const r = await ctx.app.inject({
      method: 'POST',
      url: `/api/admin/users/${b.id}/staff/`,
      headers: boss.write,
      payload: { is_staff: false },
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((await ctx.app.inject({ url: '/api/admin/stats/', headers: sb.read })).statusCode, 401);

    const c = await staffUser();
    const sc = await signInStaff(ctx.app, c.username, PASSWORD);
    assert.equal(
      (await ctx.app.inject({ method: 'POST', url: `/api/admin/users/${c.id}/deactivate/`, headers: boss.write, payload: {} })).statusCode,
      200,
    );
    assert.equal((await ctx.app.inject({ url: '/api/admin/stats/', headers: sc.read })).statusCode, 401);
  });

  test('signing out ends the session at once and clears the cookie', async () => {
    const staff = await staffUser();
    const s = await signInStaff(ctx.app, staff.username, PASSWORD);
    const noToken = await ctx.app.inject({ method: 'DELETE', url: '/api/admin/session/', headers: s.read });
    assert.equal(noToken.statusCode, 403, 'signing out is a change too: a forged request cannot sign staff out');
    const r = await ctx.app.inject({ method: 'DELETE', url: '/api/admin/session/', headers: s.write });
    assert.equal(r.statusCode, 204);
    assert.match(String(r.headers['set-cookie']), /^sv_admin_session=;.*Expires=Thu, 01 Jan 1970/);
    assert.equal((await ctx.app.inject({ url: '/api/admin/session/', headers: s.read })).statusCode, 401);
    const logs = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.userId, staff.id));
    assert.ok(logs.some((l) => l.action === 'deconnexion_admin'));
  });
});

test('production (DEBUG=False): the cookie is Secure with the __Secure- prefix', async () => {
  const prod = await createTestContext({
    env: {
      DEBUG: 'False',
      SECRET_KEY: 'x'.repeat(40),
      ALLOWED_HOSTS: 'localhost',
      SECURE_SSL_REDIRECT: 'False',
      LOGIN_RATE_LIMIT_MAX: '10000',
      PUBLIC_BASE_URL: 'https://localhost',
      EMAIL_HOST: 'smtp.spotvibe.test',
      // Production refuses the console SMS backend (codes would only reach the log).
      SMS_BACKEND: 'orange',
      ORANGE_SMS_CLIENT_ID: 'id',
      ORANGE_SMS_CLIENT_SECRET: 'secret',
      ORANGE_SMS_SENDER_ADDRESS: '+2250000',
    },
  });
  try {
    const staff = await createUser(prod.database.db, { password: PASSWORD, isStaff: true });
    const r = await prod.app.inject({
      method: 'POST',
      url: '/api/admin/session/',
      headers: { host: 'localhost' },
      payload: { login: staff.username, password: PASSWORD },
    });
    assert.equal(r.statusCode, 200, r.body);
    const setCookie = String(r.headers['set-cookie']);
    assert.match(setCookie, /^__Secure-sv_admin_session=/);
    assert.match(setCookie, /; Secure/);
    const cookie = setCookie.split(';')[0]!;
    assert.equal((await prod.app.inject({ url: '/api/admin/stats/', headers: { host: 'localhost', cookie } })).statusCode, 200);
    // The development cookie name means nothing in production.
    assert.equal(
      (await prod.app.inject({ url: '/api/admin/stats/', headers: { host: 'localhost', cookie: cookie.replace('__Secure-', '') } }))
        .statusCode,
      401,
    );
  } finally {
    await prod.close();
  }
});
