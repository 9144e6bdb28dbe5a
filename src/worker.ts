/**
 * `npm run worker`: runs job handlers and crons as their own process, for PostgreSQL deployments.
 * In embedded mode (PGlite) the server runs them in-process and this command refuses to start.
 */
import 'dotenv/config';
import { loadConfig, ConfigError } from './config.js';
import { openRuntime } from './runtime.js';
import { installShutdown } from './shutdown.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.database.kind !== 'postgres') {
    console.error(
      'Le worker séparé demande PostgreSQL (DATABASE_URL). En mode embarqué, `npm start` exécute déjà les tâches dans le serveur.',
    );
    process.exit(78);
  }
  const runtime = await openRuntime(config, { role: 'worker', work: true });
  installShutdown(runtime.log, () => runtime.close());
  runtime.log.info('worker SpotVibe démarré');
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78);
  }
  console.error('Échec du démarrage du worker :', err);
  process.exit(1);
});
