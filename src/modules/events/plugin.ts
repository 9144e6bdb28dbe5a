/**
 * The events module: browsing, organizing, participating and moderation. Its plugin owns the per-process
 * view counter and list-count cache, then registers /api/events/… and /api/admin/events/…; its jobs close
 * past events and tell participants of changes; it answers the accounts' data export.
 */
import { defineModule, modulePlugin } from '../../core/module.js';
import { eventsDeps } from './deps.js';
import { EventViewCounter } from './views.js';
import { ListCountCache } from './count-cache.js';
import { eventCollectionRoutes } from './routes.js';
import { eventItemRoutes } from './item-routes.js';
import { participationRoutes } from './participation-routes.js';
import { moderationRoutes } from './moderation-routes.js';
import { categoryAdminRoutes } from './category-admin-routes.js';
import { eventRevisionRoutes, revisionModerationRoutes } from './revision-routes.js';
import { eventJobs } from './jobs.js';
import { exportEventsOfUser } from './privacy.js';

import type { FastifyInstance } from 'fastify';

const countersByApp = new WeakMap<FastifyInstance, EventViewCounter>();

/** The view counter of an app (tests flush it by hand). */
export function viewCounterOf(app: FastifyInstance): EventViewCounter {
  const c = countersByApp.get(app);
  if (!c) throw new Error("Pas de compteur de vues : le module events n'est pas enregistré dans cette application");
  return c;
}

export const eventsModule = defineModule({
  name: 'events',
  dependencies: ['users'],
  jobs: eventJobs,
  hooks: () => ({ 'account.export': exportEventsOfUser }),
  plugin: modulePlugin('events', ['users'], async (app) => {
    const { config, database, redis, log } = app.runtime;
    const env = config.env;
    const views = new EventViewCounter({
      db: database.db,
      log,
      flushIntervalMs: env.EVENTS_VIEWS_FLUSH_SECONDS * 1000,
      dedupSeconds: env.EVENTS_VIEWS_DEDUP_SECONDS,
      redis,
      // Cached pages carry the counts written so far (plus this process's pending views, added when served).
      onWritten: () => app.runtime.publicCache.bump(),
    });
    await views.start();
    countersByApp.set(app, views);
    // Buffered views are written before anything closes: preClose runs before every onClose hook, among
    // them the one that closes the runtime (server.ts).
    app.addHook('preClose', async () => {
      await views.close().catch((err: unknown) => app.log.error({ err }, 'écriture des vues en attente à l’arrêt'));
    });
    const deps = eventsDeps(app.runtime, { views, listCounts: new ListCountCache(env.EVENTS_LIST_COUNT_CACHE_SECONDS) });

    await app.register(eventCollectionRoutes(deps), { prefix: '/api/events' });
    await app.register(eventItemRoutes(deps), { prefix: '/api/events' });
    await app.register(participationRoutes(deps), { prefix: '/api/events' });
    await app.register(eventRevisionRoutes(deps), { prefix: '/api/events' });
    await app.register(moderationRoutes(deps), { prefix: '/api/admin/events' });
    await app.register(revisionModerationRoutes(deps), { prefix: '/api/admin/events/revisions' });
    await app.register(categoryAdminRoutes(deps), { prefix: '/api/admin/categories' });
  }),
});
