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
