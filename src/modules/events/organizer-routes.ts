/**
 * The organizer's routes: create (JSON or multipart/form-data with an `image` file), edit (IsOwnerOrReadOnly),
 * submit a draft, cancel, delete, cover image. Handlers call the use cases in service.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { CreateEventBody, EventCreatedResponse, EventSchema, UpdateEventBody, type EventInput } from './schemas.js';
import { fetchEventById } from './queries.js';
import { mediaBaseOf, toEventJson } from './serializer.js';
import { cancelEvent, createEvent, deleteEvent, EVENT_NOT_FOUND, requestMeta, setCoverImage, submitEvent, updateEvent } from './service.js';
import { multipartBodyHook } from './cover-image.js';
import { eventsDeps } from './plugin.js';

const TAGS = ['événements'];
const MessageAndEvent = Type.Object({ message: Type.String(), event: EventSchema });
const consumes = ['application/json', 'multipart/form-data'];

export async function eventOrganizerRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  // Only these routes read multipart bodies (encapsulated: other modules are unaffected).
  await app.register(multipart, { limits: { fileSize: app.events.imageMaxBytes, files: 1 } });
  const readMultipart = multipartBodyHook(app.events.imageMaxBytes);

  const eventJson = async (request: FastifyRequest, id: number) => {
    const row = await fetchEventById(app.deps.database, id, request.user?.id ?? null);
    if (!row) throw new NotFoundError(EVENT_NOT_FOUND);
    return toEventJson(row, mediaBaseOf(request, app.deps.config.publicBaseUrl), app.events.views.pendingFor(id));
  };

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
          consumes,
          security: tokenAuth,
          body: CreateEventBody,
          response: { 201: EventCreatedResponse, ...errors(400, 401, 413, 415) },
        },
        // Permission first (401 before 400, and no upload read for an anonymous caller).
        preValidation: [permissions.IsAuthenticated, readMultipart],
      },
      async (request, reply) => {
        const id = await createEvent(eventsDeps(app), currentUser(request), request.body, request.eventImage);
        return reply.code(201).send({
          message: request.body.brouillon
            ? 'Brouillon enregistré : soumettez-le à la modération quand il est prêt.'
            : 'Événement créé avec succès : il sera publié après validation par notre équipe.',
          event: await eventJson(request, id),
        });
      },
    );
  }

  for (const method of ['PATCH', 'PUT'] as const) {
    app.route({
      method,
      url: '/:id/',
      schema: {
        tags: TAGS,
        summary: method === 'PATCH' ? 'Modifier un événement (partiel)' : 'Remplacer un événement',
        description:
          "Réservé à son créateur (IsOwnerOrReadOnly). `statut`, `createur` et `nombre_vues` sont en lecture seule. Un changement de date ou de lieu d'un événement validé est notifié à ses participants.",
        consumes,
        security: tokenAuth,
        params: IdParams,
        body: method === 'PATCH' ? UpdateEventBody : CreateEventBody,
        response: { 200: EventSchema, ...errors(400, 401, 403, 404, 413, 415) },
      },
      preValidation: [permissions.IsAuthenticated, readMultipart],
      handler: async (request) => {
        const { id } = request.params as { id: number };
        await updateEvent(eventsDeps(app), currentUser(request), id, request.body as EventInput, request.eventImage);
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
      await deleteEvent(eventsDeps(app), currentUser(request), request.params.id);
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
        response: { 200: MessageAndEvent, ...errors(400, 401, 403, 404) },
      },
      preValidation: permissions.IsAuthenticated,
    },
    async (request) => {
      await submitEvent(eventsDeps(app), currentUser(request), request.params.id);
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
        response: { 200: MessageAndEvent, ...errors(400, 401, 403, 404) },
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
      await cancelEvent(eventsDeps(app), currentUser(request), request.params.id, motif, requestMeta(request));
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
      preValidation: [permissions.IsAuthenticated, readMultipart],
    },
    async (request) => {
      if (!request.eventImage) throw ValidationError.field('image', 'Ce champ est obligatoire.');
      await setCoverImage(eventsDeps(app), currentUser(request), request.params.id, request.eventImage);
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
      await setCoverImage(eventsDeps(app), currentUser(request), request.params.id, null);
      return eventJson(request, request.params.id);
    },
  );
}
