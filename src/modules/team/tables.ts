/**
 * Door staff of an event (issue 12): the people its creator names, each with one role, and the scanner tokens
 * (`svscan_…`) handed to door devices. A token belongs to one member of one event: removing the member, or
 * the event, removes its tokens; revoking one keeps its row (with its last use) for the organizer's list.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, serial, timestamp, uniqueIndex, varchar } from 'drizzle-orm/pg-core';
import { users } from '../users/tables.js';
import { events } from '../events/tables.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** SCANNER: check-in and attendee search; GESTIONNAIRE: also ticket types and sales figures. */
export const TEAM_ROLES = ['SCANNER', 'GESTIONNAIRE'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export const eventTeam = pgTable(
  'equipe_evenement',
  {
    id: serial('id').primaryKey(),
    evenementId: integer('evenement_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    utilisateurId: integer('utilisateur_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: varchar('role', { length: 12, enum: TEAM_ROLES }).notNull(),
    ajoutePar: integer('ajoute_par').references(() => users.id, { onDelete: 'set null' }),
    dateAjout: ts('date_ajout').notNull().defaultNow(),
  },
  (t) => [
    // One role per person and event, whatever the races.
    uniqueIndex('equipe_evenement_uniq').on(t.evenementId, t.utilisateurId),
    index('equipe_evenement_utilisateur_idx').on(t.utilisateurId),
    check('equipe_evenement_role', sql`${t.role} IN ('SCANNER', 'GESTIONNAIRE')`),
  ],
);

/** Opaque keys `svscan_<random>`: only the SHA-256 is stored, as for API tokens. */
export const scannerTokens = pgTable(
  'jetons_controle',
  {
    id: serial('id').primaryKey(),
    membreId: integer('membre_id')
      .notNull()
      .references(() => eventTeam.id, { onDelete: 'cascade' }),
    evenementId: integer('evenement_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    keyHash: varchar('key_hash', { length: 64 }).notNull(),
    /** The device or gate ("Entrée B"), shown in the organizer's list. */
    libelle: varchar('libelle', { length: 100 }).notNull().default(''),
    dateCreation: ts('date_creation').notNull().defaultNow(),
    derniereUtilisation: ts('derniere_utilisation'),
    revoqueLe: ts('revoque_le'),
  },
  (t) => [uniqueIndex('jetons_controle_key_hash_uniq').on(t.keyHash), index('jetons_controle_evenement_idx').on(t.evenementId)],
);
