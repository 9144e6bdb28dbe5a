/**
 * An organizer writes to the people of their event (POST /api/events/{id}/messages/) when their plan allows it
 * (`messages_participants`, subscriptions/effective.ts: 403 `plan_limit` otherwise): recorded in
 * event_messages, limited to ORGANIZER_MESSAGES_MAX per event and ORGANIZER_MESSAGES_WINDOW_SECONDS (a
 * participant is not to be spammed; the limit holds across processes since it counts rows, under the event's
 * lock), and delivered as MESSAGE_ORGANISATEUR to every participant and ticket holder through their own
 * preferences, by a fan-out job enqueued with the record (202: the count is known, the sending is not done).
 */
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { AuthUser } from '../../core/auth.js';
import { BadRequestError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from '../../core/errors.js';
import { events } from '../events/tables.js';
import { audienceSize, FANOUT_JOB, type FanoutData } from './audiences.js';
import { eventMessages } from './tables.js';
import { assertWithinPlan } from '../subscriptions/effective.js';
import type { NotificationSettings } from './settings.js';

export async function sendOrganizerMessage(
  deps: { db: Db; jobs: JobQueue; settings: Pick<NotificationSettings, 'organizerMessages'> },
  user: AuthUser,
  eventId: number,
  input: { titre: string; message: string },
): Promise<{ destinataires: number }> {
  const titre = input.titre.trim();
  const message = input.message.trim();
  const details: Record<string, string[]> = {};
  if (!titre) details.titre = ['Ce champ ne peut être vide.'];
  if (!message) details.message = ['Ce champ ne peut être vide.'];
  if (Object.keys(details).length) throw new ValidationError(details);
  const { max, windowSeconds } = deps.settings.organizerMessages;
  return deps.db.transaction(async (tx) => {
    const [ev] = await tx
      .select({ id: events.id, createurId: events.createurId, statut: events.statut })
      .from(events)
      .where(eq(events.id, eventId))
      .for('update');
    if (!ev || (ev.createurId !== user.id && !user.isStaff && ev.statut !== 'VALIDE')) throw new NotFoundError('Événement introuvable.');
    if (ev.createurId !== user.id) throw new ForbiddenError("Seul l'organisateur de l'événement peut écrire à ses participants.");
    if (ev.statut !== 'VALIDE')
      throw new BadRequestError("Seul un événement publié et à venir peut recevoir des messages de l'organisateur.", 'invalid_state');
    // Writing to participants is a plan feature (messages_participants): 403 plan_limit otherwise, decided in
    // this transaction (the organizer's row locked after the event's, the order ticket-type creation uses).
    await assertWithinPlan(tx, ev.createurId, { kind: 'message_participants' });
    const recent = await tx
      .select({ n: sql<number>`count(*)::int`, oldest: sql<Date | string | null>`min(${eventMessages.dateCreation})` })
      .from(eventMessages)
      .where(
        and(eq(eventMessages.evenementId, eventId), gt(eventMessages.dateCreation, sql`now() - make_interval(secs => ${windowSeconds})`)),
      );
    if (recent[0]!.n >= max) {
      const oldest = new Date(recent[0]!.oldest as string).getTime();
      throw new RateLimitedError(
        (oldest + windowSeconds * 1000 - Date.now()) / 1000,
        `Vous avez déjà envoyé ${max} message${max > 1 ? 's' : ''} pour cet événement récemment : réessayez plus tard.`,
      );
    }
    const destinataires = await audienceSize(tx, 'participants', eventId);
    const [row] = await tx
      .insert(eventMessages)
      .values({ evenementId: eventId, auteurId: user.id, titre, message, destinataires })
      .returning({ id: eventMessages.id });
    const f: FanoutData = {
      type: 'MESSAGE_ORGANISATEUR',
      eventId,
      audience: 'participants',
      dedupKey: `message:${row!.id}`,
      data: { titre_message: titre, message },
      donnees: { message_id: row!.id },
      except: user.id,
    };
    await deps.jobs.send(FANOUT_JOB, f, { tx });
    return { destinataires };
  });
}
