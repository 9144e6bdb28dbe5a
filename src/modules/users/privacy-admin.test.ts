import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { queuedMessages } from '../../test/notifications.js';
import { createUserWithToken, register } from '../../test/users.js';
import { authTokens, follows, loginAttempts, socialIdentities, users } from './tables.js';
import { auditLogs } from '../../core/audit.js';
import { maskEmail, maskTelephone } from './admin.js';

let ctx: TestContext;
const erased: number[] = [];
before(async () => {
  // Stands in for the payments module: its data is exported and detached with the account.
  ctx = await createTestContext({ env: { LOGIN_RATE_LIMIT_MAX: '10000', ACCOUNT_RATE_LIMIT_MAX: '10000' } });
  ctx.hooks.on('account.export', async ({ userId }) => ({ test_paiements: [{ reference: `SV-${userId}`, montant: 5000 }] }));
  ctx.hooks.on('account.erase', async ({ userId }) => {
    erased.push(userId);
  });
});
after(() => ctx.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url, payload: payload as object, headers });

describe('data export', () => {
  test('everything we hold about the user, as JSON, without any hash', async () => {
    const u = await register(ctx.app);
    const other = await register(ctx.app);
    await post(`/api/users/${other.user.id}/follow/`, {}, u.headers);
    await post(`/api/users/${u.user.id}/follow/`, {}, other.headers);
    await post('/api/users/login/', { login: u.body.email, password: 'mauvais-mot' });
    const r = await ctx.app.inject({ url: '/api/users/me/export/', headers: u.headers });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-disposition']), /attachment; filename="spotvibe-donnees-\d+\.json"/);
    const d = r.json();
    assert.equal(d.profil.email, u.body.email);
    assert.equal(d.profil.telephone, u.body.telephone);
    assert.deepEqual(
      d.abonnements.map((x: { id: number }) => x.id),
      [other.user.id],
    );
    assert.deepEqual(
      d.abonnes.map((x: { id: number }) => x.id),
      [other.user.id],
    );
    assert.equal(d.sessions.length, 1);
    assert.ok(d.tentatives_connexion.some((t: { succes: boolean }) => !t.succes));
    assert.ok(d.journal_securite.some((l: { action: string }) => l.action === 'inscription'));
    assert.deepEqual(d.test_paiements, [{ reference: `SV-${u.user.id}`, montant: 5000 }]);
    for (const k of ['evenements_crees', 'participations', 'comptes_sociaux']) assert.ok(Array.isArray(d[k]), k);
    assert.doesNotMatch(r.body, /argon2|key_hash|token_hash|code_hash/);
    assert.equal((await ctx.app.inject({ url: '/api/users/me/export/' })).statusCode, 401);
  });
});

describe('account deletion', () => {
  test('password required; then the row is anonymised (kept for payments), sessions end, links are gone', async () => {
    const u = await register(ctx.app);
    const other = await register(ctx.app);
    await post(`/api/users/${other.user.id}/follow/`, {}, u.headers);
    const second = (await post('/api/users/login/', { login: u.body.email, password: u.body.password })).json().token;

    const missing = await post('/api/users/me/delete/', {}, u.headers);
    assert.equal(missing.statusCode, 400);
    assert.ok(missing.json().details.password);
    const wrong = await post('/api/users/me/delete/', { password: 'pas-le-bon' }, u.headers);
    assert.deepEqual(wrong.json().details, { password: ['Mot de passe incorrect.'] });

    const r = await post('/api/users/me/delete/', { password: u.body.password }, { ...u.headers, 'user-agent': 'Suppression/1' });
    assert.equal(r.statusCode, 204);
    const [row] = await ctx.database.db.select().from(users).where(eq(users.id, u.user.id));
    assert.ok(row, 'the row stays: payments reference it');
    assert.equal(row!.username, `supprime-${u.user.id}`);
    assert.ok(!row!.email.includes(u.body.email));
    assert.ok(!row!.telephone.startsWith('+225'));
    assert.deepEqual(
      [row!.firstName, row!.lastName, row!.bio, row!.photoProfil, row!.isActive, row!.password],
      ['', '', '', '', false, '!'],
    );
    assert.equal(row!.derniereConnexionIp, null);
    assert.ok(row!.dateSuppression);
    assert.deepEqual(erased, [u.user.id]);
    for (const t of [u.token, second]) {
      assert.equal((await ctx.app.inject({ url: '/api/users/me/', headers: { authorization: `Token ${t}` } })).statusCode, 401);
    }
    assert.equal((await ctx.database.db.select().from(authTokens).where(eq(authTokens.userId, u.user.id))).length, 0);
    assert.equal((await ctx.database.db.select().from(follows).where(eq(follows.followerId, u.user.id))).length, 0);
    assert.equal((await ctx.database.db.select().from(loginAttempts).where(eq(loginAttempts.userId, u.user.id))).length, 0);
    assert.equal((await ctx.app.inject({ url: `/api/users/${u.user.id}/` })).statusCode, 404);
    assert.equal((await post('/api/users/login/', { login: u.body.email, password: u.body.password })).statusCode, 400);
    const [log] = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.action, 'compte_supprime'));
    assert.equal(log!.userId, u.user.id);
    assert.equal(log!.userAgent, 'Suppression/1');
    // The person's email, telephone and username are free again.
    const again = await post('/api/users/register/', { ...u.body });
    assert.equal(again.statusCode, 201, again.body);
    const goodbye = (await queuedMessages(ctx.database, 'EMAIL')).filter((m) => m.to === u.body.email);
    assert.ok(goodbye.some((m) => m.subject === 'SpotVibe : votre compte a été supprimé'));
  });

  test('an account without a password (Google/Facebook) confirms with SUPPRIMER', async () => {
    const { user, headers } = await createUserWithToken(ctx.database.db);
    await ctx.database.db.update(users).set({ password: '!' }).where(eq(users.id, user.id));
    await ctx.database.db.insert(socialIdentities).values({ userId: user.id, provider: 'google', subject: `g-${user.id}` });
    const no = await post('/api/users/me/delete/', { confirmation: 'oui' }, headers);
    assert.equal(no.statusCode, 400);
    assert.ok(no.json().details.confirmation);
    assert.equal((await post('/api/users/me/delete/', { confirmation: 'SUPPRIMER' }, headers)).statusCode, 204);
    assert.equal((await ctx.database.db.select().from(socialIdentities).where(eq(socialIdentities.userId, user.id))).length, 0);
  });
});

