/**
 * Opening everything a process needs, in order, and closing it in reverse: the modules' settings, the
 * data-directory lock (embedded mode), the database, migrations and seed data, the payment providers, the
 * media store, Redis, the domain hooks and the job queue. The server, the worker, the CLI and the tests all
 * start here, from the one module list (modules/index.ts): every process has the same jobs and the same hooks.
 */
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { ConfigError, type Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { lockDataDir, type DataDirLock } from './db/lock.js';
import { JobQueue, type JobDefinition, type ProcessServices } from './jobs/queue.js';
import { DomainHooks } from './core/hooks.js';
import { createMediaStore, mediaSettings } from './core/media.js';
import { openRedis } from './core/redis.js';
import { PublicCache, publicCacheEnabled } from './core/public-cache.js';
import { createLogger } from './core/logging.js';
import { Lifecycle } from './core/lifecycle.js';
import { Metrics } from './core/metrics.js';
import { createErrorReporter, noReporter, type ErrorReporter } from './core/sentry.js';
import { registerDatabaseMetrics } from './db/metrics.js';
import { MODULES } from './modules/index.js';
import { seedCategories } from './modules/events/seed.js';
import { setupPayments, type PaymentsRuntime } from './modules/payments/setup.js';
import type { GatewayRegistry } from './modules/payments/gateway.js';

export type ProcessRole = 'server' | 'worker' | 'cli' | 'test';

export interface Runtime extends ProcessServices {
  role: ProcessRole;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  role: ProcessRole;
  /** Run job handlers and crons in this process. */
  work: boolean;
  /** Start the job queue at all (the CLI's simple commands do not need it). */
  jobs?: boolean;
  migrate?: boolean;
  log?: FastifyBaseLogger;
  /** Make the payment providers (or start the simulator); the CLI's simple commands do not need them. */
  payments?: boolean;
  /** Tests: providers of their own instead of the configured ones. */
  gateways?: GatewayRegistry;
  /** Tests: an already opened (and migrated) database, closed by its owner. */
  database?: Database;
  /** Tests: jobs beside the modules' own. */
  extraJobs?: JobDefinition<never>[];
  pollingIntervalSeconds?: number;
  /** Tests: an error reporter of their own (the Sentry client is otherwise made from SENTRY_DSN). */
  errors?: ErrorReporter;
}

export { createLogger };

/** In embedded mode the worker always runs in-process: no other process may open the data directory. */
export function shouldRunWorker(config: Config): boolean {
  if (config.runWorker === 'auto') return config.database.kind === 'pglite';
  return config.runWorker === 'true';
}

/** Every module's settings, checked before anything is opened: one message naming every bad variable. */
export function checkModuleConfig(config: Config): void {
  const problems = MODULES.flatMap((m) => m.checkConfig?.(config) ?? []);
  if (problems.length) throw new ConfigError(problems);
}

export async function openRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  checkModuleConfig(config);
  const log = opts.log ?? createLogger(config);
  let lock: DataDirLock | null = null;
  let database: Database | null = opts.database ?? null;
  let jobs: JobQueue | null = null;
  let payments: PaymentsRuntime | null = null;
  let redis: Redis | null = null;
  let errors: ErrorReporter = noReporter;
  try {
    errors = opts.errors ?? (await createErrorReporter(config, log));
    let gateways: GatewayRegistry = opts.gateways ?? {};
    if (!opts.gateways && opts.payments !== false) {
      // Only the process serving HTTP starts the simulator; a separate worker connects to it.
      payments = await setupPayments(config, log, { startSimulator: opts.role === 'server' });
      gateways = payments.gateways;
    }
    if (!database) {
      if (config.database.kind === 'pglite') lock = await lockDataDir(config.database.dataDir);
      database = await openDatabase({
        kind: config.database.kind,
        url: config.database.url,
        dataDir: config.database.dataDir,
        poolMax: config.database.poolMax,
        replicaUrl: config.database.replicaUrl,
      });
      if (opts.migrate !== false) {
        await database.migrate();
        await seedCategories(database.db);
      }
    }
    redis = config.redisUrl ? openRedis(config.redisUrl, log) : null;
    const hooks = new DomainHooks();
    const metrics = new Metrics({ defaultMetrics: opts.role === 'server' || opts.role === 'worker', labels: { role: opts.role } });
    registerDatabaseMetrics(metrics, database);
    const lifecycle = new Lifecycle(log);
    jobs = new JobQueue({
      database,
      config,
      log,
      definitions: [...MODULES.flatMap((m) => m.jobs ?? []), ...(opts.extraJobs ?? [])],
      ...(opts.pollingIntervalSeconds ? { pollingIntervalSeconds: opts.pollingIntervalSeconds } : {}),
      // Running jobs may finish within the shutdown's bound, leaving a few seconds to close the rest.
      stopTimeoutMs: Math.max(1000, config.shutdownTimeoutMs - 5000),
    });
    const services: ProcessServices = {
      config,
      log,
      database,
      jobs,
      hooks,
      gateways,
      redis,
      media: createMediaStore(mediaSettings(config)),
      metrics,
      lifecycle,
      errors,
      publicCache: new PublicCache({
        enabled: publicCacheEnabled(config.env.PUBLIC_CACHE, !!redis, config.database.kind === 'pglite'),
        redis,
        ttlSeconds: config.env.PUBLIC_CACHE_TTL_SECONDS,
        maxBytes: config.env.PUBLIC_CACHE_MAX_BYTES,
        log,
      }),
    };
    hooks.registerModules(MODULES, services);
    for (const m of MODULES) m.metrics?.(services);
    jobs.attach(services);
    if (opts.jobs !== false) await jobs.start({ work: opts.work });

    const db = database;
    const q = jobs;
    const ownsDatabase = !opts.database;
    const r = redis;
    const reporter = errors;
    return {
      ...services,
      role: opts.role,
      close: async () => {
        await q.stop().catch((err) => log.error({ err }, 'arrêt de la file de tâches'));
        await payments?.close().catch((err) => log.error({ err }, 'arrêt du simulateur de paiement'));
        await r?.quit().catch(() => r.disconnect());
        if (ownsDatabase) await db.close().catch((err) => log.error({ err }, 'fermeture de la base'));
        await lock?.release();
        await reporter.close();
      },
    };
  } catch (err) {
    await payments?.close().catch(() => undefined);
    await jobs?.stop().catch(() => undefined);
    redis?.disconnect();
    await errors.close();
    if (!opts.database) await database?.close().catch(() => undefined);
    await lock?.release();
    throw err;
  }
}
