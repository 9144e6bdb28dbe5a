import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { createTestContext, eventually, type TestContext } from '../../test/context.js';
import { decodeQuotedPrintable, startSmtpSink, type SmtpSink } from '../../test/smtp.js';
import { register } from '../../test/users.js';
import { accountTokens, users } from './tables.js';
import { auditLogs } from '../../core/audit.js';

// A real SMTP server inside the test: emails go through the job queue and nodemailer to it.
let smtp: SmtpSink;

let ctx: TestContext;
before(async () => {
  smtp = await startSmtpSink();
  ctx = await createTestContext({
    work: true,
    env: {
      ...smtp.env,
      PUBLIC_BASE_URL: 'https://api.spotvibe.test',
      LOGIN_RATE_LIMIT_MAX: '10000',
      ACCOUNT_RATE_LIMIT_MAX: '10000',
    },
  });
});
after(async () => {
  await ctx.close();
  await smtp.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url, payload: payload as object, headers });
const login = (l: string, password: string) => post('/api/users/login/', { login: l, password });

const decode = decodeQuotedPrintable;

async function mailTo(address: string, subject: RegExp, after = 0) {
  return eventually(async () => smtp.received.slice(after).find((m) => m.to.includes(address) && subject.test(decode(m.raw))), 20_000);
}

describe('password change', () => {
  test('old password required; other sessions revoked, this one kept; the owner is told by email', async () => {
    const u = await register(ctx.app);
    const other = (await login(u.body.email, u.body.password)).json().token as string;
    const wrong = await post(
      '/api/users/me/password/',
      { old_password: 'pas-le-bon', new_password: 'Nouveau-Mot-2025', new_password_confirm: 'Nouveau-Mot-2025' },
      u.headers,
    );
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(wrong.json().details, { old_password: ['Votre ancien mot de passe est incorrect. Veuillez le saisir à nouveau.'] });
    const weak = await post(
      '/api/users/me/password/',
      { old_password: u.body.password, new_password: '123456789', new_password_confirm: '123' },
      u.headers,
    );
    assert.equal(weak.statusCode, 400);
    assert.ok(weak.json().details.new_password.includes('Ce mot de passe est entièrement numérique.'));
    assert.deepEqual(weak.json().details.new_password_confirm, ['Les mots de passe ne correspondent pas.']);

    const ok = await post(
      '/api/users/me/password/',
      { old_password: u.body.password, new_password: 'Nouveau-Mot-2025', new_password_confirm: 'Nouveau-Mot-2025' },
      u.headers,
    );
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(
      (await ctx.app.inject({ url: '/api/users/me/', headers: { authorization: `Token ${other}` } })).statusCode,
      401,
      'the other session is revoked',
    );
    assert.equal((await ctx.app.inject({ url: '/api/users/me/', headers: u.headers })).statusCode, 200, 'this session stays');
    assert.equal((await login(u.body.email, u.body.password)).statusCode, 400);
    assert.equal((await login(u.body.email, 'Nouveau-Mot-2025')).statusCode, 200);
    await mailTo(u.body.email, /Le mot de passe de votre compte SpotVibe vient d’être modifié/);
    const logs = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.userId, u.user.id));
    assert.ok(logs.some((l) => l.action === 'mot_de_passe_modifie'));
  });
});

