/** `GET /api/admin/journal/` (staff): every staff action, or one object's entries (`?cible=event:42`). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { permissions } from '../../core/auth.js';
import { errors, staffAuth } from '../../core/schemas.js';
import { Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { listJournal } from './journal.js';
import type { AdminDeps } from './deps.js';

export const JournalEntrySchema = Type.Object({
  id: Type.Integer(),
  date: Type.String({ format: 'date-time' }),
  action: Type.String(),
  libelle: Type.String({ description: 'L’action en français' }),
  utilisateur: Type.Union([Type.Object({ id: Type.Integer(), username: Type.String() }), Type.Null()], { description: 'Qui' }),
  cible: Type.String({ description: 'L’objet : `event:42`, `user:7`, `refund:3`, `categorie:5`…' }),
  par_personnel: Type.Boolean(),
  details: Type.Record(Type.String(), Type.Unknown(), { description: 'Dont `avant` et `apres` : ce qui a changé' }),
  ip: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.String(),
});

const Day = Type.String({ format: 'date' });

export function journalRoutes(deps: AdminDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsStaff);
    app.get(
      '/',
      {
        prefixTrailingSlash: 'slash',
        schema: {
          tags: ['administration'],
          summary: 'Journal des actions (qui, quoi, quand, avant/après), le plus récent d’abord',
          security: staffAuth,
          querystring: Type.Object({
            ...PaginationQuery,
            cible: Type.Optional(Type.String({ maxLength: 100, description: 'Un objet : `event:42`…' })),
            utilisateur: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Auteur de l’action' })),
            concernant: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Actions de ce compte ou sur ce compte' }),
            ),
            action: Type.Optional(Type.String({ maxLength: 64 })),
            personnel: Type.Optional(Type.Boolean({ description: 'true : seulement les actions du personnel' })),
            date_debut: Type.Optional(Day),
            date_fin: Type.Optional(Day),
          }),
          response: { 200: Paginated(JournalEntrySchema), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        pageResponse(request, await listJournal(deps, request.query, pageRequest(request.query)), deps.config.publicBaseUrl),
    );
  };
}
