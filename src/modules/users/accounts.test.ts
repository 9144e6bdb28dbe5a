import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, usingPostgres, type TestContext } from '../../test/context.js';
import { register, registration } from '../../test/users.js';
import { drfPost } from '../../test/http.js';
import { verifyPassword } from '../../core/passwords.js';
import { createUser, duplicateError } from './account.js';
import { purgeSpentSecrets } from './cleanup.js';
import { accountTokens, authTokens, loginAttempts, phoneVerificationCodes, users } from './tables.js';
import { auditLogs } from '../../core/audit.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ env: { LOGIN_RATE_LIMIT_MAX: '10000', ACCOUNT_RATE_LIMIT_MAX: '10000' } });
});
after(() => ctx.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url, payload: payload as object, headers });

/** No answer may ever carry a password hash or a token hash. */
function assertNoSecrets(body: string) {
  assert.doesNotMatch(body, /\$argon2/);
  assert.doesNotMatch(body, /key_hash|keyHash|token_hash|"password"/);
}

// The manual's UserModelTest, on the model-level creation function.
describe('UserModelTest', () => {
  let user: Awaited<ReturnType<typeof createUser>>;
  before(async () => {
    user = await createUser(ctx.database.db, {
      username: 'testuser',
      email: 'test@example.com',
      password: 'testpass123',
      telephone: '+2250123456789',
    });
  });

  test('test_user_creation', async () => {
    assert.equal(user.username, 'testuser');
    assert.equal(user.email, 'test@example.com');
    assert.equal(await verifyPassword(user.password, 'testpass123'), true);
    assert.equal(await verifyPassword(user.password, 'autre-chose'), false);
    assert.match(user.password, /^\$argon2id\$/);
  });

  test('test_user_str_representation', () => {
    // Django's str(user) is its username; the TypeScript row has no __str__, the username is what is shown.
    assert.equal(user.username, 'testuser');
  });
});

// The manual's UserAPITest, word for word (the user of its setUp is created above), sent as its DRF test client
// sends it: multipart/form-data.
describe('UserAPITest', () => {
  test('test_user_registration', async () => {
    const data = {
      username: 'newuser',
      email: 'new@example.com',
      password: 'newpass123',
      password_confirm: 'newpass123',
      first_name: 'New',
      last_name: 'User',
      telephone: '+2250987654321',
    };
    const response = await drfPost(ctx.app, '/api/users/register/', data);
    assert.equal(response.statusCode, 201, response.body);
    assert.ok('token' in (response.json() as object));
  });

  test('test_user_login', async () => {
    const response = await drfPost(ctx.app, '/api/users/login/', { login: 'test@example.com', password: 'testpass123' });
    assert.equal(response.statusCode, 200, response.body);
    assert.ok('token' in (response.json() as object));
  });
});

