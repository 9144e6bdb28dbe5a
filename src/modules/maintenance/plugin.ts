/** Maintenance: the manual's `cleanup_old_data`, daily as a job and on demand from the CLI; ANALYZE hourly on the embedded database. */
import { defineModule } from '../../core/module.js';
import { analyzeJob, cleanupJob } from './service.js';

export const maintenanceModule = defineModule({
  name: 'maintenance',
  dependencies: [],
  jobs: [cleanupJob, analyzeJob],
});
