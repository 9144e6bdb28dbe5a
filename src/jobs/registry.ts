/** Every job the application knows, gathered from the modules. Server, worker and CLI share this list. */
import type { JobDefinition } from './queue.js';
import { cleanupJob } from '../modules/maintenance/service.js';
import { emailJob, smsJob } from '../modules/notifications/delivery.js';
import { eventJobs } from '../modules/events/jobs.js';

export function allJobDefinitions(): JobDefinition<never>[] {
  return [cleanupJob, emailJob, smsJob, ...eventJobs] as JobDefinition<never>[];
}
