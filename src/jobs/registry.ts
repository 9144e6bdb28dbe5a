/** Every job the application knows, gathered from the modules. Server, worker and CLI share this list. */
import type { JobDefinition } from './queue.js';
import { cleanupJob } from '../modules/maintenance/service.js';

export function allJobDefinitions(): JobDefinition<never>[] {
  return [cleanupJob as JobDefinition<never>];
}
