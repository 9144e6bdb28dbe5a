/** What the payment use cases need, built once per process from its services (plugin.ts, jobs, hooks). */
import type { Db } from '../../db/client.js';
import type { JobQueue, ProcessServices } from '../../jobs/queue.js';
import type { GatewayRegistry } from './gateway.js';
import type { PublicCache } from '../../core/public-cache.js';
import type { DomainHooks } from '../../core/hooks.js';
import { amountLimitsFromEnv, type AmountLimits } from './amount-limits.js';
import type { HoldCaps } from './reservation.js';

export interface PaymentDeps {
  db: Db;
  jobs: JobQueue;
  gateways: GatewayRegistry;
  /**
   * The process's domain hooks: the buyer is told of a payment's outcome (notifications module), and a payment that
   * is not a ticket sale is handed to its owner when it settles (`payment.settled`, subscriptions).
   */
  hooks: DomainHooks;
  /** How long a pending payment holds its seats (minutes; default HOLD_MINUTES_DEFAULT). */
  holdMinutes?: number;
  /** Tests: a controllable clock. */
  now?: () => Date;
  /** PUBLIC_BASE_URL, for pagination links. */
  publicBaseUrl?: string | undefined;
  /** Callbacks accepted per source address and window (WEBHOOK_RATE_LIMIT_*). */
  webhookRateLimit: { max: number; windowMs: number };
  /** Refused callbacks older than this are deleted by the daily prune. */
  forgedRetentionDays: number;
  /**
   * PAYMENT_PROVIDER_TIMEOUT_MS: a provider call older than this has ended one way or another, so a payment with
   * no provider answer by then was cut off by a crash and its call may be made again (see callProvider).
   */
  providerTimeoutMs?: number;
  /** Seats sold or given back change what public reads show: their version is bumped after the commit. */
  publicCache?: PublicCache;
  /** Seats one account / one payer phone may hold at once on one event (MAX_HELD_SEATS_PER_*); absent = no cap. */
  holdCaps?: HoldCaps;
  /**
   * Early release of holds the payer shows no sign of paying (the payment stays open, a late success is honoured):
   * a push payment still pending at the provider after `pushPendingMinutes` (MTN_PENDING_HOLD_MINUTES), a redirect
   * payment whose page link was never opened after `redirectUnopenedMinutes` (REDIRECT_UNOPENED_HOLD_MINUTES).
   */
  earlyRelease?: { pushPendingMinutes: number; redirectUnopenedMinutes: number };
  /** Per-provider amount bounds checked before any hold (amount-limits.ts); absent = none. */
  amountLimits?: AmountLimits;
}

export function paymentsDeps(s: Pick<ProcessServices, 'database' | 'jobs' | 'gateways' | 'config' | 'publicCache' | 'hooks'>): PaymentDeps {
  const env = s.config.env;
  return {
    db: s.database.db,
    jobs: s.jobs,
    gateways: s.gateways,
    hooks: s.hooks,
    publicBaseUrl: s.config.publicBaseUrl,
    webhookRateLimit: { max: env.WEBHOOK_RATE_LIMIT_MAX, windowMs: env.WEBHOOK_RATE_LIMIT_WINDOW_SECONDS * 1000 },
    forgedRetentionDays: env.FORGED_CALLBACKS_RETENTION_DAYS,
    providerTimeoutMs: env.PAYMENT_PROVIDER_TIMEOUT_MS,
    publicCache: s.publicCache,
    holdCaps: { perUser: env.MAX_HELD_SEATS_PER_USER || null, perPhone: env.MAX_HELD_SEATS_PER_PHONE || null },
    earlyRelease: { pushPendingMinutes: env.MTN_PENDING_HOLD_MINUTES, redirectUnopenedMinutes: env.REDIRECT_UNOPENED_HOLD_MINUTES },
    amountLimits: amountLimitsFromEnv(env),
  };
}
