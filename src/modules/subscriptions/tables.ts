/**
 * Subscriptions (the manual's SubscriptionPlan and Subscription): plans with typed entitlements (columns, not
 * free-form JSON), and one row per paid period of an organizer (a payment pays for a subscription). A renewal
 * is a new row starting at the end of the current one; an upgrade a new row starting when paid.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';
import { users } from '../users/tables.js';
import { payments } from '../payments/tables.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const SUBSCRIPTION_STATUTS = ['EN_ATTENTE', 'ACTIF', 'ECHOUE', 'EXPIRE', 'ANNULE'] as const;
export type SubscriptionStatut = (typeof SUBSCRIPTION_STATUTS)[number];
/** Why the row exists: a first subscription, a renewal of the same plan, a change of plan, a staff grant. */
export const SUBSCRIPTION_NATURES = ['NOUVEAU', 'RENOUVELLEMENT', 'SURCLASSEMENT', 'DECLASSEMENT', 'OCTROI'] as const;
export type SubscriptionNature = (typeof SUBSCRIPTION_NATURES)[number];
export const FREE_PLAN_CODE = 'gratuit';

export const subscriptionPlans = pgTable(
  'subscription_plans',
  {
    id: serial('id').primaryKey(),
    code: varchar('code', { length: 40 }).notNull(),
    nom: varchar('nom', { length: 100 }).notNull(),
    description: text('description').notNull().default(''),
    /** Francs CFA per period (0 only for the free plan). */
    prix: integer('prix').notNull(),
    dureeJours: integer('duree_jours').notNull(),
    actif: boolean('actif').notNull().default(true),
    /** Events EN_ATTENTE or VALIDE not yet over; null = unlimited. */
    maxEvenementsActifs: integer('max_evenements_actifs'),
    evenementsPayants: boolean('evenements_payants').notNull().default(true),
    /** Ticket types per event; null = unlimited. */
    maxTypesBilletParEvenement: integer('max_types_billet_par_evenement'),
    /** Door-staff members (equipe) per event; null = unlimited. */
    maxMembresEquipe: integer('max_membres_equipe'),
    commissionPourcentage: numeric('commission_pourcentage', { precision: 5, scale: 2, mode: 'number' }).notNull().default(0),
    miseEnAvant: boolean('mise_en_avant').notNull().default(false),
    statistiquesAvancees: boolean('statistiques_avancees').notNull().default(false),
    messagesParticipants: boolean('messages_participants').notNull().default(false),
    ordre: integer('ordre').notNull().default(0),
    dateCreation: ts('date_creation').notNull().defaultNow(),
    dateModification: ts('date_modification').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('subscription_plans_code_uniq').on(t.code),
    check('subscription_plans_prix_positif', sql`${t.prix} >= 0`),
    check('subscription_plans_duree_positive', sql`${t.dureeJours} > 0`),
    check('subscription_plans_commission', sql`${t.commissionPourcentage} >= 0 AND ${t.commissionPourcentage} <= 100`),
    check('subscription_plans_max_evenements', sql`${t.maxEvenementsActifs} IS NULL OR ${t.maxEvenementsActifs} >= 0`),
    check('subscription_plans_max_equipe', sql`${t.maxMembresEquipe} IS NULL OR ${t.maxMembresEquipe} >= 0`),
    check('subscription_plans_max_types', sql`${t.maxTypesBilletParEvenement} IS NULL OR ${t.maxTypesBilletParEvenement} >= 1`),
  ],
);

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: serial('id').primaryKey(),
    organisateurId: integer('organisateur_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    planId: integer('plan_id')
      .notNull()
      .references(() => subscriptionPlans.id, { onDelete: 'restrict' }),
    statut: varchar('statut', { length: 12, enum: SUBSCRIPTION_STATUTS }).notNull().default('EN_ATTENTE'),
    nature: varchar('nature', { length: 15, enum: SUBSCRIPTION_NATURES }).notNull().default('NOUVEAU'),
    /** The payment that pays for it (null for a staff grant). */
    paymentId: integer('payment_id').references(() => payments.id, { onDelete: 'restrict' }),
    montant: integer('montant').notNull().default(0),
    /** The plan's terms when subscribed: a later edit of the plan applies at the next renewal only. */
    dureeJours: integer('duree_jours').notNull(),
    /** The subscription this one continues (renewal, change of plan). */
    precedentId: integer('precedent_id'),
    dateDebut: ts('date_debut'),
    dateFin: ts('date_fin'),
    enGraceJusquAu: ts('en_grace_jusqu_au'),
    annuleLe: ts('annule_le'),
    /** Staff grant or extension: who and why (also in the audit journal). */
    motif: varchar('motif', { length: 300 }).notNull().default(''),
    dateCreation: ts('date_creation').notNull().defaultNow(),
  },
  (t) => [
    // One pending subscription per plan and organizer, whatever the races.
    uniqueIndex('subscriptions_pending_uniq')
      .on(t.organisateurId, t.planId)
      .where(sql`${t.statut} = 'EN_ATTENTE'`),
    uniqueIndex('subscriptions_payment_uniq').on(t.paymentId),
    index('subscriptions_organisateur_idx').on(t.organisateurId, t.statut, t.dateDebut),
    index('subscriptions_fin_idx')
      .on(t.dateFin)
      .where(sql`${t.statut} = 'ACTIF'`),
    // The clock's next effect on a subscription in force (effective.ts nextFeaturedChange: a start, a grace end).
    index('subscriptions_debut_actif_idx')
      .on(t.dateDebut)
      .where(sql`${t.statut} = 'ACTIF'`),
    index('subscriptions_grace_actif_idx')
      .on(sql`coalesce(${t.enGraceJusquAu}, ${t.dateFin})`)
      .where(sql`${t.statut} = 'ACTIF'`),
  ],
);

/** Reminders sent (one row per subscription and step): a step is sent once, whichever worker runs the sweep. */
export const subscriptionReminders = pgTable(
  'subscription_reminders',
  {
    subscriptionId: integer('subscription_id')
      .notNull()
      .references(() => subscriptions.id, { onDelete: 'cascade' }),
    /** J-7, J-3, J-1, J0, J+3, EXPIRE. */
    etape: varchar('etape', { length: 10 }).notNull(),
    dateEnvoi: ts('date_envoi').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.etape] })],
);
