/** /api/tickets/: my tickets, and check-in at the door (event creator or staff). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { mapPage, Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { getMyTicket, listMyTickets, type TicketView } from './service.js';
import { checkIn, syncOfflineScans } from './checkin.js';
import { checkinRouteConfig, controllerOf } from './checkin-routes.js';
import { CHECKIN_SCAN_STATUTS, TICKET_STATUTS } from './tables.js';
import { formatTicketCode } from './render/code.js';
import { signTicketPayload } from './render/payload.js';
import type { TicketsDeps } from './deps.js';
import { qrPng, qrSvg } from './render/qr.js';
import { renderTicketPdf } from './render/pdf.js';

export const TicketSchema = Type.Object(
  {
    id: Type.Integer(),
    code: Type.String({ description: 'Code court à saisir à l’entrée si le QR code ne peut être lu' }),
    statut: Type.Enum(TICKET_STATUTS),
    payment_id: Type.Integer(),
    type_billet: Type.Object({ id: Type.Integer(), nom: Type.String(), prix: Type.Integer() }),
    evenement: Type.Object({
      id: Type.Integer(),
      titre: Type.String(),
      date_debut: Type.String({ format: 'date-time' }),
      lieu: Type.String(),
      adresse: Type.String(),
    }),
    titulaire: Type.String(),
    date_emission: Type.String({ format: 'date-time' }),
    date_utilisation: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'Ticket' },
);

export function ticketView(t: TicketView) {
  return {
    id: t.id,
    code: formatTicketCode(t.code),
    statut: t.statut,
    payment_id: t.paymentId,
    type_billet: { id: t.typeBilletId, nom: t.typeBilletNom, prix: t.prix },
    evenement: {
      id: t.evenementId,
      titre: t.evenementTitre,
      date_debut: t.evenementDateDebut.toISOString(),
      lieu: t.evenementLieu,
      adresse: t.evenementAdresse,
    },
    titulaire: t.titulaireNom,
    date_emission: t.dateEmission.toISOString(),
    date_utilisation: t.dateUtilisation?.toISOString() ?? null,
  };
}

/** A response that is not JSON: its media type in the OpenAPI document (the handler sends the bytes). */
const binary = (mediaType: string, description: string) => ({
  description,
  // Typed as bytes for the handler (a Buffer, or the SVG text); documented as a binary string of that type.
  content: { [mediaType]: { schema: Type.Unsafe<Buffer | string>({ type: 'string', format: 'binary', contentMediaType: mediaType }) } },
});

const CheckInResponse = Type.Object({
  message: Type.String(),
  ticket: Type.Object({
    id: Type.Integer(),
    code: Type.String(),
    statut: Type.String(),
    titulaire: Type.String(),
    type_billet: Type.String(),
    evenement_id: Type.Integer(),
    date_utilisation: Type.String({ format: 'date-time' }),
    entree: Type.Union([Type.String(), Type.Null()]),
  }),
});

