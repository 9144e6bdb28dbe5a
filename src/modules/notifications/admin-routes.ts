/**
 * Staff: `/api/admin/notification-templates/` (list, GET/PATCH …/{id}/) and `/api/admin/notification-deliveries/`
 * (what was sent, what failed and why, which deliveries fell back to the seeded template).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { requestMeta } from '../../core/audit.js';
import { errors, IdParams, staffAuth } from '../../core/schemas.js';
import { PaginationQuery, pageRequest, pageResponse, paginate, Paginated } from '../../core/pagination.js';
import { countDeliveries, getTemplate, listDeliveries, listTemplates, previewTemplate, updateTemplate } from './templates-admin.js';
import { CANAUX, DELIVERY_STATUTS } from './tables.js';
import type { NotificationsDeps } from './deps.js';

const tags = ['administration'];

const Template = Type.Object({
  id: Type.Integer(),
  type_notification: Type.String(),
  actif: Type.Boolean({ description: 'Désactivé : le texte par défaut (livré avec SpotVibe) est envoyé' }),
  titre_push: Type.String(),
  contenu_push: Type.String(),
  sujet_email: Type.String(),
  contenu_email: Type.String(),
  contenu_sms: Type.String(),
  categorie: Type.String(),
  critique: Type.Boolean(),
  transactionnel: Type.Boolean(),
  canaux_par_defaut: Type.Array(Type.String()),
  variables: Type.Array(Type.String()),
  description: Type.String(),
  echecs_modele_7j: Type.Integer({ description: 'Envois des 7 derniers jours repassés au texte par défaut (modèle vide ou en erreur)' }),
  date_modification: Type.String({ format: 'date-time' }),
});
const Patch = Type.Partial(
  Type.Object({
    actif: Type.Boolean(),
    titre_push: Type.String({ maxLength: 200 }),
    contenu_push: Type.String({ maxLength: 2000 }),
    sujet_email: Type.String({ maxLength: 300 }),
    contenu_email: Type.String({ maxLength: 20_000 }),
    contenu_sms: Type.String({ maxLength: 1000 }),
  }),
);
const TextsBody = Type.Omit(Patch, ['actif']);
const FieldErrors = Type.Record(Type.String(), Type.Array(Type.String()));
const Preview = Type.Object({
  type_notification: Type.String(),
  variables: Type.Record(Type.String(), Type.String(), { description: 'Les valeurs d’exemple utilisées' }),
  email: Type.Union([Type.Object({ sujet: Type.String(), texte: Type.String(), html: Type.String() }), Type.Null()]),
  push: Type.Union([Type.Object({ titre: Type.String(), corps: Type.String() }), Type.Null()]),
  sms: Type.Union([
    Type.Object({
      texte: Type.String({ description: 'Tel qu’envoyé (caractères remplacés par leurs équivalents GSM-7)' }),
      segments: Type.Integer(),
      encodage: Type.Union([Type.Literal('GSM-7'), Type.Literal('UCS-2')]),
      caracteres: Type.Integer({ description: 'Septets (GSM-7) ou unités UTF-16 (UCS-2)' }),
    }),
    Type.Null(),
  ]),
  secours: Type.Record(Type.String(), Type.String(), { description: 'Par canal : pourquoi le texte par défaut serait envoyé' }),
  erreurs: FieldErrors,
});
const Delivery = Type.Object({
  id: Type.Integer(),
  notification_id: Type.Integer(),
  utilisateur_id: Type.Integer(),
  type_notification: Type.String(),
  canal: Type.String(),
  statut: Type.String(),
  tentatives: Type.Integer(),
  derniere_erreur: Type.Union([Type.String(), Type.Null()]),
  modele_de_secours: Type.Boolean(),
  erreur_modele: Type.Union([Type.String(), Type.Null()]),
  id_message_fournisseur: Type.Union([Type.String(), Type.Null()]),
  segments_sms: Type.Union([Type.Integer(), Type.Null()]),
  envoyer_apres: Type.String({ format: 'date-time' }),
  date_creation: Type.String({ format: 'date-time' }),
  date_envoi: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export function notificationAdminRoutes(deps: NotificationsDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsStaff);

    app.get(
      '/notification-templates/',
      {
        schema: {
          tags,
          summary: 'Modèles de notification (un par type)',
          security: staffAuth,
          response: { 200: Type.Array(Template), ...errors(401, 403) },
        },
      },
      async () => listTemplates(deps.db),
    );
    app.get(
      '/notification-templates/:id/',
      {
        schema: {
          tags,
          summary: 'Un modèle de notification',
          security: staffAuth,
          params: IdParams,
          response: { 200: Template, ...errors(401, 403, 404) },
        },
      },
      async (request) => getTemplate(deps.db, request.params.id),
    );
    app.patch(
      '/notification-templates/:id/',
      {
        schema: {
          tags,
          summary: 'Modifier un modèle',
          description:
            'Variables `{{ event.titre }}` (celles du type, échappées dans l’e-mail HTML) et `{{ si motif }}…{{ sinon }}…{{ fin }}`. Un modèle invalide est refusé (400) avec la ligne de l’erreur.',
          security: staffAuth,
          params: IdParams,
          body: Patch,
          response: { 200: Template, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => updateTemplate(deps.db, currentUser(request).id, request.params.id, request.body, requestMeta(request)),
    );
    app.post(
      '/notification-templates/:type/preview/',
      {
        schema: {
          tags,
          summary: 'Aperçu d’un modèle sur chaque canal',
          description:
            'Rendu avec les valeurs d’exemple du type : le modèle enregistré, avec les champs envoyés (modifications non enregistrées) par-dessus. ' +
            'Rien n’est enregistré. Un champ qui serait refusé à l’enregistrement est dans `erreurs` avec sa ligne, et son canal vaut `null` ; ' +
            'un champ rendu vide montre le texte par défaut qui serait envoyé (`secours`).',
          security: staffAuth,
          params: Type.Object({ type: Type.String({ pattern: '^[A-Z][A-Z0-9_]{0,59}$' }) }),
          body: TextsBody,
          response: { 200: Preview, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => previewTemplate(deps.db, request.params.type, request.body ?? {}),
    );
    app.get(
      '/notification-deliveries/',
      {
        schema: {
          tags,
          summary: 'Envois de notifications (échecs et textes de secours compris), les plus récents d’abord',
          security: staffAuth,
          querystring: Type.Object({
            ...PaginationQuery,
            statut: Type.Optional(Type.Union(DELIVERY_STATUTS.map((s) => Type.Literal(s)))),
            canal: Type.Optional(Type.Union(CANAUX.map((s) => Type.Literal(s)))),
            modele_de_secours: Type.Optional(Type.Boolean()),
          }),
          response: { 200: Paginated(Delivery), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const q = request.query;
        const filters = {
          ...(q.statut ? { statut: q.statut } : {}),
          ...(q.canal ? { canal: q.canal } : {}),
          ...(q.modele_de_secours !== undefined ? { modele_de_secours: q.modele_de_secours } : {}),
        };
        const slice = await paginate(
          pageRequest(q),
          () => countDeliveries(deps.db, filters),
          (limit, offset) => listDeliveries(deps.db, filters, limit, offset),
        );
        return pageResponse(request, slice, deps.config.publicBaseUrl);
      },
    );
  };
}
