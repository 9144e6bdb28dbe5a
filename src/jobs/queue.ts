/**
 * Durable background jobs on pg-boss, in the same database as the data, so a job can be enqueued in the
 * same transaction as the write that calls for it: if the transaction rolls back, the job never existed;
 * if it commits, the job is stored and will run (with retries) even after a crash.
 *
 * On PostgreSQL pg-boss uses its own pool. On PGlite it goes through an adapter over the single embedded
 * connection; pg-boss sends some multi-statement scripts without parameters, which PGlite runs with exec.
 */
import type { PublicCache } from '../core/public-cache.js';
import PgBoss from 'pg-boss';
import pg from 'pg';
import type { FastifyBaseLogger } from 'fastify';
import { Param, sql, type SQL } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Database, DbOrTx } from '../db/client.js';
import type { Config } from '../config.js';
import type { DomainHooks } from '../core/hooks.js';
import type { MediaStore } from '../core/media.js';
import type { GatewayRegistry } from '../modules/payments/gateway.js';
import type { Metrics } from '../core/metrics.js';
import type { Lifecycle } from '../core/lifecycle.js';
import type { ErrorReporter } from '../core/sentry.js';
import { currentRequestId, runWithRequestId } from '../core/request-context.js';

/**
 * What a process has once started (runtime.ts), shared by its routes and its jobs: the long-lived clients a
 * module's dependencies are built from. Each module turns these into its own deps (e.g. payments/deps.ts).
 */
export interface ProcessServices {
  config: Config;
  log: FastifyBaseLogger;
  database: Database;
  jobs: JobQueue;
  hooks: DomainHooks;
  /** The configured payment providers (empty where payments are not set up: the CLI's simple commands). */
  gateways: GatewayRegistry;
  media: MediaStore;
  redis: Redis | null;
  /** This process's Prometheus registry: modules add their metrics to it (core/metrics.ts). */
  metrics: Metrics;
  /** The process's shutdown: long-lived streams register to be closed by it (core/lifecycle.ts). */
  lifecycle: Lifecycle;
  /** Sentry when SENTRY_DSN is set (core/sentry.ts). */
  errors: ErrorReporter;
  /** Public-read cache and its version, bumped by every write that changes what public reads show. */
  publicCache: PublicCache;
}

export interface JobContext extends ProcessServices {
  /** How many times this job has been retried before this attempt. */
  retryCount: number;
}

export interface JobDefinition<T = unknown> {
  name: string;
  handler: (data: T, ctx: JobContext) => Promise<void>;
  /** Retries after a failure (default 5), first delay in seconds (default 10), doubling when backoff is on. */
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
  /** A run taking longer than this is failed and retried (default 15 minutes). */
  expireInSeconds?: number;
  /** Five-field cron expression (UTC) for scheduled jobs. */
  cron?: string;
  /**
   * pg-boss queue policy. `short`: at most one queued job per singletonKey (a second send while one waits is
   * dropped), so every send must then carry a singletonKey. Default `standard`.
   */
  policy?: 'standard' | 'short' | 'singleton' | 'stately';
  /** Jobs fetched per poll, run one after the other (default 10). */
  batchSize?: number;
  /** Workers polling this queue in this process (default 1). */
  workers?: number;
}

export interface SendOptions {
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  tx?: DbOrTx;
  startAfterSeconds?: number;
  singletonKey?: string;
}

type ExecuteSql = (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>;

/** pg-boss's `db` interface over a Drizzle transaction: `$n` placeholders become Drizzle parameters. */
export function drizzleExecutor(tx: DbOrTx): { executeSql: ExecuteSql } {
  return {
    executeSql: async (text, values = []) => {
      const chunks: SQL[] = [];
      let last = 0;
      for (const m of text.matchAll(/\$(\d+)/g)) {
        chunks.push(sql.raw(text.slice(last, m.index)));
        // Param keeps arrays and objects whole (a bare array would be spread into a list).
        chunks.push(sql`${new Param(values[Number(m[1]) - 1])}`);
        last = m.index + m[0].length;
      }
      chunks.push(sql.raw(text.slice(last)));
      const res = (await tx.execute(sql.join(chunks))) as unknown as { rows: unknown[] };
      return { rows: res.rows };
    },
  };
}

/** The key under which a job's data carries its request id; removed before the handler sees the data. */
export const META = '_meta';

export function unwrap(raw: unknown): { data: unknown; requestId: string | undefined } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !(META in raw)) return { data: raw, requestId: undefined };
  const { [META]: meta, ...data } = raw as Record<string, unknown>;
  const requestId = (meta as { requestId?: unknown } | null)?.requestId;
  return { data, requestId: typeof requestId === 'string' ? requestId : undefined };
}

