/** What the payment use cases need, built once per process from its services (plugin.ts, jobs, hooks). */
import type { Db } from '../../db/client.js';
import type { JobQueue, ProcessServices } from '../../jobs/queue.js';
import type { GatewayRegistry } from './gateway.js';

export interface PaymentDeps {
  db: Db;
  jobs: JobQueue;
  gateways: GatewayRegistry;
  /** How long a pending payment holds its seats (minutes; default HOLD_MINUTES_DEFAULT). */
  holdMinutes?: number;
  /** Tests: a controllable clock. */
  now?: () => Date;
  /** PUBLIC_BASE_URL, for pagination links. */
  publicBaseUrl?: string | undefined;
}

export function paymentsDeps(s: Pick<ProcessServices, 'database' | 'jobs' | 'gateways' | 'config'>): PaymentDeps {
  return { db: s.database.db, jobs: s.jobs, gateways: s.gateways, publicBaseUrl: s.config.publicBaseUrl };
}
