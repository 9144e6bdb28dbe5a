/** `GET /api/admin/users/{id}/` (staff): one account with its events, payments and journal (the list is the users module's). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { permissions } from '../../core/auth.js';
import { errors, IdParams, staffAuth } from '../../core/schemas.js';
import { AdminUser } from '../users/schemas.js';
import { userForStaff } from './users.js';
import { JournalEntrySchema } from './journal-routes.js';
import type { AdminDeps } from './deps.js';

const AdminUserDetail = Type.Intersect([
  AdminUser,
  Type.Object({
    nombre_evenements: Type.Integer(),
    nombre_paiements: Type.Integer(),
    total_paye: Type.Integer({ description: 'Paiements réussis (XOF)' }),
    evenements: Type.Array(
      Type.Object({
        id: Type.Integer(),
        titre: Type.String(),
        statut: Type.String(),
        date_debut: Type.String({ format: 'date-time' }),
        participants_count: Type.Integer(),
      }),
      { description: 'Les 20 derniers créés' },
    ),
    paiements: Type.Array(
      Type.Object({
        id: Type.Integer(),
        reference: Type.String(),
        type: Type.String(),
        montant: Type.Integer(),
        statut: Type.String(),
        fournisseur: Type.String(),
        event_id: Type.Union([Type.Integer(), Type.Null()]),
        evenement: Type.Union([Type.String(), Type.Null()]),
        date_creation: Type.String({ format: 'date-time' }),
      }),
      { description: 'Les 20 derniers' },
    ),
    journal: Type.Array(JournalEntrySchema, { description: 'Les 50 dernières actions de ce compte ou sur ce compte' }),
  }),
]);

export function adminUserDetailRoutes(deps: AdminDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsStaff);
    app.get(
      '/:id/',
      {
        schema: {
          tags: ['Administration'],
          summary: 'Un compte : profil (masqué), ses événements, ses paiements, son journal',
          security: staffAuth,
          params: IdParams,
          response: { 200: AdminUserDetail, ...errors(401, 403, 404) },
        },
      },
      async (request) => userForStaff(deps, request.params.id),
    );
  };
}
