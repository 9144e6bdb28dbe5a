/** The notifications module's settings (config.ts reads and validates them; .env.example explains each). */
import type { Config } from '../../config.js';

export interface NotificationSettings {
  /** Quiet hours in minutes after local midnight, or null for none. */
  quiet: { start: number; end: number } | null;
  timeZone: string;
  reminderHours: number[];
  readRetentionDays: number;
  deliveryRetentionDays: number;
  maxAttempts: number;
  /** Provider calls one send job has in flight at once. */
  sendConcurrency: number;
  organizerMessages: { max: number; windowSeconds: number };
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

export function notificationSettings(config: Config): NotificationSettings {
  const env = config.env;
  const q = env.NOTIFICATIONS_QUIET_HOURS;
  const [start, end] = q ? q.split('-') : [];
  return {
    quiet: start && end && start !== end ? { start: minutes(start), end: minutes(end) } : null,
    timeZone: env.NOTIFICATIONS_TIME_ZONE,
    reminderHours: [...new Set(env.EVENT_REMINDER_HOURS)].filter((h) => h > 0).sort((a, b) => b - a),
    readRetentionDays: env.NOTIFICATIONS_READ_RETENTION_DAYS,
    deliveryRetentionDays: env.NOTIFICATIONS_DELIVERY_RETENTION_DAYS,
    maxAttempts: env.NOTIFICATIONS_MAX_ATTEMPTS,
    sendConcurrency: env.NOTIFICATIONS_SEND_CONCURRENCY,
    organizerMessages: { max: env.ORGANIZER_MESSAGES_MAX, windowSeconds: env.ORGANIZER_MESSAGES_WINDOW_SECONDS },
  };
}

/** Local minutes after midnight of `at` in `timeZone`. */
function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return get('hour') * 60 + get('minute');
}

/**
 * When a non-critical push or SMS may go out: `at` itself outside the quiet hours, else the end of them
 * (22:00–07:00 by default: a message raised at 23:10 leaves at 07:00). Handles ranges across midnight.
 */
export function afterQuietHours(at: Date, s: Pick<NotificationSettings, 'quiet' | 'timeZone'>): Date {
  if (!s.quiet) return at;
  const { start, end } = s.quiet;
  const now = localMinutes(at, s.timeZone);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return at;
  const wait = (end - now + 1440) % 1440;
  const out = new Date(at.getTime() + wait * 60_000);
  out.setUTCSeconds(0, 0);
  return out;
}

export function checkTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('fr-FR', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
