/**
 * Free participation (the manual's participate_event). Capacity is a hard limit whatever the concurrency:
 * a join locks the event's row (SELECT … FOR UPDATE) before reading its counter, so joins and leaves of one
 * event run one at a time and each sees the previous one's count; the increment itself is also guarded
 * (`participants_count < capacite_max`) and a CHECK constraint forbids the counter from passing the capacity.
 * The counter and the participation row change in the same transaction, so lists read an exact count
 * without counting rows.
 */
import './hooks.js';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { AuthUser } from '../../core/auth.js';
import { isStaffUser } from '../../core/auth.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import type { DbOrTx } from '../../db/client.js';
import { users } from '../users/tables.js';
import { eventParticipations, events } from './tables.js';
import { STATUT_LABELS } from './status.js';
import { canSee, lockEvent, visibleEvent, EVENT_NOT_FOUND } from './access.js';
import { listChanged, type EventsDeps } from './deps.js';
import { paginate, type PageRequest, type PageSlice } from '../../core/pagination.js';
import { fetchEventsByIds } from './queries.js';
import type { EventRow } from './serializer.js';

export const MESSAGES = {
  joined: 'Participation confirmée',
  already: 'Vous participez déjà à cet événement',
  left: 'Participation annulée',
};

const participationColumns = {
  id: eventParticipations.id,
  evenement: eventParticipations.evenementId,
  statut: eventParticipations.statut,
  dateParticipation: eventParticipations.dateParticipation,
};

export interface JoinResult {
  created: boolean;
  participation: { id: number; evenement: number; statut: 'CONFIRME' | 'ANNULE'; dateParticipation: Date };
  participantsCount: number;
}

export async function joinEvent(deps: EventsDeps, user: AuthUser, eventId: number): Promise<JoinResult> {
  const result = await deps.db.transaction(async (tx): Promise<JoinResult> => {
    const ev = await lockEvent(tx, eventId);
    // The manual: an unknown or not validated event is "introuvable".
    if (!ev || ev.statut !== 'VALIDE') throw new NotFoundError(EVENT_NOT_FOUND);
    if (ev.typeAcces !== 'GRATUIT') {
      throw new BadRequestError('Cet événement est payant : achetez un billet pour y participer.', 'paid_event');
    }
    if (ev.dateFin.getTime() <= Date.now()) throw new BadRequestError('Cet événement est terminé.', 'event_over');

    const [existing] = await tx
      .select(participationColumns)
      .from(eventParticipations)
      .where(and(eq(eventParticipations.utilisateurId, user.id), eq(eventParticipations.evenementId, eventId)));
    if (existing?.statut === 'CONFIRME') return { created: false, participation: existing, participantsCount: ev.participantsCount };

    const [counted] = await tx
      .update(events)
      .set({ participantsCount: sql`${events.participantsCount} + 1` })
      .where(and(eq(events.id, eventId), sql`${events.participantsCount} < ${events.capaciteMax}`))
      .returning({ participantsCount: events.participantsCount });
    if (!counted) throw new ConflictError('Cet événement est complet : il ne reste plus de place.', 'event_full');

    // Someone who left and comes back gets their row back (the pair is unique).
    const [participation] = existing
      ? await tx
          .update(eventParticipations)
          .set({ statut: 'CONFIRME', dateParticipation: sql`now()` })
          .where(eq(eventParticipations.id, existing.id))
          .returning(participationColumns)
      : await tx
          .insert(eventParticipations)
          .values({ utilisateurId: user.id, evenementId: eventId, statut: 'CONFIRME' })
          .returning(participationColumns);
    await deps.hooks.run('participation.confirmed', { tx, jobs: deps.jobs, eventId, userId: user.id, participationId: participation!.id });
    return { created: true, participation: participation!, participantsCount: counted.participantsCount };
  });
  if (result.created) await listChanged(deps);
  return result;
}

