/** `/api/admin/users/…`: staff only. Emails and telephones are shown masked. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { IdParams, errors, staffAuth as tokenAuth } from '../../core/schemas.js';
import { Paginated, pageRequest, pageResponse } from '../../core/pagination.js';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AdminUser, AdminUserQuery, DataRequestBody, DeactivateBody, EraseBody, StaffFlagBody, UserProfile } from './schemas.js';
import { assertMayHandleDataRequest, getUserForStaff, listUsers, setStaffFlag, setUserActive } from './admin.js';
import { DELETE_CONFIRMATION, eraseAccount, exportUserData } from './privacy.js';
import { requestMeta } from '../../core/audit.js';
import { ValidationError } from '../../core/errors.js';
import { publicOrigin } from '../../core/origin.js';
import type { Serializer } from './profile.js';
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

    app.post(
      '/:id/staff/',
      {
        schema: {
          tags,
          summary: 'Donner ou retirer l’accès du personnel (super-utilisateurs seulement)',
          description: 'Retirer l’accès ferme aussitôt les sessions ouvertes de la personne dans SpotVibe Administration.',
          security: tokenAuth,
          params: IdParams,
          body: StaffFlagBody,
          response: { 200: AdminUser, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => setStaffFlag(deps, currentUser(request), request.params.id, request.body.is_staff, requestMeta(request)),
    );

    const ser = (request: FastifyRequest): Serializer => ({ media: deps.media, origin: publicOrigin(request, deps.config.publicBaseUrl) });
    app.post(
      '/:id/export/',
      {
        schema: {
          tags,
          summary: 'Traiter une demande d’accès aux données : tout ce que SpotVibe détient sur la personne (JSON)',
          description: 'La même exportation que GET /api/users/me/export/, inscrite au journal du personnel avec le motif.',
          security: tokenAuth,
          params: IdParams,
          body: DataRequestBody,
          response: {
            200: Type.Object({ exporte_le: Type.String(), profil: UserProfile }, { additionalProperties: true }),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        await assertMayHandleDataRequest(deps, currentUser(request), request.params.id);
        const data = await exportUserData(deps, request.params.id, ser(request), requestMeta(request), {
          staffId: currentUser(request).id,
          motif: request.body.motif,
        });
        void reply.header('content-disposition', `attachment; filename="spotvibe-donnees-${request.params.id}.json"`);
        return data;
      },
    );

    app.post(
      '/:id/erase/',
      {
        schema: {
          tags,
          summary: 'Traiter une demande d’effacement : le compte est anonymisé, ses paiements gardés sans lien avec la personne',
          security: tokenAuth,
          params: IdParams,
          body: EraseBody,
          response: { 200: AdminUser, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        if (request.body.confirmation !== DELETE_CONFIRMATION) {
          throw ValidationError.field('confirmation', `Saisissez « ${DELETE_CONFIRMATION} » pour confirmer l’effacement.`);
        }
        const staff = currentUser(request);
        await assertMayHandleDataRequest(deps, staff, request.params.id);
        await eraseAccount(deps, request.params.id, { actorId: staff.id, meta: requestMeta(request), motif: request.body.motif });
        return getUserForStaff(deps, request.params.id);
      },
    );
  };
}
