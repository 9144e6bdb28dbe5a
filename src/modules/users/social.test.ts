import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { Writable } from 'node:stream';
import { openRuntime } from '../../runtime.js';
import { buildApp } from '../../app.js';
import { createTestContext, testConfig, type TestContext } from '../../test/context.js';
import { register } from '../../test/users.js';
import { socialIdentities, users } from './tables.js';
import { auditLogs } from '../../core/audit.js';
import { verifyGoogleIdToken } from './social-providers.js';
import { accountSettings } from './settings.js';

const CLIENT_ID = 'spotvibe-web.apps.googleusercontent.com';
const FB_APP_ID = '424242';
const FB_SECRET = 'fb-secret-de-test';

// Google stand-in: a JWKS endpoint with our test key. Facebook stand-in: debug_token and /me.
let googleKey: CryptoKey;
let impostorKey: CryptoKey;
let jwks: { keys: JWK[] };
const fbTokens = new Map<
  string,
  { app_id: string; is_valid: boolean; user_id: string; email?: string; first_name?: string; last_name?: string }
>();
let fbDown = false;

const server = http.createServer((req, res) => {
  const url = new URL(req.url!, 'http://x');
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/certs') return json(200, jwks);
  if (url.pathname === '/certs-down') return json(500, {});
  if (fbDown) return json(500, { error: { message: 'down' } });
  if (url.pathname === '/v19.0/debug_token') {
    if (url.searchParams.get('access_token') !== `${FB_APP_ID}|${FB_SECRET}`) return json(400, { error: { message: 'bad app token' } });
    const t = fbTokens.get(url.searchParams.get('input_token') ?? '');
    return json(200, {
      data: t
        ? { app_id: t.app_id, is_valid: t.is_valid, user_id: t.user_id, expires_at: Math.floor(Date.now() / 1000) + 3600 }
        : { is_valid: false },
    });
  }
  if (url.pathname === '/v19.0/me') {
    const token = url.searchParams.get('access_token') ?? '';
    // Facebook checks appsecret_proof; so does the stand-in.
    if (url.searchParams.get('appsecret_proof') !== createHmac('sha256', FB_SECRET).update(token).digest('hex'))
      return json(400, { error: { message: 'proof' } });
    const t = fbTokens.get(token);
    if (!t) return json(400, { error: { message: 'invalid' } });
    return json(200, { id: t.user_id, email: t.email, first_name: t.first_name, last_name: t.last_name });
  }
  json(404, {});
});

let ctx: TestContext;
let base: string;
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kp = await generateKeyPair('RS256', { extractable: true });
  googleKey = kp.privateKey;
  impostorKey = (await generateKeyPair('RS256')).privateKey;
  jwks = { keys: [{ ...(await exportJWK(kp.publicKey)), kid: 'cle-1', alg: 'RS256', use: 'sig' }] };
  ctx = await createTestContext({
    env: {
      GOOGLE_OAUTH2_CLIENT_ID: `autre-client,${CLIENT_ID}`,
      GOOGLE_JWKS_URL: `${base}/certs`,
      FACEBOOK_APP_ID: FB_APP_ID,
      FACEBOOK_APP_SECRET: FB_SECRET,
      FACEBOOK_GRAPH_URL: `${base}/v19.0`,
      SOCIAL_HTTP_TIMEOUT_MS: '2000',
      LOGIN_RATE_LIMIT_MAX: '10000',
      ACCOUNT_RATE_LIMIT_MAX: '10000',
    },
  });
});
after(async () => {
  await ctx.close();
  await new Promise<void>((r) => server.close(() => r()));
});

interface Claims {
  sub?: string;
  email?: string;
  email_verified?: boolean;
  given_name?: string;
  family_name?: string;
}

async function idToken(claims: Claims, o: { aud?: string; iss?: string; exp?: number; key?: CryptoKey; kid?: string } = {}) {
  return new SignJWT({ email_verified: true, given_name: 'Yao', family_name: 'Kouassi', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'cle-1' })
    .setIssuer(o.iss ?? 'https://accounts.google.com')
    .setAudience(o.aud ?? CLIENT_ID)
    .setSubject(claims.sub ?? '1000')
    .setIssuedAt()
    .setExpirationTime(o.exp ?? Math.floor(Date.now() / 1000) + 3600)
    .sign(o.key ?? googleKey);
}

const google = (payload: Record<string, unknown>) => ctx.app.inject({ method: 'POST', url: '/api/auth/google/', payload });
const facebook = (payload: Record<string, unknown>) => ctx.app.inject({ method: 'POST', url: '/api/auth/facebook/', payload });

