/** Staff: plans (/api/admin/subscription-plans/) and subscriptions (/api/admin/subscriptions/). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { requestMeta } from '../../core/audit.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { mapPage, Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { SUBSCRIPTION_STATUTS } from './tables.js';
import { PlanSchema, SubscriptionSchema, planView, subscriptionView } from './schemas.js';
import {
  createPlan,
  extendSubscription,
  getPlan,
  getSubscriptionForStaff,
  grantSubscription,
  listAllPlans,
  listSubscriptionsForStaff,
  removePlan,
  subscriptionRevenue,
  updatePlan,
  type PlanInput,
} from './plans.js';
import type { SubscriptionsDeps } from './deps.js';

const nullableInt = (min: number) => Type.Union([Type.Integer({ minimum: min }), Type.Null()]);

const PlanFields = {
  nom: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.String({ maxLength: 2000 }),
  prix: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
  duree_jours: Type.Integer({ minimum: 1, maximum: 3660 }),
  actif: Type.Boolean(),
  max_evenements_actifs: nullableInt(0),
  evenements_payants: Type.Boolean(),
  max_types_billet_par_evenement: nullableInt(1),
  max_membres_equipe: nullableInt(0),
  commission_pourcentage: Type.Number({ minimum: 0, maximum: 100, multipleOf: 0.01 }),
  mise_en_avant: Type.Boolean(),
  statistiques_avancees: Type.Boolean(),
  messages_participants: Type.Boolean(),
  ordre: Type.Integer({ minimum: 0, maximum: 1000 }),
};
const PlanPatch = Type.Partial(Type.Object(PlanFields));
const PlanCreate = Type.Intersect([
  Type.Object({
    code: Type.String({ pattern: '^[a-z0-9-]{2,40}$' }),
    nom: PlanFields.nom,
    prix: PlanFields.prix,
    duree_jours: PlanFields.duree_jours,
  }),
  Type.Partial(Type.Object(PlanFields)),
]);

function toColumns(b: Partial<Record<keyof typeof PlanFields, unknown>> & { code?: string }): PlanInput {
  const out: PlanInput = {};
  const map: Record<string, keyof PlanInput> = {
    code: 'code',
    nom: 'nom',
    description: 'description',
    prix: 'prix',
    duree_jours: 'dureeJours',
    actif: 'actif',
    max_evenements_actifs: 'maxEvenementsActifs',
    evenements_payants: 'evenementsPayants',
    max_types_billet_par_evenement: 'maxTypesBilletParEvenement',
    max_membres_equipe: 'maxMembresEquipe',
    commission_pourcentage: 'commissionPourcentage',
    mise_en_avant: 'miseEnAvant',
    statistiques_avancees: 'statistiquesAvancees',
    messages_participants: 'messagesParticipants',
    ordre: 'ordre',
  };
  for (const [k, v] of Object.entries(b)) if (v !== undefined && map[k]) (out as Record<string, unknown>)[map[k]] = v;
  return out;
}

/** payments/money.ts's figures (XOF): a payment whose refund is done or under way is not cashed. */
const RevenueFigures = {
  brut: Type.Integer({ description: 'Paiements réussis, remboursés depuis compris' }),
  rembourse: Type.Integer({ description: 'Remboursements effectués' }),
  rembourse_en_cours: Type.Integer({ description: 'Remboursements pas encore effectués' }),
  net: Type.Integer(),
};

