/**
 * Test support for the provider clients: a simulator on 127.0.0.1:0 with short delays, a receiver standing
 * in for our webhook routes (it keeps the raw bytes and headers, as the real routes must), the clients
 * configured against both, and a "payer" who fills in the simulator's payment page.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator, type SimulatorOptions } from './server.js';
import { createProviders, type ProviderRegistry } from '../providers/index.js';
import type { CommonSettings } from '../providers/settings.js';
import type { ProviderDeps } from '../providers/http.js';
import { recordingFetch, type Exchange } from '../contracts/testing.js';

export interface ReceivedCallback {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export interface CallbackReceiver {
  url: string;
  received: ReceivedCallback[];
  /** Callbacks received on one webhook path (`orange`, `mtn`, `moov`, `wave`). */
  on(path: string): ReceivedCallback[];
  close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      received.push({
        method: req.method ?? '',
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        headers: req.headers,
        rawBody: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"OK"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    on: (path) => received.filter((r) => r.path === `/api/payments/webhooks/${path}/`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  stepMs = 20,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`condition non remplie après ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Short delays keep the suite fast; the defaults (about 1 s, 10 s) are what `npm run simulator` uses. MTN's
 * 404-after-202 stays on (short): a test that needs MTN to see a request at once sets `mtnVisibilityMs: 0`.
 */
export const TEST_DELAYS = { normalMs: 40, slowMs: 1_500, duplicateGapMs: 25, mtnVisibilityMs: 60 } as const;

export interface ProviderHarness {
  sim: Simulator;
  /** Every exchange between the clients and the simulator, for the contract checks (payments/contracts). */
  exchanges: Exchange[];
  receiver: CallbackReceiver;
  common: CommonSettings;
  providers: Required<ProviderRegistry>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: { sim?: SimulatorOptions; timeoutMs?: number; deps?: ProviderDeps } = {},
): Promise<ProviderHarness> {
  const receiver = await startCallbackReceiver();
  const sim = await startSimulator({
    port: 0,
    host: '127.0.0.1',
    delays: TEST_DELAYS,
    waveWebhookUrl: `${receiver.url}/api/payments/webhooks/wave/`,
    ...opts.sim,
  });
  const common: CommonSettings = {
    timeoutMs: opts.timeoutMs ?? 2_000,
    returnUrl: 'https://spotvibe.test/paiement/retour/',
    cancelUrl: 'https://spotvibe.test/paiement/annule/',
    webhookBaseUrl: receiver.url,
  };
  const exchanges: Exchange[] = [];
  const deps = { ...opts.deps, fetch: recordingFetch(exchanges, opts.deps?.fetch) };
  const providers = createProviders(sim.settings(common), deps) as Required<ProviderRegistry>;
  return {
    sim,
    exchanges,
    receiver,
    common,
    providers,
    close: async () => {
      await sim.close();
      await receiver.close();
    },
  };
}

/** The payer opens the payment page, types a number and confirms (or cancels), as in a browser. */
export async function payOnPage(
  paymentUrl: string,
  telephone: string,
  action: 'payer' | 'annuler' = 'payer',
): Promise<{ status: number; html: string }> {
  const page = await fetch(paymentUrl);
  const form = await page.text();
  if (page.status !== 200 || !form.includes('name="telephone"')) throw new Error(`page de paiement inattendue (${page.status})`);
  // `paymentUrl` may be SpotVibe's own link (a ticket payment's /paiement/ouvrir/…), which redirects to the page.
  const res = await fetch(page.url || paymentUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ telephone, action }).toString(),
    redirect: 'manual',
  });
  return { status: res.status, html: await res.text() };
}

let counter = 0;
/** A fresh payment reference per test (letters, digits and dashes, as the providers accept). */
export function newReference(): string {
  counter += 1;
  return `SV-${Date.now().toString(36).toUpperCase()}-${counter}`;
}
