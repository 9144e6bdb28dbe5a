/** What the team use cases need. */
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { ProcessServices } from '../../jobs/queue.js';

export interface TeamDeps {
  db: Db;
  config: Config;
}

export function teamDeps(s: Pick<ProcessServices, 'database' | 'config'>): TeamDeps {
  return { db: s.database.db, config: s.config };
}
