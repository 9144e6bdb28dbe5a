/** JSON shapes of payments (API.md: Payments and tickets). */
import { Type } from 'typebox';
import { FOURNISSEURS, PAYMENT_STATUTS, REFUND_STATUTS } from './tables.js';
import type { Payment } from './service.js';
import { failureView } from './failure-reasons.js';

export const PaymentSchema = Type.Object(
  {
    id: Type.Integer(),
    reference: Type.String(),
    type: Type.String(),
    statut: Type.Enum(PAYMENT_STATUTS),
    montant: Type.Integer({ description: 'Francs CFA (XOF), entier' }),
    devise: Type.String(),
    fournisseur: Type.Enum(FOURNISSEURS),
    telephone: Type.String(),
    event_id: Type.Union([Type.Integer(), Type.Null()]),
    type_billet_id: Type.Union([Type.Integer(), Type.Null()]),
    quantite: Type.Integer(),
    expire_le: Type.String({ format: 'date-time' }),
    payment_url: Type.Union([Type.String(), Type.Null()], {
      description:
        "Page de paiement (Orange, Wave, Moov) ; null pour MTN (validation sur le téléphone). Pour un achat de billets, c'est un lien SpotVibe " +
        '(/paiement/ouvrir/{reference}/) qui mène à la page du fournisseur : une page jamais ouverte libère les places plus tôt.',
    }),
    raison_echec: Type.String({ description: "Pourquoi le paiement a échoué, en français ('' sinon)" }),
    code_echec: Type.String({
      description:
        "Raison normalisée : SOLDE_INSUFFISANT, REFUSE_PAR_LE_PAYEUR, ANNULE, DELAI_DEPASSE, COMPTE_INTROUVABLE, REFUS_FOURNISSEUR, FOURNISSEUR_INDISPONIBLE, NON_TRANSMIS, NON_APPROUVE, PAGE_NON_OUVERTE, MONTANT_INCOHERENT, INTROUVABLE, ECHEC ('' sinon)",
    }),
    code_fournisseur: Type.String({ description: "Le code d'échec tel que le fournisseur l'a donné ('' quand l'échec vient de SpotVibe)" }),
    date_creation: Type.String({ format: 'date-time' }),
    date_finalisation: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'Payment' },
);

export const InitiateBody = Type.Object({
  event_id: Type.Integer({ minimum: 1 }),
  type_billet_id: Type.Optional(Type.Integer({ minimum: 1 })),
  quantite: Type.Integer({ minimum: 1, maximum: 50, default: 1 }),
  fournisseur: Type.Enum(FOURNISSEURS),
  telephone: Type.String({ minLength: 8, maxLength: 20 }),
});

export const RefundSchema = Type.Object({
  id: Type.Integer(),
  payment_id: Type.Integer(),
  montant: Type.Integer(),
  statut: Type.Enum(REFUND_STATUTS),
  motif: Type.String(),
  raison_echec: Type.String(),
  date_creation: Type.String({ format: 'date-time' }),
  date_finalisation: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/**
 * A payment in the API's shape. With `origin` (the buyer's own views), a ticket payment's page is our link that
 * records its opening (return-pages.ts, openPaymentPage); staff views show the provider's page as stored.
 */
export function paymentView(p: Payment, origin?: string) {
  return {
    id: p.id,
    reference: p.reference,
    type: p.type,
    statut: p.statut,
    montant: p.montant,
    devise: p.devise,
    fournisseur: p.fournisseur,
    telephone: p.telephone,
    event_id: p.evenementId,
    type_billet_id: p.typeBilletId,
    quantite: p.quantite,
    expire_le: p.expireLe.toISOString(),
    payment_url: p.paymentUrl && origin !== undefined && p.type === 'BILLET' ? paymentLink(origin, p.reference) : p.paymentUrl,
    ...failureView(p.raisonEchec),
    date_creation: p.dateCreation.toISOString(),
    date_finalisation: p.dateFinalisation?.toISOString() ?? null,
  };
}

/** Where a ticket payment's buyer is sent to pay: our own link (it records the opening), on the public origin. */
export function paymentLink(origin: string, reference: string): string {
  return `${origin}/paiement/ouvrir/${reference}/`;
}
