/**
 * Readiness: the database answers and every migration is applied, and the process is not shutting down.
 * Its details also tell an operator what would otherwise go unseen: whether jobs wait with no worker to run
 * them (payments stay pending, emails unsent) and whether the read replica answers.
 */
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Lifecycle } from '../../core/lifecycle.js';

export interface JobsHealthBody {
  /** Jobs due and not yet taken by a worker. */
  en_attente: number;
  /** How long the oldest of them has waited, in seconds (null when none waits). */
  attente_max_secondes: number | null;
  /** `actif`: a worker runs (this process or another); `absent`: none has been seen for 90 s. */
  worker: 'actif' | 'absent';
}

export interface Readiness {
  ready: boolean;
  body: {
    status: string;
    database?: string;
    migrations?: string;
    pending?: string[];
    jobs?: JobsHealthBody;
    replique?: string;
  };
}

export interface ReadinessDeps {
  database: Database;
  jobs: JobQueue;
  lifecycle: Lifecycle;
}

export async function readiness(deps: ReadinessDeps, log: FastifyBaseLogger): Promise<Readiness> {
  const { database } = deps;
  // A process shutting down takes no new work: the load balancer sends it elsewhere.
  if (deps.lifecycle.draining) return { ready: false, body: { status: 'arret_en_cours' } };
  try {
    await database.query('SELECT 1');
  } catch (err) {
    log.warn({ err }, 'base de données injoignable');
    return { ready: false, body: { status: 'unavailable', database: 'injoignable' } };
  }
  const pending = await database.pendingMigrations();
  if (pending.length) return { ready: false, body: { status: 'unavailable', database: 'ok', migrations: 'en retard', pending } };
  const body: Readiness['body'] = { status: 'ready', database: 'ok', migrations: 'ok' };
  // Details only: a missing worker or replica does not stop this process from serving what it can.
  const jobs = await deps.jobs.health().catch((err: unknown) => {
    log.warn({ err }, 'état de la file de tâches illisible');
    return null;
  });
  if (jobs) {
    body.jobs = { en_attente: jobs.waiting, attente_max_secondes: jobs.oldestWaitingSeconds, worker: jobs.workerSeen ? 'actif' : 'absent' };
  }
  if (database.publicReads.replica) {
    body.replique = await database.publicReads.db
      .execute(sql`SELECT 1`)
      .then(() => 'ok')
      .catch(() => 'injoignable');
  }
  return { ready: true, body };
}
