/** Liveness and readiness probes (`/healthz`, `/readyz`). */
import { defineModule, modulePlugin } from '../../core/module.js';
import { healthRoutes } from './routes.js';

export const healthModule = defineModule({
  name: 'health',
  dependencies: [],
  plugin: modulePlugin('health', [], async (app) => {
    await app.register(healthRoutes(app.runtime));
  }),
});
