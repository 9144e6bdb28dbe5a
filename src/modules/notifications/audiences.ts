/**
 * Who a domain event concerns, and the template values of an event. Fan-outs (an event's participants, an
 * organizer's followers) run as a job enqueued in the decision's transaction: the organizer's or the staff's
 * request stays fast for a 10,000-follower organizer, and the job writes the notifications in pages of
 * FANOUT_PAGE people, one transaction each, deduplicated (a retried page notifies nobody twice).
 */
import { and, eq, sql } from 'drizzle-orm';
import { selectRows, type DbOrTx } from '../../db/client.js';
import type { JobDefinition } from '../../jobs/queue.js';
import { formatDateTime } from '../../core/french.js';
import { events, eventParticipations } from '../events/tables.js';
import { tickets } from '../tickets/tables.js';
import { follows, users } from '../users/tables.js';
import { notify } from './service.js';
import { notificationSettings } from './settings.js';

export const FANOUT_JOB = 'notifications.fanout';
export const FANOUT_PAGE = 1000;

const shortDate = new Intl.DateTimeFormat('fr-FR', {
  day: '2-digit',
  month: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Africa/Abidjan',
});

/** At most `max` characters, cut at a word when it can be, for SMS. */
export function shorten(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export interface EventFacts {
  id: number;
  createurId: number;
  statut: string;
  dateModification: Date;
  data: Record<string, string>;
}

export async function eventFacts(db: DbOrTx, eventId: number): Promise<EventFacts | null> {
  const [ev] = await db
    .select({
      id: events.id,
      titre: events.titre,
      lieu: events.lieu,
      dateDebut: events.dateDebut,
      createurId: events.createurId,
      statut: events.statut,
      dateModification: events.dateModification,
    })
    .from(events)
    .where(eq(events.id, eventId));
  if (!ev) return null;
  return {
    id: ev.id,
    createurId: ev.createurId,
    statut: ev.statut,
    dateModification: ev.dateModification,
    data: {
      'event.id': String(ev.id),
      'event.titre': ev.titre,
      'event.titre_court': shorten(ev.titre, 30),
      'event.date': formatDateTime(ev.dateDebut),
      'event.date_courte': shortDate.format(ev.dateDebut).replace(',', ''),
      'event.lieu': ev.lieu,
    },
  };
}

export type Audience = 'participants' | 'participants_et_rembourses' | 'abonnes';

/** One page of an audience, by user id after `after`. */
async function audiencePage(db: DbOrTx, audience: Audience, eventId: number, createurId: number, after: number): Promise<number[]> {
  if (audience === 'abonnes') {
    const rows = await db
      .select({ id: follows.followerId })
      .from(follows)
      .where(and(eq(follows.followedId, createurId), sql`${follows.followerId} > ${after}`))
      .orderBy(follows.followerId)
      .limit(FANOUT_PAGE);
    return rows.map((r) => r.id);
  }
  // A cancellation has already annulled the tickets it refunds: their holders are told all the same.
  const statuts = audience === 'participants_et_rembourses' ? ['VALIDE', 'UTILISE', 'ANNULE', 'REMBOURSE'] : ['VALIDE', 'UTILISE'];
  const rows = await selectRows<{ id: number }>(
    db,
    sql`SELECT s.id FROM (SELECT p.utilisateur_id AS id FROM ${eventParticipations} p
                           WHERE p.evenement_id = ${eventId} AND p.statut = 'CONFIRME' AND p.utilisateur_id > ${after}
                          UNION
                          SELECT t.titulaire_id FROM ${tickets} t
                           WHERE t.evenement_id = ${eventId} AND t.titulaire_id > ${after}
                             AND t.statut IN (${sql.join(
                               statuts.map((x) => sql`${x}`),
                               sql`, `,
                             )})) s
         ORDER BY s.id LIMIT ${FANOUT_PAGE}`,
  );
  return rows.map((r) => Number(r.id));
}

/** Everyone an audience has (the organizer's messages count them before answering). */
export async function audienceSize(db: DbOrTx, audience: Audience, eventId: number): Promise<number> {
  let n = 0;
  let after = 0;
  for (;;) {
    const page = await audiencePage(db, audience, eventId, 0, after);
    n += page.length;
    if (page.length < FANOUT_PAGE) return n;
    after = page[page.length - 1]!;
  }
}

export interface FanoutData {
  type: string;
  eventId: number;
  audience: Audience;
  dedupKey: string;
  data?: Record<string, string>;
  donnees?: Record<string, unknown>;
  /** Never the person who caused it (an organizer messaging their own event). */
  except?: number;
}

export const fanoutJob: JobDefinition<FanoutData> = {
  name: FANOUT_JOB,
  retryLimit: 8,
  retryDelay: 10,
  handler: async (f, ctx) => {
    const { db } = ctx.database;
    const facts = await eventFacts(db, f.eventId);
    if (!facts) return; // deleted since: nobody left to tell
    const deps = { jobs: ctx.jobs, settings: notificationSettings(ctx.config) };
    let after = 0;
    for (;;) {
      const page = await audiencePage(db, f.audience, f.eventId, facts.createurId, after);
      const ids = page.filter((id) => id !== f.except);
      if (ids.length) {
        await db.transaction((tx) =>
          notify(tx, deps, {
            type: f.type,
            userIds: ids,
            dedupKey: f.dedupKey,
            data: { ...facts.data, ...f.data },
            donnees: { event_id: f.eventId, ...f.donnees },
          }),
        );
      }
      if (page.length < FANOUT_PAGE) return;
      after = page[page.length - 1]!;
    }
  },
};

export async function staffIds(db: DbOrTx): Promise<number[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.isStaff, true), eq(users.isActive, true)));
  return rows.map((r) => r.id);
}
