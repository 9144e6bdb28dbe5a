/**
 * The tables core owns: the journal of actions (the manual's AuditLog, written by audit.ts) and the history of
 * every status change (written by history.ts's state machines). Apart from their writers so that the schema
 * (db/schema.ts) can gather them without importing the writers' database types.
 *
 * `audit_logs.user_id` references the accounts' users table: core's one dependency on a module, for a foreign key.
 */
import { bigserial, boolean, index, inet, integer, jsonb, pgTable, timestamp, varchar } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { users } from '../modules/users/tables.js';

export const auditLogs = pgTable(
  'audit_logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    action: varchar('action', { length: 64 }).notNull(),
    /**
     * A staff action (moderation, an account changed by staff, a refund settled…): the staff journal of
     * SpotVibe Administration, Django's LogEntry. Kept by the 30-day cleanup, which prunes only the rest.
     */
    parPersonnel: boolean('par_personnel').notNull().default(false),
    cible: varchar('cible', { length: 100 }).notNull().default(''),
    details: jsonb('details').notNull().default({}),
    ip: inet('ip'),
    userAgent: varchar('user_agent', { length: 255 }).notNull().default(''),
    dateAction: timestamp('date_action', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('audit_logs_date_idx').on(t.dateAction),
    index('audit_logs_user_idx').on(t.userId, t.dateAction),
    // The journal's two views: every staff action (newest first) and one object's entries.
    index('audit_logs_personnel_idx')
      .on(t.dateAction)
      .where(sql`${t.parPersonnel}`),
    index('audit_logs_cible_idx').on(t.cible, t.dateAction),
  ],
);

export const HISTORY_ENTITIES = ['PAIEMENT', 'BILLET', 'REMBOURSEMENT', 'ABONNEMENT'] as const;
export type HistoryEntity = (typeof HISTORY_ENTITIES)[number];

export const statusHistory = pgTable(
  'status_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    entite: varchar('entite', { length: 15, enum: HISTORY_ENTITIES }).notNull(),
    entiteId: integer('entite_id').notNull(),
    ancienStatut: varchar('ancien_statut', { length: 25 }),
    nouveauStatut: varchar('nouveau_statut', { length: 25 }).notNull(),
    source: varchar('source', { length: 50 }).notNull(),
    details: jsonb('details').notNull().default({}),
    date: timestamp('date', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('status_history_entite_idx').on(t.entite, t.entiteId, t.date)],
);
