/**
 * The events module as one plugin: the view counter and the cover-image store (one per app, closed with it),
 * then every route: /api/events/… (browse, organize, participate, categories), /api/admin/events/…
 * (moderation) and /media/events/… (cover images).
 */
import path from 'node:path';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { EventViewCounter } from './views.js';
import { CoverImageStore } from './cover-image.js';
import { SearchTermExpander } from './search-terms.js';
import { ListCountCache } from './count-cache.js';
import type { EventsDeps } from './service.js';
import { eventCategoryRoutes } from './categories-routes.js';
import { eventReadRoutes } from './routes.js';
import { eventOrganizerRoutes } from './organizer-routes.js';
import { participationRoutes } from './participation-routes.js';
import { moderationRoutes } from './moderation-routes.js';

export interface EventsModule {
  views: EventViewCounter;
  listCounts: ListCountCache;
  searchTerms: SearchTermExpander;
  images: CoverImageStore;
  imageMaxBytes: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    events: EventsModule;
  }
}

export function eventsDeps(app: FastifyInstance): EventsDeps {
  const { listCounts } = app.events;
  return { db: app.deps.database.db, jobs: app.deps.jobs, images: app.events.images, listChanged: () => listCounts.clear() };
}

export const eventsPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, database } = app.deps;
    const env = config.env;
    const views = new EventViewCounter({
      db: database.db,
      log: app.log,
      flushIntervalMs: env.EVENTS_VIEWS_FLUSH_SECONDS * 1000,
      dedupSeconds: env.EVENTS_VIEWS_DEDUP_SECONDS,
      redisUrl: config.redisUrl,
    });
    await views.start();
    const images = new CoverImageStore(path.resolve(env.MEDIA_ROOT ?? path.join(config.database.dataDir, 'media')));
    app.decorate('events', {
      views,
      images,
      searchTerms: new SearchTermExpander(),
      listCounts: new ListCountCache(env.EVENTS_LIST_COUNT_CACHE_SECONDS),
      imageMaxBytes: env.EVENT_IMAGE_MAX_BYTES,
    });
    // Buffered views are written before anything closes: preClose runs before every onClose hook, among
    // them the one that closes the database pool (server.ts).
    app.addHook('preClose', async () => {
      await views.close().catch((err: unknown) => app.log.error({ err }, 'écriture des vues en attente à l’arrêt'));
    });

    await app.register(eventCategoryRoutes, { prefix: '/api/events' });
    await app.register(eventReadRoutes, { prefix: '/api/events' });
    await app.register(eventOrganizerRoutes, { prefix: '/api/events' });
    await app.register(participationRoutes, { prefix: '/api/events' });
    await app.register(moderationRoutes, { prefix: '/api/admin/events' });
    app.register(async (media) => images.routes(media));
  },
  { name: 'spotvibe-events' },
);
