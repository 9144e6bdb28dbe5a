/** The events module's background jobs: closing past events (what people are told is the notifications module's). */
import { and, inArray, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { JobDefinition } from '../../jobs/queue.js';
import { events } from './tables.js';
import { transitionFor } from './status.js';

/** Marks TERMINE every event whose end has passed, in one statement; returns how many. */
export async function finishPastEvents(db: DbOrTx, now = new Date()): Promise<number> {
  const finish = transitionFor('finish');
  const done = await db
    .update(events)
    .set({ statut: finish.to, dateModification: sql`now()` })
    // date_debut < date_fin (a CHECK), so this bound lets the (statut, date_debut) index find the candidates.
    .where(and(inArray(events.statut, [...finish.from]), lte(events.dateDebut, now), lte(events.dateFin, now)))
    .returning({ id: events.id });
  return done.length;
}

export const finishPastEventsJob: JobDefinition<Record<string, never>> = {
  name: 'events.finish_past',
  // Every five minutes: an event shows as TERMINE at most five minutes after its end (lists already hide
  // events whose date_fin has passed, whatever their status).
  cron: '*/5 * * * *',
  retryLimit: 2,
  handler: async (_data, ctx) => {
    const n = await finishPastEvents(ctx.database.db);
    if (n) {
      ctx.log.info({ n }, 'événements passés marqués TERMINE');
      await ctx.publicCache.bump();
    }
  },
};

export const eventJobs = [finishPastEventsJob] as JobDefinition<never>[];
