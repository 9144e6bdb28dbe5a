/** What the admin module's use cases need, built once per process from its services (plugin.ts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config.js';
import type { Database, Db } from '../../db/client.js';
import type { ProcessServices } from '../../jobs/queue.js';
import type { MediaStore } from '../../core/media.js';
import { accountsDeps, type AccountsDeps } from '../users/deps.js';

export interface AdminDeps {
  db: Db;
  database: Database;
  config: Config;
  media: MediaStore;
  /** The accounts module's deps: signing staff in goes through its login checks. */
  accounts: AccountsDeps;
  /** How long a staff sign-in lasts (ADMIN_SESSION_HOURS). */
  sessionLifetimeMs: number;
  /** The built staff interface (ADMIN_UI_DIR, default admin/dist at the repository's root). */
  uiDir: string;
}

/** admin/dist next to package.json, whatever the working directory. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../../admin/dist/', import.meta.url));

export function adminDeps(s: Pick<ProcessServices, 'database' | 'jobs' | 'hooks' | 'config' | 'media' | 'publicCache'>): AdminDeps {
  return {
    db: s.database.db,
    database: s.database,
    config: s.config,
    media: s.media,
    accounts: accountsDeps(s),
    sessionLifetimeMs: s.config.env.ADMIN_SESSION_HOURS * 3_600_000,
    uiDir: s.config.env.ADMIN_UI_DIR ? path.resolve(s.config.env.ADMIN_UI_DIR) : DEFAULT_UI_DIR,
  };
}
