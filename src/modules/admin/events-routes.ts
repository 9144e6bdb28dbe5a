/**
 * `/api/admin/events/` (staff): the manual's EventAdmin list (every status, filters, search, ordering), its CSV
 * export and one event's staff view. Moderation itself (the queue, approve, reject, bulk actions) is the events
 * module's (events/moderation-routes.ts, same prefix).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { permissions } from '../../core/auth.js';
import { errors, IdParams, staffAuth } from '../../core/schemas.js';
import { Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { publicOrigin } from '../../core/origin.js';
import { EVENT_STATUTS, TYPES_ACCES } from '../events/tables.js';
import { ADMIN_EVENT_ORDERINGS, eventForStaff, exportEventsCsv, listEventsForStaff } from './events.js';
import { recentJournal } from './journal.js';
import { JournalEntrySchema } from './journal-routes.js';
import type { AdminDeps } from './deps.js';

const tags = ['administration'];
const Day = Type.String({ format: 'date', description: 'AAAA-MM-JJ (jour UTC, inclus)' });

const Filters = {
  statut: Type.Optional(Type.Enum(EVENT_STATUTS)),
  categorie: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
  type_acces: Type.Optional(Type.Enum(TYPES_ACCES)),
  createur: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
  date_creation_apres: Type.Optional(Day),
  date_creation_avant: Type.Optional(Day),
  search: Type.Optional(Type.String({ maxLength: 200, description: 'Titre, description, lieu (sans accents ni casse)' })),
  ordering: Type.Optional(Type.Enum(ADMIN_EVENT_ORDERINGS, { description: '`-` pour l’ordre décroissant ; défaut -date_creation' })),
};

const AdminEvent = Type.Object({
  id: Type.Integer(),
  titre: Type.String(),
  statut: Type.Enum(EVENT_STATUTS),
  type_acces: Type.Enum(TYPES_ACCES),
  prix: Type.Integer(),
  date_debut: Type.String({ format: 'date-time' }),
  date_fin: Type.String({ format: 'date-time' }),
  date_creation: Type.String({ format: 'date-time' }),
  lieu: Type.String(),
  capacite_max: Type.Integer(),
  participants_count: Type.Integer(),
  nombre_vues: Type.Integer(),
  recettes: Type.Integer({ description: 'Paiements réussis moins leurs remboursements effectués ou en cours (XOF)' }),
  createur: Type.Object({ id: Type.Integer(), username: Type.String(), nom: Type.String() }),
  categorie: Type.Object({ id: Type.Integer(), nom: Type.String() }),
});

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const AdminEventDetail = Type.Intersect([
  AdminEvent,
  Type.Object({
    description: Type.String(),
    description_courte: Type.String(),
    adresse: Type.String(),
    latitude: Nullable(Type.Number()),
    longitude: Nullable(Type.Number()),
    image: Nullable(Type.String()),
    image_miniature: Nullable(Type.String()),
    motif_rejet: Type.String(),
    validateur: Nullable(Type.Integer()),
    date_validation: Nullable(Type.String({ format: 'date-time' })),
    date_modification: Type.String({ format: 'date-time' }),
    organisateur: Type.Object({
      id: Type.Integer(),
      username: Type.String(),
      first_name: Type.String(),
      last_name: Type.String(),
      email_masque: Type.String(),
      telephone_masque: Type.String(),
      est_verifie: Type.Boolean(),
      is_active: Type.Boolean(),
      date_creation: Type.String({ format: 'date-time' }),
      nombre_evenements: Type.Integer(),
      evenements_valides: Type.Integer(),
      evenements_rejetes: Type.Integer(),
    }),
    types_billets: Type.Array(
      Type.Object({ id: Type.Integer(), nom: Type.String(), prix: Type.Integer(), quantite: Type.Integer(), vendus: Type.Integer() }),
    ),
    journal: Type.Array(JournalEntrySchema),
  }),
]);

export function adminEventRoutes(deps: AdminDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsStaff);

    app.get(
      '/',
      {
        prefixTrailingSlash: 'slash',
        schema: {
          tags,
          summary: 'Tous les événements (EventAdmin) : filtres, recherche, tri, participants et recettes',
          security: staffAuth,
          querystring: Type.Object({ ...PaginationQuery, ...Filters }),
          response: { 200: Paginated(AdminEvent), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        pageResponse(request, await listEventsForStaff(deps, request.query, pageRequest(request.query)), deps.config.publicBaseUrl),
    );

    app.get(
      '/export/',
      {
        schema: {
          tags,
          summary: 'Export CSV des événements (mêmes filtres que la liste, toutes les pages)',
          description: 'Séparateur `;`, UTF-8 avec BOM (tableur en français), montants en francs CFA entiers, dates ISO 8601 (UTC).',
          security: staffAuth,
          querystring: Type.Object(Filters),
          produces: ['text/csv'],
          response: { ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const stamp = new Date().toISOString().slice(0, 10);
        const csv = exportEventsCsv(deps, request.query);
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="spotvibe-evenements-${stamp}.csv"`)
          .header('cache-control', 'no-store')
          .send(csv);
      },
    );

    app.get(
      '/:id/',
      {
        schema: {
          tags,
          summary: 'Un événement vu par le personnel : contenu complet, organisateur, billets, journal',
          security: staffAuth,
          params: IdParams,
          response: { 200: AdminEventDetail, ...errors(401, 403, 404) },
        },
      },
      async (request) => ({
        ...(await eventForStaff(deps, request.params.id, publicOrigin(request, deps.config.publicBaseUrl))),
        journal: await recentJournal(deps, { cible: `event:${request.params.id}` }),
      }),
    );
  };
}
