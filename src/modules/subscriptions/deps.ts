/** What the subscriptions use cases need, built once per process from its services (plugin, jobs, hooks). */
import type { Db } from '../../db/client.js';
import type { JobQueue, ProcessServices } from '../../jobs/queue.js';
import type { DomainHooks } from '../../core/hooks.js';
import type { PublicCache } from '../../core/public-cache.js';
import { paymentsDeps, type PaymentDeps } from '../payments/deps.js';

export interface SubscriptionsDeps {
  db: Db;
  jobs: JobQueue;
  hooks: DomainHooks;
  payments: PaymentDeps;
  /** SUBSCRIPTION_GRACE_DAYS: features stay on this long after the end of a period. */
  graceDays: number;
  /** SUBSCRIPTION_REMINDER_DAYS: reminder steps, in days from the end of the period (-7,-3,-1,0,3). */
  reminderDays: number[];
  publicBaseUrl?: string | undefined;
  /** The public-read cache: the plans list is served from it; plan and subscription writes bump it. */
  publicCache: PublicCache;
  /** Tests: a controllable clock. */
  now?: () => Date;
}

export function subscriptionsDeps(
  s: Pick<ProcessServices, 'database' | 'jobs' | 'hooks' | 'gateways' | 'config' | 'publicCache'>,
): SubscriptionsDeps {
  const env = s.config.env;
  return {
    db: s.database.db,
    jobs: s.jobs,
    hooks: s.hooks,
    payments: paymentsDeps(s),
    graceDays: env.SUBSCRIPTION_GRACE_DAYS,
    reminderDays: parseReminderDays(env.SUBSCRIPTION_REMINDER_DAYS),
    publicBaseUrl: s.config.publicBaseUrl,
    publicCache: s.publicCache,
  };
}

/** "-7,-3,-1,0,3" → [-7, -3, -1, 0, 3] (sorted); null when a value is not an integer. */
export function parseReminderDays(raw: string): number[] {
  const out = raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map(Number);
  return out.filter((n) => Number.isInteger(n)).sort((a, b) => a - b);
}
