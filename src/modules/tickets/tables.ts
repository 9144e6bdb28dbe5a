/**
 * Ticket types of a paid event and the tickets issued when a payment succeeds.
 * Availability of a type = quantite − vendus − seats held by unexpired pending payments; it is computed
 * under a row lock on the type (see payments/reservation.ts), and `vendus` can never pass `quantite`.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, serial, timestamp, uniqueIndex, varchar, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { events } from '../events/tables.js';
import { users } from '../users/tables.js';
// Lazy reference (payments also references ticket types): resolved when the schema is read, not at import.
import { payments } from '../payments/tables.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const TICKET_STATUTS = ['VALIDE', 'UTILISE', 'ANNULE', 'REMBOURSE'] as const;
export type TicketStatut = (typeof TICKET_STATUTS)[number];

export const ticketTypes = pgTable(
  'ticket_types',
  {
    id: serial('id').primaryKey(),
    evenementId: integer('evenement_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    nom: varchar('nom', { length: 100 }).notNull(),
    prix: integer('prix').notNull(),
    quantite: integer('quantite').notNull(),
    vendus: integer('vendus').notNull().default(0),
    debutVente: ts('debut_vente'),
    finVente: ts('fin_vente'),
    maxParCommande: integer('max_par_commande').notNull().default(10),
    dateCreation: ts('date_creation').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ticket_types_event_nom_uniq').on(t.evenementId, t.nom),
    check('ticket_types_prix_positif', sql`${t.prix} > 0`),
    check('ticket_types_quantite_positive', sql`${t.quantite} >= 1`),
    // The last line of defence against oversell: whatever the code does, sold never exceeds the quantity.
    check('ticket_types_vendus_bornes', sql`${t.vendus} >= 0 AND ${t.vendus} <= ${t.quantite}`),
    check('ticket_types_max_commande', sql`${t.maxParCommande} >= 1`),
    check('ticket_types_fenetre', sql`${t.finVente} IS NULL OR ${t.debutVente} IS NULL OR ${t.finVente} > ${t.debutVente}`),
  ],
);

export const tickets = pgTable(
  'tickets',
  {
    id: serial('id').primaryKey(),
    /** Short code for manual entry at the door; unguessable (random), unique. */
    code: varchar('code', { length: 20 }).notNull(),
    paymentId: integer('payment_id')
      .notNull()
      .references((): AnyPgColumn => payments.id, { onDelete: 'restrict' }),
    /** Position of the ticket inside its payment (1..quantite): with the unique index, tickets are issued once. */
    rang: integer('rang').notNull(),
    typeBilletId: integer('type_billet_id')
      .notNull()
      .references(() => ticketTypes.id, { onDelete: 'restrict' }),
    evenementId: integer('evenement_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    titulaireId: integer('titulaire_id').references(() => users.id, { onDelete: 'set null' }),
    titulaireNom: varchar('titulaire_nom', { length: 300 }).notNull().default(''),
    statut: varchar('statut', { length: 10, enum: TICKET_STATUTS }).notNull().default('VALIDE'),
    dateEmission: ts('date_emission').notNull().defaultNow(),
    dateUtilisation: ts('date_utilisation'),
    controleurId: integer('controleur_id').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [
    uniqueIndex('tickets_code_uniq').on(t.code),
    uniqueIndex('tickets_payment_rang_uniq').on(t.paymentId, t.rang),
    index('tickets_titulaire_idx').on(t.titulaireId, t.dateEmission),
    index('tickets_event_idx').on(t.evenementId, t.statut),
  ],
);
