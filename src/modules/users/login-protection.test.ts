import { test, before, after, beforeEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { register } from '../../test/users.js';
import { buildApp, type App } from '../../app.js';
import { openRuntime, type Runtime } from '../../runtime.js';
import { loginAttempts } from './tables.js';
import { auditLogs } from '../../core/audit.js';

const randomIp = () => `10.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(1, 255)}`;

describe('account lockout (5 failures in 15 minutes from one address; 30 from all of them)', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ env: { LOGIN_RATE_LIMIT_MAX: '10000', ACCOUNT_RATE_LIMIT_MAX: '10000' } });
  });
  after(() => ctx.close());
  // The guesser's address, the same for the whole test (the lock is per account and address, issue 11).
  let guesser = randomIp();
  beforeEach(() => {
    guesser = randomIp();
  });
  const login = (l: string, password: string, remoteAddress = guesser) =>
    ctx.app.inject({ method: 'POST', url: '/api/users/login/', payload: { login: l, password }, remoteAddress });

  test('the 6th attempt is refused even with the right password, with Retry-After; the lock ends with the window', async () => {
    const u = await register(ctx.app);
    for (let i = 0; i < 5; i++) {
      const r = await login(u.body.email, `faux-${i}-motdepasse`);
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().code, 'invalid_credentials');
    }
    const locked = await login(u.body.username, u.body.password);
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().code, 'account_locked');
    assert.match(locked.json().error, /Compte temporairement verrouillé : réessayez dans 15 minutes\./);
    const retry = Number(locked.headers['retry-after']);
    assert.ok(retry > 14 * 60 && retry <= 15 * 60, String(retry));
    // Attempts while locked are not recorded: hammering does not extend the lock.
    const failures = await ctx.database.db.select().from(loginAttempts).where(eq(loginAttempts.userId, u.user.id));
    assert.equal(failures.length, 5);
    const logs = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.userId, u.user.id));
    assert.equal(logs.filter((l) => l.action === 'compte_verrouille').length, 1);
    assert.equal(logs.filter((l) => l.action === 'connexion_echouee').length, 5);
    // 16 minutes later (moved back in time), the right password works.
    await ctx.database.db
      .update(loginAttempts)
      .set({ dateTentative: sql`${loginAttempts.dateTentative} - interval '16 minutes'` })
      .where(eq(loginAttempts.userId, u.user.id));
    assert.equal((await login(u.body.username, u.body.password)).statusCode, 200);
  });

  test('a successful login clears the count', async () => {
    const u = await register(ctx.app);
    for (let i = 0; i < 4; i++) assert.equal((await login(u.body.email, 'mauvais-mot-de-passe')).statusCode, 400);
    assert.equal((await login(u.body.email, u.body.password)).statusCode, 200);
    for (let i = 0; i < 4; i++) assert.equal((await login(u.body.email, 'mauvais-mot-de-passe')).statusCode, 400);
    assert.equal((await login(u.body.email, u.body.password)).statusCode, 200);
  });

  test('the lock covers every way of naming the account', async () => {
    const u = await register(ctx.app);
    const names = [u.body.email, u.body.username, u.body.telephone, u.body.email.toUpperCase(), u.body.telephone.replace('+225', '')];
    for (const n of names) assert.equal((await login(n, 'mauvais-mot-de-passe')).statusCode, 400);
    assert.equal((await login(u.body.telephone, u.body.password)).statusCode, 429);
  });

  test('an unknown login locks the same way: the lock does not reveal whether an account exists', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login('inconnu@exemple.ci', 'mauvais-mot-de-passe')).statusCode, 400);
    const r = await login('INCONNU@exemple.ci', 'mauvais-mot-de-passe');
    assert.equal(r.statusCode, 429);
    assert.equal(r.json().code, 'account_locked');
  });

  test("attack: a stranger's 5 wrong guesses lock only the stranger's address; the owner still gets in from theirs", async () => {
    const u = await register(ctx.app);
    for (let i = 0; i < 5; i++) assert.equal((await login(u.body.email, `faux-${i}-motdepasse`)).statusCode, 400);
    assert.equal((await login(u.body.email, u.body.password)).statusCode, 429, 'the guesser is locked out');
    const owner = await login(u.body.email, u.body.password, randomIp());
    assert.equal(owner.statusCode, 200, owner.body);
  });

  test('guesses spread over many addresses still lock the account everywhere (the slower line, 30)', async () => {
    const u = await register(ctx.app);
    for (let i = 0; i < 30; i++) assert.equal((await login(u.body.email, `faux-${i}`, randomIp())).statusCode, 400, `essai ${i}`);
    const r = await login(u.body.email, u.body.password, randomIp());
    assert.equal(r.statusCode, 429);
    assert.equal(r.json().code, 'account_locked');
  });

  test('parallel guesses cannot get more than 5 tries', async () => {
    const u = await register(ctx.app);
    const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => login(u.body.email, `essai-parallele-${i}`)));
    const tried = rs.filter((r) => r.statusCode === 400).length;
    const blocked = rs.filter((r) => r.statusCode === 429).length;
    assert.equal(tried + blocked, 12);
    assert.ok(tried >= 1 && tried <= 5, `${tried} essais passés`);
    // Blocked attempts left no row: exactly the tries that ran count towards the lock.
    const rows = await ctx.database.db.select().from(loginAttempts).where(eq(loginAttempts.userId, u.user.id));
    assert.equal(rows.length, tried);
  });
});

