/**
 * Proving an email address (a link) and a telephone number (a 6-digit SMS code). A verified telephone sets the
 * manual's `est_verifie` and `date_verification`.
 *
 * SMS codes: HMAC-stored, valid 10 minutes, 5 tries. Each try is counted by a guarded UPDATE committed before
 * the code is compared, so parallel guesses cannot exceed the allowance and a failed try is never rolled back.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { BadRequestError, RateLimitedError, ValidationError } from '../../core/errors.js';
import { phoneVerificationCodes, users } from './tables.js';
import { audit, type RequestMeta } from '../../core/audit.js';
import { consumeToken, createAccountToken, findValidToken } from './account-tokens.js';
import { VERIFY_EMAIL_PAGE } from './account-pages.js';
import { linkFor, sendAccountMessage } from './emails.js';
import { EMAIL_VERIFICATION_TTL_MS, PHONE_CODE_MAX_TRIES, PHONE_CODE_RESEND_MS, PHONE_CODE_TTL_MS } from './settings.js';
import { loadOwnProfile } from './profile.js';
import type { AccountsDeps } from './deps.js';

export const INVALID_EMAIL_TOKEN = 'Lien de vérification invalide ou expiré. Demandez un nouvel e-mail de vérification.';

export async function sendEmailVerification(deps: AccountsDeps, userId: number, origin: string): Promise<{ alreadyVerified: boolean }> {
  const [user] = await deps.db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw new BadRequestError('Utilisateur introuvable.');
  if (user.emailVerifie) return { alreadyVerified: true };
  await deps.db.transaction(async (tx) => {
    const token = await createAccountToken(tx, user.id, 'email_verification', user.email, EMAIL_VERIFICATION_TTL_MS);
    const link = linkFor(deps.settings.emailVerificationUrl, origin, VERIFY_EMAIL_PAGE, token);
    await sendAccountMessage(deps, tx, user.id, 'COMPTE_VERIFICATION_EMAIL', { lien: link, code: token }, { email: user.email });
  });
  return { alreadyVerified: false };
}

export async function confirmEmail(deps: AccountsDeps, token: string, meta: RequestMeta): Promise<void> {
  const found = await findValidToken(deps.db, token, 'email_verification');
  if (!found) throw new BadRequestError(INVALID_EMAIL_TOKEN, 'invalid_token');
  await deps.db.transaction(async (tx) => {
    if (!(await consumeToken(tx, found.token.id))) throw new BadRequestError(INVALID_EMAIL_TOKEN, 'invalid_token');
    await tx
      .update(users)
      .set({ emailVerifie: true, dateModification: sql`now()` })
      .where(eq(users.id, found.user.id));
    await audit(tx, { userId: found.user.id, action: 'email_verifie', meta, cible: found.token.email.slice(0, 100) });
  });
}

function codeHash(secretKey: string, userId: number, code: string): string {
  return createHmac('sha256', secretKey).update(`telephone:${userId}:${code}`).digest('hex');
}

export async function sendPhoneCode(deps: AccountsDeps, userId: number): Promise<{ telephone: string; expiresAt: Date }> {
  return deps.db.transaction(async (tx) => {
    // The user row lock serialises two "send me a code" taps, so the resend delay holds.
    const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!user) throw new BadRequestError('Utilisateur introuvable.');
    if (user.estVerifie) throw new BadRequestError('Votre numéro de téléphone est déjà vérifié.', 'already_verified');
    const [last] = await tx
      .select({ age: sql<number>`extract(epoch from (now() - ${phoneVerificationCodes.dateCreation}))::float * 1000` })
      .from(phoneVerificationCodes)
      .where(eq(phoneVerificationCodes.userId, userId))
      .orderBy(desc(phoneVerificationCodes.dateCreation))
      .limit(1);
    if (last && last.age < PHONE_CODE_RESEND_MS) {
      throw new RateLimitedError(
        (PHONE_CODE_RESEND_MS - last.age) / 1000,
        'Un code vient déjà de vous être envoyé. Patientez avant d’en demander un nouveau.',
      );
    }
    // Only the newest code is valid.
    await tx
      .update(phoneVerificationCodes)
      .set({ usedAt: sql`now()` })
      .where(and(eq(phoneVerificationCodes.userId, userId), isNull(phoneVerificationCodes.usedAt)));
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const [row] = await tx
      .insert(phoneVerificationCodes)
      .values({
        userId,
        telephone: user.telephone,
        codeHash: codeHash(deps.config.secretKey, userId, code),
        expiresAt: sql`now() + ${`${PHONE_CODE_TTL_MS / 1000} seconds`}::interval`,
      })
      .returning({ expiresAt: phoneVerificationCodes.expiresAt });
    await sendAccountMessage(
      deps,
      tx,
      userId,
      'COMPTE_CODE_TELEPHONE',
      { code, minutes: String(PHONE_CODE_TTL_MS / 60_000) },
      { telephone: user.telephone },
    );
    return { telephone: user.telephone, expiresAt: row!.expiresAt };
  });
}

export async function verifyPhoneCode(deps: AccountsDeps, userId: number, code: string, meta: RequestMeta) {
  const { db } = deps;
  const [tried] = await db
    .update(phoneVerificationCodes)
    .set({ tentatives: sql`${phoneVerificationCodes.tentatives} + 1` })
    .where(
      and(
        eq(phoneVerificationCodes.userId, userId),
        isNull(phoneVerificationCodes.usedAt),
        gt(phoneVerificationCodes.expiresAt, sql`now()`),
        sql`${phoneVerificationCodes.tentatives} < ${PHONE_CODE_MAX_TRIES}`,
      ),
    )
    .returning();
  if (!tried) throw await whyNoCode(deps, userId);

  const expected = Buffer.from(tried.codeHash, 'hex');
  const given = Buffer.from(codeHash(deps.config.secretKey, userId, code), 'hex');
  if (!timingSafeEqual(expected, given)) {
    const left = PHONE_CODE_MAX_TRIES - tried.tentatives;
    throw ValidationError.field(
      'code',
      left > 0
        ? `Code incorrect. Il vous reste ${left} essai${left > 1 ? 's' : ''}.`
        : 'Code incorrect. Nombre maximal d’essais atteint : demandez un nouveau code.',
    );
  }
  return db.transaction(async (tx) => {
    const used = await tx
      .update(phoneVerificationCodes)
      .set({ usedAt: sql`now()` })
      .where(and(eq(phoneVerificationCodes.id, tried.id), isNull(phoneVerificationCodes.usedAt)))
      .returning({ id: phoneVerificationCodes.id });
    if (!used.length) throw ValidationError.field('code', 'Ce code a déjà été utilisé. Demandez un nouveau code.');
    // The code proves the number it was sent to; if the profile's number changed since, it proves nothing.
    const updated = await tx
      .update(users)
      .set({ estVerifie: true, dateVerification: sql`now()`, dateModification: sql`now()` })
      .where(and(eq(users.id, userId), eq(users.telephone, tried.telephone)))
      .returning({ id: users.id });
    if (!updated.length) throw ValidationError.field('code', 'Votre numéro a changé depuis l’envoi du code. Demandez un nouveau code.');
    await audit(tx, { userId, action: 'telephone_verifie', meta, cible: tried.telephone });
    return (await loadOwnProfile(tx, userId))!;
  });
}

async function whyNoCode(deps: AccountsDeps, userId: number): Promise<Error> {
  const [latest] = await deps.db
    .select({
      expired: sql<boolean>`${phoneVerificationCodes.expiresAt} <= now()`,
      tentatives: phoneVerificationCodes.tentatives,
      usedAt: phoneVerificationCodes.usedAt,
    })
    .from(phoneVerificationCodes)
    .where(eq(phoneVerificationCodes.userId, userId))
    .orderBy(desc(phoneVerificationCodes.dateCreation), desc(phoneVerificationCodes.id))
    .limit(1);
  if (!latest || latest.usedAt) return ValidationError.field('code', 'Aucun code en cours. Demandez un nouveau code.');
  if (latest.tentatives >= PHONE_CODE_MAX_TRIES) {
    return ValidationError.field('code', 'Nombre maximal d’essais atteint pour ce code. Demandez un nouveau code.');
  }
  return ValidationError.field('code', 'Ce code a expiré. Demandez un nouveau code.');
}
