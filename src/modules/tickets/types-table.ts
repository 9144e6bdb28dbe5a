/**
 * Ticket types of a paid event. Availability of a type = quantite − vendus − seats held by unexpired pending
 * payments; it is computed under a row lock on the type (see payments/reservation.ts), and `vendus` can never
 * pass `quantite`.
 */
import { sql } from 'drizzle-orm';
import { check, integer, pgTable, serial, timestamp, uniqueIndex, varchar } from 'drizzle-orm/pg-core';
import { events } from '../events/tables.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

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
