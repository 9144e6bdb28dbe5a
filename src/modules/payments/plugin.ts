/**
 * The payments module: buying with mobile money (`/api/payments/`), the providers' callbacks
 * (`/api/payments/webhooks/…`), the return pages (`/paiement/…`), staff views of money (`/api/admin/payments/`,
 * `/api/admin/refunds/`), an event's sales summary for its organizer (`/api/events/{id}/ventes/`), the
 * confirmation, reconciliation and refund jobs, and its reactions to other modules' domain events (reactions.ts).
 */
import { defineModule, modulePlugin } from '../../core/module.js';
import { paymentsDeps } from './deps.js';
import { paymentRoutes } from './routes.js';
import { webhookRoutes } from './webhook-routes.js';
import { adminPaymentRoutes } from './admin-routes.js';
import { returnPageRoutes } from './return-page-routes.js';
import { salesRoutes } from './sales-routes.js';
import { paymentJobs } from './jobs.js';
import { paymentReactions } from './reactions.js';
import { paymentMetrics } from './metrics.js';

const DEPENDENCIES = ['users', 'events', 'tickets'];

export const paymentsModule = defineModule({
  name: 'payments',
  dependencies: DEPENDENCIES,
  jobs: paymentJobs,
  hooks: paymentReactions,
  metrics: paymentMetrics,
  plugin: modulePlugin('payments', DEPENDENCIES, async (app) => {
    const deps = paymentsDeps(app.runtime);
    await app.register(paymentRoutes(deps), { prefix: '/api/payments' });
    await app.register(webhookRoutes(deps), { prefix: '/api/payments/webhooks' });
    await app.register(adminPaymentRoutes(deps), { prefix: '/api/admin' });
    await app.register(returnPageRoutes(deps));
    await app.register(salesRoutes(deps), { prefix: '/api/events' });
  }),
});
