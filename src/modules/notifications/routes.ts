/** `/api/notifications/…`: the inbox, preferences and push tokens (API.md "Notifications"); the live stream is stream-routes.ts. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import {
  deleteNotification,
  deletePushToken,
  getNotification,
  listInbox,
  listPushTokens,
  markAllRead,
  markRead,
  registerPushToken,
  unreadCount,
} from './inbox.js';
import { listPreferences, savePreferences } from './preferences.js';
import type { NotificationsDeps } from './deps.js';

const tags = ['notifications'];

const Notification = Type.Object({
  id: Type.Integer(),
  type_notification: Type.String(),
  titre: Type.String(),
  message: Type.String(),
  lue: Type.Boolean(),
  date_creation: Type.String({ format: 'date-time' }),
  donnees: Type.Record(Type.String(), Type.Unknown(), { description: 'Identifiants utiles aux applications (event_id, payment_id…)' }),
});
const Preference = Type.Object({
  type_notification: Type.String(),
  canal: Type.String({ description: 'EMAIL, PUSH ou SMS' }),
  actif: Type.Boolean(),
});
const PushToken = Type.Object({
  id: Type.Integer(),
  token: Type.String(),
  plateforme: Type.String(),
  actif: Type.Boolean(),
  notifications_envoyees: Type.Integer(),
  date_creation: Type.String({ format: 'date-time' }),
});

export function notificationRoutes(deps: NotificationsDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsAuthenticated);

    app.get(
      '/',
      {
        prefixTrailingSlash: 'slash',
        schema: {
          tags,
          summary: 'Mes notifications, les plus récentes d’abord',
          security: tokenAuth,
          querystring: Type.Object({ ...PaginationQuery, lue: Type.Optional(Type.Boolean()) }),
          response: { 200: Paginated(Notification), ...errors(400, 401, 404) },
        },
      },
      async (request) =>
        pageResponse(
          request,
          await listInbox(deps.db, currentUser(request).id, pageRequest(request.query), request.query.lue),
          deps.config.publicBaseUrl,
        ),
    );

    app.get(
      '/unread-count/',
      {
        schema: {
          tags,
          summary: 'Nombre de notifications non lues',
          security: tokenAuth,
          response: { 200: Type.Object({ count: Type.Integer() }), ...errors(401) },
        },
      },
      async (request) => ({ count: await unreadCount(deps.db, currentUser(request).id) }),
    );

    app.post(
      '/read-all/',
      {
        schema: {
          tags,
          summary: 'Tout marquer comme lu',
          security: tokenAuth,
          response: { 200: Type.Object({ updated: Type.Integer() }), ...errors(401) },
        },
      },
      async (request) => ({ updated: await markAllRead(deps.db, currentUser(request).id) }),
    );

    app.get(
      '/preferences/',
      {
        schema: {
          tags,
          summary: 'Mes préférences : chaque type × canal (valeurs par défaut comprises)',
          security: tokenAuth,
          response: { 200: Type.Array(Preference), ...errors(401) },
        },
      },
      async (request) => listPreferences(deps.db, currentUser(request).id),
    );

    app.put(
      '/preferences/',
      {
        schema: {
          tags,
          summary: 'Changer des préférences (celles données) ; répond la liste complète',
          security: tokenAuth,
          body: Type.Array(
            Type.Object({
              type_notification: Type.String({ maxLength: 40 }),
              canal: Type.String({ maxLength: 10 }),
              actif: Type.Boolean(),
            }),
            { maxItems: 500 },
          ),
          response: { 200: Type.Array(Preference), ...errors(400, 401) },
        },
      },
      async (request) => savePreferences(deps.db, currentUser(request).id, request.body),
    );

    app.get(
      '/push-tokens/',
      {
        schema: {
          tags,
          summary: 'Mes appareils enregistrés',
          security: tokenAuth,
          response: { 200: Type.Array(PushToken), ...errors(401) },
        },
      },
      async (request) => listPushTokens(deps.db, currentUser(request).id),
    );

    app.post(
      '/push-tokens/',
      {
        schema: {
          tags,
          summary: 'Enregistrer le jeton push de cet appareil (ANDROID, IOS, WEB)',
          description: 'Le jeton cesse de recevoir quand cet appareil se déconnecte (son jeton d’API est révoqué).',
          security: tokenAuth,
          body: Type.Object({ token: Type.Unknown(), plateforme: Type.Unknown() }),
          response: { 200: PushToken, 201: PushToken, ...errors(400, 401) },
        },
      },
      async (request, reply) => {
        const r = await registerPushToken(deps.db, currentUser(request).id, request.authTokenId, request.body);
        reply.code(r.created ? 201 : 200);
        return r.token;
      },
    );

    app.delete(
      '/push-tokens/:id/',
      {
        schema: {
          tags,
          summary: 'Retirer un appareil',
          security: tokenAuth,
          params: IdParams,
          response: { 204: Type.Null(), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        await deletePushToken(deps.db, currentUser(request).id, request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/:id/read/',
      {
        schema: {
          tags,
          summary: 'Marquer comme lue',
          security: tokenAuth,
          params: IdParams,
          response: { 200: Notification, ...errors(401, 404) },
        },
      },
      async (request) => markRead(deps.db, currentUser(request).id, request.params.id),
    );

    app.get(
      '/:id/',
      {
        schema: {
          tags,
          summary: 'Une notification',
          security: tokenAuth,
          params: IdParams,
          response: { 200: Notification, ...errors(401, 404) },
        },
      },
      async (request) => getNotification(deps.db, currentUser(request).id, request.params.id),
    );

    app.delete(
      '/:id/',
      {
        schema: {
          tags,
          summary: 'Supprimer une notification',
          security: tokenAuth,
          params: IdParams,
          response: { 204: Type.Null(), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        await deleteNotification(deps.db, currentUser(request).id, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
