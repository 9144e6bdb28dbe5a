/**
 * Door staff use cases: the event's creator names members (SCANNER or GESTIONNAIRE) within their plan's
 * `max_membres_equipe`, removes them, and hands scanner tokens (`svscan_…`) to door devices.
 *
 * Adding a member takes the event's row lock, then the organizer's (assertWithinPlan), then inserts: two
 * parallel adds on one event count one after the other and cannot both take the last seat.
 */
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { SCANNER_TOKEN_PREFIX, type AuthUser } from '../../core/auth.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { generateSecret, hashSecret } from '../../core/tokens.js';
import { paginate, type PageRequest } from '../../core/pagination.js';
import { lockEvent } from '../events/access.js';
import { EVENT_NOT_FOUND } from '../events/access.js';
import { users } from '../users/tables.js';
import { findUserByLogin } from '../users/login.js';
import { assertWithinPlan } from '../subscriptions/effective.js';
import { assertEventRole } from './access.js';
import { eventTeam, scannerTokens, type TeamRole } from './tables.js';
import type { TeamDeps } from './deps.js';

const memberColumns = {
  id: eventTeam.id,
  evenementId: eventTeam.evenementId,
  role: eventTeam.role,
  dateAjout: eventTeam.dateAjout,
  utilisateurId: users.id,
  username: users.username,
  firstName: users.firstName,
  lastName: users.lastName,
};

export type TeamMember = {
  id: number;
  evenementId: number;
  role: TeamRole;
  dateAjout: Date;
  utilisateurId: number;
  username: string;
  firstName: string;
  lastName: string;
};

async function memberById(db: DbOrTx, eventId: number, memberId: number): Promise<TeamMember | null> {
  const [m] = await db
    .select(memberColumns)
    .from(eventTeam)
    .innerJoin(users, eq(users.id, eventTeam.utilisateurId))
    .where(and(eq(eventTeam.id, memberId), eq(eventTeam.evenementId, eventId)));
  return m ?? null;
}

export async function listTeam(deps: TeamDeps, user: AuthUser, eventId: number, page: PageRequest) {
  await assertEventRole(deps.db, eventId, user, 'CREATEUR');
  return paginate(
    page,
    async () =>
      (
        await deps.db
          .select({ n: sql<number>`count(*)::int` })
          .from(eventTeam)
          .where(eq(eventTeam.evenementId, eventId))
      )[0]!.n,
    (limit, offset) =>
      deps.db
        .select(memberColumns)
        .from(eventTeam)
        .innerJoin(users, eq(users.id, eventTeam.utilisateurId))
        .where(eq(eventTeam.evenementId, eventId))
        .orderBy(asc(eventTeam.dateAjout), asc(eventTeam.id))
        .limit(limit)
        .offset(offset),
  );
}

/** Members of the event (what the plan limit counts). */
export async function teamSize(db: DbOrTx, eventId: number): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(eventTeam)
    .where(eq(eventTeam.evenementId, eventId));
  return r!.n;
}

/**
 * Names a member (by id, email, username or telephone) with a role; naming someone already in the team changes
 * their role (`created: false`). Only new members count against the plan.
 */
export async function addMember(
  deps: TeamDeps,
  user: AuthUser,
  eventId: number,
  input: { utilisateur: string | number; role: TeamRole },
): Promise<{ member: TeamMember; created: boolean }> {
  return deps.db.transaction(async (tx) => {
    const ev = await lockEvent(tx, eventId);
    if (!ev) throw new NotFoundError(EVENT_NOT_FOUND);
    await assertEventRole(tx, eventId, user, 'CREATEUR');
    const target =
      typeof input.utilisateur === 'number'
        ? ((await tx.select().from(users).where(eq(users.id, input.utilisateur)))[0] ?? null)
        : await findUserByLogin(tx, input.utilisateur.trim());
    if (!target || !target.isActive) {
      throw ValidationError.field(
        'utilisateur',
        'Utilisateur introuvable : donnez son identifiant, son e-mail, son nom d’utilisateur ou son téléphone.',
      );
    }
    if (target.id === ev.createurId) {
      throw ValidationError.field('utilisateur', "L'organisateur a déjà tous les droits sur son événement.");
    }
    const [existing] = await tx
      .select({ id: eventTeam.id, role: eventTeam.role })
      .from(eventTeam)
      .where(and(eq(eventTeam.evenementId, eventId), eq(eventTeam.utilisateurId, target.id)))
      .for('update');
    if (existing) {
      if (existing.role !== input.role) await tx.update(eventTeam).set({ role: input.role }).where(eq(eventTeam.id, existing.id));
      return { member: (await memberById(tx, eventId, existing.id))!, created: false };
    }
    await assertWithinPlan(tx, ev.createurId, { kind: 'membre_equipe', eventId, count: (t) => teamSize(t, eventId) });
    const [row] = await tx
      .insert(eventTeam)
      .values({ evenementId: eventId, utilisateurId: target.id, role: input.role, ajoutePar: user.id })
      .onConflictDoNothing()
      .returning({ id: eventTeam.id });
    // The event lock serialises adds: a conflict here means the row appeared in between, which cannot happen.
    if (!row) throw new ConflictError('Cette personne fait déjà partie de l’équipe.', 'duplicate');
    return { member: (await memberById(tx, eventId, row.id))!, created: true };
  });
}

