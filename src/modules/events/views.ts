/**
 * `nombre_vues`: each viewer counts once per window (an hour by default) per event, and the increments are
 * buffered in memory and written by one UPDATE every few seconds. Reading a popular event therefore never
 * turns into a queue of writers fighting for its row lock, and a refresh storm counts once.
 *
 * Who has already been counted is remembered in Redis when REDIS_URL is set (shared by every server process:
 * SET NX EX is atomic), otherwise in this process (an LRU bounded in size). If Redis fails, the process falls
 * back to its own memory rather than failing the read. Buffered increments not yet written when a process
 * dies are lost: a view count tolerates that, a read path that waits on a write would not be worth it.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';

export interface ViewCounterOptions {
  db: Db;
  log: FastifyBaseLogger;
  flushIntervalMs: number;
  dedupSeconds: number;
  /** The process's Redis connection (runtime.ts), shared and closed by its owner; null without REDIS_URL. */
  redis?: Redis | null | undefined;
  /** After views were written: cached pages show the written counts from then on (core/public-cache.ts). */
  onWritten?: () => Promise<void>;
}

export class EventViewCounter {
  private pending = new Map<number, number>();
  private readonly seen: LRUCache<string, true>;
  private readonly redis: Redis | null;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<number> | null = null;
  private closed = false;

  constructor(private readonly opts: ViewCounterOptions) {
    this.seen = new LRUCache({ max: 200_000, ttl: opts.dedupSeconds * 1000 });
    this.redis = opts.redis ?? null;
  }

  async start(): Promise<void> {
    if (this.opts.flushIntervalMs > 0) {
      this.timer = setInterval(() => {
        void this.flush().catch((err) => this.opts.log.error({ err }, 'écriture des vues en attente'));
      }, this.opts.flushIntervalMs);
      this.timer.unref();
    }
  }

  /**
   * Stable, short key for a viewer: the account, or for anonymous viewers the address alone, hashed (no raw IPs
   * kept in memory). Not the browser: the User-Agent is the client's to choose, and a loop varying it inflated
   * `nombre_vues` at will. People behind one shared address (a café, a mobile operator's NAT) count once an hour.
   */
  static viewerKey(userId: number | null, ip: string): string {
    if (userId !== null) return `u${userId}`;
    return `a${createHash('sha256').update(ip).digest('base64url').slice(0, 16)}`;
  }

  /** Counts the view unless this viewer was counted for this event within the window. Returns true when counted. */
  async record(eventId: number, viewer: string): Promise<boolean> {
    if (this.closed) return false;
    const key = `${eventId}:${viewer}`;
    let first: boolean;
    if (this.redis && this.redis.status === 'ready') {
      // Already counted or refused here within the window: no round trip (a page read again and again by the
      // same viewer, the common case, costs Redis nothing).
      if (this.seen.has(key)) return false;
      try {
        first = (await this.redis.set(`sv:event-view:${key}`, '1', 'EX', this.opts.dedupSeconds, 'NX')) === 'OK';
        this.seen.set(key, true);
      } catch {
        first = this.rememberLocally(key);
      }
    } else {
      first = this.rememberLocally(key);
    }
    if (first) this.pending.set(eventId, (this.pending.get(eventId) ?? 0) + 1);
    return first;
  }

  private rememberLocally(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.set(key, true);
    return true;
  }

  /** Views counted here but not yet written (added to the detail's figure so a viewer sees their own view). */
  pendingFor(eventId: number): number {
    return this.pending.get(eventId) ?? 0;
  }

  /** Writes the buffered increments in one statement; returns how many events were updated. */
  async flush(): Promise<number> {
    // One flush at a time; a caller arriving during one waits for it, then flushes what came in since.
    while (this.flushing) await this.flushing.catch(() => undefined);
    if (this.pending.size === 0) return 0;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.write(batch);
    try {
      const n = await this.flushing;
      if (n > 0) await this.opts.onWritten?.().catch((err: unknown) => this.opts.log.warn({ err }, 'cache public après écriture des vues'));
      return n;
    } catch (err) {
      // Put the increments back: the next flush retries them.
      for (const [id, n] of batch) this.pending.set(id, (this.pending.get(id) ?? 0) + n);
      throw err;
    } finally {
      this.flushing = null;
    }
  }

  private async write(batch: Map<number, number>): Promise<number> {
    // Sorted ids: two processes flushing at once lock rows in the same order (no deadlock).
    const entries = [...batch.entries()].sort((a, b) => a[0] - b[0]);
    const values = sql.join(
      entries.map(([id, n]) => sql`(${id}::int, ${n}::int)`),
      sql`, `,
    );
    await this.opts.db.execute(sql`
      UPDATE events AS e SET nombre_vues = e.nombre_vues + v.n
      FROM (VALUES ${values}) AS v(id, n)
      WHERE e.id = v.id`);
    return entries.length;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      await this.flush();
    } finally {
      this.closed = true;
    }
  }
}
