/**
 * Ticket types of a paid event and the tickets issued when a payment succeeds.
 * Availability of a type = quantite − vendus − seats held by unexpired pending payments; it is computed
 * under a row lock on the type (see payments/reservation.ts), and `vendus` can never pass `quantite`.
 */
import { index, integer, pgTable, serial, timestamp, uniqueIndex, varchar } from 'drizzle-orm/pg-core';
import { events } from '../events/tables.js';
import { users } from '../users/tables.js';
import { payments } from '../payments/tables.js';
import { ticketTypes } from './types-table.js';

// Ticket types have their own file: payments reference them, and tickets reference payments.
export { ticketTypes };

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const TICKET_STATUTS = ['VALIDE', 'UTILISE', 'ANNULE', 'REMBOURSE'] as const;
export type TicketStatut = (typeof TICKET_STATUTS)[number];

export const tickets = pgTable(
  'tickets',
  {
    id: serial('id').primaryKey(),
    /** Short code for manual entry at the door; unguessable (random), unique. */
    code: varchar('code', { length: 20 }).notNull(),
    paymentId: integer('payment_id')
      .notNull()
      .references(() => payments.id, { onDelete: 'restrict' }),
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