describe('registration', () => {
  test('201 with a working token and the full profile, and nothing secret', async () => {
    const body = registration({ telephone: '07 11 22 33 44' });
    const r = await post('/api/users/register/', body);
    assert.equal(r.statusCode, 201);
    assertNoSecrets(r.body);
    const { token, user } = r.json();
    assert.equal(user.username, body.username);
    assert.equal(user.telephone, '+2250711223344', 'the telephone is stored in E.164');
    assert.equal(user.est_verifie, false);
    assert.equal(user.email_verifie, false);
    assert.deepEqual([user.followers_count, user.following_count, user.events_count], [0, 0, 0]);
    const me = await ctx.app.inject({ url: '/api/users/me/', headers: { authorization: `Token ${token}` } });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().id, user.id);
    const [row] = await ctx.database.db.select().from(users).where(eq(users.id, user.id));
    assert.match(row!.password, /^\$argon2id\$/);
    const logs = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.userId, user.id));
    assert.ok(logs.some((l) => l.action === 'inscription'));
  });

  test('every broken rule is reported at once, in French, per field', async () => {
    const r = await post('/api/users/register/', {
      username: 'a b',
      email: 'pas-une-adresse',
      password: '12345678',
      password_confirm: '87654321',
      telephone: '0102',
    });
    assert.equal(r.statusCode, 400);
    const d = r.json().details;
    assert.equal(r.json().code, 'validation_error');
    assert.match(d.username[0], /nom d'utilisateur valide/);
    assert.deepEqual(d.email, ['Saisissez une adresse e-mail valide.']);
    assert.deepEqual(d.telephone, ['Numéro de téléphone invalide. Format: +225XXXXXXXX']);
    assert.deepEqual(d.password_confirm, ['Les mots de passe ne correspondent pas.']);
    assert.ok(d.password.includes('Ce mot de passe est entièrement numérique.'));
  });

  test('password rules: length, common, similar to the username', async () => {
    const short = await post('/api/users/register/', registration({ password: 'a1b2c3', password_confirm: 'a1b2c3' }));
    assert.match(short.json().details.password[0], /trop court.*8 caractères/);
    const common = await post('/api/users/register/', registration({ password: 'motdepasse', password_confirm: 'motdepasse' }));
    assert.deepEqual(common.json().details.password, ['Ce mot de passe est trop courant.']);
    const b = registration();
    const similar = await post('/api/users/register/', { ...b, password: `${b.username}1`, password_confirm: `${b.username}1` });
    assert.match(similar.json().details.password[0], /trop semblable au champ « nom d'utilisateur »/);
  });

  test('missing fields are named', async () => {
    const r = await post('/api/users/register/', { username: 'x' });
    assert.equal(r.statusCode, 400);
    for (const f of ['email', 'password', 'password_confirm', 'telephone']) assert.ok(r.json().details[f], f);
  });

  test('telephone formats: spaces, 00225 and a bare 0XXXXXXXXX are normalised; 8 digits refused', async () => {
    for (const [input, stored] of [
      ['00225 05 44 55 66 77', '+2250544556677'],
      ['0144556677', '+2250144556677'],
      ['+225 07-98-76-54-32', '+2250798765432'],
    ]) {
      const r = await post('/api/users/register/', registration({ telephone: input }));
      assert.equal(r.statusCode, 201, r.body);
      assert.equal(r.json().user.telephone, stored);
    }
    const old = await post('/api/users/register/', registration({ telephone: '+22507010203' }));
    assert.equal(old.statusCode, 400);
    assert.ok(old.json().details.telephone);
  });

  test('duplicates: username and email case-insensitively, telephone in any format: 400 naming each field', async () => {
    const first = await register(ctx.app);
    const r = await post(
      '/api/users/register/',
      registration({
        username: first.body.username.toUpperCase(),
        email: first.body.email.toUpperCase(),
        telephone: first.body.telephone.replace('+225', '00225 '),
      }),
    );
    assert.equal(r.statusCode, 400);
    const d = r.json().details;
    assert.deepEqual(d.username, ["Un utilisateur avec ce nom d'utilisateur existe déjà."]);
    assert.deepEqual(d.email, ['Un utilisateur avec cette adresse e-mail existe déjà.']);
    assert.deepEqual(d.telephone, ['Un utilisateur avec ce numéro de téléphone existe déjà.']);
  });

  test(
    'two registrations racing for the same email: one 201, one 400 on email',
    {
      skip: usingPostgres() ? false : 'PGlite has a single connection: requests never overlap in the database, so there is no race to test',
    },
    async () => {
      const a = registration();
      const b = registration({ email: a.email.toUpperCase() });
      // Many pairs, started together: the pre-check cannot see the other's uncommitted row, only the index stops it.
      const pairs = await Promise.all(
        Array.from({ length: 6 }, (_, i) => {
          const x = registration({ email: `course${i}-${a.email}` });
          const y = registration({ email: `COURSE${i}-${a.email}` });
          return Promise.all([post('/api/users/register/', x), post('/api/users/register/', y)]);
        }),
      );
      pairs.push(await Promise.all([post('/api/users/register/', a), post('/api/users/register/', b)]));
      for (const pair of pairs) {
        const codes = pair.map((r) => r.statusCode).sort();
        assert.deepEqual(codes, [201, 400], pair.map((r) => r.body).join(' | '));
        const loser = pair.find((r) => r.statusCode === 400)!;
        assert.deepEqual(loser.json().details, { email: ['Un utilisateur avec cette adresse e-mail existe déjà.'] });
      }
    },
  );
});