describe('staff: /api/admin/users/', () => {
  test('only staff; list and search with masked email and telephone', async () => {
    const staff = await createUserWithToken(ctx.database.db, { isStaff: true });
    const u = await register(ctx.app, { first_name: 'Mariam', last_name: 'Bamba' });
    const plain = await register(ctx.app);
    assert.equal((await ctx.app.inject({ url: '/api/admin/users/' })).statusCode, 401);
    assert.equal((await ctx.app.inject({ url: '/api/admin/users/', headers: plain.headers })).statusCode, 403);
    for (const q of [u.body.username.toUpperCase(), 'Bamba', u.body.email, u.body.telephone.replace('+225', '')]) {
      const r = await ctx.app.inject({ url: `/api/admin/users/?search=${encodeURIComponent(q)}`, headers: staff.headers });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(
        r.json().results.map((x: { id: number }) => x.id),
        [u.user.id],
        q,
      );
      assert.ok(!r.body.includes(u.body.email) && !r.body.includes(u.body.telephone), 'masked');
    }
    const one = (await ctx.app.inject({ url: `/api/admin/users/?search=${u.body.username}`, headers: staff.headers })).json().results[0];
    assert.equal(one.email_masque, maskEmail(u.body.email));
    assert.match(one.telephone_masque, /^\+225 07 \*\* \*\* \*\* \d\d$/);
    const staffOnly = await ctx.app.inject({ url: '/api/admin/users/?is_staff=true', headers: staff.headers });
    assert.ok(staffOnly.json().results.every((x: { is_staff: boolean }) => x.is_staff));
    assert.equal(maskTelephone('+2250701020304'), '+225 07 ** ** ** 04');
  });

  test('deactivate (sessions end at once, audited with the reason) and reactivate; limits of staff', async () => {
    const staff = await createUserWithToken(ctx.database.db, { isStaff: true });
    const otherStaff = await createUserWithToken(ctx.database.db, { isStaff: true });
    const superuser = await createUserWithToken(ctx.database.db, { isStaff: true, isSuperuser: true });
    const u = await register(ctx.app);
    const r = await post(`/api/admin/users/${u.user.id}/deactivate/`, { motif: 'Fraude au paiement' }, staff.headers);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().is_active, false);
    assert.equal((await ctx.app.inject({ url: '/api/users/me/', headers: u.headers })).statusCode, 401);
    assert.equal((await post('/api/users/login/', { login: u.body.email, password: u.body.password })).json().code, 'account_disabled');
    const [log] = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.action, 'staff_desactivation'));
    assert.equal(log!.userId, staff.user.id);
    assert.equal(log!.cible, `user:${u.user.id}`);
    assert.deepEqual(log!.details, { motif: 'Fraude au paiement', avant: { is_active: true }, apres: { is_active: false } });
    assert.equal(log!.parPersonnel, true);
    assert.equal((await post(`/api/admin/users/${u.user.id}/activate/`, {}, staff.headers)).json().is_active, true);
    assert.equal((await post('/api/users/login/', { login: u.body.email, password: u.body.password })).statusCode, 200);

    assert.equal((await post(`/api/admin/users/${staff.user.id}/deactivate/`, {}, staff.headers)).statusCode, 400);
    assert.equal((await post(`/api/admin/users/${otherStaff.user.id}/deactivate/`, {}, staff.headers)).statusCode, 403);
    assert.equal((await post(`/api/admin/users/${otherStaff.user.id}/deactivate/`, {}, superuser.headers)).statusCode, 200);
    assert.equal((await post('/api/admin/users/999999/deactivate/', {}, staff.headers)).statusCode, 404);
    assert.equal((await post(`/api/admin/users/${u.user.id}/deactivate/`, {}, u.headers)).statusCode, 401);
    const noBody = await ctx.app.inject({ method: 'POST', url: `/api/admin/users/${u.user.id}/deactivate/`, headers: staff.headers });
    assert.equal(noBody.statusCode, 200, noBody.body);
  });
});
