/**
 * Changing a password (old one required, other sessions closed) and resetting a forgotten one by email.
 *
 * The reset request answers the same thing, in the same time, whether or not the address has an account: the
 * request only enqueues a job, and the job looks the address up and sends the email. Nothing in the answer or
 * its timing tells an attacker which addresses are registered.
 */
import { eq, sql } from 'drizzle-orm';
import { ValidationError, BadRequestError, type FieldErrors } from '../../core/errors.js';
import { hashPassword, verifyPassword } from '../../core/passwords.js';
import { revokeOtherTokens } from './api-tokens.js';
import type { JobDefinition } from '../../jobs/queue.js';
import { loginAttempts, users } from './tables.js';
import { passwordProblems } from './validators.js';
import { audit, type RequestMeta } from '../../core/audit.js';
import { consumeToken, createAccountToken, findValidToken } from './account-tokens.js';
import { RESET_PASSWORD_PAGE } from './account-pages.js';
import { linkFor, sendAccountMessage } from './emails.js';
import { PASSWORD_RESET_TTL_MS, accountSettings } from './settings.js';
import type { AccountsDeps } from './deps.js';

export const RESET_REQUESTED_MESSAGE =
  "Si un compte correspond à cette adresse, un e-mail contenant un lien de réinitialisation vient d'être envoyé.";
export const INVALID_RESET_TOKEN = 'Lien de réinitialisation invalide ou expiré. Faites une nouvelle demande.';

function newPasswordProblems(
  pw: string,
  confirm: string,
  user: { username: string; email: string; firstName: string; lastName: string },
): FieldErrors {
  const details: FieldErrors = {};
  const problems = passwordProblems(pw, user);
  if (problems.length) details.new_password = problems;
  if (pw !== confirm) details.new_password_confirm = ['Les mots de passe ne correspondent pas.'];
  return details;
}

export async function changePassword(
  deps: AccountsDeps,
  userId: number,
  currentTokenId: number | null,
  input: { old_password: string; new_password: string; new_password_confirm: string },
  meta: RequestMeta,
): Promise<void> {
  const [user] = await deps.db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw new BadRequestError('Utilisateur introuvable.');
  const hasPassword = user.password.startsWith('$argon2');
  // A social-only account sets its first password here without an old one (it has none to give).
  if (hasPassword && !(await verifyPassword(user.password, input.old_password))) {
    throw ValidationError.field('old_password', 'Votre ancien mot de passe est incorrect. Veuillez le saisir à nouveau.');
  }
  const details = newPasswordProblems(input.new_password, input.new_password_confirm, user);
  if (hasPassword && input.new_password === input.old_password) {
    (details.new_password ??= []).push("Le nouveau mot de passe doit être différent de l'ancien.");
  }
  if (Object.keys(details).length) throw new ValidationError(details);
  const hash = await hashPassword(input.new_password);
  await deps.db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ password: hash, dateModification: sql`now()` })
      .where(eq(users.id, userId));
    // Whoever else holds a session (a stolen token, a forgotten phone) is logged out; this session stays.
    await revokeOtherTokens(tx, userId, currentTokenId);
    await audit(tx, { userId, action: 'mot_de_passe_modifie', meta });
    await sendAccountMessage(deps, tx, userId, 'COMPTE_MOT_DE_PASSE_MODIFIE', { reinitialise: '' });
  });
}

export const PASSWORD_RESET_JOB = 'users.password_reset_request';

interface ResetJobData {
  email: string;
  origin: string;
  meta: RequestMeta;
}

export async function requestPasswordReset(deps: AccountsDeps, email: string, meta: RequestMeta, origin: string): Promise<void> {
  await deps.jobs.send(PASSWORD_RESET_JOB, { email: email.trim().slice(0, 254), origin, meta } satisfies ResetJobData);
}

export const passwordResetJob: JobDefinition<ResetJobData> = {
  name: PASSWORD_RESET_JOB,
  retryLimit: 3,
  retryDelay: 10,
  handler: async (data, ctx) => {
    const db = ctx.database.db;
    const settings = accountSettings(ctx.config);
    const [user] = await db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = lower(${data.email}) AND ${users.isActive}`)
      .limit(1);
    if (!user) {
      ctx.log.info('réinitialisation demandée pour une adresse sans compte actif');
      return;
    }
    await db.transaction(async (tx) => {
      const token = await createAccountToken(tx, user.id, 'password_reset', user.email, PASSWORD_RESET_TTL_MS);
      const link = linkFor(settings.passwordResetUrl, data.origin, RESET_PASSWORD_PAGE, token);
      await sendAccountMessage(ctx, tx, user.id, 'COMPTE_REINITIALISATION', { lien: link, code: token });
      await audit(tx, { userId: user.id, action: 'reinitialisation_demandee', meta: data.meta });
    });
  },
};

/** For a front end opening the link: is this token still good? (Does not consume it.) */
export async function checkResetToken(deps: AccountsDeps, token: string): Promise<void> {
  if (!(await findValidToken(deps.db, token, 'password_reset'))) throw new BadRequestError(INVALID_RESET_TOKEN, 'invalid_token');
}

export async function confirmPasswordReset(
  deps: AccountsDeps,
  input: { token: string; new_password: string; new_password_confirm: string },
  meta: RequestMeta,
): Promise<void> {
  const found = await findValidToken(deps.db, input.token, 'password_reset');
  if (!found) throw new BadRequestError(INVALID_RESET_TOKEN, 'invalid_token');
  // Checked before the token is consumed: a rejected weak password does not burn the link.
  const details = newPasswordProblems(input.new_password, input.new_password_confirm, found.user);
  if (Object.keys(details).length) throw new ValidationError(details);
  const hash = await hashPassword(input.new_password);
  await deps.db.transaction(async (tx) => {
    if (!(await consumeToken(tx, found.token.id))) throw new BadRequestError(INVALID_RESET_TOKEN, 'invalid_token');
    // Receiving the email proves the address: mark it verified too.
    await tx
      .update(users)
      .set({ password: hash, emailVerifie: true, dateModification: sql`now()` })
      .where(eq(users.id, found.user.id));
    // Every session ends: the reset may be the owner taking the account back from someone.
    await revokeOtherTokens(tx, found.user.id, null);
    // Proving the mailbox ends a lockout an attacker may have caused with wrong guesses.
    await tx
      .insert(loginAttempts)
      .values({ login: found.user.email.toLowerCase(), userId: found.user.id, ip: meta.ip, succes: true, userAgent: meta.userAgent });
    await audit(tx, { userId: found.user.id, action: 'mot_de_passe_reinitialise', meta });
    await sendAccountMessage(deps, tx, found.user.id, 'COMPTE_MOT_DE_PASSE_MODIFIE', { reinitialise: 'oui' });
  });
}
