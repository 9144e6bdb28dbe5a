/**
 * What the events module tells people, by email through the job queue. Every message is enqueued inside the
 * transaction of the decision it reports, so a rolled-back decision never sends mail and a committed one
 * always does (with retries).
 *
 * Participants are told of a change of date or place and of a cancellation by one fan-out job that enqueues
 * one email per participant in a single transaction: the organizer's request stays fast for a 5,000-seat
 * event, and a failed fan-out is retried whole without duplicates (its emails rolled back with it). These
 * are service messages about an event the person signed up for, so they are sent whatever the
 * `notifications_email` preference (which governs optional notifications).
 */
import { eq, sql } from 'drizzle-orm';
import { selectRows, type DbOrTx } from '../../db/client.js';
import { tickets } from '../tickets/tables.js';
import type { JobDefinition, JobQueue } from '../../jobs/queue.js';
import { queueEmail } from '../notifications/delivery.js';
import { users } from '../users/tables.js';
import { eventParticipations, events } from './tables.js';

export const NOTIFY_PARTICIPANTS_JOB = 'events.notify_participants';

export interface NotifyParticipantsData {
  eventId: number;
  kind: 'modification' | 'annulation';
  /** Human-readable lines describing what changed (modification). */
  changes?: string[];
  motif?: string;
}

export { formatDateTime as formatDate } from '../../core/french.js';

export async function notifyParticipantsLater(jobs: JobQueue, tx: DbOrTx, data: NotifyParticipantsData): Promise<void> {
  await jobs.send(NOTIFY_PARTICIPANTS_JOB, data, { tx });
}

export const notifyParticipantsJob: JobDefinition<NotifyParticipantsData> = {
  name: NOTIFY_PARTICIPANTS_JOB,
  retryLimit: 5,
  handler: async (data, ctx) => {
    const { db } = ctx.database;
    await db.transaction(async (tx) => {
      const [ev] = await tx
        .select({ titre: events.titre, lieu: events.lieu, dateDebut: events.dateDebut })
        .from(events)
        .where(eq(events.id, data.eventId));
      if (!ev) return; // deleted since: nobody left to tell
      const subject = data.kind === 'annulation' ? `Événement annulé : ${ev.titre}` : `Changement pour l'événement : ${ev.titre}`;
      const body =
        data.kind === 'annulation'
          ? [
              `L'événement « ${ev.titre} » auquel vous participez a été annulé par son organisateur.`,
              data.motif ? `Motif : ${data.motif}` : '',
            ]
          : [`L'événement « ${ev.titre} » auquel vous participez a changé :`, ...(data.changes ?? []).map((c) => `- ${c}`)];
      // A cancellation has already annulled the tickets it refunds: their holders are told all the same.
      const ticketStatuts = data.kind === 'annulation' ? ['VALIDE', 'UTILISE', 'ANNULE', 'REMBOURSE'] : ['VALIDE', 'UTILISE'];
      let lastId = 0;
      for (;;) {
        // Everyone concerned once: participants of a free event and holders of a paid one's tickets, in keyset
        // pages by user id (a huge event does not load every participant in memory at once).
        const batch = await selectRows<{ id: number; email: string; first_name: string; username: string }>(
          tx,
          sql`SELECT u.id, u.email, u.first_name, u.username
                FROM (SELECT p.utilisateur_id AS id FROM ${eventParticipations} p
                       WHERE p.evenement_id = ${data.eventId} AND p.statut = 'CONFIRME' AND p.utilisateur_id > ${lastId}
                      UNION
                      SELECT t.titulaire_id FROM ${tickets} t
                       WHERE t.evenement_id = ${data.eventId} AND t.statut IN (${sql.join(
                         ticketStatuts.map((x) => sql`${x}`),
                         sql`, `,
                       )}) AND t.titulaire_id > ${lastId}) s
                JOIN ${users} u ON u.id = s.id
               WHERE u.is_active
               ORDER BY s.id
               LIMIT 500`,
        );
        for (const p of batch) {
          const text = [`Bonjour ${p.first_name || p.username},`, '', ...body.filter(Boolean), '', "L'équipe SpotVibe"].join('\n');
          await queueEmail(ctx.jobs, { to: p.email, subject, text }, tx);
        }
        if (batch.length < 500) break;
        lastId = batch[batch.length - 1]!.id;
      }
    });
  },
};

/** The organizer learns the moderation decision (approved, or rejected with the reason to fix). */
export async function notifyOrganizerOfDecision(
  jobs: JobQueue,
  tx: DbOrTx,
  organizer: { email: string; firstName: string; username: string },
  event: { titre: string },
  decision: { kind: 'approve' } | { kind: 'reject'; motif: string },
): Promise<void> {
  const hello = `Bonjour ${organizer.firstName || organizer.username},`;
  const message =
    decision.kind === 'approve'
      ? {
          subject: `Votre événement est validé : ${event.titre}`,
          text: [
            hello,
            '',
            `Votre événement « ${event.titre} » a été validé : il est maintenant visible sur SpotVibe.`,
            '',
            "L'équipe SpotVibe",
          ].join('\n'),
        }
      : {
          subject: `Votre événement a été refusé : ${event.titre}`,
          text: [
            hello,
            '',
            `Votre événement « ${event.titre} » n'a pas été validé.`,
            `Motif : ${decision.motif}`,
            '',
            'Vous pouvez le modifier puis le soumettre à nouveau.',
            '',
            "L'équipe SpotVibe",
          ].join('\n'),
        };
  await queueEmail(jobs, { to: organizer.email, ...message }, tx);
}

/** The organizer learns whether staff published their change to an approved event. */
export async function notifyOrganizerOfRevision(
  jobs: JobQueue,
  tx: DbOrTx,
  organizer: { email: string; firstName: string; username: string },
  event: { titre: string },
  decision: { kind: 'approve' } | { kind: 'reject'; motif: string },
): Promise<void> {
  const hello = `Bonjour ${organizer.firstName || organizer.username},`;
  const message =
    decision.kind === 'approve'
      ? {
          subject: `Votre modification est en ligne : ${event.titre}`,
          text: [
            hello,
            '',
            `Notre équipe a validé la modification de votre événement « ${event.titre} » : la nouvelle version est maintenant visible sur SpotVibe.`,
            '',
            "L'équipe SpotVibe",
          ].join('\n'),
        }
      : {
          subject: `Votre modification a été refusée : ${event.titre}`,
          text: [
            hello,
            '',
            `Notre équipe n'a pas validé la modification de votre événement « ${event.titre} ». La version publiée reste inchangée.`,
            `Motif : ${decision.motif}`,
            '',
            'Vous pouvez proposer une nouvelle modification.',
            '',
            "L'équipe SpotVibe",
          ].join('\n'),
        };
  await queueEmail(jobs, { to: organizer.email, ...message }, tx);
}
