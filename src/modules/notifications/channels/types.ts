import http from 'node:http';
import https from 'node:https';

/** What every channel client answers: the provider's message id, or a ChannelError that says whether to retry. */
export interface SendResult {
  providerMessageId?: string | undefined;
}

export class ChannelError extends Error {
  constructor(
    message: string,
    /** A later attempt may succeed (timeout, 5xx, 429, an expired token refreshed too late). */
    public readonly retryable: boolean,
    /** From the provider's Retry-After, in seconds. */
    public readonly retryAfterSeconds?: number,
    /** The device token is dead (FCM UNREGISTERED / INVALID_ARGUMENT, APNs 410 Unregistered / BadDeviceToken). */
    public readonly deadToken = false,
  ) {
    super(message);
  }
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), bounded to an hour. */
export function retryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = value.trim();
  if (/^\d+$/.test(s)) return Math.min(3600, Number(s));
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.min(3600, Math.max(0, Math.ceil((t - now) / 1000)));
}

/** fetch with a deadline; a network failure or timeout is a retryable ChannelError. */
export async function fetchWithTimeout(url: string, init: RequestInit, timeoutMs: number, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const e = err as Error;
    const reason = e.name === 'TimeoutError' ? `pas de réponse en ${timeoutMs} ms` : (e.cause as Error | undefined)?.message || e.message;
    throw new ChannelError(`${what} injoignable : ${reason}`, true);
  }
}

export interface JsonResponse {
  status: number;
  header(name: string): string | null;
  json(): unknown;
}

/**
 * A keep-alive pool for one provider's host: node:http(s) with a bounded number of reused connections. Much
 * lighter than fetch per request (no web streams), which counts when a fan-out sends thousands of pushes.
 */
export function keepAlivePool(baseUrl: string, maxSockets: number): { agent: http.Agent; close(): void } {
  const agent = baseUrl.startsWith('https:')
    ? new https.Agent({ keepAlive: true, maxSockets, scheduling: 'lifo' })
    : new http.Agent({ keepAlive: true, maxSockets, scheduling: 'lifo' });
  return { agent, close: () => agent.destroy() };
}

/** POST a JSON body over the pool's connections, with a deadline; a network failure or timeout is retryable. */
export function postJson(
  agent: http.Agent,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
  what: string,
): Promise<JsonResponse> {
  const payload = Buffer.from(JSON.stringify(body));
  const u = new URL(url);
  const request = u.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': payload.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            header: (name) => {
              const v = res.headers[name.toLowerCase()];
              return (Array.isArray(v) ? v[0] : v) ?? null;
            },
            json: () => {
              try {
                return JSON.parse(text) as unknown;
              } catch {
                return {};
              }
            },
          });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(new ChannelError(`${what} injoignable : ${err.message}`, true));
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new ChannelError(`${what} injoignable : pas de réponse en ${timeoutMs} ms`, true));
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(new ChannelError(`${what} injoignable : ${err.message}`, true));
    });
    req.end(payload);
  });
}

/**
 * A provider's bearer token (OAuth2 access token, APNs provider JWT): fetched once for all the calls that need one
 * at the same moment (a batch's first sends), kept until its validity runs out; `get(true)` fetches a fresh one
 * (after a 401).
 */
export function cachedToken(fetchToken: () => Promise<{ value: string; validForMs: number }>): (force?: boolean) => Promise<string> {
  let token: { value: string; until: number } | null = null;
  let inFlight: Promise<string> | null = null;
  return (force = false) => {
    if (!force && token && token.until > Date.now()) return Promise.resolve(token.value);
    inFlight ??= fetchToken()
      .then((t) => {
        token = { value: t.value, until: Date.now() + t.validForMs };
        return t.value;
      })
      .finally(() => (inFlight = null));
    return inFlight;
  };
}

/** How long to keep an OAuth2 access token: its `expires_in` (an hour when absent) less a minute of margin. */
export function oauthValidityMs(expiresIn: number | undefined): number {
  return Math.max(0, (expiresIn ?? 3600) - 60) * 1000;
}
