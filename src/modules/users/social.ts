/**
 * Google/Facebook sign-in once the provider's token is verified: a known identity logs in; a verified email
 * of an existing account links to it; otherwise a first sign-in creates the account (with the telephone the
 * manual requires of every user). Two first sign-ins racing end with one account: the unique
 * (provider, subject) index makes the loser retry, and it then finds the winner's identity.
 */
import { randomInt } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { BadRequestError, PG, ValidationError, pgConstraint, pgErrorCode } from '../../core/errors.js';
import { UNUSABLE_PASSWORD } from '../../core/passwords.js';
import { issueToken } from './api-tokens.js';
import type { UserRow } from './tables.js';
import { socialIdentities, users } from './tables.js';
import { PHONE_MESSAGE, normalizeTelephone, usernameProblem, validEmail } from './validators.js';
import { audit, type RequestMeta } from '../../core/audit.js';
import { duplicateError, normalizeEmail, takenFields } from './account.js';
import { loadOwnProfile } from './profile.js';
import type { SocialProfile } from './social-providers.js';
import type { AccountsDeps } from './deps.js';

const LABEL = { google: 'Google', facebook: 'Facebook' } as const;

export interface SocialExtra {
  telephone?: string | undefined;
  username?: string | undefined;
}

export async function signInWithSocial(deps: AccountsDeps, profile: SocialProfile, extra: SocialExtra, meta: RequestMeta) {
  try {
    return await attempt(deps, profile, extra, meta);
  } catch (err) {
    if (pgErrorCode(err) === PG.uniqueViolation && pgConstraint(err) === 'social_identities_provider_subject_uniq') {
      return attempt(deps, profile, extra, meta);
    }
    throw duplicateError(err) ?? err;
  }
}

async function attempt(deps: AccountsDeps, p: SocialProfile, extra: SocialExtra, meta: RequestMeta) {
  // Validated before the transaction: a new account needs a free telephone and username.
  const telephone = extra.telephone !== undefined ? normalizeTelephone(extra.telephone) : null;
  if (extra.telephone !== undefined && !telephone) throw ValidationError.field('telephone', PHONE_MESSAGE);
  const badUsername = extra.username !== undefined ? usernameProblem(extra.username.trim()) : null;
  if (badUsername) throw ValidationError.field('username', badUsername);

  return deps.db.transaction(async (tx) => {
    const [known] = await tx
      .select({ user: users, identityId: socialIdentities.id })
      .from(socialIdentities)
      .innerJoin(users, eq(users.id, socialIdentities.userId))
      .where(and(eq(socialIdentities.provider, p.provider), eq(socialIdentities.subject, p.subject)))
      .limit(1);
    if (known) {
      await tx
        .update(socialIdentities)
        .set({ derniereConnexion: sql`now()` })
        .where(eq(socialIdentities.id, known.identityId));
      return finish(tx, known.user, p, meta, false);
    }

    const email = p.email ? normalizeEmail(p.email) : null;
    if (!email || !validEmail(email)) {
      throw new BadRequestError(
        `Votre compte ${LABEL[p.provider]} ne partage pas d'adresse e-mail valide : inscrivez-vous avec le formulaire.`,
        'email_required',
      );
    }
    const [existing] = await tx
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = lower(${email})`)
      .limit(1);
    if (existing) {
      // Linking on an unverified address would hand the account to whoever typed that address at the provider.
      if (!p.emailVerified) {
        throw ValidationError.field(
          'email',
          `Un compte existe déjà avec cette adresse, non vérifiée chez ${LABEL[p.provider]} : connectez-vous avec votre mot de passe.`,
        );
      }
      const linked = await tx
        .insert(socialIdentities)
        .values({ userId: existing.id, provider: p.provider, subject: p.subject, email, derniereConnexion: sql`now()` })
        .onConflictDoNothing({ target: [socialIdentities.userId, socialIdentities.provider] })
        .returning({ id: socialIdentities.id });
      if (!linked.length)
        throw new BadRequestError(`Ce compte SpotVibe est déjà lié à un autre compte ${LABEL[p.provider]}.`, 'already_linked');
      await tx.update(users).set({ emailVerifie: true }).where(eq(users.id, existing.id));
      await audit(tx, { userId: existing.id, action: 'compte_social_lie', meta, cible: p.provider });
      return finish(tx, { ...existing, emailVerifie: true }, p, meta, false);
    }

    if (!telephone) {
      throw new ValidationError(
        { telephone: ['Le numéro de téléphone est requis pour créer votre compte.'] },
        'Première connexion : indiquez votre numéro de téléphone pour créer votre compte.',
      );
    }
    const username = await chooseUsername(tx, extra.username?.trim(), email);
    const taken = await takenFields(tx, { telephone });
    if (Object.keys(taken).length) throw new ValidationError(taken);
    const [created] = await tx
      .insert(users)
      .values({
        username,
        email,
        password: UNUSABLE_PASSWORD,
        firstName: p.firstName,
        lastName: p.lastName,
        telephone,
        emailVerifie: p.emailVerified,
      })
      .returning();
    await tx
      .insert(socialIdentities)
      .values({ userId: created!.id, provider: p.provider, subject: p.subject, email, derniereConnexion: sql`now()` });
    await audit(tx, { userId: created!.id, action: 'inscription_sociale', meta, cible: p.provider });
    return finish(tx, created!, p, meta, true);
  });
}

async function finish(tx: Tx, user: UserRow, p: SocialProfile, meta: RequestMeta, created: boolean) {
  if (!user.isActive) throw new BadRequestError('Ce compte est désactivé.', 'account_disabled');
  await tx
    .update(users)
    .set({ lastLogin: sql`now()`, derniereConnexionIp: meta.ip })
    .where(eq(users.id, user.id));
  const token = await issueToken(tx, user.id, meta.userAgent);
  await audit(tx, { userId: user.id, action: 'connexion', meta, details: { via: p.provider } });
  return { token, created, ...(await loadOwnProfile(tx, user.id))! };
}

/** The requested username, else one made from the email's local part, with a number added if taken. */
async function chooseUsername(tx: Tx, requested: string | undefined, email: string): Promise<string> {
  if (requested) {
    const taken = await takenFields(tx, { username: requested });
    if (Object.keys(taken).length) throw new ValidationError(taken);
    return requested;
  }
  const base = (email.split('@')[0] ?? '').replace(/[^\p{L}\p{N}_.+-]/gu, '').slice(0, 30) || 'utilisateur';
  for (let i = 0; i < 8; i++) {
    const candidate = i === 0 ? base : `${base}${randomInt(1000, 100_000)}`;
    if (!Object.keys(await takenFields(tx, { username: candidate })).length) return candidate;
  }
  return `${base}${Date.now()}`;
}
