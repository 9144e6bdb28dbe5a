/**
 * What the events use cases need. Built once per process: by the plugin for the routes (with the view counter
 * and the list-count cache it owns), by jobs and the CLI from the process's services (without them).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config.js';
import type { Database, Db } from '../../db/client.js';
import type { JobQueue, ProcessServices } from '../../jobs/queue.js';
import type { DomainHooks } from '../../core/hooks.js';
import type { MediaStore } from '../../core/media.js';
import type { EventViewCounter } from './views.js';
import type { ListCountCache } from './count-cache.js';
import type { PublicCache } from '../../core/public-cache.js';
import { SearchTermExpander } from './search-terms.js';

export interface EventsDeps {
  db: Db;
  /** The database with its planned-once pool, for the list and detail reads (db/client.ts). */
  database: Database;
  jobs: JobQueue;
  hooks: DomainHooks;
  media: MediaStore;
  config: Config;
  searchTerms: SearchTermExpander;
  /** Counts views of event pages (HTTP processes only). */
  views: EventViewCounter | null;
  /** The public list's remembered totals (HTTP processes only). */
  listCounts: ListCountCache | null;
  imageMaxBytes: number;
  /** The public-read cache (core/public-cache.ts): writes bump its version after their commit. */
  publicCache: PublicCache;
  log?: FastifyBaseLogger;
}

export function eventsDeps(
  s: Pick<ProcessServices, 'database' | 'jobs' | 'hooks' | 'media' | 'config' | 'publicCache'> & { log?: FastifyBaseLogger },
  http: { views: EventViewCounter; listCounts: ListCountCache } | null = null,
): EventsDeps {
  return {
    db: s.database.db,
    database: s.database,
    jobs: s.jobs,
    hooks: s.hooks,
    media: s.media,
    config: s.config,
    searchTerms: new SearchTermExpander(),
    views: http?.views ?? null,
    listCounts: http?.listCounts ?? null,
    imageMaxBytes: s.config.env.EVENT_IMAGE_MAX_BYTES,
    publicCache: s.publicCache,
    ...(s.log ? { log: s.log } : {}),
  };
}

/**
 * A committed write changed what public reads show: forget this process's remembered totals and renew the
 * public cache's version (every process), before the write answers.
 */
export async function listChanged(deps: Pick<EventsDeps, 'listCounts' | 'publicCache'>): Promise<void> {
  deps.listCounts?.clear();
  await deps.publicCache.bump();
}
