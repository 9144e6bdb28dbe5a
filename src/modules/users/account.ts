/** Registration and the owner's profile (`/api/users/register/`, `/api/users/me/`). */
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { NotFoundError, PG, ValidationError, pgConstraint, pgErrorCode, type FieldErrors } from '../../core/errors.js';
import { hashPassword } from '../../core/passwords.js';
import { issueToken } from './api-tokens.js';
import { users } from './tables.js';
import { EMAIL_MESSAGE, PHONE_MESSAGE, normalizeTelephone, passwordProblems, usernameProblem, validEmail } from './validators.js';
import { audit, type RequestMeta } from '../../core/audit.js';
import { createAccountToken } from './account-tokens.js';
import { VERIFY_EMAIL_PAGE } from './account-pages.js';
import { linkFor, sendAccountMessage } from './emails.js';
import { EMAIL_VERIFICATION_TTL_MS } from './settings.js';
import { loadOwnProfile } from './profile.js';
import type { AccountsDeps } from './deps.js';

export const DUPLICATE_MESSAGES = {
  username: "Un utilisateur avec ce nom d'utilisateur existe déjà.",
  email: 'Un utilisateur avec cette adresse e-mail existe déjà.',
  telephone: 'Un utilisateur avec ce numéro de téléphone existe déjà.',
} as const;

const CONSTRAINT_FIELDS: Record<string, keyof typeof DUPLICATE_MESSAGES> = {
  users_username_lower_uniq: 'username',
  users_email_lower_uniq: 'email',
  users_telephone_uniq: 'telephone',
};

/**
 * The unique indexes have the last word: when two requests race past the friendly pre-check, the loser's
 * 23505 names its constraint, which becomes the same 400 on the same field.
 */
export function duplicateError(err: unknown): ValidationError | null {
  if (pgErrorCode(err) !== PG.uniqueViolation) return null;
  const field = CONSTRAINT_FIELDS[pgConstraint(err) ?? ''];
  return field ? ValidationError.field(field, DUPLICATE_MESSAGES[field]) : null;
}

/** Friendly pre-check reporting every taken field at once (the indexes still decide races). */
export async function takenFields(
  db: DbOrTx,
  v: { username?: string; email?: string; telephone?: string },
  exceptUserId?: number,
): Promise<FieldErrors> {
  const conds = [];
  if (v.username) conds.push(sql`lower(${users.username}) = lower(${v.username})`);
  if (v.email) conds.push(sql`lower(${users.email}) = lower(${v.email})`);
  if (v.telephone) conds.push(sql`${users.telephone} = ${v.telephone}`);
  if (!conds.length) return {};
  const rows = await db
    .select({ id: users.id, username: users.username, email: users.email, telephone: users.telephone })
    .from(users)
    .where(sql`(${sql.join(conds, sql` OR `)})`);
  const out: FieldErrors = {};
  for (const r of rows) {
    if (r.id === exceptUserId) continue;
    if (v.username && r.username.toLowerCase() === v.username.toLowerCase()) out.username = [DUPLICATE_MESSAGES.username];
    if (v.email && r.email.toLowerCase() === v.email.toLowerCase()) out.email = [DUPLICATE_MESSAGES.email];
    if (v.telephone && r.telephone === v.telephone) out.telephone = [DUPLICATE_MESSAGES.telephone];
  }
  return out;
}

/** Django's normalize_email: the domain is case-insensitive, the local part is kept as typed. */
export function normalizeEmail(email: string): string {
  const e = email.trim();
  const at = e.lastIndexOf('@');
  return at < 0 ? e : `${e.slice(0, at)}@${e.slice(at + 1).toLowerCase()}`;
}

export interface RegisterInput {
  username: string;
  email: string;
  password: string;
  password_confirm: string;
  first_name?: string | undefined;
  last_name?: string | undefined;
  telephone: string;
}

export async function registerUser(deps: AccountsDeps, input: RegisterInput, meta: RequestMeta, origin: string) {
  const username = input.username.trim();
  const email = normalizeEmail(input.email);
  const firstName = (input.first_name ?? '').trim();
  const lastName = (input.last_name ?? '').trim();
  const telephone = normalizeTelephone(input.telephone);

  const details: FieldErrors = {};
  const badUsername = usernameProblem(username);
  if (badUsername) details.username = [badUsername];
  if (!validEmail(email)) details.email = [EMAIL_MESSAGE];
  if (!telephone) details.telephone = [PHONE_MESSAGE];
  if (input.password !== input.password_confirm) details.password_confirm = ['Les mots de passe ne correspondent pas.'];
  const pw = passwordProblems(input.password, { username, email, firstName, lastName });
  if (pw.length) details.password = pw;
  Object.assign(details, await takenFields(deps.db, { username, email, telephone: telephone ?? undefined }));
  if (Object.keys(details).length) throw new ValidationError(details);

  const password = await hashPassword(input.password);
  try {
    return await deps.db.transaction(async (tx) => {
      const [user] = await tx.insert(users).values({ username, email, password, firstName, lastName, telephone: telephone! }).returning();
      const token = await issueToken(tx, user!.id, meta.userAgent);
      const verifyToken = await createAccountToken(tx, user!.id, 'email_verification', email, EMAIL_VERIFICATION_TTL_MS);
      const link = linkFor(deps.settings.emailVerificationUrl, origin, VERIFY_EMAIL_PAGE, verifyToken);
      await sendAccountMessage(deps, tx, user!.id, 'COMPTE_BIENVENUE', { lien: link, code: verifyToken });
      await audit(tx, { userId: user!.id, action: 'inscription', meta });
      const profile = await loadOwnProfile(tx, user!.id);
      return { token, ...profile! };
    });
  } catch (err) {
    throw duplicateError(err) ?? err;
  }
}

