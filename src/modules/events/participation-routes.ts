/** Free participation: participate_event (both paths), leave, my participations, an event's participants. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { mapPage, Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { MyParticipationSchema, ParticipantSchema, ParticipateResponse } from './schemas.js';
import { joinEvent, leaveEvent, listMyParticipations, listParticipants, MESSAGES } from './participation.js';
import { toEventJson } from './serializer.js';
import { serializerFor } from './http.js';
import { toSummary } from '../users/profile.js';
import type { EventsDeps } from './deps.js';

const TAGS = ['participations'];
const iso = (d: Date) => d.toISOString();

export function participationRoutes(deps: EventsDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const ser = serializerFor(deps);

    const participate = async (request: FastifyRequest, reply: FastifyReply, eventId: number) => {
      const r = await joinEvent(deps, currentUser(request), eventId);
      return reply.code(r.created ? 201 : 200).send({
        message: r.created ? MESSAGES.joined : MESSAGES.already,
        participation: { ...r.participation, date_participation: iso(r.participation.dateParticipation) },
        participants_count: r.participantsCount,
      });
    };
    const participateSchema = {
      tags: TAGS,
      security: tokenAuth,
      description:
        "Événements GRATUIT validés. 201 « Participation confirmée » la première fois, 200 « Vous participez déjà à cet événement » ensuite, 404 « Événement introuvable », 409 quand l'événement est complet.",
      response: { 201: ParticipateResponse, 200: ParticipateResponse, ...errors(400, 401, 404, 409) },
    };

    app.post(
      '/participate/',
      {
        schema: {
          ...participateSchema,
          summary: 'Participer à un événement (corps : {event_id})',
          body: Type.Object({ event_id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }),
        },
        preValidation: permissions.IsAuthenticated,
      },
      async (request, reply) => participate(request, reply, request.body.event_id),
    );

    app.post(
      '/:id/participate/',
      {
        schema: { ...participateSchema, summary: 'Participer à cet événement', params: IdParams },
        preValidation: permissions.IsAuthenticated,
      },
      async (request, reply) => participate(request, reply, request.params.id),
    );

    for (const [method, url] of [
      ['DELETE', '/:id/participate/'],
      ['POST', '/:id/leave/'],
    ] as const) {
      app.route({
        method,
        url,
        schema: {
          tags: TAGS,
          summary: 'Ne plus participer (libère la place)',
          security: tokenAuth,
          params: IdParams,
          response: { 200: Type.Object({ message: Type.String(), participants_count: Type.Integer() }), ...errors(400, 401, 404) },
        },
        preValidation: permissions.IsAuthenticated,
        handler: async (request) => {
          const r = await leaveEvent(deps, currentUser(request), request.params.id);
          return { message: MESSAGES.left, participants_count: r.participantsCount };
        },
      });
    }

    app.get(
      '/participations/',
      {
        schema: {
          tags: TAGS,
          summary: 'Mes participations (confirmées par défaut), avec leurs événements',
          security: tokenAuth,
          querystring: Type.Object({
            ...PaginationQuery,
            statut: Type.Optional(Type.Union([Type.Literal('CONFIRME'), Type.Literal('ANNULE')])),
          }),
          response: { 200: Paginated(MyParticipationSchema), ...errors(400, 401, 404) },
        },
        preValidation: permissions.IsAuthenticated,
      },
      async (request) => {
        const statut = request.query.statut ?? 'CONFIRME';
        const slice = await listMyParticipations(deps, currentUser(request).id, statut, pageRequest(request.query));
        const s = ser(request);
        return pageResponse(
          request,
          mapPage(slice, (p) => ({
            id: p.id,
            statut: p.statut,
            date_participation: iso(p.dateParticipation),
            evenement: toEventJson(p.event, s),
          })),
          deps.config.publicBaseUrl,
        );
      },
    );

    app.get(
      '/:id/participants/',
      {
        schema: {
          tags: TAGS,
          summary: "Participants confirmés d'un événement (son organisateur ou le personnel)",
          security: tokenAuth,
          params: IdParams,
          querystring: Type.Object(PaginationQuery),
          response: { 200: Paginated(ParticipantSchema), ...errors(401, 403, 404) },
        },
        preValidation: permissions.IsAuthenticated,
      },
      async (request) => {
        const slice = await listParticipants(deps, currentUser(request), request.params.id, pageRequest(request.query));
        const s = ser(request);
        return pageResponse(
          request,
          mapPage(slice, (p) => ({
            id: p.id,
            statut: p.statut,
            date_participation: iso(p.dateParticipation),
            // The accounts' own short form: photo URLs absolute (or null), as everywhere else.
            utilisateur: toSummary(p.utilisateur, s),
          })),
          deps.config.publicBaseUrl,
        );
      },
    );
  };
}
