/**
 * The manual's NotificationTemplate, Notification, NotificationPreference and PushToken, plus one delivery
 * record per notification and channel (the outbox the send jobs work from) and the organizers' messages.
 *
 * - A notification is the in-app inbox entry. `cle_dedup` names the domain event it reports ("event:42:valide"):
 *   unique per user, so a retried job or a duplicated webhook never notifies twice.
 * - A delivery is one channel's attempt to reach the person (EMAIL, PUSH, SMS): what was rendered, its status,
 *   attempts, last error, the provider's message id and, for SMS, the segment count. It is written in the same
 *   transaction as its notification; pg-boss jobs send it after the commit.
 * - Templates: one row per type (the registry's types, created with the seeded French text on first use); staff
 *   edit them, and a row that renders empty or breaks falls back to the seeded text (the delivery says so).
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';
import { authTokens, users } from '../users/tables.js';
import { events } from '../events/tables.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const CANAUX = ['EMAIL', 'PUSH', 'SMS'] as const;
export type Canal = (typeof CANAUX)[number];
export const PLATEFORMES = ['ANDROID', 'IOS', 'WEB'] as const;
export type Plateforme = (typeof PLATEFORMES)[number];
/** DELIVRE: the operator confirmed the SMS reached the phone (Orange's delivery receipt); push has no receipts. */
export const DELIVERY_STATUTS = ['EN_ATTENTE', 'EN_COURS', 'ENVOYEE', 'DELIVRE', 'ECHEC', 'IGNOREE'] as const;
export type DeliveryStatut = (typeof DELIVERY_STATUTS)[number];

export const notificationTemplates = pgTable(
  'notification_templates',
  {
    id: serial('id').primaryKey(),
    typeNotification: varchar('type_notification', { length: 40 }).notNull(),
    actif: boolean('actif').notNull().default(true),
    titrePush: varchar('titre_push', { length: 200 }).notNull().default(''),
    contenuPush: text('contenu_push').notNull().default(''),
    sujetEmail: varchar('sujet_email', { length: 300 }).notNull().default(''),
    contenuEmail: text('contenu_email').notNull().default(''),
    contenuSms: text('contenu_sms').notNull().default(''),
    dateModification: ts('date_modification').notNull().defaultNow(),
    modifiePar: integer('modifie_par_id').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [uniqueIndex('notification_templates_type_uniq').on(t.typeNotification)],
);

export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    utilisateurId: integer('utilisateur_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    typeNotification: varchar('type_notification', { length: 40 }).notNull(),
    titre: varchar('titre', { length: 300 }).notNull(),
    message: text('message').notNull(),
    donnees: jsonb('donnees').$type<Record<string, unknown>>().notNull().default({}),
    lue: boolean('lue').notNull().default(false),
    dateLecture: ts('date_lecture'),
    /** False for account messages (reset links, codes): delivered, never shown in the inbox. */
    visible: boolean('visible').notNull().default(true),
    cleDedup: varchar('cle_dedup', { length: 200 }).notNull(),
    dateCreation: ts('date_creation').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('notifications_dedup_uniq').on(t.utilisateurId, t.cleDedup),
    index('notifications_inbox_idx').on(t.utilisateurId, t.dateCreation.desc(), t.id.desc()),
    index('notifications_unread_idx')
      .on(t.utilisateurId)
      .where(sql`NOT ${t.lue} AND ${t.visible}`),
    index('notifications_read_date_idx')
      .on(t.dateLecture)
      .where(sql`${t.lue}`),
  ],
);

