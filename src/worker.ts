/**
 * `node dist/worker.js` (`npm run worker` in development): runs job handlers and crons as their own process,
 * for PostgreSQL deployments; several may run (pg-boss hands each job to one, crons run once). With
 * METRICS_PORT it serves `/metrics` (its job and pool metrics) and `/healthz` there. SIGTERM lets running
 * jobs finish (SHUTDOWN_TIMEOUT_SECONDS). In embedded mode (PGlite) the server runs the jobs in-process and
 * this command refuses to start.
 */
import 'dotenv/config';
import http from 'node:http';
import { loadConfig, ConfigError } from './config.js';
import { openRuntime, type Runtime } from './runtime.js';
import { installShutdown } from './shutdown.js';
import { bearerMatches, METRICS_UNAUTHORIZED } from './modules/health/metrics-access.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.database.kind !== 'postgres') {
    console.error(
      'Le worker séparé demande PostgreSQL (DATABASE_URL). En mode embarqué, `npm start` exécute déjà les tâches dans le serveur.',
    );
    process.exit(78);
  }
  const runtime = await openRuntime(config, { role: 'worker', work: true });
  const probe = config.metrics.port ? await serveProbes(runtime, config.metrics.port) : null;
  installShutdown(
    runtime.log,
    async () => {
      await runtime.lifecycle.beginShutdown();
      await runtime.close();
      await new Promise((resolve) => (probe ? probe.close(resolve) : resolve(undefined)));
    },
    config.shutdownTimeoutMs,
  );
  runtime.log.info({ metricsPort: config.metrics.port || undefined }, 'worker SpotVibe démarré');
}

/** `/metrics` (behind METRICS_TOKEN) and `/healthz` on METRICS_PORT: the worker has no other HTTP server. */
async function serveProbes(runtime: Runtime, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(body);
    };
    if (req.method !== 'GET')
      return send(405, 'application/json', JSON.stringify({ error: 'Méthode non autorisée.', code: 'method_not_allowed' }), {
        allow: 'GET',
      });
    if (path === '/healthz') {
      return runtime.lifecycle.draining
        ? send(503, 'application/json', JSON.stringify({ status: 'arret_en_cours' }))
        : send(200, 'application/json', JSON.stringify({ status: 'ok' }));
    }
    if (path !== '/metrics')
      return send(404, 'application/json', JSON.stringify({ error: `Aucune route pour ${req.method} ${path}.`, code: 'not_found' }));
    if (!bearerMatches(req.headers.authorization, runtime.config.metrics.token)) {
      return send(401, 'application/json', JSON.stringify(METRICS_UNAUTHORIZED), { 'www-authenticate': 'Bearer realm="metrics"' });
    }
    runtime.metrics.render().then(
      ({ contentType, body }) => send(200, contentType, body),
      (err) => {
        runtime.log.error({ err }, 'métriques illisibles');
        send(500, 'application/json', JSON.stringify({ error: 'Erreur interne du serveur.', code: 'server_error' }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, runtime.config.host, () => resolve());
  });
  return server;
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78);
  }
  console.error('Échec du démarrage du worker :', err);
  process.exit(1);
});
