/** /api/payments/: buy tickets, follow my payments. Webhooks live in webhooks.ts. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { mapPage, Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { PAYMENT_STATUTS } from './tables.js';
import { initiatePayment } from './service.js';
import { getMyPayment, listMyPayments } from './reads.js';
import { InitiateBody, PaymentSchema, paymentView } from './schemas.js';
import type { PaymentDeps } from './deps.js';
import { publicOrigin } from '../../core/origin.js';

export function paymentRoutes(deps: PaymentDeps) {
  return async function routes(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsAuthenticated);

    app.post(
      '/initiate/',
      {
        schema: {
          tags: ['paiements'],
          summary: 'Acheter des billets (mobile money)',
          description:
            "Réserve les places jusqu'à `expire_le` (15 minutes) et lance le paiement. En-tête optionnel `Idempotency-Key` : " +
            'la même clé renvoie le même paiement, jamais un second débit.',
          security: tokenAuth,
          headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }),
          body: InitiateBody,
          response: {
            201: Type.Object({ payment: PaymentSchema }),
            200: Type.Object({ payment: PaymentSchema }),
            ...errors(400, 401, 404, 409, 502, 503),
          },
        },
      },
      async (request, reply) => {
        const user = currentUser(request);
        const body = request.body;
        const key = request.headers['idempotency-key'];
        const { payment, replay } = await initiatePayment(
          deps,
          user.id,
          {
            eventId: body.event_id,
            typeBilletId: body.type_billet_id,
            quantite: body.quantite,
            fournisseur: body.fournisseur,
            telephone: body.telephone,
          },
          key,
        );
        return reply.code(replay ? 200 : 201).send({ payment: paymentView(payment, publicOrigin(request, deps.publicBaseUrl)) });
      },
    );

    app.get(
      '/',
      {
        prefixTrailingSlash: 'slash',
        schema: {
          tags: ['paiements'],
          summary: 'Mes paiements',
          security: tokenAuth,
          querystring: Type.Object({ ...PaginationQuery, statut: Type.Optional(Type.Enum(PAYMENT_STATUTS)) }),
          response: { 200: Paginated(PaymentSchema), ...errors(401, 404) },
        },
      },
      async (request) => {
        const origin = publicOrigin(request, deps.publicBaseUrl);
        const page = await listMyPayments(deps, currentUser(request).id, request.query.statut, pageRequest(request.query));
        return pageResponse(
          request,
          mapPage(page, (p) => paymentView(p, origin)),
          deps.publicBaseUrl,
        );
      },
    );

    app.get(
      '/:id/',
      {
        schema: {
          tags: ['paiements'],
          summary: 'Un de mes paiements',
          security: tokenAuth,
          params: IdParams,
          response: { 200: PaymentSchema, ...errors(401, 404) },
        },
      },
      async (request) =>
        paymentView(await getMyPayment(deps, currentUser(request).id, request.params.id), publicOrigin(request, deps.publicBaseUrl)),
    );
  };
}
