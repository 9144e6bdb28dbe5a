/**
 * The notifications module's jobs: sending deliveries (delivery.ts), fan-outs (audiences.ts), the reminders
 * before an event (every 10 minutes: EVENT_REMINDER_HOURS, 24 and 2 hours by default) and the daily prune.
 *
 * Reminders: for each configured lead time H (largest first), the published events starting within the next
 * H hours but after the next smaller lead time: a person who joins 20 hours before gets the "24 h" reminder at
 * once and the "2 h" one later; the dedupe key `rappel:{event}:{H}h` makes every run after the first a no-op
 * for those already reminded, and reaches those who joined since.
 */
import { and, eq, gt, lte } from 'drizzle-orm';
import type { JobDefinition } from '../../jobs/queue.js';
import { events } from '../events/tables.js';
import { FANOUT_JOB, fanoutJob, type FanoutData } from './audiences.js';
import { deliverJob, emailJob, smsJob } from './delivery.js';
import { pruneNotifications } from './inbox.js';
import { pruneStreamTickets } from './stream-tickets.js';
import { notificationSettings } from './settings.js';

export const REMINDERS_JOB = 'notifications.reminders';
export const CLEANUP_JOB = 'notifications.cleanup';

export function reminderDelay(hours: number): string {
  if (hours === 24) return 'demain';
  if (hours % 24 === 0) return `dans ${hours / 24} jours`;
  return `dans ${hours} heure${hours > 1 ? 's' : ''}`;
}

export const remindersJob: JobDefinition<{ now?: string }> = {
  name: REMINDERS_JOB,
  cron: '*/10 * * * *',
  retryLimit: 2,
  handler: async (data, ctx) => {
    const { reminderHours } = notificationSettings(ctx.config);
    const now = data.now ? new Date(data.now) : new Date();
    const { db } = ctx.database;
    for (const [i, h] of reminderHours.entries()) {
      const next = reminderHours[i + 1] ?? 0;
      const due = await db
        .select({ id: events.id })
        .from(events)
        .where(
          and(
            eq(events.statut, 'VALIDE'),
            gt(events.dateDebut, new Date(now.getTime() + next * 3_600_000)),
            lte(events.dateDebut, new Date(now.getTime() + h * 3_600_000)),
          ),
        );
      for (const ev of due) {
        const f: FanoutData = {
          type: 'RAPPEL_EVENEMENT',
          eventId: ev.id,
          audience: 'participants',
          dedupKey: `rappel:${ev.id}:${h}h`,
          data: { delai: reminderDelay(h) },
        };
        await ctx.jobs.send(FANOUT_JOB, f, { singletonKey: `rappel:${ev.id}:${h}` });
      }
    }
  },
};

export const cleanupJob: JobDefinition<Record<string, never>> = {
  name: CLEANUP_JOB,
  cron: '45 3 * * *',
  handler: async (_data, ctx) => {
    const s = notificationSettings(ctx.config);
    const r = await pruneNotifications(ctx.database.db, s.readRetentionDays, s.deliveryRetentionDays);
    const tickets = await pruneStreamTickets(ctx.database.db);
    ctx.log.info({ ...r, tickets }, `notifications : ${r.notifications} notifications lues et ${r.deliveries} envois anciens supprimés`);
  },
};

export const notificationJobs = [deliverJob, fanoutJob, remindersJob, cleanupJob, emailJob, smsJob] as JobDefinition<never>[];