export function adminSubscriptionRoutes(deps: SubscriptionsDeps) {
  return async function routes(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsStaff);
    const tags = ['administration'];

    app.get(
      '/subscription-plans/',
      {
        schema: {
          tags,
          summary: 'Forfaits (tous, inactifs compris)',
          security: tokenAuth,
          response: { 200: Type.Array(PlanSchema), ...errors(401, 403) },
        },
      },
      async () => (await listAllPlans(deps)).map(planView),
    );
    app.post(
      '/subscription-plans/',
      {
        schema: {
          tags,
          summary: 'Créer un forfait',
          security: tokenAuth,
          body: PlanCreate,
          response: { 201: PlanSchema, ...errors(400, 401, 403, 409) },
        },
      },
      async (request, reply) => {
        const cols = toColumns(request.body) as Parameters<typeof createPlan>[2];
        const plan = await createPlan(deps, currentUser(request).id, cols, requestMeta(request));
        return reply.code(201).send(planView(plan));
      },
    );
    app.get(
      '/subscription-plans/:id/',
      {
        schema: {
          tags,
          summary: 'Un forfait',
          security: tokenAuth,
          params: IdParams,
          response: { 200: PlanSchema, ...errors(401, 403, 404) },
        },
      },
      async (request) => planView(await getPlan(deps, request.params.id)),
    );
    app.patch(
      '/subscription-plans/:id/',
      {
        schema: {
          tags,
          summary: 'Modifier un forfait',
          description: 'Les abonnés en cours gardent leur période payée ; les nouvelles conditions valent au renouvellement.',
          security: tokenAuth,
          params: IdParams,
          body: PlanPatch,
          response: { 200: PlanSchema, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        planView(await updatePlan(deps, currentUser(request).id, request.params.id, toColumns(request.body), requestMeta(request))),
    );
    app.delete(
      '/subscription-plans/:id/',
      {
        schema: {
          tags,
          summary: 'Retirer un forfait',
          description:
            'Un forfait qui a eu des abonnés est désactivé (200, jamais supprimé) ; un forfait jamais souscrit est supprimé (204).',
          security: tokenAuth,
          params: IdParams,
          response: { 200: PlanSchema, 204: Type.Null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const kept = await removePlan(deps, currentUser(request).id, request.params.id, requestMeta(request));
        return kept ? planView(kept) : reply.code(204).send(null);
      },
    );
    app.get(
      '/subscriptions/',
      {
        schema: {
          tags,
          summary: 'Abonnements (filtres statut, plan, organisateur)',
          security: tokenAuth,
          querystring: Type.Object({
            ...PaginationQuery,
            statut: Type.Optional(Type.Enum(SUBSCRIPTION_STATUTS)),
            plan: Type.Optional(Type.Integer({ minimum: 1 })),
            organisateur: Type.Optional(Type.Integer({ minimum: 1 })),
          }),
          response: {
            200: Paginated(Type.Intersect([SubscriptionSchema, Type.Object({ organisateur_id: Type.Integer() })])),
            ...errors(401, 403, 404),
          },
        },
      },
      async (request) =>
        pageResponse(
          request,
          mapPage(await listSubscriptionsForStaff(deps, request.query, pageRequest(request.query)), (r) => ({
            ...subscriptionView(r),
            organisateur_id: r.sub.organisateurId,
          })),
          deps.publicBaseUrl,
        ),
    );

    app.get(
      '/subscriptions/:id/',
      {
        schema: {
          tags,
          summary: 'Un abonnement (organisateur, motif d’un octroi ou d’une prolongation)',
          security: tokenAuth,
          params: IdParams,
          response: {
            200: Type.Intersect([
              SubscriptionSchema,
              Type.Object({
                organisateur_id: Type.Integer(),
                organisateur: Type.Object({ id: Type.Integer(), username: Type.String() }),
                motif: Type.String({ description: 'Motif du dernier octroi ou de la dernière prolongation (vide sinon)' }),
              }),
            ]),
            ...errors(401, 403, 404),
          },
        },
      },
      async (request) => {
        const r = await getSubscriptionForStaff(deps, request.params.id);
        return {
          ...subscriptionView(r),
          organisateur_id: r.sub.organisateurId,
          organisateur: { id: r.sub.organisateurId, username: r.username },
          motif: r.sub.motif,
        };
      },
    );

    const Motif = Type.String({ minLength: 3, maxLength: 300 });
    app.post(
      '/subscriptions/grant/',
      {
        schema: {
          tags,
          summary: 'Octroyer un abonnement (avec motif, journalisé)',
          security: tokenAuth,
          body: Type.Object({
            organisateur_id: Type.Integer({ minimum: 1 }),
            plan_id: Type.Integer({ minimum: 1 }),
            jours: Type.Integer({ minimum: 1, maximum: 3660 }),
            motif: Motif,
          }),
          response: { 201: Type.Object({ subscription: SubscriptionSchema }), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const out = await grantSubscription(
          deps,
          currentUser(request).id,
          { organisateurId: b.organisateur_id, planId: b.plan_id, jours: b.jours, motif: b.motif },
          requestMeta(request),
        );
        return reply.code(201).send({ subscription: subscriptionView(out) });
      },
    );
    app.post(
      '/subscriptions/:id/extend/',
      {
        schema: {
          tags,
          summary: 'Prolonger un abonnement actif (avec motif, journalisé)',
          security: tokenAuth,
          params: IdParams,
          body: Type.Object({ jours: Type.Integer({ minimum: 1, maximum: 3660 }), motif: Motif }),
          response: { 200: Type.Object({ subscription: SubscriptionSchema }), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({
        subscription: subscriptionView(
          await extendSubscription(
            deps,
            currentUser(request).id,
            request.params.id,
            request.body.jours,
            request.body.motif,
            requestMeta(request),
          ),
        ),
      }),
    );
    app.get(
      '/subscriptions/revenue/',
      {
        schema: {
          tags,
          summary: 'Revenus des abonnements, à part des billets (XOF)',
          security: tokenAuth,
          response: {
            200: Type.Object({
              abonnements: Type.Object({
                total: Type.Integer({ description: 'Net : brut − rembourse − rembourse_en_cours' }),
                ...RevenueFigures,
                par_forfait: Type.Array(
                  Type.Object({
                    plan: Type.String(),
                    nombre: Type.Integer(),
                    montant: Type.Integer(),
                    rembourse: Type.Integer(),
                    rembourse_en_cours: Type.Integer(),
                  }),
                ),
              }),
              billets: Type.Object({
                total: Type.Integer({ description: 'Net : brut − rembourse − rembourse_en_cours' }),
                ...RevenueFigures,
              }),
            }),
            ...errors(401, 403),
          },
        },
      },
      async () => subscriptionRevenue(deps),
    );
  };
}
