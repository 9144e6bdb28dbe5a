/**
 * The providers' callbacks (webhooks): the body is kept raw (signatures are over bytes), handed to the
 * provider's client to authenticate, recorded, and answered at once (callbacks.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errors } from '../../core/schemas.js';
import { UnauthorizedError } from '../../core/errors.js';
import { receiveCallback, WEBHOOK_PATHS } from './callbacks.js';
import type { PaymentDeps } from './deps.js';

export function webhookRoutes(deps: PaymentDeps) {
  return async function routes(app: FastifyInstance): Promise<void> {
    // Signatures are computed over the exact bytes: keep the body raw, whatever its content type.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    const handler = async (request: FastifyRequest<{ Params: { provider: string } }>) => {
      const fournisseur = WEBHOOK_PATHS[request.params.provider];
      if (!fournisseur) throw new UnauthorizedError('Rappel refusé.', 'callback_rejected');
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const outcome = await receiveCallback(deps, fournisseur, raw, request.headers, request.ip, request.query as Record<string, string>);
      if (!outcome.authenticated) {
        request.log.warn({ fournisseur, reason: outcome.reason, paymentId: outcome.paymentId }, 'rappel de paiement refusé');
        throw new UnauthorizedError('Rappel refusé : authentification invalide.', 'callback_rejected');
      }
      return { status: 'OK' };
    };
    const schema = {
      tags: ['paiements'],
      summary: 'Rappel (webhook) d’un fournisseur de paiement',
      description:
        'Authentifié selon le fournisseur (notif_token Orange, HMAC CinetPay, signature Wave ; MTN sans signature), enregistré, puis confirmé auprès du fournisseur.',
      params: Type.Object({ provider: Type.Enum(['orange', 'mtn', 'moov', 'wave']) }),
      response: { 200: Type.Object({ status: Type.String() }), ...errors(401) },
    };
    // Per source address: a provider sends bursts during a sale, far below this; a flood of forged calls is cut off.
    const config = { rateLimit: { max: deps.webhookRateLimit.max, timeWindow: deps.webhookRateLimit.windowMs } };
    app.post('/:provider/', { schema, config }, handler);
    // CinetPay pings its notify_url with GET (documented: the URL must answer 200): nothing to record.
    app.get(
      '/:provider/',
      {
        schema: { ...schema, summary: 'Vérification de l’URL de rappel (GET, CinetPay)', response: { 200: schema.response[200] } },
        config,
      },
      async () => ({ status: 'OK' }),
    );
    // MTN sends its callback with PUT (sometimes POST).
    app.put('/:provider/', { schema: { ...schema, summary: 'Rappel MTN (PUT)' }, config }, handler);
  };
}