describe('password reset by email', () => {
  test('the email reaches a real SMTP server; its link works once; every session ends', async () => {
    const u = await register(ctx.app);
    const before = smtp.received.length;
    const r = await post('/api/auth/password/reset/', { email: u.body.email.toUpperCase() });
    assert.equal(r.statusCode, 200);
    assert.equal(
      r.json().message,
      "Si un compte correspond à cette adresse, un e-mail contenant un lien de réinitialisation vient d'être envoyé.",
    );
    const mail = await mailTo(u.body.email, /mot-de-passe\/nouveau\//, before);
    const text = decode(mail.raw);
    assert.match(text, /Subject: .*SpotVibe/);
    // The link opens the French page with the token in its fragment: browsers never send it, proxies never log it.
    const link = /https:\/\/api\.spotvibe\.test\/compte\/mot-de-passe\/nouveau\/#token=([\w-]+)/.exec(text);
    assert.ok(link, 'the email carries the reset link');
    assert.doesNotMatch(text, /\?token=/);
    const page = await ctx.app.inject({ url: '/compte/mot-de-passe/nouveau/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<form id="nouveau-mot-de-passe"/);
    assert.match(page.body, /Choisir un nouveau mot de passe/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    const script = await ctx.app.inject({ url: '/static/mot-de-passe.js' });
    assert.match(script.body, /\/api\/auth\/password\/reset\/confirm\//);
    const token = decodeURIComponent(link[1]!);
    // Only the hash is stored.
    const rows = await ctx.database.db.select().from(accountTokens).where(eq(accountTokens.userId, u.user.id));
    assert.ok(rows.every((row) => row.tokenHash !== token && /^[0-9a-f]{64}$/.test(row.tokenHash)));

    assert.equal((await ctx.app.inject({ url: `/api/auth/password/reset/confirm/?token=${encodeURIComponent(token)}` })).statusCode, 200);
    // A weak password is refused without burning the link.
    const weak = await post('/api/auth/password/reset/confirm/', { token, new_password: 'motdepasse', new_password_confirm: 'motdepasse' });
    assert.equal(weak.statusCode, 400);
    assert.deepEqual(weak.json().details.new_password, ['Ce mot de passe est trop courant.']);
    const ok = await post('/api/auth/password/reset/confirm/', {
      token,
      new_password: 'Reprise-Compte-77',
      new_password_confirm: 'Reprise-Compte-77',
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((await ctx.app.inject({ url: '/api/users/me/', headers: u.headers })).statusCode, 401, 'all sessions end');
    assert.equal((await login(u.body.username, 'Reprise-Compte-77')).statusCode, 200);

    const reuse = await post('/api/auth/password/reset/confirm/', {
      token,
      new_password: 'Encore-Autre-88',
      new_password_confirm: 'Encore-Autre-88',
    });
    assert.equal(reuse.statusCode, 400);
    assert.equal(reuse.json().error, 'Lien de réinitialisation invalide ou expiré. Faites une nouvelle demande.');
    assert.equal((await login(u.body.username, 'Encore-Autre-88')).statusCode, 400);
    const logs = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.userId, u.user.id));
    assert.ok(logs.some((l) => l.action === 'reinitialisation_demandee'));
    assert.ok(logs.some((l) => l.action === 'mot_de_passe_reinitialise'));
    const [row] = await ctx.database.db.select().from(users).where(eq(users.id, u.user.id));
    assert.equal(row!.emailVerifie, true, 'receiving the email proves the address');
  });

  test('an expired link is refused', async () => {
    const u = await register(ctx.app);
    const before = smtp.received.length;
    await post('/api/auth/password/reset/', { email: u.body.email });
    const mail = await mailTo(u.body.email, /mot-de-passe\/nouveau\//, before);
    const token = decodeURIComponent(/mot-de-passe\/nouveau\/#token=([\w-]+)/.exec(decode(mail.raw))![1]!);
    await ctx.database.db
      .update(accountTokens)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(accountTokens.userId, u.user.id));
    const r = await post('/api/auth/password/reset/confirm/', {
      token,
      new_password: 'Trop-Tard-2025',
      new_password_confirm: 'Trop-Tard-2025',
    });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().code, 'invalid_token');
    assert.equal((await ctx.app.inject({ url: `/api/auth/password/reset/confirm/?token=${token}` })).statusCode, 400);
  });

  test('a newer request voids the older link', async () => {
    const u = await register(ctx.app);
    let before = smtp.received.length;
    await post('/api/auth/password/reset/', { email: u.body.email });
    const first = decodeURIComponent(
      /token=([\w-]+)/.exec(decode((await mailTo(u.body.email, /mot-de-passe\/nouveau\//, before)).raw))![1]!,
    );
    before = smtp.received.length;
    await post('/api/auth/password/reset/', { email: u.body.email });
    await mailTo(u.body.email, /mot-de-passe\/nouveau\//, before);
    const r = await post('/api/auth/password/reset/confirm/', {
      token: first,
      new_password: 'Ancien-Lien-2025',
      new_password_confirm: 'Ancien-Lien-2025',
    });
    assert.equal(r.statusCode, 400);
  });

  test('an unknown address gets the same answer and no email is sent', async () => {
    const before = smtp.received.length;
    const r = await post('/api/auth/password/reset/', { email: 'personne@inconnu.ci' });
    assert.equal(r.statusCode, 200);
    assert.equal(
      r.json().message,
      "Si un compte correspond à cette adresse, un e-mail contenant un lien de réinitialisation vient d'être envoyé.",
    );
    // A witness email sent after it arrives first-in-first-out; nothing went to the unknown address.
    const w = await register(ctx.app);
    await post('/api/auth/password/reset/', { email: w.body.email });
    await mailTo(w.body.email, /mot-de-passe\/nouveau\//, before);
    assert.equal(smtp.received.slice(before).filter((m) => m.to.includes('personne@inconnu.ci')).length, 0);
    const garbage = await post('/api/auth/password/reset/confirm/', {
      token: 'nimporte-quoi',
      new_password: 'Valide-Mot-2025',
      new_password_confirm: 'Valide-Mot-2025',
    });
    assert.equal(garbage.statusCode, 400);
  });
});

describe('email verification', () => {
  test('the welcome email carries a link that verifies the address, once', async () => {
    const before = smtp.received.length;
    const u = await register(ctx.app);
    const mail = await mailTo(u.body.email, /Bienvenue/, before);
    const token = decodeURIComponent(/compte\/email\/verifier\/#token=([\w-]+)/.exec(decode(mail.raw))![1]!);
    const page = await ctx.app.inject({ url: '/compte/email/verifier/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Confirmation de votre adresse e-mail/);
    assert.match((await ctx.app.inject({ url: '/static/verifier-email.js' })).body, /\/api\/auth\/email\/verify\//);
    const r = await ctx.app.inject({ url: `/api/auth/email/verify/?token=${encodeURIComponent(token)}` });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().message, 'Adresse e-mail vérifiée. Merci !');
    const me = await ctx.app.inject({ url: '/api/users/me/', headers: u.headers });
    assert.equal(me.json().email_verifie, true);
    const again = await post('/api/auth/email/verify/', { token });
    assert.equal(again.statusCode, 400);
    assert.equal(again.json().code, 'invalid_token');
    const logs = await ctx.database.db.select().from(auditLogs).where(eq(auditLogs.userId, u.user.id));
    assert.ok(logs.some((l) => l.action === 'email_verifie'));
  });

  test('a new verification email can be asked for; once verified, there is nothing to do', async () => {
    const u = await register(ctx.app);
    await mailTo(u.body.email, /Bienvenue/);
    const before = smtp.received.length;
    const r = await post('/api/auth/email/verify/request/', {}, u.headers);
    assert.equal(r.statusCode, 200);
    const mail = await mailTo(u.body.email, /compte\/email\/verifier/, before);
    const token = decodeURIComponent(/token=([\w-]+)/.exec(decode(mail.raw))![1]!);
    assert.equal((await post('/api/auth/email/verify/', { token })).statusCode, 200);
    const done = await post('/api/auth/email/verify/request/', {}, u.headers);
    assert.equal(done.json().message, 'Votre adresse e-mail est déjà vérifiée.');
    assert.equal((await post('/api/auth/email/verify/request/', {})).statusCode, 401);
  });
});
