/**
 * The manual's events app: EventCategory, Event, EventParticipation, with the indexes of its
 * "Optimisations de base de données" section. Amounts are whole XOF francs (integers).
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';
import { users } from '../users/tables.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** The `cube` extension's type (earthdistance's `earth` is a domain over it). Never read by the app. */
const cube = customType<{ data: string }>({ dataType: () => 'cube' });

export const EVENT_STATUTS = ['BROUILLON', 'EN_ATTENTE', 'VALIDE', 'REJETE', 'TERMINE', 'ANNULE'] as const;
export type EventStatut = (typeof EVENT_STATUTS)[number];
export const TYPES_ACCES = ['GRATUIT', 'PAYANT'] as const;
export type TypeAcces = (typeof TYPES_ACCES)[number];
export const PARTICIPATION_STATUTS = ['CONFIRME', 'ANNULE'] as const;

export const eventCategories = pgTable(
  'event_categories',
  {
    id: serial('id').primaryKey(),
    nom: varchar('nom', { length: 100 }).notNull(),
    slug: varchar('slug', { length: 100 }).notNull(),
    description: text('description').notNull().default(''),
    icone: varchar('icone', { length: 50 }).notNull().default(''),
    couleur: varchar('couleur', { length: 7 }).notNull().default('#007bff'),
    actif: boolean('actif').notNull().default(true),
    ordre: integer('ordre').notNull().default(0),
  },
  (t) => [uniqueIndex('event_categories_nom_uniq').on(t.nom), uniqueIndex('event_categories_slug_uniq').on(t.slug)],
);

