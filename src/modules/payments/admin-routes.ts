/** Staff views of money: payments with filters and totals, one payment's full history, refunds to settle. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { requestMeta } from '../../core/audit.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { mapPage, Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { FOURNISSEURS, PAYMENT_STATUTS, REFUND_STATUTS } from './tables.js';
import { PaymentSchema, RefundSchema, paymentView } from './schemas.js';
import { retryFailedRefund, settleManualRefund } from './refunds.js';
import { getRefund, listPaymentsForStaff, listRefunds, paymentHistoryForStaff, type Refund } from './reads.js';
import type { PaymentDeps } from './deps.js';

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
  brut: Type.Integer({ description: 'Paiements réussis, remboursés depuis compris (XOF)' }),
  rembourse: Type.Integer({ description: 'Remboursements effectués de ces paiements (XOF)' }),
  rembourse_en_cours: Type.Integer({
    description: 'Remboursements de ces paiements pas encore effectués : en attente, envoyés, échoués à relancer, manuels à régler (XOF)',
  }),
  net: Type.Integer({ description: 'brut − rembourse − rembourse_en_cours (XOF)' }),
  encaisse: Type.Integer({
    description:
      'Ce qui est encaissé et conservé, égal à net : un paiement dont le remboursement est en cours ou fait n’est pas encaissé (XOF)',
  }),
});

function refundView(r: Refund) {
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

export function adminPaymentRoutes(deps: PaymentDeps) {
  return async function routes(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsStaff);

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
        const { page, totals } = await listPaymentsForStaff(deps, request.query, pageRequest(request.query));
        return { ...pageResponse(request, mapPage(page, paymentView), deps.publicBaseUrl), totaux: totals };
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
        const { payment: p, refund: r, history, callbacks } = await paymentHistoryForStaff(deps, request.params.id);
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
      async (request) =>
        pageResponse(
          request,
          mapPage(await listRefunds(deps, request.query.statut, pageRequest(request.query)), refundView),
          deps.publicBaseUrl,
        ),
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
        await settleManualRefund(deps, request.params.id, currentUser(request).id, requestMeta(request));
        return refundView(await getRefund(deps, request.params.id));
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
        await retryFailedRefund(deps, request.params.id, currentUser(request).id, requestMeta(request));
        return refundView(await getRefund(deps, request.params.id));
      },
    );
  };
}
