/** `/api/admin/users/…`: staff only. Emails and telephones are shown masked. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { IdParams, errors, tokenAuth } from '../../core/schemas.js';
import { Paginated, pageRequest, pageResponse } from '../../core/pagination.js';
import { AdminUser, AdminUserQuery, DeactivateBody } from './schemas.js';
import { listUsers, setUserActive } from './admin.js';
import { requestMeta } from '../../core/audit.js';
import type { AccountsDeps } from './deps.js';

const tags = ['Administration'];

export function adminUserRoutes(deps: AccountsDeps) {
  return async function routes(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsStaff);
    // The reason is optional: a POST without a body is accepted as an empty one.
    app.addHook('preValidation', async (request) => {
      if (request.body === undefined || request.body === null) request.body = {};
    });

    app.get(
      '/',
      {
        prefixTrailingSlash: 'slash',
        schema: {
          tags,
          summary: 'Lister et rechercher les utilisateurs',
          security: tokenAuth,
          querystring: AdminUserQuery,
          response: { 200: Paginated(AdminUser), ...errors(401, 403) },
        },
      },
      async (request) => pageResponse(request, await listUsers(deps, pageRequest(request.query), request.query), deps.config.publicBaseUrl),
    );

    for (const [path, active] of [
      ['deactivate', false],
      ['activate', true],
    ] as const) {
      app.post(
        `/:id/${path}/`,
        {
          schema: {
            tags,
            summary: active ? 'Réactiver un compte' : 'Désactiver un compte (ses sessions sont fermées)',
            security: tokenAuth,
            params: IdParams,
            body: DeactivateBody,
            response: { 200: AdminUser, ...errors(400, 401, 403, 404) },
          },
        },
        async (request) =>
          setUserActive(deps, currentUser(request), request.params.id, active, request.body.motif ?? '', requestMeta(request)),
      );
    }
  };
}
