/**
 * `node dist/server.js` (`npm start` in development): open the runtime, build the app, listen; on SIGTERM stop
 * gracefully within SHUTDOWN_TIMEOUT_SECONDS (core/lifecycle.ts). With WEB_CONCURRENCY > 1 on PostgreSQL this
 * process becomes a primary that forks that many app processes sharing the port (node:cluster), restarts one
 * that dies, aggregates their metrics and passes SIGTERM on.
 */
import 'dotenv/config';
import cluster from 'node:cluster';
import { loadConfig, ConfigError, type Config } from './config.js';
import { buildApp } from './app.js';
import { openRuntime, shouldRunWorker } from './runtime.js';
import { DataDirLockedError } from './db/lock.js';
import { installShutdown } from './shutdown.js';
import { createLogger } from './core/logging.js';
import { joinClusterMetrics } from './core/metrics.js';
import { runPrimary } from './cluster.js';

async function serve(config: Config): Promise<void> {
  const runtime = await openRuntime(config, { role: 'server', work: shouldRunWorker(config) });
  if (cluster.isWorker) joinClusterMetrics(runtime.metrics);
  const app = await buildApp(runtime);
  app.addHook('onClose', async () => runtime.close());
  installShutdown(
    app.log,
    () => app.close(),
    config.shutdownTimeoutMs,
    () => app.server.closeAllConnections(),
  );
  // Slow clients must not hold sockets for ever.
  app.server.requestTimeout = 30_000;
  app.server.headersTimeout = 15_000;
  await app.listen({ host: config.host, port: config.port });
  if (config.debug) {
    app.log.warn(
      'Mode développement (DEBUG=True, le défaut hors NODE_ENV=production) : secrets par défaut, e-mails dans le journal, simulateur de paiement. En production : NODE_ENV=production (ou DEBUG=False) et les variables de la section « En production » du README.',
    );
  }
  app.log.info(
    {
      database: config.database.kind,
      dataDir: config.database.kind === 'pglite' ? config.database.dataDir : undefined,
      replica: config.database.replicaUrl ? true : undefined,
      worker: runtime.jobs.isWorking,
    },
    `SpotVibe prêt : http://${config.host}:${config.port}/api/docs/`,
  );
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.webConcurrency > 1 && cluster.isPrimary) {
    const log = createLogger(config);
    if (config.database.kind === 'postgres') return runPrimary(config, log);
    log.warn(
      { WEB_CONCURRENCY: config.webConcurrency },
      'WEB_CONCURRENCY ignoré : la base embarquée n’accepte qu’un processus ; un seul processus sert (utilisez PostgreSQL pour en lancer plusieurs)',
    );
  }
  await serve(config);
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError) {
    console.error(err.message);
    process.exit(78);
  }
  console.error('Échec du démarrage :', err);
  process.exit(1);
});
