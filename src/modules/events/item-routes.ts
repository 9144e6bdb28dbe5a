/**
 * One event, `/api/events/{id}/…`: its detail (counting a view), the organizer's edits (IsOwnerOrReadOnly),
 * submission of a draft, cancellation, deletion and the cover image. Handlers call the use cases of
 * service.ts and reads.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, isStaffUser, permissions } from '../../core/auth.js';
import { requestMeta } from '../../core/audit.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { PRIVATE_CACHE_CONTROL } from '../../core/public-http.js';
import { uploadOf } from '../../core/multipart.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { CreateEventBody, EventDetailQuery, EventSchema, UpdateEventBody, type EventInput } from './schemas.js';
import { toEventJson, type EventJson } from './serializer.js';
import { lastDecision, pendingSummary } from './revisions.js';
import { cancelEvent, deleteEvent, setCoverImage, submitEvent, updateEvent } from './service.js';
import { eventAfterWrite, publicEvent, viewEvent } from './reads.js';
import { cacheKey, eventHead, featuredMaxAgeMs, parseFields, pickFields, sendEvents } from './public-pages.js';
import { EventViewCounter } from './views.js';
import { coverUploadLimits, serializerFor } from './http.js';
import type { EventsDeps } from './deps.js';

const TAGS = ['événements'];
const MessageAndEvent = Type.Object({ message: Type.String(), event: EventSchema });
const consumes = ['application/json', 'multipart/form-data'];

export function eventItemRoutes(deps: EventsDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const ser = serializerFor(deps);
    const uploads = coverUploadLimits(deps);

    /** The event; for its creator and staff, with the change that waits for moderation (revisions.ts). */
    const withRevision = async (request: FastifyRequest, json: EventJson) => {
      const user = request.user;
      if (!user || (user.id !== json.createur.id && !isStaffUser(user)) || json.statut !== 'VALIDE') return json;
      return {
        ...json,
        revision_en_attente: await pendingSummary(deps.db, json.id),
        derniere_revision: await lastDecision(deps.db, json.id),
      };
    };
    const eventJson = async (request: FastifyRequest, id: number) => {
      const { row, extraViews } = await eventAfterWrite(deps, id, request.user?.id ?? null);
      return withRevision(request, toEventJson(row, ser(request), extraViews));
    };

    app.get(
      '/:id/',
      {
        schema: {
          tags: TAGS,
          summary: "Détail d'un événement (compte une vue par visiteur et par heure)",
          description:
            'Un événement non validé (brouillon, en attente, rejeté) n’existe que pour son créateur et le personnel : 404 pour les autres.',
          params: IdParams,
          querystring: EventDetailQuery,
          response: { 200: EventSchema, ...errors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const id = request.params.id;
        const user = request.user;
        const fields = parseFields(request.query.fields);
        // Its creator and staff see more (unpublished events, the pending revision): read for them, uncached.
        const uncached = async () => {
          const { row, extraViews } = await viewEvent(deps, id, { user, ip: request.ip });
          const json = await withRevision(request, toEventJson(row, ser(request), extraViews));
          reply.header('cache-control', PRIVATE_CACHE_CONTROL);
          // Sparse fields leave the schema's required ones out: sent as JSON text, not through the serializer.
          return fields
            ? (reply as FastifyReply).type('application/json; charset=utf-8').send(JSON.stringify(pickFields(json, fields)))
            : reply.send(json);
        };
        if (user && isStaffUser(user)) return uncached();
        const key = cacheKey(deps, request, 'event', String(id));
        const load = async () => {
          const body = reply.serialize(toEventJson(await publicEvent(deps, id), ser(request))) as string;
          return { body, maxAgeMs: await featuredMaxAgeMs(deps) };
        };
        let cached;
        try {
          cached = (await deps.publicCache.get(key, load)).page;
        } catch (err) {
          if (user && err instanceof NotFoundError) return uncached();
          throw err;
        }
        const head = eventHead(cached);
        if (user && user.id === head.createur.id) return uncached();
        // A view is counted for cached answers too (once per viewer and hour, views.ts).
        if (head.statut === 'VALIDE' && deps.views) await deps.views.record(id, EventViewCounter.viewerKey(user?.id ?? null, request.ip));
        return sendEvents(deps, request, reply, key, load, fields, 'event', deps.views?.pendingFor(id) ?? 0, cached);
      },
    );

    for (const method of ['PATCH', 'PUT'] as const) {
      app.route({
        method,
        url: '/:id/',
        schema: {
          tags: TAGS,
          summary: method === 'PATCH' ? 'Modifier un événement (partiel)' : 'Remplacer un événement',
          description:
            "Réservé à son créateur (IsOwnerOrReadOnly). `statut`, `createur` et `nombre_vues` sont en lecture seule. Sur un événement validé, le titre, les descriptions, la catégorie, l'image et le lieu changent seulement après validation par l'équipe (`revision_en_attente` dans la réponse ; la version publiée reste affichée) ; les dates, la capacité et le prix changent tout de suite. Les participants sont prévenus d'un changement de date tout de suite, d'un changement de lieu quand il est validé.",
          consumes,
          security: tokenAuth,
          params: IdParams,
          body: method === 'PATCH' ? UpdateEventBody : CreateEventBody,
          response: { 200: EventSchema, ...errors(400, 401, 403, 404, 413, 415) },
        },
        preValidation: permissions.IsAuthenticated,
        config: { uploads },
        handler: async (request) => {
          const { id } = request.params as { id: number };
          await updateEvent(deps, currentUser(request), id, request.body as EventInput, uploadOf(request, 'image'));
          return eventJson(request, id);
        },
      });
    }

    app.delete(
      '/:id/',
      {
        schema: {
          tags: TAGS,
          summary: 'Supprimer un événement auquel personne ne participe',
          description: "Réservé à son créateur. Un événement qui a des participants s'annule (POST …/cancel/) : 409 sinon.",
          security: tokenAuth,
          params: IdParams,
          response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
        },
        preValidation: permissions.IsAuthenticated,
      },
      async (request, reply) => {
        await deleteEvent(deps, currentUser(request), request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/:id/submit/',
      {
        schema: {
          tags: TAGS,
          summary: 'Soumettre à la modération (brouillon ou événement rejeté corrigé)',
          security: tokenAuth,
          params: IdParams,
          response: { 200: MessageAndEvent, ...errors(400, 401, 403, 404, 409) },
        },
        preValidation: permissions.IsAuthenticated,
      },
      async (request) => {
        await submitEvent(deps, currentUser(request), request.params.id);
        return {
          message: 'Événement soumis : il sera publié après validation par notre équipe.',
          event: await eventJson(request, request.params.id),
        };
      },
    );

    app.post(
      '/:id/cancel/',
      {
        schema: {
          tags: TAGS,
          summary: 'Annuler un événement (ANNULE) ; ses participants sont prévenus',
          security: tokenAuth,
          params: IdParams,
          body: Type.Object({ motif: Type.Optional(Type.String({ maxLength: 2000, description: 'Raison, transmise aux participants' })) }),
          response: { 200: MessageAndEvent, ...errors(400, 401, 403, 404, 409) },
        },
        preValidation: [
          permissions.IsAuthenticated,
          // The body is optional: no body at all means no reason.
          async (request) => {
            request.body ??= {};
          },
        ],
      },
      async (request) => {
        const motif = request.body.motif?.trim() || undefined;
        await cancelEvent(deps, currentUser(request), request.params.id, motif, requestMeta(request));
        return { message: 'Événement annulé. Les participants vont être prévenus.', event: await eventJson(request, request.params.id) };
      },
    );

    app.put(
      '/:id/image/',
      {
        schema: {
          tags: TAGS,
          summary: "Remplacer l'image de couverture (multipart/form-data, champ `image`)",
          consumes: ['multipart/form-data'],
          security: tokenAuth,
          params: IdParams,
          response: { 200: EventSchema, ...errors(400, 401, 403, 404, 413, 415) },
        },
        preValidation: permissions.IsAuthenticated,
        config: { uploads },
      },
      async (request) => {
        const image = uploadOf(request, 'image');
        if (!image) throw ValidationError.field('image', 'Ce champ est obligatoire.');
        await setCoverImage(deps, currentUser(request), request.params.id, image);
        return eventJson(request, request.params.id);
      },
    );

    app.delete(
      '/:id/image/',
      {
        schema: {
          tags: TAGS,
          summary: "Retirer l'image de couverture",
          security: tokenAuth,
          params: IdParams,
          response: { 200: EventSchema, ...errors(400, 401, 403, 404) },
        },
        preValidation: permissions.IsAuthenticated,
      },
      async (request) => {
        await setCoverImage(deps, currentUser(request), request.params.id, null);
        return eventJson(request, request.params.id);
      },
    );
  };
}