describe('Google sign-in', () => {
  test('a first sign-in needs a telephone, then creates the account (201); the next one logs in (200)', async () => {
    const token = await idToken({ sub: 'g-1', email: 'yao.kouassi@gmail.com' });
    const noPhone = await google({ id_token: token });
    assert.equal(noPhone.statusCode, 400);
    assert.deepEqual(noPhone.json().details, { telephone: ['Le numéro de téléphone est requis pour créer votre compte.'] });
    const created = await google({ id_token: token, telephone: '07 12 34 56 78' });
    assert.equal(created.statusCode, 201, created.body);
    const c = created.json();
    assert.equal(c.created, true);
    assert.equal(c.user.email, 'yao.kouassi@gmail.com');
    assert.equal(c.user.username, 'yao.kouassi');
    assert.equal(c.user.first_name, 'Yao');
    assert.equal(c.user.telephone, '+2250712345678');
    assert.equal(c.user.email_verifie, true);
    assert.equal(c.user.has_usable_password, false);
    assert.equal((await ctx.app.inject({ url: '/api/users/me/', headers: { authorization: `Token ${c.token}` } })).statusCode, 200);
    const again = await google({ id_token: await idToken({ sub: 'g-1', email: 'yao.kouassi@gmail.com' }) });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().created, false);
    assert.equal(again.json().user.id, c.user.id);
    // No password: logging in with one is impossible.
    const pw = await ctx.app.inject({
      method: 'POST',
      url: '/api/users/login/',
      payload: { login: 'yao.kouassi@gmail.com', password: '!' },
    });
    assert.equal(pw.statusCode, 400);
  });

  test('an existing account with the same verified email is linked, not duplicated', async () => {
    const u = await register(ctx.app);
    const r = await google({ id_token: await idToken({ sub: 'g-link', email: u.body.email.toUpperCase() }) });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().user.id, u.user.id);
    assert.equal(r.json().user.email_verifie, true);
    const ids = await ctx.database.db.select().from(socialIdentities).where(eq(socialIdentities.userId, u.user.id));
    assert.deepEqual(
      ids.map((i) => [i.provider, i.subject]),
      [['google', 'g-link']],
    );
    const logs = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.userId, u.user.id));
    assert.ok(logs.some((l) => l.action === 'compte_social_lie' && l.cible === 'google'));
    // A second Google account cannot take over the same SpotVibe account.
    const other = await google({ id_token: await idToken({ sub: 'g-other', email: u.body.email }) });
    assert.equal(other.statusCode, 400);
    assert.equal(other.json().code, 'already_linked');
  });

  test('an unverified Google email never links to an existing account', async () => {
    const u = await register(ctx.app);
    const r = await google({
      id_token: await idToken({ sub: 'g-unverified', email: u.body.email, email_verified: false }),
      telephone: '0799990001',
    });
    assert.equal(r.statusCode, 400);
    assert.ok(r.json().details.email);
    const ids = await ctx.database.db.select().from(socialIdentities).where(eq(socialIdentities.userId, u.user.id));
    assert.equal(ids.length, 0);
  });

  test('wrong audience, wrong issuer, expired, bad signature, unknown key, garbage: 400 in French', async () => {
    const cases: [string, string, RegExp][] = [
      ['audience', await idToken({ sub: 'x' }, { aud: 'client-d-une-autre-app' }), /destiné à une autre application/],
      ['issuer', await idToken({ sub: 'x' }, { iss: 'https://accounts.evil.example' }), /émetteur inconnu/],
      ['expired', await idToken({ sub: 'x' }, { exp: Math.floor(Date.now() / 1000) - 120 }), /expiré/],
      ['signature', await idToken({ sub: 'x' }, { key: impostorKey }), /signature incorrecte/],
      ['unknown kid', await idToken({ sub: 'x' }, { key: impostorKey, kid: 'cle-inconnue' }), /signature incorrecte/],
      ['garbage', 'pas.un.jeton', /Jeton Google invalide/],
    ];
    for (const [name, token, message] of cases) {
      const r = await google({ id_token: token, telephone: '0799990002' });
      assert.equal(r.statusCode, 400, `${name}: ${r.body}`);
      assert.equal(r.json().code, 'invalid_social_token', name);
      assert.match(r.json().error, message, name);
    }
    const [n] = await ctx.database.db.select().from(users).where(eq(users.telephone, '+2250799990002'));
    assert.equal(n, undefined, 'no account was created');
  });

  test("Google's key server failing (or unreachable) is a 503, not a 400 or 500", async () => {
    const s = accountSettings(ctx.config);
    for (const jwksUrl of [`${base}/certs-down`, 'http://127.0.0.1:9/certs']) {
      await assert.rejects(
        verifyGoogleIdToken(await idToken({ sub: 'x' }), { ...s, google: { ...s.google, jwksUrl } }),
        (e: { statusCode: number; code: string }) => e.statusCode === 503 && e.code === 'provider_unavailable',
      );
    }
  });

  test('not configured: 503 not_configured', async () => {
    const settings = { ...accountSettings(ctx.config), google: { ...accountSettings(ctx.config).google, clientIds: [] } };
    await assert.rejects(
      verifyGoogleIdToken('x', settings),
      (e: { statusCode: number; code: string }) => e.statusCode === 503 && e.code === 'not_configured',
    );
  });
});

