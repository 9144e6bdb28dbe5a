/**
 * The user's rights over their data: an export of everything we hold about them, and deletion.
 *
 * Deletion anonymises the row instead of deleting it: payments (kept for accounting) reference users, so the
 * row stays as a tombstone without any personal data, every session ends, and what only described the
 * person (follows, linked social accounts, pending links and codes, login history) is deleted. Other modules
 * that hold personal data about a user (their events, a payer's telephone on a payment) answer the
 * `account.export` and `account.erase` hooks (hooks.ts); erasure runs in the deletion's transaction.
 */
import { desc, eq, or, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { BadRequestError, NotFoundError, ValidationError } from '../../core/errors.js';
import { UNUSABLE_PASSWORD, verifyPassword } from '../../core/passwords.js';
import { revokeOtherTokens } from './api-tokens.js';
import { accountTokens, authTokens, follows, loginAttempts, phoneVerificationCodes, socialIdentities, users } from './tables.js';
import { audit, auditLogs, type RequestMeta } from '../../core/audit.js';
import './hooks.js';
import { sendAccountMessage } from './emails.js';
import { loadOwnProfile, toProfile, type Serializer } from './profile.js';
import type { AccountsDeps } from './deps.js';

/**
 * Everything we hold about a person, as JSON. `byStaff`: a member of staff handling the person's request
 * (SpotVibe Administration), recorded in the staff journal as the one who exported.
 */
export async function exportUserData(
  deps: AccountsDeps,
  userId: number,
  s: Serializer,
  meta: RequestMeta,
  byStaff?: { staffId: number; motif: string },
) {
  const db = deps.db;
  const profile = await loadOwnProfile(db, userId);
  if (!profile) throw new NotFoundError('Utilisateur introuvable.');
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  const followsOut = async (mine: AnyPgColumn, other: AnyPgColumn) =>
    (
      await db
        .select({ id: users.id, username: users.username, date: follows.dateCreation })
        .from(follows)
        .innerJoin(users, eq(users.id, other))
        .where(eq(mine, userId))
        .orderBy(desc(follows.dateCreation))
    ).map((r) => ({ id: r.id, username: r.username, depuis: iso(r.date) }));

  const data: { exporte_le: string; profil: ReturnType<typeof toProfile> } & Record<string, unknown> = {
    exporte_le: new Date().toISOString(),
    profil: toProfile(profile.user, profile.counts, s),
    abonnements: await followsOut(follows.followerId, follows.followedId),
    abonnes: await followsOut(follows.followedId, follows.followerId),
    comptes_sociaux: (
      await db
        .select({
          fournisseur: socialIdentities.provider,
          email: socialIdentities.email,
          date_creation: socialIdentities.dateCreation,
          derniere_connexion: socialIdentities.derniereConnexion,
        })
        .from(socialIdentities)
        .where(eq(socialIdentities.userId, userId))
    ).map((r) => ({ ...r, date_creation: iso(r.date_creation), derniere_connexion: iso(r.derniere_connexion) })),
    sessions: (
      await db
        .select({
          date_creation: authTokens.dateCreation,
          derniere_utilisation: authTokens.derniereUtilisation,
          user_agent: authTokens.userAgent,
        })
        .from(authTokens)
        .where(eq(authTokens.userId, userId))
    ).map((r) => ({ ...r, date_creation: iso(r.date_creation), derniere_utilisation: iso(r.derniere_utilisation) })),
    tentatives_connexion: (
      await db
        .select({
          date: loginAttempts.dateTentative,
          ip: loginAttempts.ip,
          succes: loginAttempts.succes,
          user_agent: loginAttempts.userAgent,
        })
        .from(loginAttempts)
        .where(eq(loginAttempts.userId, userId))
        .orderBy(desc(loginAttempts.dateTentative))
    ).map((r) => ({ ...r, date: iso(r.date) })),
    journal_securite: (
      await db
        .select({ action: auditLogs.action, date: auditLogs.dateAction, ip: auditLogs.ip, user_agent: auditLogs.userAgent })
        .from(auditLogs)
        .where(eq(auditLogs.userId, userId))
        .orderBy(desc(auditLogs.dateAction))
    ).map((r) => ({ ...r, date: iso(r.date) })),
  };
  // Other modules' sections (their events, their payments…), in module order.
  for (const { result } of await deps.hooks.collect('account.export', { db, userId })) Object.assign(data, result);
  await audit(
    db,
    byStaff
      ? { userId: byStaff.staffId, action: 'export_donnees', meta, cible: `user:${userId}`, staff: true, details: { motif: byStaff.motif } }
      : { userId, action: 'export_donnees', meta },
  );
  return data;
}

export const DELETE_CONFIRMATION = 'SUPPRIMER';

export async function deleteAccount(
  deps: AccountsDeps,
  userId: number,
  input: { password?: string | undefined; confirmation?: string | undefined },
  meta: RequestMeta,
): Promise<void> {
  const [user] = await deps.db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw new NotFoundError('Utilisateur introuvable.');
  // Re-authentication: a borrowed phone with an open session must not be enough to erase an account.
  if (user.password.startsWith('$argon2')) {
    if (!input.password) throw ValidationError.field('password', 'Saisissez votre mot de passe pour confirmer la suppression.');
    if (!(await verifyPassword(user.password, input.password))) throw ValidationError.field('password', 'Mot de passe incorrect.');
  } else if (input.confirmation !== DELETE_CONFIRMATION) {
    throw ValidationError.field('confirmation', `Saisissez « ${DELETE_CONFIRMATION} » pour confirmer la suppression.`);
  }
  await eraseAccount(deps, userId, { actorId: userId, meta });
}

/**
 * The erasure itself, in one transaction with every module's `account.erase` step. Called by the owner's
 * deletion (after re-authentication) and by staff handling an erasure request (`npm run cli -- delete-account`),
 * who is then recorded as the actor.
 */
export async function eraseAccount(
  deps: AccountsDeps,
  userId: number,
  by: { actorId: number | null; meta: RequestMeta; motif?: string },
): Promise<void> {
  const meta = by.meta;
  const oldPhoto = await deps.db.transaction(async (tx) => {
    const [locked] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!locked || locked.dateSuppression) throw new BadRequestError('Ce compte est déjà supprimé.', 'already_deleted');
    const tomb = `supprime-${userId}`;
    await tx
      .update(users)
      .set({
        username: tomb,
        email: `${tomb}@supprime.invalid`,
        telephone: tomb,
        password: UNUSABLE_PASSWORD,
        firstName: '',
        lastName: '',
        bio: '',
        photoProfil: '',
        photoMiniature: '',
        dateNaissance: null,
        estVerifie: false,
        dateVerification: null,
        emailVerifie: false,
        notificationsEmail: false,
        notificationsPush: false,
        isActive: false,
        isStaff: false,
        isSuperuser: false,
        derniereConnexionIp: null,
        lastLogin: null,
        dateSuppression: sql`now()`,
        dateModification: sql`now()`,
      })
      .where(eq(users.id, userId));
    await revokeOtherTokens(tx, userId, null);
    await tx.delete(follows).where(or(eq(follows.followerId, userId), eq(follows.followedId, userId)));
    await tx.delete(socialIdentities).where(eq(socialIdentities.userId, userId));
    await tx.delete(accountTokens).where(eq(accountTokens.userId, userId));
    await tx.delete(phoneVerificationCodes).where(eq(phoneVerificationCodes.userId, userId));
    await tx.delete(loginAttempts).where(eq(loginAttempts.userId, userId));
    // Journal entries stay: security records (who asked for this deletion, from where), pruned after 30 days.
    await deps.hooks.run('account.erase', { tx, userId });
    await audit(tx, {
      userId: by.actorId ?? userId,
      action: 'compte_supprime',
      meta,
      ...(by.actorId !== userId
        ? { cible: `user:${userId}`, staff: true, details: { par_le_personnel: true, ...(by.motif ? { motif: by.motif } : {}) } }
        : {}),
    });
    await sendAccountMessage(
      deps,
      tx,
      userId,
      'COMPTE_SUPPRIME',
      { 'utilisateur.prenom': locked.firstName || locked.username },
      { email: locked.email },
    );
    return { photo: locked.photoProfil, thumb: locked.photoMiniature };
  });
  // The anonymised name and removed photo show in the person's events (`createur`) of public reads.
  await deps.publicCache?.bump();
  await deps.media.remove(oldPhoto.photo, oldPhoto.thumb);
}
