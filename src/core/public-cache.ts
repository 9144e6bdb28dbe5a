/**
 * The public-read cache: anonymous answers of the public lists and pages (events list, search, an event's
 * page, categories), kept under a version that every write changing what they show bumps after its commit.
 * A page is never served once its version is past: a request reads the current version first, then looks
 * its key up under that version; a write bumps the version after its commit and before it answers, so a
 * request that reads the new version started after the commit and reads the new data.
 *
 * With Redis (REDIS_URL) the version lives in Redis (one GET per request, shared by every process: a bump is
 * seen by the next request of any process) and pages in Redis too (a TTL bounds their number), with each
 * process's own bounded copy in front. Without Redis, version and pages live in this process, which is only
 * right when it is the only process writing (the embedded database, whose worker runs in the server): on
 * PostgreSQL without Redis the separate worker's seat sales would not be seen, so the cache stays off.
 *
 * Redis down (an error or no answer within REDIS_TIMEOUT_MS): the request is served from the database, never
 * an error. A bump that fails is retried; every process bumps when its connection comes back (a write may
 * have happened meanwhile) and uses no cached page before that bump succeeded.
 *
 * Entries are bounded: PUBLIC_CACHE_MAX_BYTES in this process (an LRU by size), and a TTL in both places,
 * so a flood of distinct query strings only evicts older pages. A page whose loader fails is not kept.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

const VERSION_KEY = 'sv:pc:version';
const ENTRY_PREFIX = 'sv:pc:e:';
const REDIS_TIMEOUT_MS = 250;
/** Below this size a page is sent as it is (the compression plugin's threshold). */
export const COMPRESS_THRESHOLD = 1024;

export interface CachedPage {
  /** The JSON text of the anonymous answer. */
  body: string;
  /** Weak validator of the body (W/"…"). */
  etag: string;
  /** When it stops being right (epoch ms), when it was kept (a page made from it, sparse fields, ends with it). */
  expiresAt?: number;
  /** Compressed forms, made the first time a client asks for them (this process only). */
  gzip?: Buffer;
  br?: Buffer;
}

/**
 * What a loader returns: the JSON text, or the text and how long it stays right whatever is written (the
 * list hides an event once its end has passed: a page holding one is good until that moment only).
 */
export type Loaded = string | { body: string; maxAgeMs: number };
type Loader = () => Promise<Loaded>;

export interface PublicCacheOptions {
  enabled: boolean;
  redis: Redis | null;
  ttlSeconds: number;
  maxBytes: number;
  log: Pick<FastifyBaseLogger, 'warn' | 'info'>;
}