describe('login and logout', () => {
  test('by email, username or telephone (any format), case-insensitive; records the attempt, IP and last_login', async () => {
    const u = await register(ctx.app);
    const local = u.body.telephone.replace('+225', '');
    for (const login of [u.body.email.toUpperCase(), u.body.username.toUpperCase(), u.body.telephone, local]) {
      const r = await ctx.app.inject({
        method: 'POST',
        url: '/api/users/login/',
        payload: { login, password: u.body.password },
        remoteAddress: '198.51.100.7',
      });
      assert.equal(r.statusCode, 200, `${login}: ${r.body}`);
      assertNoSecrets(r.body);
      assert.equal(r.json().user.id, u.user.id);
      assert.equal(r.json().user.derniere_connexion_ip, '198.51.100.7');
      assert.ok(r.json().user.last_login);
    }
    const attempts = await ctx.database.db.select().from(loginAttempts).where(eq(loginAttempts.userId, u.user.id));
    assert.equal(attempts.filter((a) => a.succes).length, 4);
    assert.equal(attempts[0]!.ip, '198.51.100.7');
    const logs = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.userId, u.user.id));
    assert.equal(logs.filter((l) => l.action === 'connexion').length, 4);
  });

  test('wrong password and unknown login: the same 400, in French, and the failure is recorded', async () => {
    const u = await register(ctx.app);
    const wrong = await post('/api/users/login/', { login: u.body.email, password: 'pas-le-bon-mot' }, { 'user-agent': 'TestAgent/1' });
    const unknown = await post('/api/users/login/', { login: 'personne@nulle-part.ci', password: 'pas-le-bon-mot' });
    for (const r of [wrong, unknown]) {
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().error, "Impossible de se connecter avec les informations d'identification fournies.");
      assert.equal(r.json().code, 'invalid_credentials');
    }
    const [attempt] = await ctx.database.db.select().from(loginAttempts).where(eq(loginAttempts.userId, u.user.id));
    assert.equal(attempt!.succes, false);
    const [log] = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.action, 'connexion_echouee')).limit(1);
    assert.ok(log);
    const mine = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.userId, u.user.id));
    const failed = mine.find((l) => l.action === 'connexion_echouee')!;
    assert.equal(failed.userAgent, 'TestAgent/1');
    assert.equal(failed.ip, '127.0.0.1');
  });

  test('a deactivated account cannot log in', async () => {
    const u = await register(ctx.app);
    await ctx.database.db.update(users).set({ isActive: false }).where(eq(users.id, u.user.id));
    const r = await post('/api/users/login/', { login: u.body.username, password: u.body.password });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().code, 'account_disabled');
  });

  test('logout: 204, that token is revoked (401 after), other sessions stay', async () => {
    const u = await register(ctx.app);
    const other = (await post('/api/users/login/', { login: u.body.username, password: u.body.password })).json().token as string;
    const r = await post('/api/users/logout/', {}, u.headers);
    assert.equal(r.statusCode, 204);
    const after = await ctx.app.inject({ url: '/api/users/me/', headers: u.headers });
    assert.equal(after.statusCode, 401);
    assert.equal((await ctx.app.inject({ url: '/api/users/me/', headers: { authorization: `Token ${other}` } })).statusCode, 200);
    assert.equal((await post('/api/users/logout/', {})).statusCode, 401);
    const tokens = await ctx.database.db.select().from(authTokens).where(eq(authTokens.userId, u.user.id));
    assert.equal(tokens.length, 1);
  });
});

