/**
 * Reading events: one SQL query per page, whatever its size. The creator and the category come from joins,
 * `participants_count` from the counter kept by joins and leaves, and `is_participating` from an EXISTS on
 * the (utilisateur, evenement) unique index inside the same query, so no list costs a query per row.
 */
import { and, asc, desc, eq, fillPlaceholders, gte, lte, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database, DbOrTx } from '../../db/client.js';
import { preparedOnce } from '../../db/prepared.js';
import { eventCategories, eventParticipations, events, type EventStatut } from './tables.js';
import { follows, users } from '../users/tables.js';
import { tickets, ticketTypes } from '../tickets/tables.js';
import type { SearchTerm } from './search-terms.js';
import type { EventRow } from './serializer.js';
import { featuredFlagSql, featuredOrganizersSql } from '../subscriptions/effective.js';

export interface ListFilters {
  statuts: readonly EventStatut[];
  categorie?: number | undefined;
  typeAcces?: 'GRATUIT' | 'PAYANT' | undefined;
  createur?: number | undefined;
  debutApres?: Date | undefined;
  debutAvant?: Date | undefined;
  /** Only events not over yet (date_fin in the future). */
  upcoming: boolean;
  terms: SearchTerm[];
  near?: { lat: number; lng: number; radiusKm: number } | undefined;
  ordering: { field: 'date_debut' | 'date_creation' | 'nombre_vues'; desc: boolean }[];
  /** Events of the organizers this user follows (the feed). */
  followedBy?: number | undefined;
  /** Only events whose organizer's plan features them (true), or only the others (false). */
  enAvant?: boolean | undefined;
}

/**
 * Participants: those who joined (free events, the counter kept by joins and leaves) and the seats sold (paid
 * events, `vendus` of their ticket types, kept by the confirmations). Read here rather than counted into the
 * event row, which every confirmation would otherwise have to write.
 */
export const participantsCountSql = sql<number>`(CASE WHEN ${events.typeAcces} = 'PAYANT'
  THEN ${events.participantsCount} + coalesce((SELECT sum(tt.vendus) FROM ${ticketTypes} tt WHERE tt.evenement_id = ${events.id}), 0)
  ELSE ${events.participantsCount} END)::int`;

const ORDER_COLUMNS = { date_debut: events.dateDebut, date_creation: events.dateCreation, nombre_vues: events.nombreVues };
const ph = (name: string) => sql.placeholder(name);

/** The query's point, computed once per query. */
const queryPoint = sql`(ll_to_earth(${ph('lat')}::float8, ${ph('lng')}::float8))::cube`;

/** Distance along the surface (earthdistance's sec_to_gc of the straight-line distance), in meters. */
const distanceMeters = sql<number>`sec_to_gc(cube_distance(${queryPoint}, ${events.earthPoint}))`;

const patternsArray = (i: number, n: number) =>
  sql`ARRAY[${sql.join(
    Array.from({ length: n }, (_, j) => sql`${ph(`t${i}_${j}`)}`),
    sql`, `,
  )}]::text[]`;

/**
 * A term matches titre, lieu or description when the document contains the term itself or one of the
 * known words it resembles (search-terms.ts). The trigram index serves LIKE, also with ANY(array).
 */
function termCondition(i: number, n: number): SQL {
  return n === 1 ? sql`${events.searchDocument} LIKE ${ph(`t${i}_0`)}` : sql`${events.searchDocument} LIKE ANY (${patternsArray(i, n)})`;
}

/**
 * Relevance, summed over the terms: 1 for the term itself, 0.5 for a word it resembles (a typo), plus 1 when
 * the match is in the title (search_document starts with the title).
 */
function rankExpression(counts: number[]): SQL<number> {
  const parts = counts.map(
    (n, i) => sql`(CASE WHEN ${events.searchDocument} LIKE ${ph(`t${i}_0`)} THEN 1 ELSE 0.5 END
      + CASE WHEN left(${events.searchDocument}, char_length(${events.titre})) LIKE ANY (${patternsArray(i, n)}) THEN 1 ELSE 0 END)`,
  );
  return sql<number>`(${sql.join(parts, sql` + `)})`;
}

/**
 * A list query's shape: which filters are present, not their values. Queries are built once per shape with
 * placeholders, prepared, and reused with the request's values (see `prepared` below).
 */
interface Shape {
  statuts: readonly EventStatut[];
  categorie: boolean;
  typeAcces: boolean;
  createur: boolean;
  apres: boolean;
  avant: boolean;
  upcoming: boolean;
  terms: number[];
  near: boolean;
  ordering: ListFilters['ordering'];
  followedBy: boolean;
  enAvant: boolean | null;
  viewer: boolean;
}

