/**
 * The subscriptions module: organizer plans paid by mobile money (`/api/subscriptions/`), staff plans and
 * subscriptions (`/api/admin/…`), the reminders and expiry sweep, and its reaction to payments' settlement of
 * ABONNEMENT payments. Limits are checked by effective.ts's assertWithinPlan, called by events and tickets.
 */
import { defineModule, modulePlugin } from '../../core/module.js';
import type { HookHandlers } from '../../core/hooks.js';
import type { ProcessServices } from '../../jobs/queue.js';
import { subscriptionsDeps } from './deps.js';
import { subscriptionRoutes } from './routes.js';
import { adminSubscriptionRoutes } from './admin-routes.js';
import { subscriptionJobs } from './jobs.js';
import { onPaymentSettled } from './service.js';
import '../payments/hooks.js';

const DEPENDENCIES = ['users', 'payments'];

function reactions(services: ProcessServices): HookHandlers {
  const deps = subscriptionsDeps(services);
  return { 'payment.settled': (e) => onPaymentSettled(deps, e) };
}

export const subscriptionsModule = defineModule({
  name: 'subscriptions',
  dependencies: DEPENDENCIES,
  jobs: subscriptionJobs,
  hooks: reactions,
  plugin: modulePlugin('subscriptions', DEPENDENCIES, async (app) => {
    const deps = subscriptionsDeps(app.runtime);
    await app.register(subscriptionRoutes(deps), { prefix: '/api/subscriptions' });
    await app.register(adminSubscriptionRoutes(deps), { prefix: '/api/admin' });
  }),
});
