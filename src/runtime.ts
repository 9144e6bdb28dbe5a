/**
 * Opening everything a process needs, in order, and closing it in reverse: the data-directory lock (embedded
 * mode), the database, migrations and seed data, and the job queue. Server, worker and CLI all start here.
 */
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { lockDataDir, type DataDirLock } from './db/lock.js';
import { JobQueue, type Services } from './jobs/queue.js';
import { allJobDefinitions } from './jobs/registry.js';
import { seedCategories } from './modules/events/seed.js';
import { setupPayments, type PaymentsRuntime } from './modules/payments/setup.js';

export interface Runtime {
  config: Config;
  database: Database;
  jobs: JobQueue;
  services: Services;
  log: FastifyBaseLogger;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Run job handlers and crons in this process. */
  work: boolean;
  /** Start the job queue at all (the CLI's simple commands do not need it). */
  jobs?: boolean;
  migrate?: boolean;
  log?: FastifyBaseLogger;
  /** This process is the separate worker (`npm run worker`). */
  worker?: boolean;
  /** Make the payment providers (or start the simulator); the CLI does not need them. */
  payments?: boolean;
  services?: Services;
}

export function createLogger(config: Config): FastifyBaseLogger {
  return pino({ level: config.logLevel }) as unknown as FastifyBaseLogger;
}

/** In embedded mode the worker always runs in-process: no other process may open the data directory. */
export function shouldRunWorker(config: Config): boolean {
  if (config.runWorker === 'auto') return config.database.kind === 'pglite';
  return config.runWorker === 'true';
}

export async function openRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  const log = opts.log ?? createLogger(config);
  let lock: DataDirLock | null = null;
  let database: Database | null = null;
  let jobs: JobQueue | null = null;
  let payments: PaymentsRuntime | null = null;
  const services: Services = { ...(opts.services ?? {}) };
  try {
    if (opts.payments !== false && !services.gateways) {
      // Only the process serving HTTP starts the simulator; a separate worker connects to it.
      payments = await setupPayments(config, log, { startSimulator: !opts.worker });
      services.gateways = payments.gateways;
    }
    if (config.database.kind === 'pglite') lock = await lockDataDir(config.database.dataDir);
    database = await openDatabase({
      kind: config.database.kind,
      url: config.database.url,
      dataDir: config.database.dataDir,
      poolMax: config.database.poolMax,
    });
    if (opts.migrate !== false) {
      await database.migrate();
      await seedCategories(database.db);
    }
    jobs = new JobQueue({ database, config, log, definitions: allJobDefinitions(), services });
    if (opts.jobs !== false) await jobs.start({ work: opts.work });
  } catch (err) {
    await payments?.close().catch(() => undefined);
    await jobs?.stop().catch(() => undefined);
    await database?.close().catch(() => undefined);
    await lock?.release();
    throw err;
  }
  const db = database;
  const q = jobs;
  return {
    config,
    database: db,
    jobs: q,
    services,
    log,
    close: async () => {
      await q.stop().catch((err) => log.error({ err }, 'arrêt de la file de tâches'));
      await payments?.close().catch((err) => log.error({ err }, 'arrêt du simulateur de paiement'));
      await db.close().catch((err) => log.error({ err }, 'fermeture de la base'));
      await lock?.release();
    },
  };
}
