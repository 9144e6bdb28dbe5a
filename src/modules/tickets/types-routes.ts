/**
 * Ticket types of a paid event, under `/api/events/{id}/ticket-types/`: anyone reads those of an event they may
 * see (the events module's visibility rule); its creator manages them.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { errors, tokenAuth } from '../../core/schemas.js';
import { mapPage, Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { createTicketType, deleteTicketType, ticketTypesOf, updateTicketType, type TicketTypeView } from './types-service.js';
import type { TicketsDeps } from './deps.js';

const TicketTypeSchema = Type.Object(
  {
    id: Type.Integer(),
    evenement_id: Type.Integer(),
    nom: Type.String(),
    prix: Type.Integer({ description: 'XOF' }),
    quantite: Type.Integer(),
    vendus: Type.Integer(),
    disponibles: Type.Integer({ description: 'quantité − vendus − places réservées par des paiements en cours' }),
    debut_vente: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    fin_vente: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    max_par_commande: Type.Integer(),
  },
  { $id: 'TicketType' },
);

const TicketTypeBody = Type.Object({
  nom: Type.String({ minLength: 1, maxLength: 100 }),
  prix: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
  quantite: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  debut_vente: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  fin_vente: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  max_par_commande: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
});

const Params = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const TypeParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  type_id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});

const date = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : new Date(v));

function view(t: TicketTypeView) {
  return {
    id: t.id,
    evenement_id: t.evenementId,
    nom: t.nom,
    prix: t.prix,
    quantite: t.quantite,
    vendus: t.vendus,
    disponibles: t.disponibles,
    debut_vente: t.debutVente?.toISOString() ?? null,
    fin_vente: t.finVente?.toISOString() ?? null,
    max_par_commande: t.maxParCommande,
  };
}

export function ticketTypeRoutes(deps: TicketsDeps) {
  return async function routes(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/:id/ticket-types/',
      {
        schema: {
          tags: ['billets'],
          summary: "Types de billets d'un événement payant (les moins chers d'abord)",
          params: Params,
          querystring: Type.Object(PaginationQuery),
          response: { 200: Paginated(TicketTypeSchema), ...errors(404) },
        },
      },
      async (request) =>
        pageResponse(
          request,
          mapPage(await ticketTypesOf(deps, request.user, request.params.id, pageRequest(request.query)), view),
          deps.config.publicBaseUrl,
        ),
    );

    app.post(
      '/:id/ticket-types/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags: ['billets'],
          summary: 'Ajouter un type de billet (créateur ou gestionnaire)',
          security: tokenAuth,
          params: Params,
          body: TicketTypeBody,
          response: { 201: TicketTypeSchema, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const created = await createTicketType(deps, currentUser(request), request.params.id, {
          nom: b.nom,
          prix: b.prix,
          quantite: b.quantite,
          debutVente: date(b.debut_vente) ?? null,
          finVente: date(b.fin_vente) ?? null,
          ...(b.max_par_commande ? { maxParCommande: b.max_par_commande } : {}),
        });
        return reply.code(201).send(view(created));
      },
    );

    app.patch(
      '/:id/ticket-types/:type_id/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags: ['billets'],
          summary: 'Modifier un type de billet (créateur ou gestionnaire)',
          security: tokenAuth,
          params: TypeParams,
          description:
            'Une quantité inférieure aux billets vendus plus les places réservées par des paiements en cours est refusée (409 `invalid_quantity`, le minimum dans le message).',
          body: Type.Partial(TicketTypeBody),
          response: { 200: TicketTypeSchema, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const b = request.body;
        const updated = await updateTicketType(deps, currentUser(request), request.params.id, request.params.type_id, {
          ...(b.nom !== undefined ? { nom: b.nom } : {}),
          ...(b.prix !== undefined ? { prix: b.prix } : {}),
          ...(b.quantite !== undefined ? { quantite: b.quantite } : {}),
          ...(b.debut_vente !== undefined ? { debutVente: date(b.debut_vente) ?? null } : {}),
          ...(b.fin_vente !== undefined ? { finVente: date(b.fin_vente) ?? null } : {}),
          ...(b.max_par_commande !== undefined ? { maxParCommande: b.max_par_commande } : {}),
        });
        return view(updated);
      },
    );

    app.delete(
      '/:id/ticket-types/:type_id/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags: ['billets'],
          summary: 'Supprimer un type de billet jamais acheté (créateur)',
          security: tokenAuth,
          params: TypeParams,
          response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await deleteTicketType(deps, currentUser(request), request.params.id, request.params.type_id);
        return reply.code(204).send(null);
      },
    );
  };
}
