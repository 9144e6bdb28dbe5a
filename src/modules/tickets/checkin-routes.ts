/**
 * The door's reads under `/api/events/{id}/checkin/`: the attendee search and the offline export. Scanner
 * tokens are welcome here (`config.scannerToken`), as on the check-in and sync routes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { errors, tokenAuth } from '../../core/schemas.js';
import { mapPage, Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { TICKET_STATUTS } from './tables.js';
import { formatTicketCode } from './render/code.js';
import { exportForOffline, searchAttendees, type Controller } from './checkin.js';
import { scannerKey } from './checkin-limits.js';
import type { TicketsDeps } from './deps.js';

export function controllerOf(request: FastifyRequest): Controller {
  return { user: currentUser(request), scanner: request.scanner };
}

/** Route config of every door route: scanner tokens accepted, paced per scanner token (else per user). */
export function checkinRouteConfig(deps: TicketsDeps) {
  return {
    scannerToken: true,
    rateLimit: {
      max: deps.checkinLimits.rate.max,
      timeWindow: deps.checkinLimits.rate.windowMs,
      // After authentication (onRequest hooks of the app run first), so the key is the token or the user.
      keyGenerator: (request: FastifyRequest) =>
        request.user ? `checkin:${scannerKey({ user: request.user, scanner: request.scanner })}` : `checkin:ip:${request.ip}`,
    },
  };
}

const Params = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const nullableDate = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

const AttendeeSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  statut: Type.Enum(TICKET_STATUTS),
  titulaire: Type.String(),
  type_billet: Type.String(),
  date_utilisation: nullableDate,
  entree: Type.Union([Type.String(), Type.Null()]),
});

const ExportSchema = Type.Object({
  evenement_id: Type.Integer(),
  genere_le: Type.String({ format: 'date-time' }),
  cle_publique: Type.Object({
    algorithme: Type.Literal('Ed25519'),
    id: Type.String({ description: 'Identifiant de clé (champ `k` du QR code)' }),
    raw: Type.String({ description: 'Clé publique brute (32 octets) en base64url' }),
    pem: Type.String({ description: 'Clé publique SPKI en PEM' }),
  }),
  format_qr: Type.String(),
  hachage: Type.String(),
  codes_valides: Type.Array(Type.String()),
  deja_utilises: Type.Array(
    Type.Object({
      empreinte: Type.String(),
      date_utilisation: Type.String({ format: 'date-time' }),
      entree: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  revoques: Type.Array(Type.String()),
});

export function checkinRoutes(deps: TicketsDeps) {
  return async function routes(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsAuthenticated);

    app.get(
      '/:id/checkin/recherche/',
      {
        config: checkinRouteConfig(deps),
        schema: {
          tags: ['billets'],
          summary: "Rechercher un participant (nom du titulaire ou code court) à l'entrée",
          description: "Équipe de l'événement (tous rôles), son créateur, le personnel ou un jeton de contrôle de l'événement.",
          security: tokenAuth,
          params: Params,
          querystring: Type.Object({ q: Type.String({ minLength: 2, maxLength: 100 }), ...PaginationQuery }),
          response: { 200: Paginated(AttendeeSchema), ...errors(400, 401, 403, 404, 429) },
        },
      },
      async (request) =>
        pageResponse(
          request,
          mapPage(
            await searchAttendees(deps, controllerOf(request), request.params.id, request.query.q, pageRequest(request.query)),
            (t) => ({
              id: t.id,
              code: formatTicketCode(t.code),
              statut: t.statut,
              titulaire: t.titulaireNom,
              type_billet: t.typeNom,
              date_utilisation: t.dateUtilisation?.toISOString() ?? null,
              entree: t.entree,
            }),
          ),
          deps.config.publicBaseUrl,
        ),
    );

    app.get(
      '/:id/checkin/export/',
      {
        config: checkinRouteConfig(deps),
        schema: {
          tags: ['billets'],
          summary: 'Export pour le contrôle hors ligne',
          description:
            'La clé publique Ed25519 qui vérifie seule la signature des QR codes, les codes des billets valables (hachés), ' +
            'ceux déjà utilisés et les billets révoqués (annulés, remboursés).',
          security: tokenAuth,
          params: Params,
          response: { 200: ExportSchema, ...errors(401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'private, no-store');
        return exportForOffline(deps, controllerOf(request), request.params.id);
      },
    );
  };
}
