/** /api/subscriptions/: plans (public), subscribe, my subscription and usage, my subscriptions, cancel. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { mapPage, Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { PaymentSchema, paymentView } from '../payments/schemas.js';
import { cancelSubscription, listActivePlans, listMySubscriptions, mySubscriptionStatus, subscribe } from './service.js';
import { Fonctionnalites, PlanSchema, SubscribeBody, SubscriptionSchema, fonctionnalites, planView, subscriptionView } from './schemas.js';
import type { SubscriptionsDeps } from './deps.js';
import { getPlan } from './plans.js';
import { sendPage } from '../../core/public-http.js';

export function subscriptionRoutes(deps: SubscriptionsDeps) {
  return async function routes(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/plans/',
      {
        schema: {
          tags: ['abonnements'],
          summary: 'Forfaits proposés (prix en XOF, durée, fonctionnalités)',
          response: { 200: Type.Array(PlanSchema) },
        },
      },
      // The same answer for everyone: served from the public-read cache, renewed by every staff change of a plan.
      async (request, reply) => {
        const load = async () => reply.serialize((await listActivePlans(deps)).map(planView)) as string;
        return sendPage(request, reply, (await deps.publicCache.get('subscription-plans', load)).page);
      },
    );

    app.post(
      '/subscribe/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags: ['abonnements'],
          summary: "S'abonner à un forfait (mobile money)",
          description:
            "Crée l'abonnement EN_ATTENTE et lance son paiement (type ABONNEMENT). En-tête optionnel `Idempotency-Key`. " +
            'Même forfait : renouvellement à la fin de la période en cours ; forfait plus cher : surclassement immédiat, ' +
            'seule la différence pour les jours restants est payée ; moins cher : il prend effet à la fin de la période.',
          security: tokenAuth,
          headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }),
          body: SubscribeBody,
          response: {
            201: Type.Object({ subscription: SubscriptionSchema, payment: PaymentSchema }),
            200: Type.Object({ subscription: SubscriptionSchema, payment: PaymentSchema }),
            ...errors(400, 401, 404, 409, 502, 503),
          },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const out = await subscribe(
          deps,
          currentUser(request).id,
          { planId: b.plan_id, fournisseur: b.fournisseur, telephone: b.telephone },
          request.headers['idempotency-key'],
        );
        const plan = await getPlan(deps, out.subscription.planId);
        return reply
          .code(out.replay ? 200 : 201)
          .send({ subscription: subscriptionView({ sub: out.subscription, plan }), payment: paymentView(out.payment) });
      },
    );

    app.get(
      '/me/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags: ['abonnements'],
          summary: 'Mon forfait, ses fonctionnalités et mon usage',
          security: tokenAuth,
          response: {
            200: Type.Object({
              subscription: Type.Union([SubscriptionSchema, Type.Null()]),
              plan: PlanSchema,
              fonctionnalites: Fonctionnalites,
              usage: Type.Object({ evenements_actifs: Type.Integer(), max_evenements_actifs: Type.Union([Type.Integer(), Type.Null()]) }),
              en_grace: Type.Boolean(),
              a_venir: Type.Union([SubscriptionSchema, Type.Null()], { description: 'Renouvellement ou changement déjà payé, à venir' }),
            }),
            ...errors(401),
          },
        },
      },
      async (request) => {
        const s = await mySubscriptionStatus(deps, currentUser(request).id);
        return {
          subscription: s.subscription ? subscriptionView(s.subscription) : null,
          plan: planView(s.plan),
          fonctionnalites: fonctionnalites(s.plan),
          usage: s.usage,
          en_grace: s.en_grace,
          a_venir: s.a_venir ? subscriptionView(s.a_venir) : null,
        };
      },
    );

    app.get(
      '/',
      {
        prefixTrailingSlash: 'slash',
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags: ['abonnements'],
          summary: 'Mes abonnements',
          security: tokenAuth,
          querystring: Type.Object({ ...PaginationQuery }),
          response: { 200: Paginated(SubscriptionSchema), ...errors(401, 404) },
        },
      },
      async (request) =>
        pageResponse(
          request,
          mapPage(await listMySubscriptions(deps, currentUser(request).id, pageRequest(request.query)), subscriptionView),
          deps.publicBaseUrl,
        ),
    );

    app.post(
      '/:id/cancel/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags: ['abonnements'],
          summary: 'Annuler un abonnement',
          description:
            "Plus de rappel de renouvellement ; reste ACTIF jusqu'à `date_fin` (sans délai de grâce). Un abonnement en attente est annulé tout de suite.",
          security: tokenAuth,
          params: IdParams,
          response: { 200: Type.Object({ subscription: SubscriptionSchema }), ...errors(400, 401, 404) },
        },
      },
      async (request) => {
        const sub = await cancelSubscription(deps, currentUser(request).id, request.params.id);
        return { subscription: subscriptionView({ sub, plan: await getPlan(deps, sub.planId) }) };
      },
    );
  };
}
