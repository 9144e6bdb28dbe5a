/** Reading events: the public list (EventViewSet.list), detail, the feed and the organizer's own events. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { eq, sql } from 'drizzle-orm';
import { currentUser, permissions } from '../../core/auth.js';
import { NotFoundError } from '../../core/errors.js';
import { Paginated, PaginationQuery } from '../../core/pagination.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { EVENT_STATUTS, events } from './tables.js';
import { EventSchema, ListEventsQuery, MyEventsQuery, StatusCounts } from './schemas.js';
import { countEvents, fetchEventById, fetchEvents, type ListFilters } from './queries.js';
import { mediaBaseOf, toEventJson } from './serializer.js';
import { paginateConcurrently } from './paging.js';
import { publicListFilters } from './filters.js';
import { canSee, EVENT_NOT_FOUND } from './service.js';
import { EventViewCounter } from './views.js';

const TAGS = ['événements'];

export async function eventReadRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const db = () => app.deps.database.db;
  const mediaBase = (request: Parameters<typeof mediaBaseOf>[0]) => mediaBaseOf(request, app.deps.config.publicBaseUrl);

  app.get(
    '/',
    {
      // Documented as the manual writes it, /api/events/ (the app also answers without the slash).
      prefixTrailingSlash: 'slash',
      schema: {
        tags: TAGS,
        summary: 'Événements validés (filtres, recherche, tri, à proximité)',
        description:
          'Seuls les événements VALIDE sont listés, et par défaut seulement ceux qui ne sont pas terminés (`a_venir=false` pour tous). ' +
          '`search` ignore accents et casse et tolère les petites fautes ; sans `ordering`, les résultats sont triés par pertinence. ' +
          '`near=LAT,LNG&radius_km=R` trie par distance et ajoute `distance_km`.',
        querystring: ListEventsQuery,
        response: { 200: Paginated(EventSchema), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const filters = await publicListFilters(request.query, (terms) => app.events.searchTerms.expand(db(), terms));
      const viewerId = request.user?.id ?? null;
      const now = new Date();
      const origin = mediaBase(request);
      return paginateConcurrently(
        request,
        () => app.events.listCounts.get(filters, () => countEvents(app.deps.database, filters, now)),
        async (limit, offset) =>
          (await fetchEvents(app.deps.database, filters, viewerId, limit, offset, now)).map((r) => toEventJson(r, origin)),
        app.deps.config.publicBaseUrl,
      );
    },
  );

  app.get(
    '/feed/',
    {
      schema: {
        tags: TAGS,
        summary: 'Événements à venir des organisateurs que je suis',
        security: tokenAuth,
        querystring: Type.Object(PaginationQuery),
        response: { 200: Paginated(EventSchema), ...errors(401, 404) },
      },
      preValidation: permissions.IsAuthenticated,
    },
    async (request) => {
      const user = currentUser(request);
      const filters: ListFilters = {
        statuts: ['VALIDE'],
        upcoming: true,
        terms: [],
        ordering: [{ field: 'date_debut', desc: false }],
        followedBy: user.id,
      };
      const now = new Date();
      const origin = mediaBase(request);
      return paginateConcurrently(
        request,
        () => countEvents(app.deps.database, filters, now),
        async (limit, offset) =>
          (await fetchEvents(app.deps.database, filters, user.id, limit, offset, now)).map((r) => toEventJson(r, origin)),
        app.deps.config.publicBaseUrl,
      );
    },
  );

  app.get(
    '/mine/',
    {
      schema: {
        tags: TAGS,
        summary: 'Mes événements, tous statuts, avec le nombre par statut',
        security: tokenAuth,
        querystring: MyEventsQuery,
        response: {
          200: Type.Object({ ...Paginated(EventSchema).properties, counts: StatusCounts }),
          ...errors(400, 401, 404),
        },
      },
      preValidation: permissions.IsAuthenticated,
    },
    async (request) => {
      const user = currentUser(request);
      const filters: ListFilters = {
        statuts: request.query.statut ? [request.query.statut] : EVENT_STATUTS,
        createur: user.id,
        upcoming: false,
        terms: [],
        ordering: [{ field: 'date_creation', desc: true }],
      };
      const origin = mediaBase(request);
      const [page, grouped] = await Promise.all([
        paginateConcurrently(
          request,
          () => countEvents(app.deps.database, filters),
          async (limit, offset) =>
            (await fetchEvents(app.deps.database, filters, user.id, limit, offset)).map((r) => toEventJson(r, origin)),
          app.deps.config.publicBaseUrl,
        ),
        db()
          .select({ statut: events.statut, n: sql<number>`count(*)::int` })
          .from(events)
          .where(eq(events.createurId, user.id))
          .groupBy(events.statut),
      ]);
      const counts = Object.fromEntries(EVENT_STATUTS.map((s) => [s, 0])) as Record<(typeof EVENT_STATUTS)[number], number>;
      for (const g of grouped) counts[g.statut] = Number(g.n);
      return { ...page, counts };
    },
  );

  app.get(
    '/:id/',
    {
      schema: {
        tags: TAGS,
        summary: "Détail d'un événement (compte une vue par visiteur et par heure)",
        description:
          'Un événement non validé (brouillon, en attente, rejeté) n’existe que pour son créateur et le personnel : 404 pour les autres.',
        params: IdParams,
        response: { 200: EventSchema, ...errors(401, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const viewer = request.user;
      const row = await fetchEventById(app.deps.database, id, viewer?.id ?? null);
      if (!row || !canSee({ statut: row.statut, createurId: row.createur.id }, viewer)) throw new NotFoundError(EVENT_NOT_FOUND);
      const { views } = app.events;
      // Organizers looking at their own page, and previews of unpublished events, are not audience.
      if (row.statut === 'VALIDE' && viewer?.id !== row.createur.id) {
        await views.record(id, EventViewCounter.viewerKey(viewer?.id ?? null, request.ip, request.headers['user-agent']));
      }
      return toEventJson(row, mediaBase(request), views.pendingFor(id));
    },
  );
}
