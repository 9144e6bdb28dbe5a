/** `npm start`: open the runtime, build the app, listen; close cleanly on SIGINT/SIGTERM. */
import 'dotenv/config';
import { loadConfig, ConfigError } from './config.js';
import { buildApp, loggerOptions } from './app.js';
import { openRuntime, shouldRunWorker } from './runtime.js';
import { DataDirLockedError } from './db/lock.js';
import { installShutdown } from './shutdown.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const runtime = await openRuntime(config, { role: 'server', work: shouldRunWorker(config) });
  const app = await buildApp(runtime, loggerOptions(config));
  app.addHook('onClose', async () => runtime.close());
  installShutdown(app.log, () => app.close());
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
      worker: runtime.jobs.isWorking,
    },
    `SpotVibe prêt : http://${config.host}:${config.port}/api/docs/`,
  );
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError) {
    console.error(err.message);
    process.exit(78);
  }
  console.error('Échec du démarrage :', err);
  process.exit(1);
});