function shapeOf(f: ListFilters, viewerId: number | null): Shape {
  return {
    statuts: f.statuts,
    categorie: f.categorie !== undefined,
    typeAcces: f.typeAcces !== undefined,
    createur: f.createur !== undefined,
    apres: !!f.debutApres,
    avant: !!f.debutAvant,
    upcoming: f.upcoming,
    terms: f.terms.map((t) => t.patterns.length),
    near: !!f.near,
    ordering: f.ordering,
    followedBy: f.followedBy !== undefined,
    enAvant: f.enAvant ?? null,
    viewer: viewerId !== null,
  };
}

/** The placeholders' values for a request. */
function valuesOf(f: ListFilters, viewerId: number | null, now: Date): Record<string, unknown> {
  const v: Record<string, unknown> = { now, viewer: viewerId };
  if (f.categorie !== undefined) v.categorie = f.categorie;
  if (f.typeAcces !== undefined) v.typeAcces = f.typeAcces;
  if (f.createur !== undefined) v.createur = f.createur;
  if (f.debutApres) v.apres = f.debutApres;
  if (f.debutAvant) v.avant = f.debutAvant;
  f.terms.forEach((t, i) => t.patterns.forEach((p, j) => (v[`t${i}_${j}`] = p)));
  if (f.near) Object.assign(v, { lat: f.near.lat, lng: f.near.lng, meters: f.near.radiusKm * 1000 });
  if (f.followedBy !== undefined) v.followedBy = f.followedBy;
  return v;
}

function whereOf(s: Shape, withinRadius = true): SQL | undefined {
  const conds: (SQL | undefined)[] = [];
  conds.push(s.statuts.length === 1 ? eq(events.statut, s.statuts[0]!) : inArray(events.statut, [...s.statuts]));
  if (s.categorie) conds.push(eq(events.categorieId, ph('categorie')));
  if (s.typeAcces) conds.push(eq(events.typeAcces, ph('typeAcces')));
  if (s.createur) conds.push(eq(events.createurId, ph('createur')));
  if (s.apres) conds.push(gte(events.dateDebut, ph('apres')));
  if (s.avant) conds.push(lte(events.dateDebut, ph('avant')));
  if (s.upcoming) conds.push(gt(events.dateFin, ph('now')));
  s.terms.forEach((n, i) => conds.push(termCondition(i, n)));
  if (s.near && withinRadius) {
    // earth_box is the indexable cube around the point; the exact distance then trims its corners.
    conds.push(sql`earth_box(${queryPoint}, ${ph('meters')}::float8) @> ${events.earthPoint}`);
    conds.push(sql`${distanceMeters} <= ${ph('meters')}::float8`);
  } else if (s.near) {
    conds.push(sql`${events.earthPoint} IS NOT NULL`);
  }
  if (s.followedBy) {
    conds.push(
      sql`${events.createurId} IN (SELECT ${follows.followedId} FROM ${follows} WHERE ${follows.followerId} = ${ph('followedBy')})`,
    );
  }
  if (s.enAvant !== null) {
    // The featured organizers computed once per query (a hashed subplan), then events_createur_statut_idx.
    const featured = featuredOrganizersSql(sql`${ph('now')}::timestamptz`);
    conds.push(s.enAvant ? sql`${events.createurId} IN (${featured})` : sql`${events.createurId} NOT IN (${featured})`);
  }
  return and(...conds);
}

function orderOf(s: Shape): SQL[] {
  if (s.ordering.length) {
    const out = s.ordering.map((o) => (o.desc ? desc(ORDER_COLUMNS[o.field]) : asc(ORDER_COLUMNS[o.field])));
    // A unique tie-breaker in the direction of the first key keeps pages stable and lets one index serve the sort.
    out.push(s.ordering[0]!.desc ? desc(events.id) : asc(events.id));
    return out;
  }
  // KNN: the GiST index returns the points nearest first (`<->` is the straight-line distance through the
  // earth, which orders exactly like the distance along its surface), so a page stops after its 20 rows.
  if (s.near) return [asc(sql`${events.earthPoint} <-> ${queryPoint}`), asc(events.id)];
  if (s.terms.length) return [desc(rankExpression(s.terms)), asc(events.dateDebut), asc(events.id)];
  return [asc(events.dateDebut), asc(events.id)];
}

