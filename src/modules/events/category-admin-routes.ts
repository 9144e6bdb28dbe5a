/** `/api/admin/categories/…` (staff): the event categories, created, edited, deactivated or deleted. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { requestMeta } from '../../core/audit.js';
import { Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { errors, IdParams, staffAuth } from '../../core/schemas.js';
import { createCategory, deleteCategory, getCategoryForStaff, listCategoriesForStaff, updateCategory } from './categories-admin.js';
import type { EventsDeps } from './deps.js';

const tags = ['administration'];

const AdminCategory = Type.Object({
  id: Type.Integer(),
  nom: Type.String(),
  slug: Type.String(),
  description: Type.String(),
  icone: Type.String(),
  couleur: Type.String(),
  actif: Type.Boolean(),
  ordre: Type.Integer(),
  nombre_evenements: Type.Integer({ description: 'Événements de cette catégorie (tous statuts)' }),
});

const fields = {
  nom: Type.String({ minLength: 1, maxLength: 100 }),
  slug: Type.String({ minLength: 1, maxLength: 100, description: 'Identifiant dans les URL ; déduit du nom si absent' }),
  description: Type.String({ maxLength: 2000 }),
  icone: Type.String({ maxLength: 50 }),
  couleur: Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'Couleur #rrggbb' }),
  actif: Type.Boolean(),
  ordre: Type.Integer({ minimum: 0, maximum: 100_000 }),
};
const CreateBody = Type.Object({
  nom: fields.nom,
  slug: Type.Optional(fields.slug),
  description: Type.Optional(fields.description),
  icone: Type.Optional(fields.icone),
  couleur: Type.Optional(fields.couleur),
  actif: Type.Optional(fields.actif),
  ordre: Type.Optional(fields.ordre),
});
const PatchBody = Type.Partial(Type.Object(fields));

export function categoryAdminRoutes(deps: EventsDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsStaff);

    app.get(
      '/',
      {
        prefixTrailingSlash: 'slash',
        schema: {
          tags,
          summary: 'Catégories (actives et désactivées), avec leur nombre d’événements',
          security: staffAuth,
          querystring: Type.Object({ ...PaginationQuery, search: Type.Optional(Type.String()), actif: Type.Optional(Type.Boolean()) }),
          response: { 200: Paginated(AdminCategory), ...errors(401, 403, 404) },
        },
      },
      async (request) =>
        pageResponse(request, await listCategoriesForStaff(deps, pageRequest(request.query), request.query), deps.config.publicBaseUrl),
    );

    app.post(
      '/',
      {
        prefixTrailingSlash: 'slash',
        schema: {
          tags,
          summary: 'Créer une catégorie',
          security: staffAuth,
          body: CreateBody,
          response: { 201: AdminCategory, ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        reply.code(201);
        return createCategory(deps, currentUser(request), request.body, requestMeta(request));
      },
    );

    app.get(
      '/:id/',
      {
        schema: {
          tags,
          summary: 'Une catégorie',
          security: staffAuth,
          params: IdParams,
          response: { 200: AdminCategory, ...errors(401, 403, 404) },
        },
      },
      async (request) => getCategoryForStaff(deps, request.params.id),
    );

    app.patch(
      '/:id/',
      {
        schema: {
          tags,
          summary: 'Modifier une catégorie (actif: false la retire des listes et du formulaire de création)',
          security: staffAuth,
          params: IdParams,
          body: PatchBody,
          response: { 200: AdminCategory, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => updateCategory(deps, currentUser(request), request.params.id, request.body, requestMeta(request)),
    );

    app.delete(
      '/:id/',
      {
        schema: {
          tags,
          summary: 'Supprimer une catégorie sans événement ; une catégorie utilisée est désactivée, jamais supprimée',
          security: staffAuth,
          params: IdParams,
          response: {
            200: Type.Object({ message: Type.String(), supprimee: Type.Boolean(), categorie: AdminCategory }),
            ...errors(401, 403, 404),
          },
        },
      },
      async (request) => {
        const r = await deleteCategory(deps, currentUser(request), request.params.id, requestMeta(request));
        const n = r.categorie.nombre_evenements;
        return {
          message: r.supprimee
            ? 'Catégorie supprimée.'
            : `Catégorie désactivée : ${n} événement${n > 1 ? 's l’utilisent' : ' l’utilise'}, elle ne peut pas être supprimée.`,
          ...r,
        };
      },
    );
  };
}
