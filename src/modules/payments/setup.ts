/**
 * The payment providers a process talks to, made once at start. With live credentials: the real providers.
 * In development with none (PAYMENT_SIMULATOR=auto): the local simulator is started in-process and the same
 * provider clients are pointed at it, so a new user can buy a ticket end to end on a fresh machine.
 * In production with none: payments are unavailable (503), never silently simulated.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config.js';
import { createProviders, providerSettingsFromConfig, anyLiveProvider } from './providers/index.js';
import { webhookUrl } from './providers/settings.js';
import type { GatewayRegistry } from './gateway.js';
import { startSimulator, type Simulator } from './simulator/server.js';
import { simulatorProviderSettings } from './simulator/credentials.js';
import { announce, announcementFile, readAnnounced } from './simulator/announce.js';
import type { ProvidersSettings } from './providers/index.js';

/**
 * The configurations of processes that talk to the simulator (server and worker in development): the
 * notifications module then points its SMS and push clients at the simulator's stand-ins too.
 */
export const simulatorInUse = new WeakSet<Config>();

export interface PaymentsRuntime {
  gateways: GatewayRegistry;
  simulator: Simulator | null;
  close(): Promise<void>;
}

/**
 * `startSimulator`: the server starts it; a separate worker only connects to it (the simulator keeps its
 * payments in memory, so the worker must ask the same one the server initiated payments with).
 */
export async function setupPayments(
  config: Config,
  log: FastifyBaseLogger,
  opts: { startSimulator: boolean } = { startSimulator: true },
): Promise<PaymentsRuntime> {
  const settings = providerSettingsFromConfig(config);
  const mode = config.env.PAYMENT_SIMULATOR;
  const live = anyLiveProvider(settings);
  // Never with DEBUG=False: the simulator's credentials and webhook secrets are public.
  if (mode === 'true' && !config.debug) log.warn('PAYMENT_SIMULATOR=true ignoré : le simulateur ne démarre jamais avec DEBUG=False');
  const useSimulator = config.debug && (mode === 'true' || (mode === 'auto' && !live));

  if (!useSimulator) {
    const gateways = createProviders(settings);
    for (const [id, vars] of Object.entries(settings.missing)) {
      if (live || !config.debug) log.warn({ fournisseur: id, variables: vars }, `moyen de paiement ${id} non configuré`);
    }
    if (!live) log.warn('aucun fournisseur de paiement configuré : les achats de billets sont indisponibles');
    return { gateways, simulator: null, close: async () => undefined };
  }

  simulatorInUse.add(config);
  const configuredUrl = `http://${config.env.SIMULATOR_HOST}:${config.env.SIMULATOR_PORT}`;
  const useExisting = (why: string): PaymentsRuntime => {
    log.info({ url: configuredUrl }, why);
    return {
      gateways: createProviders(simulatorProviderSettings(configuredUrl, settings.common)),
      simulator: null,
      close: async () => undefined,
    };
  };
  if (!opts.startSimulator) {
    log.info({ defaut: configuredUrl }, 'paiements : simulateur du serveur utilisé (adresse annoncée par le serveur)');
    return {
      gateways: followAnnounced(announcementFile(config), configuredUrl, settings.common),
      simulator: null,
      close: async () => undefined,
    };
  }
  let simulator: Simulator;
  try {
    simulator = await startSimulator({
      host: config.env.SIMULATOR_HOST,
      port: config.env.SIMULATOR_PORT,
      logger: log.child({ module: 'simulateur' }),
      waveWebhookUrl: webhookUrl(settings.common, 'wave'),
    });
  } catch (err) {
    // `npm run simulator` (or another server) already serves it there: talk to that one.
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    return useExisting('paiements : un simulateur écoute déjà sur ce port, il est utilisé');
  }
  log.info({ url: simulator.url }, 'simulateur de paiement démarré (aucun identifiant de fournisseur configuré)');
  const withdraw = announce(announcementFile(config), simulator.url);
  return {
    gateways: createProviders(simulator.settings(settings.common)),
    simulator,
    close: async () => {
      withdraw();
      await simulator.close();
    },
  };
}

/**
 * Providers pointed at the simulator the server announced (simulator/announce.ts), or at SIMULATOR_HOST:PORT
 * when none is announced; looked up again at each call (cheap: a small file), rebuilt when the address changes.
 */
function followAnnounced(file: string, fallbackUrl: string, common: ProvidersSettings['common']): GatewayRegistry {
  let current = { url: '', registry: {} as GatewayRegistry };
  const resolve = (): GatewayRegistry => {
    const url = readAnnounced(file)?.url ?? fallbackUrl;
    if (url !== current.url) current = { url, registry: createProviders(simulatorProviderSettings(url, common)) };
    return current.registry;
  };
  const base = resolve();
  const registry: GatewayRegistry = {};
  for (const id of Object.keys(base) as (keyof GatewayRegistry)[]) {
    registry[id] = new Proxy(base[id]!, {
      get(_target, prop) {
        const provider = resolve()[id]!;
        const value = Reflect.get(provider, prop, provider) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(provider) : value;
      },
    });
  }
  return registry;
}
