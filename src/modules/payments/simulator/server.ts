/**
 * One local server speaking Orange Money Web Payment, MTN MoMo, CinetPay (Moov) and Wave Checkout, so the
 * real provider clients run end to end on loopback. `startSimulator()` is used by tests (port 0), by
 * `npm run simulator`, and by the server when no live credentials are configured.
 *
 * Test hooks (also over HTTP under /__simulator/ for a simulator run apart): inject a 5xx or a hang on the
 * next call(s), expire every token, read the payments and the callbacks sent.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { SIMULATOR_CREDENTIALS, simulatorProviderSettings, type SimulatorCredentials } from './credentials.js';
import { SimulatorState, type Fault, type SimProvider } from './state.js';
import type { SimulatorDelays } from './outcomes.js';
import { orangeRoutes } from './orange.js';
import { mtnRoutes } from './mtn.js';
import { cinetpayRoutes } from './cinetpay.js';
import { waveRoutes } from './wave.js';
import { pageCsp, pageRoutes } from './page.js';
import { UNCONFIRMED } from './unconfirmed.js';
import { messagingCredentials, messagingEnv, messagingRoutes, MessagingState, smsBasic } from './messaging.js';
import { startApnsStandIn } from './apns.js';
import type { CommonSettings, ProvidersSettings } from '../providers/settings.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which provider and which kind of endpoint a simulator route is, for fault injection. */
    sim?: { provider: SimProvider; endpoint: 'api' | 'token' };
  }
  interface FastifyRequest {
    simHangAfter?: boolean;
  }
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** A pino-compatible logger, or false/undefined for none. */
  logger?: FastifyBaseLogger | false | undefined;
  delays?: Partial<SimulatorDelays>;
  /** Lifetime of the tokens it issues (Orange, MTN), in seconds. */
  tokenTtlSeconds?: number;
  credentials?: SimulatorCredentials;
  /** Where Wave webhooks go (Wave takes it from its portal, not from each session). */
  waveWebhookUrl?: string | undefined;
  /** Origin used in payment links when the simulator is reached through another name than host:port. */
  publicUrl?: string;
  now?: () => number;
  /** Port of the APNs stand-in (HTTP/2): SIMULATOR_PORT + 1 by default, any free one when `port` is 0. */
  apnsPort?: number;
}

export interface Simulator {
  url: string;
  state: SimulatorState;
  app: FastifyInstance;
  /** Provider settings pointing SpotVibe's clients at this simulator. */
  settings(common: CommonSettings): ProvidersSettings;
  injectFault(f: Partial<Fault> & Pick<Fault, 'kind'>): void;
  expireTokens(): void;
  setWaveWebhookUrl(url: string | undefined): void;
  /** The messaging stand-ins (Orange SMS, FCM, APNs): what they received, and the settings that point the clients at them. */
  messaging: { state: MessagingState; apnsUrl: string; env(): Record<string, string> };
  close(): Promise<void>;
}

const SILENT: FastifyBaseLogger = {
  level: 'silent',
  fatal: () => undefined,
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  trace: () => undefined,
  silent: () => undefined,
  child: () => SILENT,
};

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const log = opts.logger || SILENT;
  const creds = opts.credentials ?? SIMULATOR_CREDENTIALS;
  const state = new SimulatorState(log, opts.delays, opts.tokenTtlSeconds, opts.now);
  let waveWebhookUrl = opts.waveWebhookUrl;
  let url = '';
  const publicUrl = () => (opts.publicUrl ?? url).replace(/\/+$/, '');

  const app = Fastify({ loggerInstance: log, forceCloseConnections: true });
  await app.register(formbody);

  app.addHook('preHandler', async (req, reply) => {
    const sim = req.routeOptions.config.sim;
    if (!sim) return;
    const fault = state.takeFault(sim.provider, sim.endpoint);
    if (!fault) return;
    log.info({ provider: sim.provider, url: req.url, fault: fault.kind }, 'simulateur : panne injectée');
    if (fault.kind === 'error') {
      // Marked, so that the contract checks know an outage status the definition lacks (502, 503) is the test's.
      return reply.code(fault.status).header('x-simulator-fault', fault.kind).send(UNCONFIRMED.faultBodies[sim.provider]);
    }
    if (fault.kind === 'hang') {
      // Never answer: the client's timeout is what ends this request (or the simulator closing).
      reply.hijack();
      return;
    }
    req.simHangAfter = true;
  });
  app.addHook('onSend', async (req, _reply, payload) => {
    // The work is done (payment created) but the answer never arrives: the "lost response" case that makes
    // idempotent retries necessary.
    if (req.simHangAfter) await state.whenClosed();
    return payload;
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    // Every HTML page of the simulator (payment pages, lists) gets a strict policy: nothing loads from anywhere,
    // no script runs, forms post back here only; its own inline styles are allowed by their hash, so an injected
    // <style> or <script> is inert even if escaping were ever missed.
    if (typeof payload === 'string' && String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      void reply.header('content-security-policy', pageCsp(payload));
    }
    return payload;
  });
  app.addHook('preClose', async () => state.close());

  const messaging = new MessagingState(opts.tokenTtlSeconds);
  const mcreds = messagingCredentials();
  const basic = smsBasic(mcreds);
  orangeRoutes(app, state, creds.orange, publicUrl, (auth) => (auth === basic ? messaging.issue('sms') : null));
  messagingRoutes(app, messaging, mcreds, publicUrl);
  mtnRoutes(app, state, creds.mtn);
  cinetpayRoutes(app, state, creds.cinetpay, publicUrl);
  waveRoutes(app, state, creds.wave, publicUrl, () => waveWebhookUrl);
  pageRoutes(app, state);

  app.post<{ Body: Partial<Fault> & Pick<Fault, 'kind'> }>('/__simulator/faults', async (req, reply) => {
    const b = req.body;
    if (!b || !['error', 'hang', 'hang-after'].includes(b.kind)) return reply.code(400).send({ error: 'kind: error, hang ou hang-after' });
    state.injectFault(b);
    return reply.code(201).send({ faults: state.faults });
  });
  app.delete('/__simulator/faults', async () => {
    state.clearFaults();
    return { faults: [] };
  });
  app.post('/__simulator/tokens/expire', async () => {
    state.expireTokens();
    messaging.expireAll();
    return { expired: state.tokens.size };
  });
  app.get('/__simulator/state', async () => ({
    payments: [...state.payments.values()].map(({ outcome: _o, ...p }) => p),
    deliveries: state.deliveries,
    tokensIssued: state.tokensIssued,
    faults: state.faults,
  }));

  const address = await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  url = address.replace('://[::1]', '://localhost');
  const listening = Number(new URL(url).port);
  let apns;
  try {
    apns = await startApnsStandIn(messaging, mcreds.apns, opts.host ?? '127.0.0.1', opts.apnsPort ?? (opts.port ? listening + 1 : 0));
  } catch (err) {
    await app.close();
    throw err;
  }

  return {
    url,
    state,
    app,
    settings: (common) => simulatorProviderSettings(url, common, creds),
    injectFault: (f) => state.injectFault(f),
    expireTokens: () => {
      state.expireTokens();
      messaging.expireAll();
    },
    messaging: { state: messaging, apnsUrl: apns.url, env: () => messagingEnv(url, apns.url, mcreds) },
    setWaveWebhookUrl: (u) => {
      waveWebhookUrl = u;
    },
    close: async () => {
      await app.close();
      await apns.close();
    },
  };
}