describe('per-address login rate limit (5 per minute, the manual)', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ env: { ACCOUNT_RATE_LIMIT_MAX: '10000' } });
  });
  after(() => ctx.close());

  test('the 6th request from one address within a minute gets 429 with Retry-After, in French; another address is unaffected', async () => {
    const ip = randomIp();
    const codes = [];
    for (let i = 0; i < 6; i++) {
      const r = await ctx.app.inject({
        method: 'POST',
        url: '/api/users/login/',
        payload: { login: `x${i}@exemple.ci`, password: 'quelconque' },
        remoteAddress: ip,
      });
      codes.push(r.statusCode);
      if (i === 5) {
        assert.equal(r.headers['retry-after'] !== undefined, true);
        assert.ok(Number(r.headers['retry-after']) >= 1 && Number(r.headers['retry-after']) <= 60);
        assert.equal(r.json().code, 'throttled');
        assert.match(r.json().error, /^Trop de requêtes\. Réessayez dans \d+ secondes?\.$/);
      }
    }
    assert.deepEqual(codes, [400, 400, 400, 400, 400, 429]);
    const other = await ctx.app.inject({
      method: 'POST',
      url: '/api/users/login/',
      payload: { login: 'y@exemple.ci', password: 'quelconque' },
      remoteAddress: randomIp(),
    });
    assert.equal(other.statusCode, 400);
  });

  test('without TRUST_PROXY, X-Forwarded-For is ignored (a client cannot pick a fresh address per request)', async () => {
    const ip = randomIp();
    const codes = [];
    for (let i = 0; i < 6; i++) {
      const r = await ctx.app.inject({
        method: 'POST',
        url: '/api/users/login/',
        payload: { login: 'z@exemple.ci', password: 'x' },
        remoteAddress: ip,
        headers: { 'x-forwarded-for': randomIp() },
      });
      codes.push(r.statusCode);
    }
    assert.equal(codes[5], 429);
  });
});

describe('TRUST_PROXY=true', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ env: { TRUST_PROXY: 'true', ACCOUNT_RATE_LIMIT_MAX: '10000' } });
  });
  after(() => ctx.close());

  test('clients behind the load balancer are told apart by X-Forwarded-For, and their address is recorded', async () => {
    const balancer = randomIp();
    const clientA = randomIp();
    for (let i = 0; i < 5; i++) {
      await ctx.app.inject({
        method: 'POST',
        url: '/api/users/login/',
        payload: { login: 'a@exemple.ci', password: 'x' },
        remoteAddress: balancer,
        headers: { 'x-forwarded-for': clientA },
      });
    }
    const a6 = await ctx.app.inject({
      method: 'POST',
      url: '/api/users/login/',
      payload: { login: 'a@exemple.ci', password: 'x' },
      remoteAddress: balancer,
      headers: { 'x-forwarded-for': clientA },
    });
    assert.equal(a6.statusCode, 429);
    const u = await register(ctx.app);
    const b = await ctx.app.inject({
      method: 'POST',
      url: '/api/users/login/',
      payload: { login: u.body.email, password: u.body.password },
      remoteAddress: balancer,
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    assert.equal(b.statusCode, 200);
    assert.equal(b.json().user.derniere_connexion_ip, '203.0.113.9');
  });
});

describe('rate limit stored in Redis (REDIS_URL): two server processes share the count', () => {
  let ctx: TestContext;
  let second: App;
  let secondRuntime: Runtime;
  before(async () => {
    ctx = await createTestContext({ env: { REDIS_URL: 'redis://127.0.0.1:6379/0', ACCOUNT_RATE_LIMIT_MAX: '10000' } });
    // A second runtime (its own Redis connection) and app stand in for a second server process.
    secondRuntime = await openRuntime(ctx.config, {
      role: 'test',
      work: false,
      jobs: false,
      log: ctx.log,
      database: ctx.database,
      gateways: {},
    });
    second = await buildApp(secondRuntime, false);
  });
  after(async () => {
    await second.close();
    await secondRuntime.close();
    await ctx.close();
  });

  test('3 requests on one, 3 on the other: the 6th is refused', async () => {
    const ip = randomIp();
    const send = (app: App) =>
      app.inject({ method: 'POST', url: '/api/users/login/', payload: { login: 'r@exemple.ci', password: 'x' }, remoteAddress: ip });
    const codes = [];
    for (const app of [ctx.app, second, ctx.app, second, ctx.app]) codes.push((await send(app)).statusCode);
    const sixth = await send(second);
    assert.deepEqual(codes, [400, 400, 400, 400, 400]);
    assert.equal(sixth.statusCode, 429);
    assert.ok(Number(sixth.headers['retry-after']) >= 1);
  });
});
