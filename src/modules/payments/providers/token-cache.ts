/**
 * An OAuth-style access token kept in memory and renewed before it expires. Concurrent callers share one
 * in-flight request (a burst of 200 payments must not ask for 200 tokens, which providers rate-limit), and a
 * token refused with a 401 is dropped so the next caller fetches a new one.
 */
export interface FetchedToken {
  token: string;
  /** Lifetime in seconds, as the provider's `expires_in` says. */
  expiresIn: number;
}

export interface TokenCacheOptions {
  /** Renew this many seconds before expiry (capped at half the token's lifetime for short-lived tokens). */
  refreshBeforeSeconds?: number;
  now?: () => number;
}

export class TokenCache {
  private current: { token: string; refreshAt: number; expiresAt: number } | null = null;
  private inFlight: Promise<string> | null = null;
  private fetches = 0;
  private readonly refreshBefore: number;
  private readonly now: () => number;

  constructor(
    private readonly fetchToken: () => Promise<FetchedToken>,
    opts: TokenCacheOptions = {},
  ) {
    this.refreshBefore = opts.refreshBeforeSeconds ?? 60;
    this.now = opts.now ?? Date.now;
  }

  /** How many tokens were fetched so far (observability and tests). */
  get fetchCount(): number {
    return this.fetches;
  }

  async get(): Promise<string> {
    const c = this.current;
    if (c && this.now() < c.refreshAt) return c.token;
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Drops the cached token (after the provider refused it). */
  invalidate(): void {
    this.current = null;
  }

  private async refresh(): Promise<string> {
    this.fetches += 1;
    const { token, expiresIn } = await this.fetchToken();
    const lifetimeMs = Math.max(0, expiresIn) * 1000;
    const marginMs = Math.min(this.refreshBefore * 1000, lifetimeMs / 2);
    const at = this.now();
    this.current = { token, refreshAt: at + lifetimeMs - marginMs, expiresAt: at + lifetimeMs };
    return token;
  }
}