export const events = pgTable(
  'events',
  {
    id: serial('id').primaryKey(),
    titre: varchar('titre', { length: 200 }).notNull(),
    description: text('description').notNull(),
    descriptionCourte: varchar('description_courte', { length: 300 }).notNull().default(''),
    createurId: integer('createur_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    categorieId: integer('categorie_id')
      .notNull()
      .references(() => eventCategories.id, { onDelete: 'restrict' }),
    dateDebut: ts('date_debut').notNull(),
    dateFin: ts('date_fin').notNull(),
    lieu: varchar('lieu', { length: 200 }).notNull(),
    adresse: text('adresse').notNull().default(''),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    typeAcces: varchar('type_acces', { length: 10, enum: TYPES_ACCES }).notNull(),
    prix: integer('prix').notNull().default(0),
    capaciteMax: integer('capacite_max').notNull(),
    /**
     * Paid events: at most this many tickets per buyer (seats bought plus seats held by pending payments, across
     * all orders), set by the organizer; null = no limit. Counted by sv_hold_seats_capped (migration 0012).
     */
    maxParPersonne: integer('max_par_personne'),
    statut: varchar('statut', { length: 15, enum: EVENT_STATUTS }).notNull().default('EN_ATTENTE'),
    image: varchar('image', { length: 255 }).notNull().default(''),
    /** The cover's small WebP variant (core/media.ts), for slow connections. */
    imageMiniature: varchar('image_miniature', { length: 255 }).notNull().default(''),
    validateurId: integer('validateur_id').references(() => users.id, { onDelete: 'set null' }),
    dateValidation: ts('date_validation'),
    motifRejet: text('motif_rejet').notNull().default(''),
    dateCreation: ts('date_creation').notNull().defaultNow(),
    dateModification: ts('date_modification').notNull().defaultNow(),
    nombreVues: integer('nombre_vues').notNull().default(0),
    /** Kept in the same transaction as each join/leave, so lists never count rows. */
    participantsCount: integer('participants_count').notNull().default(0),
    /**
     * What `search` matches: titre, lieu and description without accents, lower case (see the migration
     * defining sv_search_norm). Stored, so that the trigram index's recheck reads it instead of running
     * unaccent again on every candidate row.
     */
    searchDocument: text('search_document')
      .notNull()
      .generatedAlwaysAs(sql`sv_search_norm(titre || ' ' || lieu || ' ' || description)`),
    /**
     * The place as a point of earthdistance (ll_to_earth), stored: computing ll_to_earth and checking its
     * domain on every candidate row was most of a nearby query's time. Plain `cube`, so reads skip the check.
     */
    earthPoint: cube('earth_point').generatedAlwaysAs(sql`(ll_to_earth(latitude, longitude))::cube`),
  },
  (t) => [
    // The manual's three indexes; `id` added to the first as the list's tie-breaker, so one index scan
    // returns a page already sorted.
    index('events_statut_date_debut_idx').on(t.statut, t.dateDebut, t.id),
    index('events_createur_statut_idx').on(t.createurId, t.statut),
    index('events_categorie_statut_idx').on(t.categorieId, t.statut),
    // The list's total (upcoming = date_fin in the future) as an index-only range, and the job closing past events.
    index('events_statut_date_fin_idx').on(t.statut, t.dateFin),
    // The other orderings the public list offers.
    index('events_statut_date_creation_idx').on(t.statut, t.dateCreation, t.id),
    index('events_statut_nombre_vues_idx').on(t.statut, t.nombreVues, t.id),
    // Search (pg_trgm index serving LIKE, see search-terms.ts) and nearby queries (earthdistance, KNN).
    index('events_search_trgm_idx').using('gin', t.searchDocument.op('gin_trgm_ops')),
    index('events_earth_point_gist_idx').using('gist', t.earthPoint),
    check('events_dates_ordre', sql`${t.dateFin} > ${t.dateDebut}`),
    check('events_capacite_positive', sql`${t.capaciteMax} >= 1`),
    check('events_prix_coherent', sql`(${t.typeAcces} = 'GRATUIT' AND ${t.prix} = 0) OR (${t.typeAcces} = 'PAYANT' AND ${t.prix} > 0)`),
    check('events_participants_bornes', sql`${t.participantsCount} >= 0 AND ${t.participantsCount} <= ${t.capaciteMax}`),
    check('events_coordonnees', sql`(${t.latitude} IS NULL) = (${t.longitude} IS NULL)`),
    check('events_nombre_vues_positif', sql`${t.nombreVues} >= 0`),
    check('events_max_par_personne_positif', sql`${t.maxParPersonne} IS NULL OR ${t.maxParPersonne} >= 1`),
  ],
);

export const eventParticipations = pgTable(
  'event_participations',
  {
    id: serial('id').primaryKey(),
    utilisateurId: integer('utilisateur_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    evenementId: integer('evenement_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    statut: varchar('statut', { length: 10, enum: PARTICIPATION_STATUTS }).notNull().default('CONFIRME'),
    dateParticipation: ts('date_participation').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('event_participations_pair_uniq').on(t.utilisateurId, t.evenementId),
    index('event_participations_event_idx').on(t.evenementId, t.statut),
  ],
);

/**
 * Every distinct word (3 to 40 characters, not only digits) of the events' search documents, filled by a trigger on events
 * (migration events_search_words). Typo tolerance looks here first: a misspelt term is matched to the few
 * known words it resembles (trigram similarity on short strings, cheap), then events are found by those
 * words with the trigram index on search_document (LIKE, cheap to recheck). Words are never removed: a word
 * no event uses any more only yields a pattern that matches nothing.
 */
export const eventSearchWords = pgTable('event_search_words', { word: text('word').primaryKey() }, (t) => [
  index('event_search_words_trgm_idx').using('gin', t.word.op('gin_trgm_ops')),
]);

export const REVISION_STATUTS = ['EN_ATTENTE', 'APPROUVEE', 'REJETEE', 'REMPLACEE', 'RETIREE'] as const;
export type RevisionStatut = (typeof REVISION_STATUTS)[number];

/**
 * A content change to a published (VALIDE) event, waiting for staff: its title, descriptions, cover image, category
 * or place. The published version stays what the public sees until staff approve the revision (issue 11: an
 * approved event rewritten into a scam stayed public). `avant` is the published content when the revision was
 * made, `champs` the proposed one (same keys), so staff read the diff. One pending revision per event: a new edit
 * replaces it (REMPLACEE).
 */
export const eventRevisions = pgTable(
  'event_revisions',
  {
    id: serial('id').primaryKey(),
    evenementId: integer('evenement_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    auteurId: integer('auteur_id').references(() => users.id, { onDelete: 'set null' }),
    statut: varchar('statut', { length: 10, enum: REVISION_STATUTS }).notNull().default('EN_ATTENTE'),
    champs: jsonb('champs').notNull(),
    avant: jsonb('avant').notNull(),
    motifRejet: text('motif_rejet').notNull().default(''),
    moderateurId: integer('moderateur_id').references(() => users.id, { onDelete: 'set null' }),
    dateCreation: ts('date_creation').notNull().defaultNow(),
    dateDecision: ts('date_decision'),
  },
  (t) => [
    uniqueIndex('event_revisions_one_pending_uniq')
      .on(t.evenementId)
      .where(sql`${t.statut} = 'EN_ATTENTE'`),
    index('event_revisions_pending_idx')
      .on(t.statut, t.dateCreation)
      .where(sql`${t.statut} = 'EN_ATTENTE'`),
  ],
);
