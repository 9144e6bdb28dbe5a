/** Ticket types of a paid event: anyone reads those of a visible event; its creator manages them. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { and, eq, sql } from 'drizzle-orm';
import { assertOwnerOrReadOnly, isStaffUser, permissions } from '../../core/auth.js';
import { errors, tokenAuth } from '../../core/schemas.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { events } from '../events/tables.js';
import { ticketTypes } from './tables.js';
import { createTicketType, listTicketTypes, updateTicketType, type TicketType } from './types-service.js';
import { heldSeats } from '../payments/reservation.js';
import { payments } from '../payments/tables.js';

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

export async function ticketTypeRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const db = () => app.deps.database.db;

  async function view(t: TicketType) {
    const held = await heldSeats(db(), t.id, new Date());
    return {
      id: t.id,
      evenement_id: t.evenementId,
      nom: t.nom,
      prix: t.prix,
      quantite: t.quantite,
      vendus: t.vendus,
      disponibles: Math.max(0, t.quantite - t.vendus - held),
      debut_vente: t.debutVente?.toISOString() ?? null,
      fin_vente: t.finVente?.toISOString() ?? null,
      max_par_commande: t.maxParCommande,
    };
  }

  /** The event as the caller may see it: validated events for all, others only for their creator and staff. */
  async function visibleEvent(request: { user: import('../../core/auth.js').AuthUser | null }, id: number) {
    const [ev] = await db()
      .select({ id: events.id, createurId: events.createurId, statut: events.statut })
      .from(events)
      .where(eq(events.id, id));
    if (!ev) throw new NotFoundError('Événement introuvable');
    const mine = request.user && (request.user.id === ev.createurId || isStaffUser(request.user));
    if (ev.statut !== 'VALIDE' && ev.statut !== 'TERMINE' && !mine) throw new NotFoundError('Événement introuvable');
    return ev;
  }

  app.get(
    '/:id/ticket-types/',
    {
      schema: {
        tags: ['billets'],
        summary: "Types de billets d'un événement payant",
        params: Params,
        response: { 200: Type.Array(TicketTypeSchema), ...errors(404) },
      },
    },
    async (request) => {
      await visibleEvent(request, request.params.id);
      return Promise.all((await listTicketTypes(db(), request.params.id)).map(view));
    },
  );

  app.post(
    '/:id/ticket-types/',
    {
      preHandler: permissions.IsAuthenticated,
      schema: {
        tags: ['billets'],
        summary: 'Ajouter un type de billet (créateur)',
        security: tokenAuth,
        params: Params,
        body: TicketTypeBody,
        response: { 201: TicketTypeSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const ev = await visibleEvent(request, request.params.id);
      assertOwnerOrReadOnly(request, ev.createurId);
      const b = request.body;
      const created = await db().transaction((tx) =>
        createTicketType(tx, ev.id, {
          nom: b.nom,
          prix: b.prix,
          quantite: b.quantite,
          debutVente: date(b.debut_vente) ?? null,
          finVente: date(b.fin_vente) ?? null,
          ...(b.max_par_commande ? { maxParCommande: b.max_par_commande } : {}),
        }),
      );
      return reply.code(201).send(await view(created));
    },
  );

  app.patch(
    '/:id/ticket-types/:type_id/',
    {
      preHandler: permissions.IsAuthenticated,
      schema: {
        tags: ['billets'],
        summary: 'Modifier un type de billet (créateur)',
        security: tokenAuth,
        params: TypeParams,
        body: Type.Partial(TicketTypeBody),
        response: { 200: TicketTypeSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const ev = await visibleEvent(request, request.params.id);
      assertOwnerOrReadOnly(request, ev.createurId);
      const [t] = await db()
        .select({ id: ticketTypes.id })
        .from(ticketTypes)
        .where(and(eq(ticketTypes.id, request.params.type_id), eq(ticketTypes.evenementId, ev.id)));
      if (!t) throw new NotFoundError('Type de billet introuvable.');
      const b = request.body;
      const updated = await db().transaction((tx) =>
        updateTicketType(tx, t.id, {
          ...(b.nom !== undefined ? { nom: b.nom } : {}),
          ...(b.prix !== undefined ? { prix: b.prix } : {}),
          ...(b.quantite !== undefined ? { quantite: b.quantite } : {}),
          ...(b.debut_vente !== undefined ? { debutVente: date(b.debut_vente) ?? null } : {}),
          ...(b.fin_vente !== undefined ? { finVente: date(b.fin_vente) ?? null } : {}),
          ...(b.max_par_commande !== undefined ? { maxParCommande: b.max_par_commande } : {}),
        }),
      );
      return view(updated);
    },
  );

  app.delete(
    '/:id/ticket-types/:type_id/',
    {
      preHandler: permissions.IsAuthenticated,
      schema: {
        tags: ['billets'],
        summary: 'Supprimer un type de billet jamais acheté (créateur)',
        security: tokenAuth,
        params: TypeParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const ev = await visibleEvent(request, request.params.id);
      assertOwnerOrReadOnly(request, ev.createurId);
      await db().transaction(async (tx) => {
        const [t] = await tx
          .select()
          .from(ticketTypes)
          .where(and(eq(ticketTypes.id, request.params.type_id), eq(ticketTypes.evenementId, ev.id)))
          .for('update');
        if (!t) throw new NotFoundError('Type de billet introuvable.');
        const [used] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(payments)
          .where(eq(payments.typeBilletId, t.id));
        if (used!.n > 0)
          throw new ConflictError(
            'Des paiements concernent ce type de billet : il ne peut plus être supprimé (réduisez sa quantité).',
            'ticket_type_in_use',
          );
        await tx.delete(ticketTypes).where(eq(ticketTypes.id, t.id));
      });
      return reply.code(204).send(null);
    },
  );
}