export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    notificationId: bigint('notification_id', { mode: 'number' })
      .notNull()
      .references(() => notifications.id, { onDelete: 'cascade' }),
    canal: varchar('canal', { length: 10, enum: CANAUX }).notNull(),
    statut: varchar('statut', { length: 12, enum: DELIVERY_STATUTS }).notNull().default('EN_ATTENTE'),
    /** The address, phone or (push) the user id's tokens at send time. */
    destinataire: varchar('destinataire', { length: 254 }).notNull().default(''),
    /** What was rendered for this channel: {sujet, texte, html} (email), {titre, corps} (push), {texte} (SMS). */
    contenu: jsonb('contenu').$type<Record<string, string>>().notNull(),
    /** True when the staff template broke or rendered empty and the seeded default was sent instead. */
    modeleDeSecours: boolean('modele_de_secours').notNull().default(false),
    erreurModele: text('erreur_modele'),
    tentatives: integer('tentatives').notNull().default(0),
    derniereErreur: text('derniere_erreur'),
    idMessageFournisseur: varchar('id_message_fournisseur', { length: 500 }),
    segmentsSms: integer('segments_sms'),
    /** Not before this time (quiet hours, a provider's Retry-After, backoff). */
    envoyerApres: ts('envoyer_apres').notNull().defaultNow(),
    /** An EN_COURS delivery whose lease ran out (the process died) may be taken again. */
    verrouJusqua: ts('verrou_jusqua'),
    dateCreation: ts('date_creation').notNull().defaultNow(),
    dateEnvoi: ts('date_envoi'),
    /** When the operator's delivery receipt (SMS) arrived: DELIVRE, or ECHEC with its reason. */
    dateRemise: ts('date_remise'),
  },
  (t) => [
    uniqueIndex('notification_deliveries_canal_uniq').on(t.notificationId, t.canal),
    index('notification_deliveries_statut_idx').on(t.statut, t.envoyerApres),
    index('notification_deliveries_date_idx').on(t.dateCreation),
    check('notification_deliveries_canal', sql`${t.canal} IN ('EMAIL', 'PUSH', 'SMS')`),
    check('notification_deliveries_statut', sql`${t.statut} IN ('EN_ATTENTE', 'EN_COURS', 'ENVOYEE', 'DELIVRE', 'ECHEC', 'IGNOREE')`),
  ],
);

export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    utilisateurId: integer('utilisateur_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    typeNotification: varchar('type_notification', { length: 40 }).notNull(),
    canal: varchar('canal', { length: 10, enum: CANAUX }).notNull(),
    actif: boolean('actif').notNull(),
  },
  (t) => [primaryKey({ columns: [t.utilisateurId, t.typeNotification, t.canal] })],
);

export const pushTokens = pgTable(
  'push_tokens',
  {
    id: serial('id').primaryKey(),
    utilisateurId: integer('utilisateur_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    token: varchar('token', { length: 512 }).notNull(),
    plateforme: varchar('plateforme', { length: 10, enum: PLATEFORMES }).notNull(),
    actif: boolean('actif').notNull().default(true),
    notificationsEnvoyees: integer('notifications_envoyees').notNull().default(0),
    /** The API token of the device that registered it: logging that device out deactivates it. */
    authTokenId: integer('auth_token_id').references(() => authTokens.id, { onDelete: 'set null' }),
    derniereErreur: text('derniere_erreur'),
    dateCreation: ts('date_creation').notNull().defaultNow(),
    dateModification: ts('date_modification').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('push_tokens_token_uniq').on(t.token),
    index('push_tokens_user_idx')
      .on(t.utilisateurId)
      .where(sql`${t.actif}`),
    check('push_tokens_plateforme', sql`${t.plateforme} IN ('ANDROID', 'IOS', 'WEB')`),
  ],
);

/**
 * Single-use tickets for the live stream from a browser (EventSource sends no Authorization header): made with
 * the API token (POST /api/notifications/stream/ticket/), only their SHA-256 kept, spent by the first
 * GET /api/notifications/stream/?ticket=… within STREAM_TICKET_SECONDS; gone with the API token that made it.
 */
export const streamTickets = pgTable(
  'notification_stream_tickets',
  {
    id: serial('id').primaryKey(),
    hash: varchar('hash', { length: 64 }).notNull(),
    utilisateurId: integer('utilisateur_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    authTokenId: integer('auth_token_id').references(() => authTokens.id, { onDelete: 'cascade' }),
    expireLe: ts('expire_le').notNull(),
    dateCreation: ts('date_creation').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('notification_stream_tickets_hash_uniq').on(t.hash), index('notification_stream_tickets_expire_idx').on(t.expireLe)],
);

/** Messages organizers sent to their participants (POST /api/events/{id}/messages/): recorded and rate-limited. */
export const eventMessages = pgTable(
  'event_messages',
  {
    id: serial('id').primaryKey(),
    evenementId: integer('evenement_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    auteurId: integer('auteur_id').references(() => users.id, { onDelete: 'set null' }),
    titre: varchar('titre', { length: 120 }).notNull(),
    message: text('message').notNull(),
    destinataires: integer('destinataires').notNull(),
    dateCreation: ts('date_creation').notNull().defaultNow(),
  },
  (t) => [index('event_messages_event_idx').on(t.evenementId, t.dateCreation)],
);
