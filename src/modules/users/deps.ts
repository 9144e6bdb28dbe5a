/** What the accounts services need, gathered once per app (routes) or per job run. */
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import { accountSettings, type AccountSettings } from './settings.js';
import { createPhotoStorage, type PhotoStorage } from './storage.js';

export interface AccountsDeps {
  db: Db;
  jobs: JobQueue;
  config: Config;
  settings: AccountSettings;
  storage: PhotoStorage;
}

export function accountsDeps(d: { database: { db: Db }; jobs: JobQueue; config: Config }): AccountsDeps {
  const settings = accountSettings(d.config);
  return { db: d.database.db, jobs: d.jobs, config: d.config, settings, storage: createPhotoStorage(settings) };
}
