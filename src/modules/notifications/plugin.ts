/** The notifications module: email and SMS leave through its jobs (delivery.ts), never from a request. */
import { defineModule } from '../../core/module.js';
import { emailJob, smsJob } from './delivery.js';

export const notificationsModule = defineModule({
  name: 'notifications',
  dependencies: [],
  jobs: [emailJob, smsJob],
});
