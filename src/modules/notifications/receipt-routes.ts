/**
 * `POST /api/notifications/sms/orange/receipts/`: Orange's SMS delivery receipts (receipts.ts). No token: the
 * signed callbackData is the authentication; 204 once taken into account (Orange retries what is not 2xx).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors } from '../../core/schemas.js';
import { applyReceipt, receiptSettings, RECEIPT_PATH, type DeliveryReceipt } from './receipts.js';
import { developmentMessagingConfig } from './channels/development.js';
import type { NotificationsDeps } from './deps.js';

export function receiptRoutes(deps: NotificationsDeps) {
  // Development with the simulator: the receipts secret its stand-in signs with (channels/development.ts).
  const settings = () => receiptSettings(developmentMessagingConfig(deps.config) ?? deps.config);
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      RECEIPT_PATH.replace('/api/notifications', ''),
      {
        schema: {
          tags: ['notifications'],
          summary: 'Accusé de réception SMS d’Orange (deliveryInfoNotification)',
          description:
            'Appelé par Orange pour chaque SMS envoyé avec receiptRequest. `DeliveredToTerminal` → DELIVRE, ' +
            '`DeliveryImpossible` → ECHEC ; les états intermédiaires ne changent rien. Authentifié par le callbackData signé.',
          body: Type.Object({
            deliveryInfoNotification: Type.Object({
              callbackData: Type.String({ maxLength: 200 }),
              deliveryInfo: Type.Unknown(),
            }),
          }),
          response: { 204: Type.Null(), ...errors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        await applyReceipt(deps.db, settings(), request.body as DeliveryReceipt);
        return reply.code(204).send(null);
      },
    );
  };
}
