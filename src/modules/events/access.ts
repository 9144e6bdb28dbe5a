/**
 * Who may see and change an event, and the row lock every writer of an event takes first. Owned here and used
 * by every module that acts on an event (tickets, payments): one visibility rule, one lock.
 *
 * Every writer of an event (its organizer's edits, moderation, joins and leaves, ticket types) takes the
 * event's row lock first, so they apply one after the other, each judging the state the previous one left,
 * and never deadlock on each other.
 */
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { isStaffUser, type AuthUser } from '../../core/auth.js';
import { ForbiddenError, NotFoundError } from '../../core/errors.js';
import { events, type EventStatut } from './tables.js';
import { PUBLIC_STATUTS, type Actor } from './status.js';
import { participantsCountSql } from './queries.js';

export const EVENT_NOT_FOUND = 'Événement introuvable';

/** The columns a writer needs, read under the row lock. */
const lockedColumns = {
  id: events.id,
  titre: events.titre,
  description: events.description,
  descriptionCourte: events.descriptionCourte,
  createurId: events.createurId,
  categorieId: events.categorieId,
  dateDebut: events.dateDebut,
  dateFin: events.dateFin,
  lieu: events.lieu,
  adresse: events.adresse,
  latitude: events.latitude,
  longitude: events.longitude,
  typeAcces: events.typeAcces,
  prix: events.prix,
  capaciteMax: events.capaciteMax,
  maxParPersonne: events.maxParPersonne,
  statut: events.statut,
  image: events.image,
  imageMiniature: events.imageMiniature,
  dateValidation: events.dateValidation,
  participantsCount: participantsCountSql,
};

export type LockedEvent = NonNullable<Awaited<ReturnType<typeof lockEvent>>>;

export async function lockEvent(tx: DbOrTx, id: number) {
  // NO KEY UPDATE: the row is ours to change, while foreign-key checks of new participations and payments
  // (KEY SHARE) need not wait for us.
  const [row] = await tx.select(lockedColumns).from(events).where(eq(events.id, id)).for('no key update');
  return row ?? null;
}

/**
 * Who may see an event (API.md: "read for all; a non-validated event only for its creator and staff"), the one
 * rule for its page, its ticket types and its participants:
 * - VALIDE and TERMINE: everyone;
 * - ANNULE: everyone when it had been validated (published) before being cancelled, so that the people who saw
 *   it, and its participants and ticket holders, read that it is cancelled; a draft or pending event cancelled
 *   before publication stays its creator's and staff's only;
 * - BROUILLON, EN_ATTENTE, REJETE: its creator and staff only (404 for others).
 * The public list shows VALIDE events only.
 */
export function canSee(ev: { statut: EventStatut; createurId: number; dateValidation: Date | null }, user: AuthUser | null): boolean {
  if (PUBLIC_STATUTS.includes(ev.statut)) return true;
  if (ev.statut === 'ANNULE' && ev.dateValidation !== null) return true;
  return !!user && (user.id === ev.createurId || isStaffUser(user));
}

/** The event, locked, when the caller may see it; otherwise the same 404 as an unknown one. */
export async function lockVisibleEvent(tx: DbOrTx, id: number, user: AuthUser | null): Promise<LockedEvent> {
  const ev = await lockEvent(tx, id);
  if (!ev || !canSee(ev, user)) throw new NotFoundError(EVENT_NOT_FOUND);
  return ev;
}

/** The event's visibility facts, without a lock (reads). */
export async function visibleEvent(db: DbOrTx, id: number, user: AuthUser | null) {
  const [ev] = await db
    .select({
      id: events.id,
      createurId: events.createurId,
      statut: events.statut,
      typeAcces: events.typeAcces,
      dateValidation: events.dateValidation,
    })
    .from(events)
    .where(eq(events.id, id));
  if (!ev || !canSee(ev, user)) throw new NotFoundError(EVENT_NOT_FOUND);
  return ev;
}

export function rolesOf(ev: { createurId: number }, user: AuthUser): Actor[] {
  const roles: Actor[] = [];
  if (user.id === ev.createurId) roles.push('createur');
  if (isStaffUser(user)) roles.push('staff');
  return roles;
}

export function assertOrganizer(ev: { createurId: number }, user: AuthUser): void {
  if (ev.createurId !== user.id) {
    throw new ForbiddenError("Vous n'êtes pas l'organisateur de cet événement.", 'not_owner');
  }
}
