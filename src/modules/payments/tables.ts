/**
 * Payments (the manual's Payment: one order paid by mobile money), every provider callback
 * (MomoTransaction), refunds, and the history of every status change.
 *
 * A pending payment is also the seat hold: its `quantite` seats of `type_billet_id` are held until
 * `expire_le`. Generic `type` (BILLET or ABONNEMENT) so subscriptions reuse the same machinery.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';
import { events } from '../events/tables.js';
import { users } from '../users/tables.js';
import { ticketTypes } from '../tickets/types-table.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

import { FOURNISSEURS, type Fournisseur } from './fournisseurs.js';

export { FOURNISSEURS, type Fournisseur };
export const PAYMENT_STATUTS = ['EN_ATTENTE', 'REUSSI', 'ECHOUE', 'EXPIRE', 'REMBOURSE'] as const;
export type PaymentStatut = (typeof PAYMENT_STATUTS)[number];
export const PAYMENT_TYPES = ['BILLET', 'ABONNEMENT'] as const;
export const REFUND_STATUTS = ['EN_ATTENTE', 'EN_COURS', 'REUSSI', 'ECHOUE', 'REMBOURSEMENT_MANUEL'] as const;
export type RefundStatut = (typeof REFUND_STATUTS)[number];

export const payments = pgTable(
  'payments',
  {
    id: serial('id').primaryKey(),
    /** Public, unguessable reference sent to the provider as the order id. */
    reference: varchar('reference', { length: 40 }).notNull(),
    type: varchar('type', { length: 12, enum: PAYMENT_TYPES }).notNull().default('BILLET'),
    /** Null once the account is deleted: the payment stays for accounting, detached from the person. */
    utilisateurId: integer('utilisateur_id').references(() => users.id, { onDelete: 'set null' }),
    evenementId: integer('evenement_id').references(() => events.id, { onDelete: 'restrict' }),
    typeBilletId: integer('type_billet_id').references(() => ticketTypes.id, { onDelete: 'restrict' }),
    quantite: integer('quantite').notNull().default(1),
    montant: integer('montant').notNull(),
    devise: varchar('devise', { length: 3 }).notNull().default('XOF'),
    fournisseur: varchar('fournisseur', { length: 15, enum: FOURNISSEURS }).notNull(),
    telephone: varchar('telephone', { length: 20 }).notNull(),
    statut: varchar('statut', { length: 12, enum: PAYMENT_STATUTS }).notNull().default('EN_ATTENTE'),
    /** Generated and stored before the provider call, so a retry reuses it (MTN X-Reference-Id, Orange order_id…). */
    referenceFournisseur: varchar('reference_fournisseur', { length: 100 }).notNull(),
    /** What the provider returned at initiation (pay_token, notif_token, session id…): secrets stay server-side. */
    donneesFournisseur: jsonb('donnees_fournisseur').notNull().default({}),
    paymentUrl: text('payment_url'),
    /**
     * When the buyer first followed our link to the provider's page (GET /paiement/ouvrir/{reference}/): a
     * redirect payment whose page was never opened gives its seats back sooner (REDIRECT_UNOPENED_HOLD_MINUTES).
     */
    dateOuverture: ts('date_ouverture'),
    idempotencyKey: varchar('idempotency_key', { length: 255 }),
    /** Fingerprint of the request that created it, to refuse an Idempotency-Key reused for another purchase. */
    empreinteRequete: varchar('empreinte_requete', { length: 64 }).notNull().default(''),
    expireLe: ts('expire_le').notNull(),
    raisonEchec: varchar('raison_echec', { length: 100 }).notNull().default(''),
    /** Reconciliation: next status poll and how many were made (exponential backoff). */
    prochaineVerification: ts('prochaine_verification'),
    verifications: integer('verifications').notNull().default(0),
    /**
     * A ticket sale: the commission rate of the organizer's plan in force at the time of sale (subscriptions
     * module), set with the hold; a later change of plan never changes it. Null for other payments.
     */
    commissionPourcentage: numeric('commission_pourcentage', { precision: 5, scale: 2, mode: 'number' }),
    dateCreation: ts('date_creation').notNull().defaultNow(),
    dateFinalisation: ts('date_finalisation'),
  },
  (t) => [
    uniqueIndex('payments_reference_uniq').on(t.reference),
    uniqueIndex('payments_fournisseur_ref_uniq').on(t.fournisseur, t.referenceFournisseur),
    uniqueIndex('payments_idempotency_uniq').on(t.utilisateurId, t.idempotencyKey),
    index('payments_user_idx').on(t.utilisateurId, t.dateCreation),
    index('payments_event_idx').on(t.evenementId, t.statut),
    // Per-buyer and per-phone caps (sv_hold_seats_capped): one buyer's payments for one event.
    index('payments_event_user_idx').on(t.evenementId, t.utilisateurId, t.statut),
    // The per-phone cap counts the pending payments of one payer phone on one event, not every pending one.
    index('payments_event_phone_holds_idx')
      .on(t.evenementId, t.telephone)
      .where(sql`${t.statut} = 'EN_ATTENTE'`),
    // Holds: pending payments of a ticket type (availability) and the reconciliation queue.
    index('payments_holds_idx')
      .on(t.typeBilletId, t.expireLe)
      .where(sql`${t.statut} = 'EN_ATTENTE'`),
    index('payments_reconcile_idx')
      .on(t.prochaineVerification)
      .where(sql`${t.statut} IN ('EN_ATTENTE', 'EXPIRE')`),
    index('payments_date_idx').on(t.dateCreation),
    check('payments_montant_positif', sql`${t.montant} > 0`),
    check('payments_quantite_positive', sql`${t.quantite} >= 1`),
  ],
);

