/**
 * Durable background jobs on pg-boss, in the same database as the data, so a job can be enqueued in the
 * same transaction as the write that calls for it: if the transaction rolls back, the job never existed;
 * if it commits, the job is stored and will run (with retries) even after a crash.
 *
 * On PostgreSQL pg-boss uses its own pool. On PGlite it goes through an adapter over the single embedded
 * connection; pg-boss sends some multi-statement scripts without parameters, which PGlite runs with exec.
 */
import PgBoss from 'pg-boss';
import type { FastifyBaseLogger } from 'fastify';
import { Param, sql, type SQL } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Database, DbOrTx } from '../db/client.js';
import type { Config } from '../config.js';
import type { DomainHooks } from '../core/hooks.js';
import type { MediaStore } from '../core/media.js';
import type { GatewayRegistry } from '../modules/payments/gateway.js';

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

export interface JobQueueOptions {
  database: Database;
  config: Config;
  log: FastifyBaseLogger;
  definitions: JobDefinition<never>[];
  /** Worker polling interval in seconds (pg-boss minimum 0.5). */
  pollingIntervalSeconds?: number;
}

export class JobQueue {
  private boss: PgBoss | null = null;
  private readonly definitions = new Map<string, JobDefinition<never>>();
  private working = false;
  private services: ProcessServices | null = null;

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
    if (!work) return;
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
            for (const job of jobs) {
              const log = this.opts.log.child({ job: d.name, jobId: job.id });
              try {
                await d.handler(job.data as never, { ...services, log, jobs: this, retryCount: job.retryCount });
              } catch (err) {
                // Fail this job alone (retried per its policy); pg-boss completes the rest of the batch.
                log.warn({ err, retryCount: job.retryCount }, 'échec de la tâche, nouvelle tentative prévue');
                await boss.fail(d.name, job.id, { message: (err as Error).message ?? String(err) });
              }
            }
            if (jobs.length >= batchSize && worker.id) boss.notifyWorker(worker.id);
          },
        );
      }
      if (d.cron) await boss.schedule(d.name, d.cron, {}, { tz: 'UTC' });
    }
    this.working = true;
  }

  /** Enqueues a job; with `tx`, atomically with the transaction's writes. Returns the job id. */
  async send<T extends object>(name: string, data: T, options: SendOptions = {}): Promise<string | null> {
    if (!this.definitions.has(name)) throw new Error(`Tâche inconnue : ${name}`);
    const boss = this.requireBoss();
    const sendOpts: PgBoss.SendOptions & { db?: unknown } = {};
    if (options.startAfterSeconds) sendOpts.startAfter = options.startAfterSeconds;
    if (options.singletonKey) sendOpts.singletonKey = options.singletonKey;
    if (options.tx) sendOpts.db = drizzleExecutor(options.tx);
    return boss.send(name, data as object, sendOpts as PgBoss.SendOptions);
  }

  async getJob(name: string, id: string): Promise<PgBoss.JobWithMetadata | null> {
    return this.requireBoss().getJobById(name, id, { includeArchive: true });
  }

  async stop(): Promise<void> {
    const boss = this.boss;
    if (!boss) return;
    this.boss = null;
    this.working = false;
    // graceful: running handlers finish; close: false because on PGlite the connection is ours to close.
    await boss.stop({ graceful: true, wait: true, close: this.opts.database.kind === 'postgres', timeout: 10_000 });
  }

  private requireBoss(): PgBoss {
    if (!this.boss) throw new Error("La file de tâches n'est pas démarrée");
    return this.boss;
  }
}
