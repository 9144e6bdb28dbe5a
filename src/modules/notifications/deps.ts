/** What the notifications use cases need, built once per process from its services (plugin.ts). */
import type { Db } from '../../db/client.js';
import type { Config } from '../../config.js';
import type { Lifecycle } from '../../core/lifecycle.js';
import type { JobQueue, ProcessServices } from '../../jobs/queue.js';
import { notificationSettings, type NotificationSettings } from './settings.js';
import { NotificationStream } from './stream.js';

export interface NotificationsDeps {
  db: Db;
  jobs: JobQueue;
  config: Config;
  settings: NotificationSettings;
  lifecycle: Lifecycle;
  stream: NotificationStream;
}

export function notificationsDeps(s: Pick<ProcessServices, 'database' | 'jobs' | 'config' | 'lifecycle' | 'log'>): NotificationsDeps {
  return {
    db: s.database.db,
    jobs: s.jobs,
    config: s.config,
    settings: notificationSettings(s.config),
    lifecycle: s.lifecycle,
    stream: new NotificationStream(s.database, s.config.database.url, s.log),
  };
}
