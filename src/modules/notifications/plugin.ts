/**
 * The notifications module (the manual's NotificationService): the inbox, preferences and push tokens
 * (`/api/notifications/`), the live stream, the organizers' messages (`/api/events/{id}/messages/`), staff
 * templates and deliveries (`/api/admin/…`), the send, fan-out, reminder and prune jobs, and its handlers of
 * the other modules' domain hooks (reactions.ts: the modules raise what happened, this one decides who hears
 * what, on which channel).
 */
import { defineModule, modulePlugin } from '../../core/module.js';
import { notificationsDeps } from './deps.js';
import { notificationRoutes } from './routes.js';
import { streamRoutes } from './stream-routes.js';
import { receiptRoutes } from './receipt-routes.js';
import { notificationAdminRoutes } from './admin-routes.js';
import { messageRoutes } from './message-routes.js';
import { notificationJobs } from './jobs.js';
import { notificationReactions } from './reactions.js';
import { notificationMetrics } from './metrics.js';
import { checkNotificationConfig } from './config-check.js';

const DEPENDENCIES = ['users', 'events'];

export const notificationsModule = defineModule({
  name: 'notifications',
  dependencies: DEPENDENCIES,
  jobs: notificationJobs,
  hooks: notificationReactions,
  metrics: notificationMetrics,
  checkConfig: checkNotificationConfig,
  plugin: modulePlugin('notifications', DEPENDENCIES, async (app) => {
    const deps = notificationsDeps(app.runtime);
    app.addHook('onClose', async () => deps.stream.close());
    await app.register(streamRoutes(deps), { prefix: '/api/notifications' });
    await app.register(receiptRoutes(deps), { prefix: '/api/notifications' });
    await app.register(notificationRoutes(deps), { prefix: '/api/notifications' });
    await app.register(messageRoutes(deps), { prefix: '/api/events' });
    await app.register(notificationAdminRoutes(deps), { prefix: '/api/admin' });
  }),
});
