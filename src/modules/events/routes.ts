/**
 * `/api/events/` as a collection: the public list (EventViewSet.list) and creation on the same path (and
 * the manual's /create/), the categories, the feed and the organizer's own events. One event's routes are in
 * item-routes.ts; participation in participation-routes.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { uploadOf } from '../../core/multipart.js';
import { mapPage, Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { errors, tokenAuth } from '../../core/schemas.js';
import {
  CreateEventBody,
  EventCategorySchema,
  EventCreatedResponse,
  EventSchema,
  ListEventsQuery,
  MyEventsQuery,
  StatusCounts,
} from './schemas.js';
import { eventAfterWrite, listCategories, listFeed, listMyEvents, listPublicEvents } from './reads.js';
import { createEvent } from './service.js';
import { coverUploadLimits, serializerFor } from './http.js';
import { toEventJson } from './serializer.js';
import { cacheKey, canonicalQuery, canonicalRequest, featuredMaxAgeMs, parseFields, sendEvents } from './public-pages.js';
import { sendPage } from '../../core/public-http.js';
import type { EventsDeps } from './deps.js';

const TAGS = ['événements'];

export function eventCollectionRoutes(deps: EventsDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const ser = serializerFor(deps);
    const uploads = coverUploadLimits(deps);

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
      async (request, reply) => {
        // Served from the public cache (public-pages.ts): the anonymous page, the caller's own fields merged after.
        const fields = parseFields(request.query.fields);
        const canon = canonicalQuery(request.query);
        const load = async () => {
          const slice = await listPublicEvents(deps, request.query, null, pageRequest(request.query));
          const s = ser(request);
          const page = pageResponse(
            canonicalRequest(request, '/api/events/', canon),
            mapPage(slice, (r) => toEventJson(r, s)),
            deps.config.publicBaseUrl,
          );
          // An event leaves the list when it ends: the page is good until the first of its events ends, and
          // until the clock next changes a subscription in force (en_avant).
          const ends = slice.results.map((r) => new Date(r.dateFin).getTime());
          const featured = await featuredMaxAgeMs(deps);
          return {
            body: reply.serialize(page) as string,
            maxAgeMs: Math.min(ends.length ? Math.min(...ends) - Date.now() : Infinity, featured),
          };
        };
        return sendEvents(deps, request, reply, cacheKey(deps, request, 'events', canon), load, fields, 'page');
      },
    );

    for (const url of ['/create/', '/']) {
      app.post(
        url,
        {
          prefixTrailingSlash: 'slash',
          schema: {
            tags: TAGS,
            summary: 'Créer un événement (EN_ATTENTE, ou BROUILLON avec brouillon=true)',
            description:
              "JSON, ou multipart/form-data avec les mêmes champs et un fichier `image` (JPEG, PNG ou WebP). L'événement est créé par l'appelant ; `statut`, `createur` et `nombre_vues` ne se choisissent pas.",
            consumes: ['application/json', 'multipart/form-data'],
            security: tokenAuth,
            body: CreateEventBody,
            response: { 201: EventCreatedResponse, ...errors(400, 401, 413, 415) },
          },
          // Permission first (401 before 400, and no upload read for an anonymous caller).
          preValidation: permissions.IsAuthenticated,
          config: { uploads },
        },
        async (request, reply) => {
          const user = currentUser(request);
          const id = await createEvent(deps, user, request.body, uploadOf(request, 'image'));
          const { row, extraViews } = await eventAfterWrite(deps, id, user.id);
          return reply.code(201).send({
            message: request.body.brouillon
              ? 'Brouillon enregistré : soumettez-le à la modération quand il est prêt.'
              : 'Événement créé avec succès : il sera publié après validation par notre équipe.',
            event: toEventJson(row, ser(request), extraViews),
          });
        },
      );
    }

    app.get(
      '/categories/',
      {
        schema: {
          tags: TAGS,
          summary: "Catégories d'événements (actives, dans l'ordre d'affichage)",
          querystring: Type.Object(PaginationQuery),
          response: { 200: Paginated(EventCategorySchema), ...errors(404) },
        },
      },
      async (request, reply) => {
        const canon = canonicalQuery(request.query);
        const load = async () =>
          reply.serialize(
            pageResponse(
              canonicalRequest(request, '/api/events/categories/', canon),
              await listCategories(deps, pageRequest(request.query)),
              deps.config.publicBaseUrl,
            ),
          ) as string;
        // Nobody's own fields in a category: every caller gets the same cached page.
        return sendPage(request, reply, (await deps.publicCache.get(cacheKey(deps, request, 'categories', canon), load)).page);
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
        const slice = await listFeed(deps, currentUser(request).id, pageRequest(request.query));
        const s = ser(request);
        return pageResponse(
          request,
          mapPage(slice, (r) => toEventJson(r, s)),
          deps.config.publicBaseUrl,
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
        const mine = await listMyEvents(deps, currentUser(request).id, request.query.statut, pageRequest(request.query));
        const s = ser(request);
        const page = pageResponse(
          request,
          mapPage(mine.page, (r) => toEventJson(r, s)),
          deps.config.publicBaseUrl,
        );
        return { ...page, counts: mine.counts };
      },
    );
  };
}
