/**
 * The simulator's memory: payments of all four providers, issued tokens, injected faults and the log of
 * callbacks sent. A payment moves awaiting_payer → processing → succeeded | failed (or expires unpaid) on
 * timers set from the outcome table; callbacks are built by each provider's module at send time.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { DEFAULT_DELAYS, outcomeFor, type Outcome, type SimulatorDelays } from './outcomes.js';

export type SimProvider = 'orange' | 'mtn' | 'cinetpay' | 'wave';
/** What a stored payment is: a provider's payment, or an MTN Disbursement refund. */
export type SimKind = SimProvider | 'mtn-refund';
export type SimState = 'awaiting_payer' | 'processing' | 'succeeded' | 'failed' | 'expired';

export interface SimPayment {
  id: string;
  provider: SimKind;
  /** The provider's own identifier (Orange pay_token, MTN reference id, CinetPay transaction_id, Wave session id). */
  key: string;
  /** Opaque token of the payment page (redirect flows). */
  pageToken?: string;
  amount: number;
  currency: string;
  state: SimState;
  reason?: string | undefined;
  payer?: string | undefined;
  outcome?: Outcome | undefined;
  createdAt: number;
  expiresAt: number;
  finishedAt?: number | undefined;
  transactionId?: string | undefined;
  successUrl?: string | undefined;
  failureUrl?: string | undefined;
  description: string;
  /** Provider-specific fields (notif_token, order_id, externalId, messages…). */
  extra: Record<string, unknown>;
  refunds: number;
}

export interface CallbackRequest {
  url: string;
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  body: string;
}

export interface Delivery {
  provider: SimKind;
  paymentId: string;
  url: string;
  attempt: number;
  status?: number;
  error?: string;
  at: string;
}

export interface Fault {
  provider: SimProvider | 'any';
  /** error: answer `status` at once; hang: never answer; hang-after: do the work, then never answer. */
  kind: 'error' | 'hang' | 'hang-after';
  status: number;
  /** token: only the token endpoints; api: every other endpoint (default); any: both. */
  endpoint: 'api' | 'token' | 'any';
  remaining: number;
}

export interface IssuedToken {
  scope: string;
  expiresAt: number;
}

export class SimulatorState {
  readonly payments = new Map<string, SimPayment>();
  private readonly byKey = new Map<string, SimPayment>();
  private readonly byPage = new Map<string, SimPayment>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly tokensIssued: Record<string, number> = {};
  readonly faults: Fault[] = [];
  readonly deliveries: Delivery[] = [];
  readonly callbackBuilders: Partial<Record<SimKind, (p: SimPayment) => CallbackRequest | null>> = {};
  readonly delays: SimulatorDelays;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly closeWaiters = new Set<() => void>();
  closed = false;

  constructor(
    public readonly log: FastifyBaseLogger,
    delays: Partial<SimulatorDelays> = {},
    public tokenTtlSeconds = 3600,
    public readonly now: () => number = Date.now,
  ) {
    this.delays = { ...DEFAULT_DELAYS, ...delays };
  }

  // --- payments ---------------------------------------------------------------------------------------------

  create(p: Omit<SimPayment, 'id' | 'createdAt' | 'expiresAt' | 'refunds' | 'state'> & { state?: SimState }): SimPayment {
    const at = this.now();
    const payment: SimPayment = {
      ...p,
      id: randomId(8),
      state: p.state ?? 'awaiting_payer',
      createdAt: at,
      expiresAt: at + this.delays.sessionTtlMs,
      refunds: 0,
    };
    this.payments.set(payment.id, payment);
    this.byKey.set(`${p.provider}:${p.key}`, payment);
    if (payment.pageToken) this.byPage.set(`${p.provider}:${payment.pageToken}`, payment);
    return payment;
  }

  find(provider: SimKind, key: string): SimPayment | undefined {
    return this.touch(this.byKey.get(`${provider}:${key}`));
  }

  findByPage(provider: SimProvider, pageToken: string): SimPayment | undefined {
    return this.touch(this.byPage.get(`${provider}:${pageToken}`));
  }

  /** Sessions nobody paid expire when next looked at (no timer per session). */
  private touch(p: SimPayment | undefined): SimPayment | undefined {
    if (p && p.state === 'awaiting_payer' && this.now() >= p.expiresAt) {
      p.state = 'expired';
      p.reason = 'EXPIRED';
      p.finishedAt = this.now();
    }
    return p;
  }