describe('Facebook sign-in', () => {
  test('a token valid for our app creates then logs in the account', async () => {
    fbTokens.set('fb-ok', {
      app_id: FB_APP_ID,
      is_valid: true,
      user_id: 'fb-1',
      email: 'adjoua@exemple.ci',
      first_name: 'Adjoua',
      last_name: 'Yao',
    });
    const created = await facebook({ access_token: 'fb-ok', telephone: '+2250588776655', username: 'adjoua_y' });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().user.username, 'adjoua_y');
    const again = await facebook({ access_token: 'fb-ok' });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().user.id, created.json().user.id);
  });

  test('a token issued to another app, an invalid token, Facebook down', async () => {
    fbTokens.set('fb-other-app', { app_id: '999', is_valid: true, user_id: 'fb-2', email: 'x@exemple.ci' });
    fbTokens.set('fb-invalid', { app_id: FB_APP_ID, is_valid: false, user_id: 'fb-3' });
    const other = await facebook({ access_token: 'fb-other-app', telephone: '0100000001' });
    assert.equal(other.statusCode, 400);
    assert.equal(other.json().error, 'Jeton Facebook destiné à une autre application.');
    const invalid = await facebook({ access_token: 'fb-invalid', telephone: '0100000001' });
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json().error, 'Jeton Facebook invalide ou expiré.');
    const unknown = await facebook({ access_token: 'inconnu', telephone: '0100000001' });
    assert.equal(unknown.statusCode, 400);
    fbDown = true;
    try {
      assert.equal((await facebook({ access_token: 'fb-ok' })).statusCode, 503);
    } finally {
      fbDown = false;
    }
  });

  test('no email shared: the account cannot be created this way', async () => {
    fbTokens.set('fb-noemail', { app_id: FB_APP_ID, is_valid: true, user_id: 'fb-4' });
    const r = await facebook({ access_token: 'fb-noemail', telephone: '0100000002' });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().code, 'email_required');
  });

  test('two first sign-ins at once end with one account', async () => {
    fbTokens.set('fb-race', { app_id: FB_APP_ID, is_valid: true, user_id: 'fb-5', email: 'course@exemple.ci' });
    const rs = await Promise.all([1, 2, 3].map(() => facebook({ access_token: 'fb-race', telephone: '0100000003' })));
    const ids = new Set(rs.filter((r) => r.statusCode < 300).map((r) => r.json().user.id));
    assert.equal(ids.size, 1, rs.map((r) => r.body).join(' | '));
    assert.ok(rs.some((r) => r.statusCode === 201));
    const accounts = await ctx.database.db.select().from(users).where(eq(users.email, 'course@exemple.ci'));
    assert.equal(accounts.length, 1);
  });
});

test('sign-in not configured is a clean 503, logged as a warning (not an error with a stack trace)', async () => {
  const lines: { level: number; msg: string; err?: unknown; code?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const runtime = await openRuntime(testConfig({ LOG_LEVEL: 'info' }), {
    role: 'test',
    work: false,
    jobs: false,
    log: ctx.log,
    database: ctx.database,
    gateways: {},
  });
  const app = await buildApp(runtime, { level: 'info', stream });
  try {
    const r = await app.inject({
      method: 'POST',
      url: '/api/auth/google/',
      payload: { id_token: 'x'.repeat(40), telephone: '0700000001' },
    });
    assert.equal(r.statusCode, 503);
    assert.equal(r.json().code, 'not_configured');
    const logged = lines.find((l) => l.code === 'not_configured');
    assert.ok(logged, 'the refusal is logged');
    assert.equal(logged.level, 40, 'as a warning');
    assert.equal(logged.err, undefined, 'without a stack trace');
    assert.equal(lines.filter((l) => l.level >= 50).length, 0);
  } finally {
    await app.close();
    await runtime.close();
  }
});
