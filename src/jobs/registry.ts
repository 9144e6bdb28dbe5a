/** Every job the application knows, gathered from the modules. Server, worker and CLI share this list. */
import type { JobDefinition } from './queue.js';
import { cleanupJob } from '../modules/maintenance/service.js';
import { emailJob, smsJob } from '../modules/notifications/delivery.js';
import { paymentJobs } from '../modules/payments/jobs.js';
import { passwordResetJob } from '../modules/users/password-flows.js';
import { purgeSecretsJob } from '../modules/users/cleanup.js';
import { eventJobs } from '../modules/events/jobs.js';

export function allJobDefinitions(): JobDefinition<never>[] {
  return [cleanupJob, emailJob, smsJob, passwordResetJob, purgeSecretsJob, ...paymentJobs, ...eventJobs] as JobDefinition<never>[];
}