  /** The payer has confirmed (redirect page) or the push request was accepted (MTN): play the outcome. */
  submit(p: SimPayment, payer: string): Outcome {
    const outcome = outcomeFor(payer);
    p.payer = payer;
    p.outcome = outcome;
    p.state = 'processing';
    this.log.info({ provider: p.provider, key: p.key, payer, outcome: outcome.label }, 'simulateur : paiement soumis');
    if (outcome.final === 'never') return outcome;
    const delay = outcome.delay === 'slow' ? this.delays.slowMs : this.delays.normalMs;
    this.later(delay, () => this.finish(p, outcome.final === 'succeeded' ? 'succeeded' : 'failed', outcome.reason));
    return outcome;
  }

  /** Ends a payment and sends its callbacks as the outcome says (once, three times, or never). */
  finish(p: SimPayment, state: 'succeeded' | 'failed', reason?: string): void {
    if (p.state !== 'processing' && p.state !== 'awaiting_payer') return;
    p.state = state;
    p.reason = reason;
    p.finishedAt = this.now();
    if (state === 'succeeded') {
      // MTN's financialTransactionId is a number in its definition's examples (23503452); the others are text.
      p.transactionId = p.provider.startsWith('mtn')
        ? String(randomInt(100_000_000, 1_000_000_000))
        : `${p.provider.toUpperCase().slice(0, 2)}${Date.now()}${randomId(3)}`;
    }
    const times = p.outcome ? p.outcome.callbacks : 1;
    // A callback never announces what a status request would still answer 404 for (MTN's "not yet visible"
    // window after a 202): it leaves once the payment is visible.
    const visibleIn = Math.max(0, Number(p.extra.visibleAt ?? 0) - this.now());
    for (let i = 0; i < times; i++) this.later(visibleIn + i * this.delays.duplicateGapMs, () => void this.sendCallback(p, i + 1));
  }

  private async sendCallback(p: SimPayment, attempt: number): Promise<void> {
    const req = this.callbackBuilders[p.provider]?.(p);
    if (!req) {
      this.log.warn({ provider: p.provider, key: p.key }, 'simulateur : pas d’URL de notification, rien envoyé');
      return;
    }
    const d: Delivery = { provider: p.provider, paymentId: p.id, url: req.url, attempt, at: new Date(this.now()).toISOString() };
    this.deliveries.push(d);
    try {
      const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      d.status = res.status;
    } catch (err) {
      d.error = String(err);
    }
    this.log.info(
      { provider: p.provider, key: p.key, url: req.url, attempt, status: d.status, error: d.error },
      'simulateur : notification envoyée',
    );
  }

  // --- tokens -----------------------------------------------------------------------------------------------

  issueToken(scope: string): { token: string; expiresIn: number } {
    const token = randomId(24);
    this.tokens.set(token, { scope, expiresAt: this.now() + this.tokenTtlSeconds * 1000 });
    this.tokensIssued[scope] = (this.tokensIssued[scope] ?? 0) + 1;
    return { token, expiresIn: this.tokenTtlSeconds };
  }

  /** 'ok', or why the bearer token is refused. */
  checkToken(authorization: string | undefined, scope: string): 'ok' | 'missing' | 'invalid' | 'expired' {
    const m = /^Bearer (\S+)$/i.exec(authorization ?? '');
    if (!m) return 'missing';
    const t = this.tokens.get(m[1]!);
    if (!t || t.scope !== scope) return 'invalid';
    return this.now() >= t.expiresAt ? 'expired' : 'ok';
  }

  /** Test hook: every token issued so far is now expired (the next call gets a 401). */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  // --- faults -----------------------------------------------------------------------------------------------

  injectFault(f: Partial<Fault> & Pick<Fault, 'kind'>): void {
    this.faults.push({
      provider: f.provider ?? 'any',
      kind: f.kind,
      status: f.status ?? 500,
      endpoint: f.endpoint ?? 'api',
      remaining: f.remaining ?? 1,
    });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The fault that applies to this call, consumed. */
  takeFault(provider: SimProvider, endpoint: 'api' | 'token'): Fault | undefined {
    const i = this.faults.findIndex(
      (f) => f.remaining > 0 && (f.provider === 'any' || f.provider === provider) && (f.endpoint === 'any' || f.endpoint === endpoint),
    );
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    f.remaining -= 1;
    if (f.remaining <= 0) this.faults.splice(i, 1);
    return f;
  }

  // --- time -------------------------------------------------------------------------------------------------

  later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  /** Resolves when the simulator closes (hanging requests wait on this). */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.add(resolve));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of this.closeWaiters) w();
    this.closeWaiters.clear();
  }
}

export function randomId(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
