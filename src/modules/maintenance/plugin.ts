/** Maintenance: the manual's `cleanup_old_data`, daily as a job and on demand from the CLI. */
import { defineModule } from '../../core/module.js';
import { cleanupJob } from './service.js';

export const maintenanceModule = defineModule({
  name: 'maintenance',
  dependencies: [],
  jobs: [cleanupJob],
});