/** Removes a member; their scanner tokens go with them (foreign key cascade). */
export async function removeMember(deps: TeamDeps, user: AuthUser, eventId: number, memberId: number): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await assertEventRole(tx, eventId, user, 'CREATEUR');
    const gone = await tx
      .delete(eventTeam)
      .where(and(eq(eventTeam.id, memberId), eq(eventTeam.evenementId, eventId)))
      .returning({ id: eventTeam.id });
    if (!gone.length) throw new NotFoundError("Membre d'équipe introuvable.");
  });
}

export type ScannerTokenRow = typeof scannerTokens.$inferSelect & { utilisateurId: number; username: string };

/** A new scanner key for a member's door device: shown once, stored as its SHA-256. */
export async function issueScannerToken(
  deps: TeamDeps,
  user: AuthUser,
  eventId: number,
  memberId: number,
  libelle: string,
): Promise<{ key: string; token: ScannerTokenRow }> {
  return deps.db.transaction(async (tx) => {
    await assertEventRole(tx, eventId, user, 'CREATEUR');
    const member = await memberById(tx, eventId, memberId);
    if (!member) throw new NotFoundError("Membre d'équipe introuvable.");
    const key = `${SCANNER_TOKEN_PREFIX}${generateSecret(32)}`;
    const [row] = await tx
      .insert(scannerTokens)
      .values({ membreId: member.id, evenementId: eventId, keyHash: hashSecret(key), libelle: libelle.trim() })
      .returning();
    return { key, token: { ...row!, utilisateurId: member.utilisateurId, username: member.username } };
  });
}

export async function listScannerTokens(deps: TeamDeps, user: AuthUser, eventId: number, page: PageRequest) {
  await assertEventRole(deps.db, eventId, user, 'CREATEUR');
  return paginate(
    page,
    async () =>
      (
        await deps.db
          .select({ n: sql<number>`count(*)::int` })
          .from(scannerTokens)
          .where(eq(scannerTokens.evenementId, eventId))
      )[0]!.n,
    async (limit, offset) =>
      (
        await deps.db
          .select({ token: scannerTokens, utilisateurId: users.id, username: users.username })
          .from(scannerTokens)
          .innerJoin(eventTeam, eq(eventTeam.id, scannerTokens.membreId))
          .innerJoin(users, eq(users.id, eventTeam.utilisateurId))
          .where(eq(scannerTokens.evenementId, eventId))
          .orderBy(desc(scannerTokens.dateCreation), desc(scannerTokens.id))
          .limit(limit)
          .offset(offset)
      ).map((r): ScannerTokenRow => ({ ...r.token, utilisateurId: r.utilisateurId, username: r.username })),
  );
}

/** Revokes a scanner key at once (the next request with it is a 401); its row stays listed. */
export async function revokeScannerToken(deps: TeamDeps, user: AuthUser, eventId: number, tokenId: number): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await assertEventRole(tx, eventId, user, 'CREATEUR');
    const [t] = await tx
      .select({ id: scannerTokens.id })
      .from(scannerTokens)
      .where(and(eq(scannerTokens.id, tokenId), eq(scannerTokens.evenementId, eventId)));
    if (!t) throw new NotFoundError('Jeton de contrôle introuvable.');
    await tx
      .update(scannerTokens)
      .set({ revoqueLe: sql`now()` })
      .where(and(eq(scannerTokens.id, t.id), isNull(scannerTokens.revoqueLe)));
  });
}
