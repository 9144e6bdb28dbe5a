/**
 * Brute force of ticket codes at the door: a real door scans valid tickets, a code-guesser scans unknown
 * ones. Each scanner token (or user, for organizer scans) may scan a limited number of unknown or forged
 * codes per window (CHECKIN_UNKNOWN_CODES_MAX per CHECKIN_UNKNOWN_CODES_WINDOW_SECONDS); past it, every scan
 * from it is a 429 until the window ends. The overall pace (CHECKIN_RATE_LIMIT_MAX per
 * CHECKIN_RATE_LIMIT_WINDOW_SECONDS) is @fastify/rate-limit's, on the check-in routes.
 *
 * Counted in Redis when REDIS_URL is set (every server process together), else in this process's memory;
 * Redis down falls back to memory rather than letting guesses through unlimited.
 */
import type { Redis } from 'ioredis';
import { RateLimitedError } from '../../core/errors.js';

export interface CheckinLimitSettings {
  rate: { max: number; windowMs: number };
  unknown: { max: number; windowMs: number };
}

export function checkinLimitSettings(env: {
  CHECKIN_RATE_LIMIT_MAX: number;
  CHECKIN_RATE_LIMIT_WINDOW_SECONDS: number;
  CHECKIN_UNKNOWN_CODES_MAX: number;
  CHECKIN_UNKNOWN_CODES_WINDOW_SECONDS: number;
}): CheckinLimitSettings {
  return {
    rate: { max: env.CHECKIN_RATE_LIMIT_MAX, windowMs: env.CHECKIN_RATE_LIMIT_WINDOW_SECONDS * 1000 },
    unknown: { max: env.CHECKIN_UNKNOWN_CODES_MAX, windowMs: env.CHECKIN_UNKNOWN_CODES_WINDOW_SECONDS * 1000 },
  };
}

/** The key a scan is counted under: its scanner token, else its user. */
export function scannerKey(c: { user: { id: number }; scanner: { tokenId: number } | null }): string {
  return c.scanner ? `jeton:${c.scanner.tokenId}` : `user:${c.user.id}`;
}

export class UnknownCodeCounter {
  private readonly memory = new Map<string, { bucket: number; n: number }>();

  constructor(
    private readonly settings: { max: number; windowMs: number },
    private readonly redis: Redis | null = null,
    private readonly now: () => number = Date.now,
  ) {}

  private bucket(): number {
    return Math.floor(this.now() / this.settings.windowMs);
  }

  private msLeft(): number {
    return (this.bucket() + 1) * this.settings.windowMs - this.now();
  }

  private redisKey(key: string): string {
    return `spotvibe-checkin-unknown:${key}:${this.bucket()}`;
  }

  private async count(key: string): Promise<number> {
    if (this.redis?.status === 'ready') {
      try {
        return Number((await this.redis.get(this.redisKey(key))) ?? 0);
      } catch {
        /* memory below */
      }
    }
    const m = this.memory.get(key);
    return m && m.bucket === this.bucket() ? m.n : 0;
  }

  /** 429 (French, Retry-After) when this scanner already scanned too many unknown codes in the window. */
  async assertAllowed(key: string): Promise<void> {
    if ((await this.count(key)) >= this.settings.max) throw this.refusal();
  }

  refusal(): RateLimitedError {
    const s = Math.max(1, Math.ceil(this.msLeft() / 1000));
    return new RateLimitedError(
      s,
      `Trop de codes inconnus ou invalides scannés (${this.settings.max} par ${Math.round(this.settings.windowMs / 1000)} s) : contrôle suspendu pendant ${s} s.`,
    );
  }

  /** One more unknown or forged code from this scanner; true when it has now reached the limit. */
  async record(key: string): Promise<boolean> {
    if (this.redis?.status === 'ready') {
      try {
        const k = this.redisKey(key);
        const [[, n]] = (await this.redis.multi().incr(k).pexpire(k, this.settings.windowMs).exec()) as [[unknown, number]];
        return n >= this.settings.max;
      } catch {
        /* memory below */
      }
    }
    const b = this.bucket();
    const m = this.memory.get(key);
    const n = m && m.bucket === b ? m.n + 1 : 1;
    this.memory.set(key, { bucket: b, n });
    if (this.memory.size > 10_000) for (const [k, v] of this.memory) if (v.bucket !== b) this.memory.delete(k);
    return n >= this.settings.max;
  }
}
