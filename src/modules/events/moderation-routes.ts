/** Staff moderation under /api/admin/events/: the queue, approve, reject with a reason. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { requestMeta } from '../../core/audit.js';
import { mapPage, Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { BulkApproveBody, BulkModerationAnswer, BulkRejectBody, EventSchema, RejectBody } from './schemas.js';
import { toEventJson } from './serializer.js';
import { approveEvent, moderateEvents, rejectEvent, type BulkModerationResult } from './moderation.js';
import { eventAfterWrite, listPendingModeration } from './reads.js';
import { serializerFor } from './http.js';
import type { EventsDeps } from './deps.js';

const TAGS = ['modération'];
const MessageAndEvent = Type.Object({ message: Type.String(), event: EventSchema });

const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;
function bulkMessage(r: BulkModerationResult, done: [string, string]): string {
  const parts = [plural(r.traites.length, ...done)];
  if (r.ignores.length) parts.push(plural(r.ignores.length, 'ignoré', 'ignorés'));
  return `${parts.join(', ')}.`;
}

export function moderationRoutes(deps: EventsDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const ser = serializerFor(deps);
    // Every route here is staff-only: one hook for the prefix.
    app.addHook('preValidation', permissions.IsStaff);

    const eventJson = async (request: FastifyRequest, id: number) =>
      toEventJson((await eventAfterWrite(deps, id, request.user?.id ?? null)).row, ser(request));
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
        const slice = await listPendingModeration(deps, currentUser(request).id, pageRequest(request.query));
        const s = ser(request);
        return pageResponse(
          request,
          mapPage(slice, (r) => toEventJson(r, s)),
          deps.config.publicBaseUrl,
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
          response: { 200: MessageAndEvent, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        await approveEvent(deps, currentUser(request), request.params.id, requestMeta(request));
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
          response: { 200: MessageAndEvent, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        await rejectEvent(deps, currentUser(request), request.params.id, request.body.motif, requestMeta(request));
        return { message: 'Événement rejeté.', event: await eventJson(request, request.params.id) };
      },
    );

    // The manual's `approve_events` / `reject_events` actions (EventAdmin), for a selection of the queue.
    app.post(
      '/bulk-approve/',
      {
        schema: {
          tags: TAGS,
          summary: 'Valider plusieurs événements en une fois (action « Approuver les événements »)',
          security: tokenAuth,
          body: BulkApproveBody,
          response: { 200: BulkModerationAnswer, ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const r = await moderateEvents(deps, currentUser(request), request.body.ids, { kind: 'approve' }, requestMeta(request));
        return { message: bulkMessage(r, ['événement approuvé', 'événements approuvés']), ...r };
      },
    );

    app.post(
      '/bulk-reject/',
      {
        schema: {
          tags: TAGS,
          summary: 'Rejeter plusieurs événements avec le même motif',
          security: tokenAuth,
          body: BulkRejectBody,
          response: { 200: BulkModerationAnswer, ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const r = await moderateEvents(
          deps,
          currentUser(request),
          request.body.ids,
          { kind: 'reject', motif: request.body.motif },
          requestMeta(request),
        );
        return { message: bulkMessage(r, ['événement rejeté', 'événements rejetés']), ...r };
      },
    );
  };
}
