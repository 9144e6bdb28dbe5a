/** The events module's part of a user's data export (`account.export`): the events they created and joined. */
import { desc, eq } from 'drizzle-orm';
import type { HookHandler } from '../../core/hooks.js';
import { eventParticipations, events } from './tables.js';
import '../users/hooks.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const exportEventsOfUser: HookHandler<'account.export'> = async ({ db, userId }) => ({
  evenements_crees: (
    await db
      .select({
        id: events.id,
        titre: events.titre,
        statut: events.statut,
        date_debut: events.dateDebut,
        date_creation: events.dateCreation,
      })
      .from(events)
      .where(eq(events.createurId, userId))
      .orderBy(desc(events.dateCreation))
  ).map((e) => ({ ...e, date_debut: iso(e.date_debut), date_creation: iso(e.date_creation) })),
  participations: (
    await db
      .select({
        evenement_id: eventParticipations.evenementId,
        titre: events.titre,
        statut: eventParticipations.statut,
        date: eventParticipations.dateParticipation,
      })
      .from(eventParticipations)
      .innerJoin(events, eq(events.id, eventParticipations.evenementId))
      .where(eq(eventParticipations.utilisateurId, userId))
  ).map((p) => ({ ...p, date: iso(p.date) })),
});