export function eventSelection(viewer: boolean, near: boolean) {
  return {
    id: events.id,
    titre: events.titre,
    description: events.description,
    descriptionCourte: events.descriptionCourte,
    dateDebut: events.dateDebut,
    dateFin: events.dateFin,
    lieu: events.lieu,
    adresse: events.adresse,
    latitude: events.latitude,
    longitude: events.longitude,
    typeAcces: events.typeAcces,
    prix: events.prix,
    capaciteMax: events.capaciteMax,
    maxParPersonne: events.maxParPersonne,
    statut: events.statut,
    image: events.image,
    imageMiniature: events.imageMiniature,
    validateurId: events.validateurId,
    dateValidation: events.dateValidation,
    motifRejet: events.motifRejet,
    dateCreation: events.dateCreation,
    dateModification: events.dateModification,
    nombreVues: events.nombreVues,
    participantsCount: participantsCountSql,
    createur: {
      id: users.id,
      username: users.username,
      firstName: users.firstName,
      lastName: users.lastName,
      photoProfil: users.photoProfil,
      photoMiniature: users.photoMiniature,
      estVerifie: users.estVerifie,
    },
    categorie: {
      id: eventCategories.id,
      nom: eventCategories.nom,
      slug: eventCategories.slug,
      description: eventCategories.description,
      icone: eventCategories.icone,
      couleur: eventCategories.couleur,
    },
    // A participant of a free event, or the holder of a ticket of a paid one.
    isParticipating: viewer
      ? sql<boolean>`(EXISTS (SELECT 1 FROM ${eventParticipations} p WHERE p.evenement_id = ${events.id} AND p.utilisateur_id = ${ph('viewer')} AND p.statut = 'CONFIRME')
          OR EXISTS (SELECT 1 FROM ${tickets} t WHERE t.titulaire_id = ${ph('viewer')} AND t.evenement_id = ${events.id} AND t.statut IN ('VALIDE', 'UTILISE')))`
      : sql<boolean>`false`,
    distanceMeters: near ? distanceMeters : sql<null>`NULL::float8`,
    // Featured listing: the organizer's plan in force now has mise_en_avant (subscriptions/effective.ts).
    enAvant: featuredFlagSql(events.createurId, sql`${ph('now')}::timestamptz`),
  };
}

function baseQuery(db: DbOrTx, viewer: boolean, near: boolean) {
  return db
    .select(eventSelection(viewer, near))
    .from(events)
    .innerJoin(users, eq(users.id, events.createurId))
    .innerJoin(eventCategories, eq(eventCategories.id, events.categorieId));
}

type Runnable = { execute(values?: Record<string, unknown>): Promise<unknown> };

/** Where a read runs: inside a transaction (its `tx`), or on the database and its pool for planned-once reads. */
export type ReadSource = DbOrTx | Pick<Database, 'db' | 'planned'>;

function connectionFor(src: ReadSource, planOnce: boolean): DbOrTx {
  if ('planned' in src) return planOnce ? src.planned : src.db;
  return src;
}

/**
 * Whether a list query's best plan is the same whatever its values, so that it can be planned once: the
 * status, "not over yet", the ordering, the access type, the organizer and the viewer filter or sort through
 * the same index for every value. A category or date range can be rare or common, a search or a point
 * changes everything: those are planned on each run with their values (after five runs, PostgreSQL's generic
 * plan for a prepared statement is blind to them; it was three times slower for nearby events).
 */
function valueIndependent(s: Shape): boolean {
  return !s.near && !s.terms.length && !s.categorie && !s.apres && !s.avant && !s.followedBy;
}

/**
 * Builds a query once per shape and connection pool (Drizzle does not rebuild it on each request). When
 * `planOnce`, it runs as a named prepared statement on the planned-once pool (see `Database.planned`): each
 * connection parses and plans it once, then only binds values. Otherwise it is an unnamed statement, parsed
 * and planned with its values at each run. The embedded database ignores names and has one connection.
 */
function prepared(
  src: ReadSource,
  kind: string,
  shape: unknown,
  build: (db: DbOrTx) => { prepare(name: string): Runnable },
  planOnce: boolean,
): Runnable {
  // node-postgres treats an empty name as the unnamed statement.
  return preparedOnce(connectionFor(src, planOnce), `ev:${kind}:${JSON.stringify(shape)}`, (db, name) => build(db).prepare(name), {
    ...(planOnce ? {} : { statementName: '' }),
  });
}

/**
 * The page in two steps: the events' ids (filtered, sorted and cut to the page on the events table alone,
 * where the indexes are), then the creator and category joined to those 20 rows only. Joining first made
 * PostgreSQL join every candidate before sorting (2,300 rows for a nearby query, to keep 20).
 */
function pageBuilder(db: DbOrTx, s: Shape) {
  const page = s.near && !s.ordering.length ? nearestPage(db, s) : sortedPage(db, s);
  return db
    .select(eventSelection(s.viewer, s.near))
    .from(page)
    .innerJoin(events, eq(events.id, page.id))
    .innerJoin(users, eq(users.id, events.createurId))
    .innerJoin(eventCategories, eq(eventCategories.id, events.categorieId))
    .orderBy(asc(page.ord));
}

