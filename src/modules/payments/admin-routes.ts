/** Staff views of money: payments with filters and totals, one payment's full history, refunds to settle. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { and, asc, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { currentUser, permissions } from '../../core/auth.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { paginate, Paginated, PaginationQuery } from '../../core/pagination.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { FOURNISSEURS, PAYMENT_STATUTS, REFUND_STATUTS, momoTransactions, payments, refunds, statusHistory } from './tables.js';
import { PaymentSchema, RefundSchema, paymentView } from './schemas.js';
import { retryFailedRefund, settleManualRefund } from './refunds.js';
import { paymentGateways } from './wiring.js';

const Filters = Type.Object({
  ...PaginationQuery,
  statut: Type.Optional(Type.Enum(PAYMENT_STATUTS)),
  fournisseur: Type.Optional(Type.Enum(FOURNISSEURS)),
  evenement: Type.Optional(Type.Integer({ minimum: 1 })),
  date_debut: Type.Optional(Type.String({ format: 'date' })),
  date_fin: Type.Optional(Type.String({ format: 'date' })),
});

const Totals = Type.Object({
  par_statut: Type.Record(Type.String(), Type.Object({ nombre: Type.Integer(), montant: Type.Integer() })),
  encaisse: Type.Integer({ description: 'Somme des paiements réussis (XOF), remboursés exclus' }),
});

function refundView(r: typeof refunds.$inferSelect) {
  return {
    id: r.id,
    payment_id: r.paymentId,
    montant: r.montant,
    statut: r.statut,
    motif: r.motif,
    raison_echec: r.raisonEchec,
    date_creation: r.dateCreation.toISOString(),
    date_finalisation: r.dateFinalisation?.toISOString() ?? null,
  };
}

export async function adminPaymentRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', permissions.IsStaff);
  const db = () => app.deps.database.db;

  app.get(
    '/payments/',
    {
      schema: {
        tags: ['administration'],
        summary: 'Paiements (personnel) avec filtres et totaux',
        security: tokenAuth,
        querystring: Filters,
        response: { 200: Type.Intersect([Paginated(PaymentSchema), Type.Object({ totaux: Totals })]), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const conds: SQL[] = [];
      if (q.statut) conds.push(eq(payments.statut, q.statut));
      if (q.fournisseur) conds.push(eq(payments.fournisseur, q.fournisseur));
      if (q.evenement) conds.push(eq(payments.evenementId, q.evenement));
      if (q.date_debut) conds.push(gte(payments.dateCreation, new Date(`${q.date_debut}T00:00:00Z`)));
      if (q.date_fin) conds.push(lt(payments.dateCreation, new Date(new Date(`${q.date_fin}T00:00:00Z`).getTime() + 86_400_000)));
      if (q.date_debut && q.date_fin && q.date_fin < q.date_debut)
        throw ValidationError.field('date_fin', 'La date de fin doit suivre la date de début.');
      const where = conds.length ? and(...conds) : undefined;
      const page = await paginate({
        request,
        count: async () =>
          (
            await db()
              .select({ n: sql<number>`count(*)::int` })
              .from(payments)
              .where(where)
          )[0]!.n,
        fetch: async (limit, offset) =>
          (
            await db()
              .select()
              .from(payments)
              .where(where)
              .orderBy(desc(payments.dateCreation), desc(payments.id))
              .limit(limit)
              .offset(offset)
          ).map(paymentView),
      });
      const rows = await db()
        .select({
          statut: payments.statut,
          n: sql<number>`count(*)::int`,
          total: sql<number>`coalesce(sum(${payments.montant}), 0)::bigint`,
        })
        .from(payments)
        .where(where)
        .groupBy(payments.statut);
      const par_statut = Object.fromEntries(rows.map((r) => [r.statut, { nombre: r.n, montant: Number(r.total) }]));
      return { ...page, totaux: { par_statut, encaisse: par_statut.REUSSI?.montant ?? 0 } };
    },
  );

  app.get(
    '/payments/:id/',
    {
      schema: {
        tags: ['administration'],
        summary: 'Un paiement et tout son historique (statuts, rappels des fournisseurs, remboursement)',
        security: tokenAuth,
        params: IdParams,
        response: {
          200: Type.Object({
            payment: PaymentSchema,
            utilisateur_id: Type.Union([Type.Integer(), Type.Null()]),
            reference_fournisseur: Type.String(),
            historique: Type.Array(
              Type.Object({
                entite: Type.String(),
                entite_id: Type.Integer(),
                ancien_statut: Type.Union([Type.String(), Type.Null()]),
                nouveau_statut: Type.String(),
                source: Type.String(),
                details: Type.Unknown(),
                date: Type.String(),
              }),
            ),
            rappels: Type.Array(
              Type.Object({
                id: Type.Integer(),
                fournisseur: Type.String(),
                transaction_id: Type.String(),
                statut_fournisseur: Type.String(),
                authentifie: Type.Boolean(),
                motif_rejet: Type.String(),
                ip: Type.String(),
                date_reception: Type.String(),
              }),
            ),
            remboursement: Type.Union([RefundSchema, Type.Null()]),
          }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const [p] = await db().select().from(payments).where(eq(payments.id, request.params.id));
      if (!p) throw new NotFoundError('Paiement introuvable.');
      const [r] = await db().select().from(refunds).where(eq(refunds.paymentId, p.id));
      const history = await db()
        .select()
        .from(statusHistory)
        .where(
          sql`(${statusHistory.entite} = 'PAIEMENT' AND ${statusHistory.entiteId} = ${p.id}) OR (${statusHistory.entite} = 'REMBOURSEMENT' AND ${statusHistory.entiteId} = ${r?.id ?? -1})
                   OR (${statusHistory.entite} = 'BILLET' AND ${statusHistory.entiteId} IN (SELECT id FROM tickets WHERE payment_id = ${p.id}))`,
        )
        .orderBy(asc(statusHistory.date), asc(statusHistory.id));
      const callbacks = await db()
        .select()
        .from(momoTransactions)
        .where(eq(momoTransactions.paymentId, p.id))
        .orderBy(asc(momoTransactions.dateReception));
      return {
        payment: paymentView(p),
        utilisateur_id: p.utilisateurId,
        reference_fournisseur: p.referenceFournisseur,
        historique: history.map((h) => ({
          entite: h.entite,
          entite_id: h.entiteId,
          ancien_statut: h.ancienStatut,
          nouveau_statut: h.nouveauStatut,
          source: h.source,
          details: h.details,
          date: h.date.toISOString(),
        })),
        rappels: callbacks.map((c) => ({
          id: c.id,
          fournisseur: c.fournisseur,
          transaction_id: c.transactionId,
          statut_fournisseur: c.statutFournisseur,
          authentifie: c.authentifie,
          motif_rejet: c.motifRejet,
          ip: c.ip,
          date_reception: c.dateReception.toISOString(),
        })),
        remboursement: r ? refundView(r) : null,
      };
    },
  );

  app.get(
    '/refunds/',
    {
      schema: {
        tags: ['administration'],
        summary: 'Remboursements (personnel)',
        security: tokenAuth,
        querystring: Type.Object({ ...PaginationQuery, statut: Type.Optional(Type.Enum(REFUND_STATUTS)) }),
        response: { 200: Paginated(RefundSchema), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const where = request.query.statut ? eq(refunds.statut, request.query.statut) : undefined;
      return paginate({
        request,
        count: async () =>
          (
            await db()
              .select({ n: sql<number>`count(*)::int` })
              .from(refunds)
              .where(where)
          )[0]!.n,
        fetch: async (limit, offset) =>
          (
            await db().select().from(refunds).where(where).orderBy(desc(refunds.dateCreation), desc(refunds.id)).limit(limit).offset(offset)
          ).map(refundView),
      });
    },
  );

  app.post(
    '/refunds/:id/settle/',
    {
      schema: {
        tags: ['administration'],
        summary: 'Enregistrer un remboursement manuel comme effectué',
        security: tokenAuth,
        params: IdParams,
        response: { 200: RefundSchema, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => {
      await settleManualRefund(
        { db: db(), jobs: app.deps.jobs, gateways: paymentGateways(app) },
        request.params.id,
        currentUser(request).id,
      );
      const [r] = await db().select().from(refunds).where(eq(refunds.id, request.params.id));
      return refundView(r!);
    },
  );

  app.post(
    '/refunds/:id/retry/',
    {
      schema: {
        tags: ['administration'],
        summary: 'Relancer un remboursement échoué auprès du fournisseur',
        description:
          'Seulement pour un remboursement ECHOUE : il est renvoyé avec la même référence (le fournisseur ne rembourse pas deux fois), ou passe en REMBOURSEMENT_MANUEL chez un fournisseur sans API de remboursement.',
        security: tokenAuth,
        params: IdParams,
        response: { 200: RefundSchema, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => {
      await retryFailedRefund(
        { db: db(), jobs: app.deps.jobs, gateways: paymentGateways(app) },
        request.params.id,
        currentUser(request).id,
      );
      const [r] = await db().select().from(refunds).where(eq(refunds.id, request.params.id));
      return refundView(r!);
    },
  );
}
