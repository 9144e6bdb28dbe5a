/** `POST /api/events/{id}/messages/`: an organizer writes to the participants of their event (messages.ts). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { sendOrganizerMessage } from './messages.js';
import type { NotificationsDeps } from './deps.js';

export function messageRoutes(deps: NotificationsDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/:id/messages/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags: ['Événements'],
          summary: 'Écrire aux participants et détenteurs de billets (organisateur)',
          description:
            'Réservé aux forfaits qui le comprennent (`messages_participants`, sinon 403 `plan_limit`). ' +
            'Limité par événement (ORGANIZER_MESSAGES_MAX par ORGANIZER_MESSAGES_WINDOW_SECONDS) ; chacun le reçoit selon ses préférences.',
          security: tokenAuth,
          params: IdParams,
          body: Type.Object({
            titre: Type.String({ minLength: 1, maxLength: 120 }),
            message: Type.String({ minLength: 1, maxLength: 2000 }),
          }),
          response: { 202: Type.Object({ destinataires: Type.Integer() }), ...errors(400, 401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        reply.code(202);
        return sendOrganizerMessage(deps, currentUser(request), request.params.id, request.body);
      },
    );
  };
}
