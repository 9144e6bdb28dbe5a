/** Staff moderation under /api/admin/events/: the queue, approve, reject with a reason. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { NotFoundError } from '../../core/errors.js';
import { Paginated, PaginationQuery } from '../../core/pagination.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { EventSchema, RejectBody } from './schemas.js';
import { countEvents, fetchEventById, fetchEvents, type ListFilters } from './queries.js';
import { mediaBaseOf, toEventJson } from './serializer.js';
import { paginateConcurrently } from './paging.js';
import { approveEvent, rejectEvent } from './moderation.js';
import { EVENT_NOT_FOUND, requestMeta } from './service.js';
import { eventsDeps } from './plugin.js';

const TAGS = ['modération'];
const MessageAndEvent = Type.Object({ message: Type.String(), event: EventSchema });

export async function moderationRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  // Every route here is staff-only: one hook for the prefix.
  app.addHook('preValidation', permissions.IsStaff);

  const eventJson = async (request: Parameters<typeof mediaBaseOf>[0], id: number) => {
    const row = await fetchEventById(app.deps.database, id, request.user?.id ?? null);
    if (!row) throw new NotFoundError(EVENT_NOT_FOUND);
    return toEventJson(row, mediaBaseOf(request, app.deps.config.publicBaseUrl));
  };

  app.get(
    '/pending/',
    {
      schema: {
        tags: TAGS,
        summary: 'Événements en attente de modération (les plus anciens d’abord ; pas ceux déjà terminés)',
        security: tokenAuth,
        querystring: Type.Object(PaginationQuery),
        response: { 200: Paginated(EventSchema), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const filters: ListFilters = {
        statuts: ['EN_ATTENTE'],
        // An event over before anyone moderated it can no longer be approved: it would clutter the queue.
        upcoming: true,
        terms: [],
        ordering: [{ field: 'date_creation', desc: false }],
      };
      const origin = mediaBaseOf(request, app.deps.config.publicBaseUrl);
      const viewerId = currentUser(request).id;
      return paginateConcurrently(
        request,
        () => countEvents(app.deps.database, filters),
        async (limit, offset) =>
          (await fetchEvents(app.deps.database, filters, viewerId, limit, offset)).map((r) => toEventJson(r, origin)),
        app.deps.config.publicBaseUrl,
      );
    },
  );

  app.post(
    '/:id/approve/',
    {
      schema: {
        tags: TAGS,
        summary: 'Valider un événement (VALIDE) ; l’organisateur est prévenu',
        security: tokenAuth,
        params: IdParams,
        response: { 200: MessageAndEvent, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await approveEvent(eventsDeps(app), currentUser(request), request.params.id, requestMeta(request));
      return { message: 'Événement validé.', event: await eventJson(request, request.params.id) };
    },
  );

  app.post(
    '/:id/reject/',
    {
      schema: {
        tags: TAGS,
        summary: 'Rejeter un événement avec un motif (REJETE) ; l’organisateur le voit, corrige et resoumet',
        security: tokenAuth,
        params: IdParams,
        body: RejectBody,
        response: { 200: MessageAndEvent, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await rejectEvent(eventsDeps(app), currentUser(request), request.params.id, request.body.motif, requestMeta(request));
      return { message: 'Événement rejeté.', event: await eventJson(request, request.params.id) };
    },
  );
}
