/** Liveness, readiness and metrics (`/healthz`, `/readyz`, `/metrics`). */
import { defineModule, modulePlugin } from '../../core/module.js';
import { healthRoutes } from './routes.js';

export const healthModule = defineModule({
  name: 'health',
  dependencies: [],
  plugin: modulePlugin('health', [], async (app) => {
    const { database, jobs, lifecycle, metrics, config, log } = app.runtime;
    if (!config.debug && !config.metrics.token) log.warn('METRICS_TOKEN vide : /metrics est lisible par tous');
    await app.register(healthRoutes({ database, jobs, lifecycle, metrics, metricsToken: config.metrics.token }));
  }),
});