/** Every callback received, authenticated or not (the manual's MomoTransaction). */
export const momoTransactions = pgTable(
  'momo_transactions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    paymentId: integer('payment_id').references(() => payments.id, { onDelete: 'set null' }),
    fournisseur: varchar('fournisseur', { length: 15, enum: FOURNISSEURS }).notNull(),
    transactionId: varchar('transaction_id', { length: 100 }).notNull().default(''),
    statutFournisseur: varchar('statut_fournisseur', { length: 50 }).notNull().default(''),
    authentifie: boolean('authentifie').notNull(),
    motifRejet: varchar('motif_rejet', { length: 200 }).notNull().default(''),
    corps: text('corps').notNull(),
    entetes: jsonb('entetes').notNull().default({}),
    ip: varchar('ip', { length: 64 }).notNull().default(''),
    dateReception: ts('date_reception').notNull().defaultNow(),
  },
  (t) => [index('momo_transactions_payment_idx').on(t.paymentId, t.dateReception)],
);

export const refunds = pgTable(
  'refunds',
  {
    id: serial('id').primaryKey(),
    paymentId: integer('payment_id')
      .notNull()
      .references(() => payments.id, { onDelete: 'restrict' }),
    montant: integer('montant').notNull(),
    statut: varchar('statut', { length: 25, enum: REFUND_STATUTS }).notNull().default('EN_ATTENTE'),
    motif: varchar('motif', { length: 200 }).notNull(),
    referenceFournisseur: varchar('reference_fournisseur', { length: 100 }).notNull(),
    raisonEchec: varchar('raison_echec', { length: 200 }).notNull().default(''),
    reglePar: integer('regle_par').references(() => users.id, { onDelete: 'set null' }),
    dateCreation: ts('date_creation').notNull().defaultNow(),
    dateFinalisation: ts('date_finalisation'),
  },
  (t) => [
    // One refund per payment: a second cancellation or a retry cannot refund twice.
    uniqueIndex('refunds_payment_uniq').on(t.paymentId),
    uniqueIndex('refunds_ref_uniq').on(t.referenceFournisseur),
    check('refunds_montant_positif', sql`${t.montant} > 0`),
  ],
);

/** Each status change of a payment, ticket or refund, with what caused it. */