export interface QueueHealth {
  /** Jobs due (their start time has come) that no worker has taken yet. */
  waiting: number;
  oldestWaitingSeconds: number | null;
  /** This process works the queue, or a worker stamped pg-boss's cron clock recently. */
  workerSeen: boolean;
}

/** pg-boss stamps cron_on every 30 s from a working process: three missed stamps mean none is running. */
const WORKER_STAMP_STALE_SECONDS = 90;
/** Jobs waiting longer than this with no worker alive: the server says so in its log. */
export const STALLED_JOBS_WARNING_SECONDS = 60;

export interface JobQueueOptions {
  database: Database;
  config: Config;
  log: FastifyBaseLogger;
  definitions: JobDefinition<never>[];
  /** Worker polling interval in seconds (pg-boss minimum 0.5). */
  pollingIntervalSeconds?: number;
  /** How often a server that does not work the queue checks that a worker does (default every minute). */
  workerWatchIntervalMs?: number;
  /** Bound on the wait for running jobs at stop (default 10 s). */
  stopTimeoutMs?: number;
}

export class JobQueue {
  private boss: PgBoss | null = null;
  private readonly definitions = new Map<string, JobDefinition<never>>();
  private working = false;
  private services: ProcessServices | null = null;
  private watchTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: JobQueueOptions) {
    for (const d of opts.definitions) {
      if (this.definitions.has(d.name)) throw new Error(`Tâche déclarée deux fois : ${d.name}`);
      this.definitions.set(d.name, d);
    }
  }

  /** What job handlers receive with each job: the process's services (given by the runtime before start). */
  attach(services: ProcessServices): void {
    this.services = services;
  }

  get isWorking(): boolean {
    return this.working;
  }

  /** Starts pg-boss (installing or migrating its schema) and creates every queue; `work` also runs handlers and crons. */
  async start({ work }: { work: boolean }): Promise<void> {
    const { database } = this.opts;
    const common = { schema: 'pgboss', supervise: work, schedule: work, migrate: true };
    const boss =
      database.kind === 'postgres'
        ? new PgBoss({ ...common, connectionString: this.opts.config.database.url!, max: 4 })
        : new PgBoss({
            ...common,
            db: {
              executeSql: (text: string, values?: unknown[]) =>
                values && values.length > 0 ? database.query(text, values) : database.exec(text),
            },
          });
    boss.on('error', (err) => this.opts.log.error({ err }, 'erreur de la file de tâches'));
    // Processes starting together (two web replicas and a worker after a deploy) deadlock inside pg-boss's
    // createQueue (partition creation) on a new database: they take turns under an advisory lock.
    await this.oneAtATime(async () => {
      await boss.start();
      this.boss = boss;

      for (const d of this.definitions.values()) {
        const policy = {
          retryLimit: d.retryLimit ?? 5,
          retryDelay: d.retryDelay ?? 10,
          retryBackoff: d.retryBackoff ?? true,
          expireInSeconds: d.expireInSeconds ?? 15 * 60,
        };
        // createQueue is idempotent; updateQueue applies a changed policy to an existing queue. It must be given
        // the queue policy too: pg-boss sets `standard` when it is left out (the `short` deduplication of payment
        // confirmations was undone at every start that way).
        const settings = { name: d.name, policy: d.policy ?? 'standard', ...policy };
        await boss.createQueue(d.name, settings);
        await boss.updateQueue(d.name, settings);
      }
    });
    this.registerMetrics();
    if (!work) {
      this.watchForWorker();
      return;
    }
    const services = this.services;
    if (!services) throw new Error('File de tâches démarrée sans les services du processus (JobQueue.attach)');

    for (const d of this.definitions.values()) {
      // pg-boss waits a polling interval after every fetch, found jobs or not: fetch a batch each time, run
      // several workers for queues that must keep up with bursts (payment confirmations), and after a full
      // batch skip the wait (notifyWorker), so a backlog drains at the handlers' speed, not one batch per interval.
      const batchSize = d.batchSize ?? 10;
      for (let w = 0; w < (d.workers ?? 1); w++) {
        const worker: { id?: string } = {};
        worker.id = await boss.work(
          d.name,
          { pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 2, batchSize, includeMetadata: true },
          async (jobs) => {
            for (const job of jobs) await this.run(boss, d, job, services);
            if (jobs.length >= batchSize && worker.id) boss.notifyWorker(worker.id);
          },
        );
      }
      if (d.cron) await boss.schedule(d.name, d.cron, {}, { tz: 'UTC' });
    }
    this.working = true;
  }

  /**
   * One job, run as its request would be: inside the id of the request that enqueued it (logs, Sentry, and
   * the jobs it enqueues in turn). A failure is retried per the queue's policy; the last one is reported.
   */
  private async run(boss: PgBoss, d: JobDefinition<never>, job: PgBoss.JobWithMetadata<unknown>, services: ProcessServices): Promise<void> {
    const { data, requestId } = unwrap(job.data);
    const log = this.opts.log.child({ job: d.name, jobId: job.id, ...(requestId ? { reqId: requestId } : {}) });
    const outcome = this.counters().runs;
    await runWithRequestId(requestId, async () => {
      try {
        await d.handler(data as never, { ...services, log, jobs: this, retryCount: job.retryCount });
        outcome.inc({ file: d.name, resultat: 'reussie' });
      } catch (err) {
        // Fail this job alone (retried per its policy); pg-boss completes the rest of the batch.
        const final = job.retryCount >= job.retryLimit;
        outcome.inc({ file: d.name, resultat: final ? 'echec_definitif' : 'nouvel_essai' });
        if (final) {
          log.error({ err, retryCount: job.retryCount }, 'échec définitif de la tâche');
          services.errors.capture(err, { requestId, job: d.name, jobId: job.id, retryCount: job.retryCount });
        } else {
          log.warn({ err, retryCount: job.retryCount }, 'échec de la tâche, nouvelle tentative prévue');
        }
        await boss.fail(d.name, job.id, { message: (err as Error).message ?? String(err) });
      }
    });
  }

  private counters() {
    const metrics = this.services!.metrics;
    return {
      runs: metrics.counter('spotvibe_jobs_runs_total', 'Exécutions de tâches par ce processus, par file et résultat', [
        'file',
        'resultat',
      ]),
    };
  }

  /** Enqueues a job; with `tx`, atomically with the transaction's writes. Returns the job id. */
  async send<T extends object>(name: string, data: T, options: SendOptions = {}): Promise<string | null> {
    if (!this.definitions.has(name)) throw new Error(`Tâche inconnue : ${name}`);
    // The request (or job) this is enqueued by: its id travels with the job (see run()).
    const requestId = currentRequestId();
    const payload = requestId ? { ...data, [META]: { requestId } } : data;
    const boss = this.requireBoss();
    const sendOpts: PgBoss.SendOptions & { db?: unknown } = {};
    // As a date: pg-boss's INSERT casts its start_after parameter to a timestamp in a CASE branch that PostgreSQL
    // folds even when not taken, so a number of seconds failed ("invalid input syntax for type timestamp").
    if (options.startAfterSeconds) sendOpts.startAfter = new Date(Date.now() + options.startAfterSeconds * 1000);
    if (options.singletonKey) sendOpts.singletonKey = options.singletonKey;
    if (options.tx) sendOpts.db = drizzleExecutor(options.tx);
    return boss.send(name, payload as object, sendOpts as PgBoss.SendOptions);
  }

  /**
   * Enqueues several jobs of one queue in one statement (pg-boss `insert`: the queue's retry policy applies as
   * with `send`); with `tx`, atomically with the transaction's writes. For fan-outs that make dozens at once.
   */
  async sendMany<T extends object>(
    name: string,
    items: { data: T; startAfterSeconds?: number }[],
    options: Pick<SendOptions, 'tx'> = {},
  ): Promise<void> {
    if (!this.definitions.has(name)) throw new Error(`Tâche inconnue : ${name}`);
    if (!items.length) return;
    const requestId = currentRequestId();
    const now = Date.now();
    const jobs = items.map((i) => ({
      name,
      data: (requestId ? { ...i.data, [META]: { requestId } } : i.data) as object,
      ...(i.startAfterSeconds ? { startAfter: new Date(now + i.startAfterSeconds * 1000).toISOString() } : {}),
    }));
    await this.requireBoss().insert(jobs, options.tx ? ({ db: drizzleExecutor(options.tx) } as PgBoss.InsertOptions) : {});
  }

  /**
   * The queue as an operator needs to see it (`/readyz`, the no-worker warning): jobs due and not taken, how
   * long the oldest has waited, and whether a worker process is alive. A process that runs crons (every
   * worker) stamps pgboss.version.cron_on every 30 s, so a stamp older than 90 s means no worker is running.
   */
  async health(): Promise<QueueHealth> {
    const { database } = this.opts;
    const [waiting, stamp] = await Promise.all([
      database.query<{ n: number; oldest: number | null }>(
        `SELECT count(*)::int AS n, EXTRACT(EPOCH FROM now() - min(start_after))::float8 AS oldest
           FROM pgboss.job WHERE state < 'active' AND start_after <= now()`,
      ),
      database.query<{ since: number | null }>(`SELECT EXTRACT(EPOCH FROM now() - cron_on)::float8 AS since FROM pgboss.version`),
    ]);
    const since = stamp.rows[0]?.since ?? null;
    const oldest = waiting.rows[0]?.oldest ?? null;
    return {
      waiting: Number(waiting.rows[0]?.n ?? 0),
      oldestWaitingSeconds: oldest === null ? null : Math.max(0, Math.round(Number(oldest))),
      workerSeen: this.working || (since !== null && Number(since) < WORKER_STAMP_STALE_SECONDS),
    };
  }

  async getJob(name: string, id: string): Promise<PgBoss.JobWithMetadata | null> {
    return this.requireBoss().getJobById(name, id, { includeArchive: true });
  }

  /** Runs `fn` while holding an advisory lock on PostgreSQL (one process at a time); as is on PGlite (one process). */
  private async oneAtATime(fn: () => Promise<void>): Promise<void> {
    if (this.opts.database.kind !== 'postgres') return fn();
    const client = new pg.Client({ connectionString: this.opts.config.database.url! });
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock(727275)');
      await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock(727275)').catch(() => undefined);
      await client.end().catch(() => undefined);
    }
  }

  /**
   * A server on PostgreSQL does not run jobs (`npm run worker` does): payments stay pending and emails unsent
   * while no worker runs, and nothing else would say so. Checked every minute; warned once per stall.
   */
  private watchForWorker(): void {
    let warned = false;
    let checking = false;
    const check = async () => {
      if (checking) return;
      checking = true;
      const h = await this.health().catch(() => null);
      checking = false;
      if (!h) return;
      const stalled = !h.workerSeen && h.waiting > 0 && (h.oldestWaitingSeconds ?? 0) >= STALLED_JOBS_WARNING_SECONDS;
      if (stalled && !warned) {
        this.opts.log.warn(
          { enAttente: h.waiting, attenteMaxSecondes: h.oldestWaitingSeconds },
          'des tâches attendent et aucun worker ne tourne : les paiements restent en attente et les emails ne partent pas (lancez `npm run worker`, ou RUN_WORKER=true)',
        );
      }
      warned = stalled;
    };
    this.watchTimer = setInterval(() => void check(), this.opts.workerWatchIntervalMs ?? 60_000);
    this.watchTimer.unref();
  }

  /** Queue depth by state and the oldest due job's wait, read from pg-boss's tables at each scrape. */
  private registerMetrics(): void {
    const metrics = this.services?.metrics;
    if (!metrics) return;
    const { database } = this.opts;
    metrics.gauge('spotvibe_jobs', 'Tâches dans la file, par file et état (lu dans la base)', {
      labelNames: ['file', 'etat'],
      fromDatabase: true,
      async collect(g) {
        const { rows } = await database.query<{ name: string; state: string; n: number }>(
          `SELECT name, state::text AS state, count(*)::int AS n FROM pgboss.job GROUP BY 1, 2`,
        );
        g.reset();
        for (const r of rows) g.set({ file: r.name, etat: r.state }, Number(r.n));
      },
    });
    metrics.gauge(
      'spotvibe_jobs_oldest_waiting_seconds',
      'Attente de la plus ancienne tâche due et non prise, par file (lu dans la base)',
      {
        labelNames: ['file'],
        fromDatabase: true,
        async collect(g) {
          const { rows } = await database.query<{ name: string; s: number }>(
            `SELECT name, EXTRACT(EPOCH FROM now() - min(start_after))::float8 AS s
             FROM pgboss.job WHERE state < 'active' AND start_after <= now() GROUP BY 1`,
          );
          g.reset();
          for (const r of rows) g.set({ file: r.name }, Math.max(0, Number(r.s)));
        },
      },
    );
  }

  async stop(): Promise<void> {
    if (this.watchTimer) clearInterval(this.watchTimer);
    const boss = this.boss;
    if (!boss) return;
    this.boss = null;
    this.working = false;
    // graceful: running handlers finish; close: false because on PGlite the connection is ours to close.
    await boss.stop({
      graceful: true,
      wait: true,
      close: this.opts.database.kind === 'postgres',
      timeout: this.opts.stopTimeoutMs ?? 10_000,
    });
  }

  private requireBoss(): PgBoss {
    if (!this.boss) throw new Error("La file de tâches n'est pas démarrée");
    return this.boss;
  }
}
