/** What the accounts use cases need, built once per process from its services (plugin.ts, jobs, the CLI). */
import type { PublicCache } from '../../core/public-cache.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { JobQueue, ProcessServices } from '../../jobs/queue.js';
import type { DomainHooks } from '../../core/hooks.js';
import type { MediaStore } from '../../core/media.js';
import { accountSettings, type AccountSettings } from './settings.js';

export interface AccountsDeps {
  db: Db;
  jobs: JobQueue;
  hooks: DomainHooks;
  config: Config;
  settings: AccountSettings;
  media: MediaStore;
  /** Names and photos show in events' `createur`: a change renews the public cache's version (core/public-cache.ts). */
  publicCache?: PublicCache;
}

export function accountsDeps(s: Pick<ProcessServices, 'database' | 'jobs' | 'hooks' | 'config' | 'media' | 'publicCache'>): AccountsDeps {
  return {
    db: s.database.db,
    jobs: s.jobs,
    hooks: s.hooks,
    config: s.config,
    settings: accountSettings(s.config),
    media: s.media,
    publicCache: s.publicCache,
  };
}
