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
    /** The gate where it was scanned ("B"), when the door app says so: conflicts name it. */
    entree: varchar('entree', { length: 60 }),
  },
  (t) => [
    uniqueIndex('tickets_code_uniq').on(t.code),
    uniqueIndex('tickets_payment_rang_uniq').on(t.paymentId, t.rang),
    index('tickets_titulaire_idx').on(t.titulaireId, t.dateEmission),
    index('tickets_event_idx').on(t.evenementId, t.statut),
  ],
);

/** What a scan of an offline sync came to (one row per device nonce). */
export const CHECKIN_SCAN_STATUTS = ['ACCEPTE', 'DEJA_UTILISE', 'NON_VALABLE', 'INCONNU', 'AUTRE_EVENEMENT', 'INVALIDE'] as const;
export type CheckinScanStatut = (typeof CHECKIN_SCAN_STATUTS)[number];

/**
 * Scans made offline by door devices and sent later (`POST /api/tickets/checkin/sync/`). The unique
 * (event, nonce) makes a re-sent scan answer what it answered the first time, whatever the races.
 */
export const checkinScans = pgTable(
  'checkin_scans',
  {
    id: serial('id').primaryKey(),
    evenementId: integer('evenement_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    nonce: varchar('nonce', { length: 100 }).notNull(),
    /** SHA-256 of what was scanned: the same nonce sent again with another code is refused. */
    saisieHash: varchar('saisie_hash', { length: 64 }).notNull(),
    ticketId: integer('ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
    scanneLe: timestamp('scanne_le', { withTimezone: true, mode: 'date' }).notNull(),
    entree: varchar('entree', { length: 60 }),
    controleurId: integer('controleur_id').references(() => users.id, { onDelete: 'set null' }),
    /** The scanner token that sent it (team module), when one did. */
    jetonId: integer('jeton_id'),
    statut: varchar('statut', { length: 16, enum: CHECKIN_SCAN_STATUTS }).notNull(),
    message: varchar('message', { length: 300 }).notNull(),
    dateReception: timestamp('date_reception', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('checkin_scans_nonce_uniq').on(t.evenementId, t.nonce), index('checkin_scans_ticket_idx').on(t.ticketId)],
);