describe('database guarantees', () => {
  test('each unique index violation maps to its field (the path a lost race takes)', async () => {
    const u = await createUser(ctx.database.db, { username: 'Unique', email: 'unique@exemple.ci', password: 'x', telephone: '0709090909' });
    const attempts: [string, Record<string, string>][] = [
      ['username', { username: 'UNIQUE', email: 'a1@exemple.ci', telephone: '+2250709090901' }],
      ['email', { username: 'autre1', email: 'UNIQUE@exemple.ci', telephone: '+2250709090902' }],
      ['telephone', { username: 'autre2', email: 'a2@exemple.ci', telephone: u.telephone }],
    ];
    for (const [field, v] of attempts) {
      const err = await ctx.database.db
        .insert(users)
        .values({ ...v, password: 'x' } as typeof users.$inferInsert)
        .then(
          () => null,
          (e: unknown) => e,
        );
      assert.ok(err, `${field}: the database refused the duplicate`);
      const mapped = duplicateError(err);
      assert.ok(mapped, field);
      assert.deepEqual(Object.keys(mapped.details!), [field]);
    }
  });

  test('spent links and codes are purged after a day', async () => {
    const u = await createUser(ctx.database.db, { username: 'purge', email: 'purge@exemple.ci', password: 'x', telephone: '0709090911' });
    await ctx.database.db.insert(accountTokens).values([
      { userId: u.id, purpose: 'password_reset', tokenHash: 'a'.repeat(64), email: u.email, expiresAt: sql`now() - interval '2 days'` },
      { userId: u.id, purpose: 'password_reset', tokenHash: 'b'.repeat(64), email: u.email, expiresAt: sql`now() + interval '1 hour'` },
    ]);
    await ctx.database.db
      .insert(phoneVerificationCodes)
      .values({ userId: u.id, telephone: u.telephone, codeHash: 'c'.repeat(64), expiresAt: sql`now() - interval '2 days'` });
    // Staff browser sessions: one expired (purged), one still valid (kept).
    await ctx.database.db.insert(authTokens).values([
      { userId: u.id, keyHash: 'd'.repeat(64), type: 'SESSION_PERSONNEL', expireLe: sql`now() - interval '1 minute'` },
      { userId: u.id, keyHash: 'e'.repeat(64), type: 'SESSION_PERSONNEL', expireLe: sql`now() + interval '1 hour'` },
    ]);
    const r = await purgeSpentSecrets(ctx.database.db);
    assert.deepEqual(r, { accountTokens: 1, phoneCodes: 1, staffSessions: 1 });
    assert.deepEqual(
      (await ctx.database.db.select().from(authTokens).where(eq(authTokens.userId, u.id))).map((t) => t.keyHash),
      ['e'.repeat(64)],
    );
    const left = await ctx.database.db.select().from(accountTokens).where(eq(accountTokens.userId, u.id));
    assert.deepEqual(
      left.map((t) => t.tokenHash),
      ['b'.repeat(64)],
    );
  });
});

describe('phone-shaped usernames (issue 11)', () => {
  test('a username shaped like a phone number is refused at registration', async () => {
    for (const username of ['0701020304', '+2250701020304', '07.01.02.03.04']) {
      const r = await post('/api/users/register/', registration({ username }));
      assert.equal(r.statusCode, 400, username);
      assert.deepEqual(r.json().details.username, [
        "Un nom d'utilisateur ne peut pas avoir la forme d'un numéro de téléphone (on se connecte aussi avec son numéro).",
      ]);
    }
  });

  test('attack: an older account named after a phone number cannot capture that phone owner’s logins', async () => {
    const owner = await register(ctx.app, { telephone: '+2250709080706' });
    // An account created before the rule, named after the owner's number (the password is the attacker's).
    await createUser(ctx.database.db, {
      username: '0709080706',
      email: 'squatteur@exemple.ci',
      password: owner.body.password,
      telephone: '+2250500000001',
    });
    const r = await post('/api/users/login/', { login: '0709080706', password: owner.body.password });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().user.id, owner.user.id, 'the telephone wins over the username');
  });
});
