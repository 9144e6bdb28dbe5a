/** /api/payments/: buy tickets, follow my payments. Webhooks live in webhooks.ts. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { and, desc, eq, sql } from 'drizzle-orm';
import { currentUser, permissions } from '../../core/auth.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { paginate, Paginated, PaginationQuery } from '../../core/pagination.js';
import { NotFoundError } from '../../core/errors.js';
import { PAYMENT_STATUTS, payments } from './tables.js';
import { initiatePayment } from './service.js';
import { InitiateBody, PaymentSchema, paymentView } from './schemas.js';
import { paymentGateways } from './wiring.js';

export async function paymentRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', permissions.IsAuthenticated);

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
        { db: app.deps.database.db, jobs: app.deps.jobs, gateways: paymentGateways(app) },
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
      return reply.code(replay ? 200 : 201).send({ payment: paymentView(payment) });
    },
  );

  app.get(
    '/',
    {
      schema: {
        tags: ['paiements'],
        summary: 'Mes paiements',
        security: tokenAuth,
        querystring: Type.Object({ ...PaginationQuery, statut: Type.Optional(Type.Enum(PAYMENT_STATUTS)) }),
        response: { 200: Paginated(PaymentSchema), ...errors(401, 404) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const { statut } = request.query;
      const where = statut ? and(eq(payments.utilisateurId, user.id), eq(payments.statut, statut)) : eq(payments.utilisateurId, user.id);
      const { db } = app.deps.database;
      return paginate({
        request,
        count: async () =>
          (
            await db
              .select({ n: sql<number>`count(*)::int` })
              .from(payments)
              .where(where)
          )[0]!.n,
        fetch: async (limit, offset) =>
          (
            await db
              .select()
              .from(payments)
              .where(where)
              .orderBy(desc(payments.dateCreation), desc(payments.id))
              .limit(limit)
              .offset(offset)
          ).map(paymentView),
      });
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
    async (request) => {
      const user = currentUser(request);
      const { id } = request.params;
      const [p] = await app.deps.database.db
        .select()
        .from(payments)
        .where(and(eq(payments.id, id), eq(payments.utilisateurId, user.id)));
      // Someone else's payment: 404, not 403 (its existence is not the caller's business).
      if (!p) throw new NotFoundError('Paiement introuvable.');
      return paymentView(p);
    },
  );
}
