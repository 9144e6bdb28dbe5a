/**
 * WEB_CONCURRENCY (Heroku's convention): the primary process of `node dist/server.js` forks that many app
 * processes, which share the listening port (node:cluster hands out connections in turn). The primary opens
 * no database: it restarts an app process that dies (after a second, so a crash loop does not spin), stops
 * everything if one exits with a configuration error (code 78), answers the processes' metrics requests
 * with all of their metrics (core/metrics.ts), and on SIGTERM or SIGINT passes SIGTERM on and waits for each
 * to finish its requests (SHUTDOWN_TIMEOUT_SECONDS, then SIGKILL).
 */
import cluster, { type Worker } from 'node:cluster';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import { serveClusterMetrics } from './core/metrics.js';

const CONFIG_ERROR = 78;

export async function runPrimary(config: Config, log: FastifyBaseLogger): Promise<void> {
  serveClusterMetrics();
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < config.webConcurrency; i++) fork();
  log.info({ processus: config.webConcurrency, pid: process.pid }, 'WEB_CONCURRENCY : processus de l’application lancés');

  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) return;
    if (code === CONFIG_ERROR) {
      log.error('un processus a refusé la configuration : arrêt');
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      process.exitCode = CONFIG_ERROR;
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, 'un processus de l’application s’est arrêté : relancé dans 1 s');
    setTimeout(() => !stopping && fork(), 1000);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'arrêt : SIGTERM transmis aux processus de l’application');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    for (const w of workers) w.process.kill('SIGTERM');
    const force = setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    }, config.shutdownTimeoutMs + 2000);
    force.unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The primary exits when its last worker has (nothing else keeps the event loop busy once they are gone).
}
