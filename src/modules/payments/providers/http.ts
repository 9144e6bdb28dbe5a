/**
 * One HTTP call to a provider, with the failure modes every provider shares turned into two errors: a
 * timeout, a network failure, a 5xx or a 429 is ProviderUnavailableError (outcome unknown, retryable); any
 * other non-2xx is ProviderRejectedError. A 401 on a call made with a cached token refreshes the token once
 * and retries, because tokens can be revoked or expire earlier than their `expires_in` said.
 */
import { ProviderRejectedError, ProviderUnavailableError, providerLabel, type Fournisseur } from './types.js';
import type { TokenCache } from './token-cache.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ProviderLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** What every provider client may be given: a fetch (tests), a logger, a clock (token expiry, staleness). */
export interface ProviderDeps {
  fetch?: FetchLike | undefined;
  logger?: ProviderLogger | undefined;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

export interface HttpOptions {
  provider: Fournisseur;
  timeoutMs: number;
  fetch?: FetchLike | undefined;
  logger?: ProviderLogger | undefined;
}

export interface ProviderRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a URLSearchParams as a form; a string as is. */
  body?: unknown;
  /** A bearer token source: its token goes in `Authorization`, refreshed once after a 401. */
  token?: TokenCache | undefined;
  /** How the token is presented (default `Bearer`). */
  tokenScheme?: string;
  /** Statuses the caller handles itself instead of an error (MTN's 409 on a repeated reference, 404 lookups). */
  accept?: number[];
}

export interface ProviderResponse {
  status: number;
  /** Parsed JSON when the body is JSON, else undefined. */
  json: unknown;
  text: string;
}

/** Pulls a provider's error code and message out of the usual error bodies, for logs and error messages. */
function describeError(json: unknown, text: string): { code?: string; message: string } {
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    const code = o.code ?? o.error ?? o.statusCode;
    const message = o.message ?? o.description ?? o.error_description ?? o.error;
    return {
      code: code === undefined || code === null ? undefined : String(code),
      message: typeof message === 'string' ? message : JSON.stringify(json).slice(0, 200),
    };
  }
  return { message: text.slice(0, 200) };
}

export class ProviderHttp {
  private readonly fetchImpl: FetchLike;
  constructor(private readonly opts: HttpOptions) {
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  get provider(): Fournisseur {
    return this.opts.provider;
  }

  async request(req: ProviderRequest): Promise<ProviderResponse> {
    let res = await this.once(req, req.token ? await req.token.get() : undefined);
    if (res.status === 401 && req.token) {
      // The cached token was refused: it may have been revoked or expired early. One fresh token, one retry.
      req.token.invalidate();
      this.opts.logger?.debug({ provider: this.provider, url: req.url }, 'jeton refusé, renouvellement');
      res = await this.once(req, await req.token.get());
    }
    if (res.status >= 200 && res.status < 300) return res;
    if (req.accept?.includes(res.status)) return res;
    const label = providerLabel(this.provider);
    const { code, message } = describeError(res.json, res.text);
    if (res.status >= 500 || res.status === 429) {
      throw new ProviderUnavailableError(this.provider, `${label} est indisponible (HTTP ${res.status}) : ${message}`, res.status);
    }
    throw new ProviderRejectedError(this.provider, `${label} a refusé la demande (HTTP ${res.status}) : ${message}`, res.status, code);
  }

  private async once(req: ProviderRequest, token: string | undefined): Promise<ProviderResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    if (token !== undefined) headers.authorization = `${req.tokenScheme ?? 'Bearer'} ${token}`;
    let body: string | undefined;
    if (req.body instanceof URLSearchParams) {
      body = req.body.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    } else if (typeof req.body === 'string') {
      body = req.body;
    } else if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] ??= 'application/json';
    }
    const label = providerLabel(this.provider);
    const started = Date.now();
    let res: Response;
    let text: string;
    try {
      // The signal also bounds reading the body: a provider that sends headers then stalls still times out.
      const signal = AbortSignal.timeout(this.opts.timeoutMs);
      res = await this.fetchImpl(req.url, { method: req.method, headers, body, signal, redirect: 'error' });
      text = await res.text();
    } catch (err) {
      const e = err as { name?: string; cause?: { code?: string } };
      const timedOut = e?.name === 'TimeoutError' || e?.name === 'AbortError';
      this.opts.logger?.warn(
        { provider: this.provider, url: req.url, ms: Date.now() - started, timedOut, err: String(err) },
        'appel fournisseur en échec',
      );
      throw new ProviderUnavailableError(
        this.provider,
        timedOut
          ? `${label} n'a pas répondu dans le délai (${this.opts.timeoutMs} ms).`
          : `${label} est injoignable (${e?.cause?.code ?? String(err)}).`,
        undefined,
        timedOut,
      );
    }
    let json: unknown;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    this.opts.logger?.debug(
      { provider: this.provider, method: req.method, url: req.url, status: res.status, ms: Date.now() - started },
      'appel fournisseur',
    );
    return { status: res.status, json, text };
  }
}

/** `Basic base64(user:secret)`, as OAuth client credentials and MTN's API user are presented. */
export function basicAuth(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`, 'utf8').toString('base64')}`;
}

/** Joins a configured base URL and a path without doubling or losing the slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Reads a field of a JSON object answer, or undefined. */
export function field(json: unknown, name: string): unknown {
  return json && typeof json === 'object' ? (json as Record<string, unknown>)[name] : undefined;
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}
