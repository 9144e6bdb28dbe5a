/** `npm run simulator`: the provider simulator alone, on SIMULATOR_HOST:SIMULATOR_PORT (127.0.0.1:8900). */
import 'dotenv/config';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { ConfigError, loadConfig } from '../../../config.js';
import { startSimulator } from './server.js';
import { simulatorEnv } from './credentials.js';
import { installShutdown } from '../../../shutdown.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: config.logLevel === 'silent' ? 'info' : config.logLevel }) as unknown as FastifyBaseLogger;
  const apiBase = config.env.PAYMENT_WEBHOOK_BASE_URL ?? config.publicBaseUrl ?? `http://127.0.0.1:${config.port}`;
  const sim = await startSimulator({
    port: config.env.SIMULATOR_PORT,
    host: config.env.SIMULATOR_HOST,
    logger: log,
    waveWebhookUrl: `${apiBase.replace(/\/+$/, '')}/api/payments/webhooks/wave/`,
  });
  installShutdown(log, () => sim.close());
  const env = Object.entries(simulatorEnv(sim.url))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  log.info(`Simulateur de paiement prêt : ${sim.url}`);
  console.log(`\nPour qu'un serveur SpotVibe lancé à part l'utilise, mettez dans son .env :\n\n${env}\n`);
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78);
  }
  console.error('Échec du démarrage du simulateur :', err);
  process.exit(1);
});