export async function leaveEvent(deps: EventsDeps, user: AuthUser, eventId: number): Promise<{ participantsCount: number }> {
  const result = await deps.db.transaction(async (tx) => {
    const ev = await lockEvent(tx, eventId);
    if (!ev || !canSee(ev, user)) throw new NotFoundError(EVENT_NOT_FOUND);
    const [existing] = await tx
      .select(participationColumns)
      .from(eventParticipations)
      .where(and(eq(eventParticipations.utilisateurId, user.id), eq(eventParticipations.evenementId, eventId)));
    if (existing?.statut !== 'CONFIRME') throw new NotFoundError('Vous ne participez pas à cet événement.', 'not_participating');
    if (ev.statut !== 'VALIDE') {
      throw new BadRequestError(`Impossible de quitter un événement au statut « ${STATUT_LABELS[ev.statut]} ».`, 'invalid_state');
    }
    if (ev.dateFin.getTime() <= Date.now()) throw new BadRequestError('Cet événement est terminé.', 'event_over');
    await tx.update(eventParticipations).set({ statut: 'ANNULE' }).where(eq(eventParticipations.id, existing.id));
    const [counted] = await tx
      .update(events)
      .set({ participantsCount: sql`${events.participantsCount} - 1` })
      .where(eq(events.id, eventId))
      .returning({ participantsCount: events.participantsCount });
    return { participantsCount: counted!.participantsCount };
  });
  await listChanged(deps);
  return result;
}

/** The caller's participations (confirmed by default), newest first. */
async function myParticipations(db: DbOrTx, userId: number, statut: 'CONFIRME' | 'ANNULE', limit: number, offset: number) {
  return db
    .select(participationColumns)
    .from(eventParticipations)
    .where(and(eq(eventParticipations.utilisateurId, userId), eq(eventParticipations.statut, statut)))
    .orderBy(desc(eventParticipations.dateParticipation), desc(eventParticipations.id))
    .limit(limit)
    .offset(offset);
}

async function countMyParticipations(db: DbOrTx, userId: number, statut: 'CONFIRME' | 'ANNULE'): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(eventParticipations)
    .where(and(eq(eventParticipations.utilisateurId, userId), eq(eventParticipations.statut, statut)));
  return Number(r?.n ?? 0);
}

/** Only the organizer (and staff) see who is coming. */
async function assertCanListParticipants(db: DbOrTx, user: AuthUser, eventId: number): Promise<void> {
  const ev = await visibleEvent(db, eventId, user);
  if (ev.createurId !== user.id && !isStaffUser(user)) {
    throw new ForbiddenError("Seul l'organisateur de l'événement peut voir la liste des participants.", 'not_owner');
  }
}

async function participantsOf(db: DbOrTx, eventId: number, limit: number, offset: number) {
  return db
    .select({
      id: eventParticipations.id,
      statut: eventParticipations.statut,
      dateParticipation: eventParticipations.dateParticipation,
      utilisateur: {
        id: users.id,
        username: users.username,
        firstName: users.firstName,
        lastName: users.lastName,
        photoProfil: users.photoProfil,
        photoMiniature: users.photoMiniature,
        estVerifie: users.estVerifie,
      },
    })
    .from(eventParticipations)
    .innerJoin(users, eq(users.id, eventParticipations.utilisateurId))
    .where(and(eq(eventParticipations.evenementId, eventId), eq(eventParticipations.statut, 'CONFIRME')))
    .orderBy(asc(eventParticipations.dateParticipation), asc(eventParticipations.id))
    .limit(limit)
    .offset(offset);
}

async function countParticipants(db: DbOrTx, eventId: number): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(eventParticipations)
    .where(and(eq(eventParticipations.evenementId, eventId), eq(eventParticipations.statut, 'CONFIRME')));
  return Number(r?.n ?? 0);
}

export interface MyParticipation {
  id: number;
  statut: 'CONFIRME' | 'ANNULE';
  dateParticipation: Date;
  event: EventRow;
}

/** The caller's participations with their events (the page's events in one query). */
export async function listMyParticipations(
  deps: EventsDeps,
  userId: number,
  statut: 'CONFIRME' | 'ANNULE',
  page: PageRequest,
): Promise<PageSlice<MyParticipation>> {
  return paginate(
    page,
    () => countMyParticipations(deps.db, userId, statut),
    async (limit, offset) => {
      const rows = await myParticipations(deps.db, userId, statut, limit, offset);
      const evs = await fetchEventsByIds(
        deps.db,
        rows.map((r) => r.evenement),
        userId,
      );
      return rows.flatMap((r) => {
        const event = evs.get(r.evenement);
        return event ? [{ id: r.id, statut: r.statut, dateParticipation: r.dateParticipation, event }] : [];
      });
    },
  );
}

/** Confirmed participants of an event: its organizer and staff only. */
export async function listParticipants(deps: EventsDeps, user: AuthUser, eventId: number, page: PageRequest) {
  await assertCanListParticipants(deps.db, user, eventId);
  return paginate(
    page,
    () => countParticipants(deps.db, eventId),
    (limit, offset) => participantsOf(deps.db, eventId, limit, offset),
  );
}