const SyncResponse = Type.Object({
  evenement_id: Type.Integer(),
  resultats: Type.Array(
    Type.Object({
      nonce: Type.String(),
      statut: Type.Enum([...CHECKIN_SCAN_STATUTS, 'NON_TRAITE'], {
        description: 'NON_TRAITE : non examiné (limite de codes inconnus atteinte), à renvoyer plus tard',
      }),
      message: Type.String(),
      billet_id: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
});

export function ticketRoutes(deps: TicketsDeps) {
  return async function routes(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsAuthenticated);
    const payloadOf = (t: TicketView) => signTicketPayload(deps.signingKey, { ticketId: t.id, eventId: t.evenementId, code: t.code });

    app.get(
      '/',
      {
        prefixTrailingSlash: 'slash',
        schema: {
          tags: ['billets'],
          summary: 'Mes billets',
          security: tokenAuth,
          querystring: Type.Object(PaginationQuery),
          response: { 200: Paginated(TicketSchema), ...errors(401, 404) },
        },
      },
      async (request) => {
        const user = currentUser(request);
        return pageResponse(
          request,
          mapPage(await listMyTickets(deps, user.id, pageRequest(request.query)), ticketView),
          deps.config.publicBaseUrl,
        );
      },
    );

    app.get(
      '/:id/',
      {
        schema: {
          tags: ['billets'],
          summary: 'Un de mes billets',
          security: tokenAuth,
          params: IdParams,
          response: { 200: TicketSchema, ...errors(401, 404) },
        },
      },
      async (request) => ticketView(await getMyTicket(deps, currentUser(request).id, request.params.id)),
    );

    app.get(
      '/:id/qr.svg',
      {
        schema: {
          tags: ['billets'],
          summary: 'QR code du billet (SVG)',
          description: 'Contenu signé (Ed25519) vérifiable hors ligne par une application de contrôle.',
          security: tokenAuth,
          params: IdParams,
          response: { 200: binary('image/svg+xml', 'Le QR code en SVG'), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        const t = await getMyTicket(deps, currentUser(request).id, request.params.id);
        return reply
          .type('image/svg+xml')
          .header('cache-control', 'private, no-store')
          .send(await qrSvg(payloadOf(t)));
      },
    );

    app.get(
      '/:id/qr.png',
      {
        schema: {
          tags: ['billets'],
          summary: 'QR code du billet (PNG)',
          security: tokenAuth,
          params: IdParams,
          response: { 200: binary('image/png', 'Le QR code en PNG'), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        const t = await getMyTicket(deps, currentUser(request).id, request.params.id);
        return reply
          .type('image/png')
          .header('cache-control', 'private, no-store')
          .send(await qrPng(payloadOf(t)));
      },
    );

    app.get(
      '/:id/pdf',
      {
        schema: {
          tags: ['billets'],
          summary: 'Billet PDF (QR code, événement, titulaire, type de billet)',
          security: tokenAuth,
          params: IdParams,
          response: { 200: binary('application/pdf', 'Le billet en PDF'), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        const t = await getMyTicket(deps, currentUser(request).id, request.params.id);
        const pdf = await renderTicketPdf({
          payload: payloadOf(t),
          code: t.code,
          eventTitle: t.evenementTitre,
          eventStart: t.evenementDateDebut,
          place: [t.evenementLieu, t.evenementAdresse].filter(Boolean).join(', '),
          holderName: t.titulaireNom,
          ticketType: t.typeBilletNom,
          price: t.prix,
        });
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="billet-${formatTicketCode(t.code)}.pdf"`)
          .header('cache-control', 'private, no-store')
          .send(pdf);
      },
    );

    app.post(
      '/checkin/',
      {
        config: checkinRouteConfig(deps),
        schema: {
          tags: ['billets'],
          summary: "Contrôle d'un billet à l'entrée",
          description:
            'Pour un seul événement : `evenement_id` obligatoire, sauf avec un jeton de contrôle (`svscan_…`) qui vaut pour son événement. ' +
            "Par le créateur de l'événement, son équipe (SCANNER, GESTIONNAIRE) ou le personnel. 200 au premier passage, 409 ensuite " +
            "(avec l'heure du premier passage), 409 `wrong_event` pour un billet d'un autre événement. 429 après trop de codes inconnus.",
          security: tokenAuth,
          body: Type.Object({
            code: Type.String({ minLength: 1, maxLength: 2000, description: 'Contenu du QR code (SV1.…) ou code court XXXX-XXXX-XXXX' }),
            evenement_id: Type.Optional(Type.Integer({ minimum: 1 })),
            entree: Type.Optional(Type.String({ maxLength: 60, description: "Nom de l'entrée (« B »)" })),
          }),
          response: { 200: CheckInResponse, ...errors(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request) => {
        const b = request.body;
        const result = await checkIn(deps, controllerOf(request), b.code, {
          ...(b.evenement_id !== undefined ? { evenementId: b.evenement_id } : {}),
          ...(b.entree !== undefined ? { entree: b.entree } : {}),
        });
        return { message: 'Billet valide : entrée autorisée.', ...result };
      },
    );

    app.post(
      '/checkin/sync/',
      {
        config: checkinRouteConfig(deps),
        schema: {
          tags: ['billets'],
          summary: 'Synchroniser les contrôles faits hors ligne',
          description:
            "Chaque scan porte son heure (`scanned_at`) et un `nonce` de l'appareil : renvoyer un scan déjà reçu donne la même réponse. " +
            "Le premier scan d'un billet (par heure de scan) l'emporte ; les autres sont signalés (« déjà scanné à 20:14 à l'entrée B »).",
          security: tokenAuth,
          body: Type.Object({
            evenement_id: Type.Optional(Type.Integer({ minimum: 1 })),
            scans: Type.Array(
              Type.Object({
                code: Type.String({ minLength: 1, maxLength: 2000 }),
                scanned_at: Type.String({ format: 'date-time' }),
                nonce: Type.String({ minLength: 8, maxLength: 100, pattern: '^[\\x21-\\x7e]+$' }),
                entree: Type.Optional(Type.String({ maxLength: 60 })),
              }),
              { minItems: 1, maxItems: 500 },
            ),
          }),
          response: { 200: SyncResponse, ...errors(400, 401, 403, 404, 429) },
        },
      },
      async (request) =>
        syncOfflineScans(
          deps,
          controllerOf(request),
          request.body.evenement_id,
          request.body.scans.map((s) => ({ code: s.code, scannedAt: new Date(s.scanned_at), nonce: s.nonce, entree: s.entree })),
        ),
    );
  };
}