export function etagOf(body: string): string {
  return `W/"${createHash('sha1').update(body).digest('base64url')}"`;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis : pas de réponse')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export class PublicCache {
  readonly enabled: boolean;
  private readonly redis: Redis | null;
  private readonly local: LRUCache<string, CachedPage>;
  private readonly inflight = new Map<string, Promise<CachedPage>>();
  private readonly ttlMs: number;
  private readonly log: PublicCacheOptions['log'];
  private localVersion = 1;
  /** Redis mode: false until the connection is ready and this process's recovery bump went through. */
  private usable = false;
  private bumpPending = false;
  private recovering: Promise<void> | null = null;
  /** Counters for tests and metrics. */
  readonly stats = { hits: 0, misses: 0, bypass: 0, bumps: 0 };

  constructor(opts: PublicCacheOptions) {
    this.enabled = opts.enabled;
    this.redis = opts.redis;
    this.ttlMs = opts.ttlSeconds * 1000;
    this.log = opts.log;
    this.local = new LRUCache<string, CachedPage>({
      maxSize: Math.max(1024, opts.maxBytes),
      // Strings count twice their length (UTF-16), plus room for the compressed forms (a quarter of the text each).
      sizeCalculation: (v, k) => 2 * (v.body.length + k.length) + Math.ceil(v.body.length / 2) + 64,
      ...(this.ttlMs > 0 ? { ttl: this.ttlMs } : {}),
    });
    const redis = this.redis;
    if (redis && this.enabled) {
      const recover = () => {
        this.recovering ??= this.recover().finally(() => (this.recovering = null));
      };
      redis.on('ready', recover);
      redis.on('close', () => (this.usable = false));
      redis.on('end', () => (this.usable = false));
      if (redis.status === 'ready') recover();
    }
  }

  /** Entries held by this process and their total size (tests: the bound). */
  get localSize(): { entries: number; bytes: number } {
    return { entries: this.local.size, bytes: this.local.calculatedSize };
  }

  /** After a (re)connection: a write may have happened while Redis was away; bump before serving from cache. */
  private async recover(): Promise<void> {
    try {
      await withTimeout(this.redis!.incr(VERSION_KEY), REDIS_TIMEOUT_MS * 4);
      this.local.clear();
      this.bumpPending = false;
      this.usable = true;
      this.log.info('cache public : version renouvelée à la connexion Redis');
    } catch (err) {
      this.usable = false;
      this.log.warn({ err: (err as Error).message }, 'cache public : Redis injoignable, lectures sur la base');
    }
  }

  /** The current version, or null when the cache cannot be trusted now (off, Redis away): read the database. */
  async version(): Promise<string | null> {
    if (!this.enabled) return null;
    if (!this.redis) return `l${this.localVersion}`;
    if (!this.usable || this.bumpPending || this.redis.status !== 'ready') return null;
    try {
      const v = await withTimeout(this.redis.get(VERSION_KEY), REDIS_TIMEOUT_MS);
      return `r${v ?? '0'}`;
    } catch {
      return null;
    }
  }

  /**
   * The page for `key` at the current version, loaded (and kept) when missing; `load` returns the JSON text.
   * Null version (cache off or Redis away): loaded every time and not kept.
   */
  async get(key: string, load: Loader): Promise<{ page: CachedPage; hit: boolean }> {
    const version = await this.version();
    if (version === null) {
      this.stats.bypass++;
      const loaded = await load();
      const body = typeof loaded === 'string' ? loaded : loaded.body;
      return { page: { body, etag: etagOf(body) }, hit: false };
    }
    const full = `${version}|${key}`;
    const hit = this.local.get(full);
    if (hit) {
      this.stats.hits++;
      return { page: hit, hit: true };
    }
    let pending = this.inflight.get(full);
    if (!pending) {
      pending = this.fill(full, load).finally(() => this.inflight.delete(full));
      this.inflight.set(full, pending);
    }
    return { page: await pending, hit: false };
  }

  private async fill(full: string, load: Loader): Promise<CachedPage> {
    const redisKey = this.redis ? ENTRY_PREFIX + createHash('sha1').update(full).digest('base64url') : null;
    if (redisKey) {
      try {
        const stored = await withTimeout(this.redis!.get(redisKey), REDIS_TIMEOUT_MS);
        const nl = stored?.indexOf('\n') ?? -1;
        const nl2 = nl > 0 ? stored!.indexOf('\n', nl + 1) : -1;
        const expiresAt = nl2 > nl ? Number(stored!.slice(nl + 1, nl2)) : NaN;
        // The full key is stored beside the page (a hash collision is a miss, not another page), and when the page
        // stops being right: this process keeps its copy no longer than the one in Redis (an event ending, en_avant).
        if (stored && nl > 0 && stored.slice(0, nl) === full && Number.isFinite(expiresAt) && expiresAt > Date.now()) {
          this.stats.hits++;
          const body = stored.slice(nl2 + 1);
          const page: CachedPage = { body, etag: etagOf(body), expiresAt };
          this.local.set(full, page, { ttl: Math.max(1, Math.min(this.ttlMs, expiresAt - Date.now())) });
          return page;
        }
      } catch {
        // Redis away: read the database.
      }
    }
    this.stats.misses++;
    const loaded = await load();
    const body = typeof loaded === 'string' ? loaded : loaded.body;
    const page: CachedPage = { body, etag: etagOf(body) };
    const ttl = Math.max(1, Math.min(this.ttlMs, typeof loaded === 'string' ? Infinity : Math.floor(loaded.maxAgeMs)));
    // Already past its moment (an event ending now): served once, not kept.
    if (typeof loaded !== 'string' && loaded.maxAgeMs <= 0) return page;
    page.expiresAt = Date.now() + ttl;
    this.local.set(full, page, { ttl });
    if (redisKey) {
      const px = ttl;
      await withTimeout(this.redis!.set(redisKey, `${full}\n${page.expiresAt}\n${body}`, 'PX', px), REDIS_TIMEOUT_MS).catch(
        () => undefined,
      );
    }
    return page;
  }

  /**
   * After a committed write that changes what public reads show. Awaited before the write answers. When Redis
   * does not take it, this process stops using the cache and retries (and every process bumps on reconnection).
   */
  async bump(): Promise<void> {
    if (!this.enabled) return;
    this.stats.bumps++;
    this.localVersion++;
    this.local.clear();
    if (!this.redis) return;
    try {
      await withTimeout(this.redis.incr(VERSION_KEY), REDIS_TIMEOUT_MS * 4);
    } catch (err) {
      this.bumpPending = true;
      this.usable = false;
      this.log.warn({ err: (err as Error).message }, 'cache public : changement non transmis à Redis, cache suspendu');
      if (this.redis.status === 'ready') {
        this.recovering ??= this.recover().finally(() => (this.recovering = null));
      }
    }
  }

  /** The page's bytes in the encoding the client accepts (br, then gzip), compressed once per page. */
  static encoded(page: CachedPage, acceptEncoding: string | undefined): { payload: string | Buffer; encoding: 'br' | 'gzip' | null } {
    if (page.body.length < COMPRESS_THRESHOLD || !acceptEncoding) return { payload: page.body, encoding: null };
    const accepts = (name: string) => new RegExp(`(^|[\\s,])${name}(?![\\w-])(?!\\s*;\\s*q=0(\\.0+)?(\\s|,|$))`, 'i').test(acceptEncoding);
    if (accepts('br')) {
      page.br ??= brotliCompressSync(page.body, {
        params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 6, [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT },
      });
      return { payload: page.br, encoding: 'br' };
    }
    if (accepts('gzip')) {
      page.gzip ??= gzipSync(page.body, { level: 6 });
      return { payload: page.gzip, encoding: 'gzip' };
    }
    return { payload: page.body, encoding: null };
  }
}

/**
 * Whether this process may cache public reads: the setting, and a version every writer sees (Redis, or the
 * embedded database where one process does everything).
 */
export function publicCacheEnabled(setting: boolean, hasRedis: boolean, embedded: boolean): boolean {
  return setting && (hasRedis || embedded);
}