export async function getOwnProfile({ db }: Pick<AccountsDeps, 'db'>, userId: number) {
  const p = await loadOwnProfile(db, userId);
  if (!p) throw new NotFoundError('Utilisateur introuvable.');
  return p;
}

export interface ProfilePatchInput {
  first_name?: string | undefined;
  last_name?: string | undefined;
  telephone?: string | undefined;
  bio?: string | undefined;
  date_naissance?: string | null | undefined;
  notifications_email?: boolean | undefined;
  notifications_push?: boolean | undefined;
}

export async function updateOwnProfile(deps: AccountsDeps, userId: number, input: ProfilePatchInput, meta: RequestMeta) {
  const set: Partial<typeof users.$inferInsert> = {};
  const details: FieldErrors = {};
  if (input.first_name !== undefined) set.firstName = input.first_name.trim();
  if (input.last_name !== undefined) set.lastName = input.last_name.trim();
  if (input.bio !== undefined) set.bio = input.bio;
  if (input.notifications_email !== undefined) set.notificationsEmail = input.notifications_email;
  if (input.notifications_push !== undefined) set.notificationsPush = input.notifications_push;
  if (input.date_naissance !== undefined) {
    if (input.date_naissance === null || input.date_naissance === '') set.dateNaissance = null;
    else {
      const problem = birthDateProblem(input.date_naissance);
      if (problem) details.date_naissance = [problem];
      else set.dateNaissance = input.date_naissance;
    }
  }
  let telephone: string | null = null;
  if (input.telephone !== undefined) {
    telephone = normalizeTelephone(input.telephone);
    if (!telephone) details.telephone = [PHONE_MESSAGE];
    else Object.assign(details, await takenFields(deps.db, { telephone }, userId));
  }
  if (Object.keys(details).length) throw new ValidationError(details);

  try {
    const profile = await deps.db.transaction(async (tx) => {
      const [current] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
      if (!current) throw new NotFoundError('Utilisateur introuvable.');
      if (telephone && telephone !== current.telephone) {
        set.telephone = telephone;
        // The SMS verification proved the old number; a new one must be proved again.
        set.estVerifie = false;
        set.dateVerification = null;
      }
      if (Object.keys(set).length) {
        await tx
          .update(users)
          .set({ ...set, dateModification: sql`now()` })
          .where(eq(users.id, userId));
        if (set.telephone) {
          await audit(tx, { userId, action: 'profil_modifie', meta, details: { champs: ['telephone'] } });
        }
      }
      return (await loadOwnProfile(tx, userId))!;
    });
    // First and last names show in the organizer's events (`createur`) of public reads.
    if (set.firstName !== undefined || set.lastName !== undefined) await deps.publicCache?.bump();
    return profile;
  } catch (err) {
    throw duplicateError(err) ?? err;
  }
}

function birthDateProblem(v: string): string | null {
  const d = new Date(`${v}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) return 'Date invalide. Format attendu : AAAA-MM-JJ.';
  if (d.getTime() > Date.now()) return 'La date de naissance ne peut pas être dans le futur.';
  if (d.getUTCFullYear() < 1900) return 'Date de naissance invalide.';
  return null;
}

/**
 * The manual's `User.objects.create_user`: a model-level creation for code and tests, hashing the password
 * and normalising the telephone, without the API's password rules (as Django's create_user). Uniqueness is
 * still the database's.
 */
export async function createUser(
  db: DbOrTx,
  input: { username: string; email: string; password: string; telephone: string; first_name?: string; last_name?: string },
) {
  const telephone = normalizeTelephone(input.telephone);
  if (!telephone) throw ValidationError.field('telephone', PHONE_MESSAGE);
  try {
    const [user] = await db
      .insert(users)
      .values({
        username: input.username,
        email: normalizeEmail(input.email),
        password: await hashPassword(input.password),
        telephone,
        firstName: input.first_name ?? '',
        lastName: input.last_name ?? '',
      })
      .returning();
    return user!;
  } catch (err) {
    throw duplicateError(err) ?? err;
  }
}
