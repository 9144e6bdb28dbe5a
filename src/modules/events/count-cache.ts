/**
 * The public list's total (`count`), remembered per filter set for a few seconds.
 *
 * Page-number pagination must count every matching row on each request; on 10,000 events that count was
 * the larger part of the list's database time, for a number that changes only when an event is published,
 * edited, cancelled, deleted or ends. This process forgets every remembered total when it performs one of
 * those writes (so its own changes show at once); changes made elsewhere (another server process, the job
 * closing past events) show within EVENTS_LIST_COUNT_CACHE_SECONDS. The page itself is always read fresh.
 * Concurrent requests for the same missing total share one query. 0 seconds turns the cache off.
 */
import { LRUCache } from 'lru-cache';
import type { ListFilters } from './queries.js';

export class ListCountCache {
  private readonly values: LRUCache<string, number> | null;
  private readonly inflight = new Map<string, Promise<number>>();
  private generation = 0;

  constructor(ttlSeconds: number) {
    this.values = ttlSeconds > 0 ? new LRUCache({ max: 2000, ttl: ttlSeconds * 1000 }) : null;
  }

  /** The cache key: everything that decides the count (not the ordering, not the viewer). */
  static key(f: ListFilters): string {
    return JSON.stringify([
      f.statuts,
      f.categorie ?? null,
      f.typeAcces ?? null,
      f.createur ?? null,
      f.debutApres?.toISOString() ?? null,
      f.debutAvant?.toISOString() ?? null,
      f.upcoming,
      f.terms.map((t) => t.patterns),
      f.near ?? null,
      f.followedBy ?? null,
      f.enAvant ?? null,
    ]);
  }

  async get(f: ListFilters, count: () => Promise<number>): Promise<number> {
    if (!this.values) return count();
    const key = ListCountCache.key(f);
    const hit = this.values.get(key);
    if (hit !== undefined) return hit;
    let pending = this.inflight.get(key);
    if (!pending) {
      const generation = this.generation;
      pending = count().finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
      // A total computed across an invalidation may predate the write: use it once, do not keep it.
      void pending.then(
        (n) => generation === this.generation && this.values!.set(key, n),
        () => undefined,
      );
    }
    return pending;
  }

  /** After a write that may change which events are listed. */
  clear(): void {
    this.generation++;
    this.values?.clear();
    this.inflight.clear();
  }
}