function sortedPage(db: DbOrTx, s: Shape) {
  const order = orderOf(s);
  return db
    .select({ id: events.id, ord: sql<number>`row_number() OVER (ORDER BY ${sql.join(order, sql`, `)})`.as('ord') })
    .from(events)
    .where(whereOf(s))
    .orderBy(...order)
    .limit(ph('limit'))
    .offset(ph('offset'))
    .as('page');
}

/**
 * Nearest events first, read in distance order straight from the GiST index (KNN) and stopped after the
 * rows the page needs (`reach` = offset + page size, plus a little); the radius is applied to those. Because the index
 * yields events by increasing distance, the ones within the radius are exactly a prefix, so this never
 * misses one, and never walks the whole index when few events are near. (PostgreSQL, left to choose, fetched
 * every event in the radius and sorted them: its estimate for a cube inside a box is a constant.)
 */
const NEAREST_SLACK = 10;

function nearestPage(db: DbOrTx, s: Shape) {
  const distance = sql`${events.earthPoint} <-> ${queryPoint}`;
  const nearest = db
    .select({ id: events.id, chord: sql<number>`${distance}`.as('chord') })
    .from(events)
    .where(whereOf(s, false))
    // Distance alone: with a tie-breaker the index can no longer deliver the order. `reach` has some slack so
    // that events at exactly the same distance across the cut are all seen and ordered by id below.
    .orderBy(distance)
    .limit(ph('reach'))
    .as('nearest');
  return db
    .select({ id: nearest.id, ord: sql<number>`row_number() OVER (ORDER BY ${nearest.chord}, ${nearest.id})`.as('ord') })
    .from(nearest)
    .where(sql`sec_to_gc(${nearest.chord}) <= ${ph('meters')}::float8`)
    .orderBy(asc(nearest.chord), asc(nearest.id))
    .limit(ph('limit'))
    .offset(ph('offset'))
    .as('page');
}

function countBuilder(db: DbOrTx, s: Shape) {
  return db
    .select({ n: sql<number>`count(*)::int` })
    .from(events)
    .where(whereOf(s));
}

/** The page query's SQL and parameters, for looking at its plan (bench/explain.ts). */
export function explainable(db: DbOrTx, f: ListFilters, kind: 'page' | 'count', now = new Date()): { sql: string; params: unknown[] } {
  const s = shapeOf(f, null);
  const q = (kind === 'page' ? pageBuilder(db, s) : countBuilder(db, s)).toSQL();
  const values = { ...valuesOf(f, null, now), limit: 20, offset: 0, reach: 20 + NEAREST_SLACK };
  return { sql: q.sql, params: fillPlaceholders(q.params, values) };
}

export async function fetchEvents(
  src: ReadSource,
  f: ListFilters,
  viewerId: number | null,
  limit: number,
  offset: number,
  now = new Date(),
): Promise<EventRow[]> {
  const s = shapeOf(f, viewerId);
  const q = prepared(src, 'page', s, (db) => pageBuilder(db, s), valueIndependent(s));
  return (await q.execute({ ...valuesOf(f, viewerId, now), limit, offset, reach: offset + limit + NEAREST_SLACK })) as EventRow[];
}

export async function countEvents(src: ReadSource, f: ListFilters, now = new Date()): Promise<number> {
  const s = shapeOf(f, null);
  const q = prepared(src, 'count', { ...s, ordering: [], viewer: false }, (db) => countBuilder(db, s), valueIndependent(s));
  const [row] = (await q.execute(valuesOf(f, null, now))) as { n: number }[];
  return Number(row?.n ?? 0);
}

export async function fetchEventById(src: ReadSource, id: number, viewerId: number | null): Promise<EventRow | null> {
  const viewer = viewerId !== null;
  const q = prepared(
    src,
    'detail',
    { viewer },
    (db) =>
      baseQuery(db, viewer, false)
        .where(eq(events.id, ph('id')))
        .limit(1),
    true,
  );
  const rows = (await q.execute({ id, viewer: viewerId, now: new Date() })) as EventRow[];
  return rows[0] ?? null;
}

export async function fetchEventsByIds(db: DbOrTx, ids: number[], viewerId: number | null): Promise<Map<number, EventRow>> {
  if (!ids.length) return new Map();
  const viewer = viewerId !== null;
  const rows = (await baseQuery(db, viewer, false)
    .where(inArray(events.id, ids))
    .execute(viewer ? { viewer: viewerId, now: new Date() } : { now: new Date() })) as unknown as EventRow[];
  return new Map(rows.map((r) => [r.id, r]));
}
