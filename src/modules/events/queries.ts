/**
 * Reading events: one SQL query per page, whatever its size. The creator and the category come from joins,
 * `participants_count` from the counter kept by joins and leaves, and `is_participating` from an EXISTS on
 * the (utilisateur, evenement) unique index inside the same query, so no list costs a query per row.
 */
import { and, asc, desc, eq, gte, lte, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { DbOrTx } from '../../db/client.js';
import { eventCategories, eventParticipations, events, type EventStatut } from './tables.js';
import { follows, users } from '../users/tables.js';
import { pageLink, pageSizeOf, resolvePage, type Page } from '../../core/pagination.js';
import type { SearchTerm } from './search-terms.js';

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
}

const ORDER_COLUMNS = { date_debut: events.dateDebut, date_creation: events.dateCreation, nombre_vues: events.nombreVues };

/** The query's point, computed once per query. */
function earthPoint(lat: number, lng: number): SQL {
  return sql`(ll_to_earth(${lat}::float8, ${lng}::float8))::cube`;
}

/** Distance along the surface (earthdistance's sec_to_gc of the straight-line distance), in meters. */
function distanceMeters(near: { lat: number; lng: number }): SQL<number> {
  return sql<number>`sec_to_gc(cube_distance(${earthPoint(near.lat, near.lng)}, ${events.earthPoint}))`;
}

const textArray = (xs: string[]) => sql`ARRAY[${sql.join(xs.map((x) => sql`${x}`), sql`, `)}]::text[]`;

/**
 * A term matches titre, lieu or description when the document contains the term itself or one of the
 * known words it resembles (search-terms.ts). The trigram index serves LIKE, also with ANY(array).
 */
function termCondition(t: SearchTerm): SQL {
  return t.patterns.length === 1
    ? sql`${events.searchDocument} LIKE ${t.patterns[0]}`
    : sql`${events.searchDocument} LIKE ANY (${textArray(t.patterns)})`;
}

/**
 * Relevance, summed over the terms: 1 for the term itself, 0.5 for a word it resembles (a typo), plus 1 when
 * the match is in the title (search_document starts with the title).
 */
function rankExpression(terms: SearchTerm[]): SQL<number> {
  const parts = terms.map(
    (t) => sql`(CASE WHEN ${events.searchDocument} LIKE ${t.patterns[0]} THEN 1 ELSE 0.5 END
      + CASE WHEN left(${events.searchDocument}, char_length(${events.titre})) LIKE ANY (${textArray(t.patterns)}) THEN 1 ELSE 0 END)`,
  );
  return sql<number>`(${sql.join(parts, sql` + `)})`;
}

export function whereClause(f: ListFilters, now: Date): SQL | undefined {
  const conds: (SQL | undefined)[] = [];
  conds.push(f.statuts.length === 1 ? eq(events.statut, f.statuts[0]!) : inArray(events.statut, [...f.statuts]));
  if (f.categorie !== undefined) conds.push(eq(events.categorieId, f.categorie));
  if (f.typeAcces !== undefined) conds.push(eq(events.typeAcces, f.typeAcces));
  if (f.createur !== undefined) conds.push(eq(events.createurId, f.createur));
  if (f.debutApres) conds.push(gte(events.dateDebut, f.debutApres));
  if (f.debutAvant) conds.push(lte(events.dateDebut, f.debutAvant));
  if (f.upcoming) conds.push(gt(events.dateFin, now));
  for (const t of f.terms) conds.push(termCondition(t));
  if (f.near) {
    const meters = f.near.radiusKm * 1000;
    // earth_box is the indexable cube around the point; the exact distance then trims its corners.
    conds.push(sql`earth_box(${earthPoint(f.near.lat, f.near.lng)}, ${meters}::float8) @> ${events.earthPoint}`);
    conds.push(sql`${distanceMeters(f.near)} <= ${meters}::float8`);
  }
  if (f.followedBy !== undefined) {
    conds.push(sql`${events.createurId} IN (SELECT ${follows.followedId} FROM ${follows} WHERE ${follows.followerId} = ${f.followedBy})`);
  }
  return and(...conds);
}

function orderClause(f: ListFilters): SQL[] {
  if (f.ordering.length) {
    const out = f.ordering.map((o) => (o.desc ? desc(ORDER_COLUMNS[o.field]) : asc(ORDER_COLUMNS[o.field])));
    // A unique tie-breaker in the direction of the first key keeps pages stable and lets one index serve the sort.
    out.push(f.ordering[0]!.desc ? desc(events.id) : asc(events.id));
    return out;
  }
  // KNN: the GiST index returns the points nearest first (`<->` is the straight-line distance through the
  // earth, which orders exactly like the distance along its surface), so a page stops after its 20 rows.
  if (f.near) return [asc(sql`${events.earthPoint} <-> ${earthPoint(f.near.lat, f.near.lng)}`), asc(events.id)];
  if (f.terms.length) return [desc(rankExpression(f.terms)), asc(events.dateDebut), asc(events.id)];
  return [asc(events.dateDebut), asc(events.id)];
}

export function eventSelection(viewerId: number | null, near?: { lat: number; lng: number }) {
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
    statut: events.statut,
    image: events.image,
    validateurId: events.validateurId,
    dateValidation: events.dateValidation,
    motifRejet: events.motifRejet,
    dateCreation: events.dateCreation,
    dateModification: events.dateModification,
    nombreVues: events.nombreVues,
    participantsCount: events.participantsCount,
    createur: {
      id: users.id,
      username: users.username,
      firstName: users.firstName,
      lastName: users.lastName,
      photoProfil: users.photoProfil,
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
    isParticipating:
      viewerId === null
        ? sql<boolean>`false`
        : sql<boolean>`EXISTS (SELECT 1 FROM ${eventParticipations} p WHERE p.evenement_id = ${events.id} AND p.utilisateur_id = ${viewerId} AND p.statut = 'CONFIRME')`,
    distanceMeters: near ? distanceMeters(near) : sql<null>`NULL::float8`,
  };
}

export type EventRow = {
  id: number;
  titre: string;
  description: string;
  descriptionCourte: string;
  dateDebut: Date;
  dateFin: Date;
  lieu: string;
  adresse: string;
  latitude: number | null;
  longitude: number | null;
  typeAcces: 'GRATUIT' | 'PAYANT';
  prix: number;
  capaciteMax: number;
  statut: EventStatut;
  image: string;
  validateurId: number | null;
  dateValidation: Date | null;
  motifRejet: string;
  dateCreation: Date;
  dateModification: Date;
  nombreVues: number;
  participantsCount: number;
  createur: { id: number; username: string; firstName: string; lastName: string; photoProfil: string; estVerifie: boolean };
  categorie: { id: number; nom: string; slug: string; description: string; icone: string; couleur: string };
  isParticipating: boolean | string;
  distanceMeters: number | string | null;
};

function baseQuery(db: DbOrTx, viewerId: number | null, near?: { lat: number; lng: number }) {
  return db
    .select(eventSelection(viewerId, near))
    .from(events)
    .innerJoin(users, eq(users.id, events.createurId))
    .innerJoin(eventCategories, eq(eventCategories.id, events.categorieId));
}

/** The page query, not yet run (also used to look at its plan: bench/explain.ts). */
export function pageQuery(db: DbOrTx, f: ListFilters, viewerId: number | null, limit: number, offset: number, now = new Date()) {
  return baseQuery(db, viewerId, f.near)
    .where(whereClause(f, now))
    .orderBy(...orderClause(f))
    .limit(limit)
    .offset(offset);
}

export function countQuery(db: DbOrTx, f: ListFilters, now = new Date()) {
  return db.select({ n: sql<number>`count(*)::int` }).from(events).where(whereClause(f, now));
}

export async function fetchEvents(
  db: DbOrTx,
  f: ListFilters,
  viewerId: number | null,
  limit: number,
  offset: number,
  now = new Date(),
): Promise<EventRow[]> {
  return (await pageQuery(db, f, viewerId, limit, offset, now)) as unknown as EventRow[];
}

export async function countEvents(db: DbOrTx, f: ListFilters, now = new Date()): Promise<number> {
  const [row] = await countQuery(db, f, now);
  return Number(row?.n ?? 0);
}

export async function fetchEventById(db: DbOrTx, id: number, viewerId: number | null): Promise<EventRow | null> {
  const rows = await baseQuery(db, viewerId).where(eq(events.id, id)).limit(1);
  return (rows[0] as unknown as EventRow | undefined) ?? null;
}

export async function fetchEventsByIds(db: DbOrTx, ids: number[], viewerId: number | null): Promise<Map<number, EventRow>> {
  if (!ids.length) return new Map();
  const rows = (await baseQuery(db, viewerId).where(inArray(events.id, ids))) as unknown as EventRow[];
  return new Map(rows.map((r) => [r.id, r]));
}

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

/** The EventSerializer: the row in the API's names and formats. */
export function toEventJson(row: EventRow, mediaBase: string, extraViews = 0) {
  const out = {
    id: row.id,
    titre: row.titre,
    description: row.description,
    description_courte: row.descriptionCourte,
    createur: {
      id: row.createur.id,
      username: row.createur.username,
      first_name: row.createur.firstName,
      last_name: row.createur.lastName,
      photo_profil: row.createur.photoProfil,
      est_verifie: row.createur.estVerifie,
    },
    categorie: row.categorie,
    date_debut: iso(row.dateDebut),
    date_fin: iso(row.dateFin),
    lieu: row.lieu,
    adresse: row.adresse,
    latitude: row.latitude,
    longitude: row.longitude,
    type_acces: row.typeAcces,
    prix: row.prix,
    capacite_max: row.capaciteMax,
    statut: row.statut,
    image: row.image ? `${mediaBase}/media/${row.image}` : null,
    validateur: row.validateurId,
    date_validation: row.dateValidation ? iso(row.dateValidation) : null,
    motif_rejet: row.motifRejet,
    date_creation: iso(row.dateCreation),
    date_modification: iso(row.dateModification),
    nombre_vues: row.nombreVues + extraViews,
    participants_count: row.participantsCount,
    places_restantes: Math.max(0, row.capaciteMax - row.participantsCount),
    // PGlite returns booleans from EXISTS; node-postgres too, but be strict about 't'.
    is_participating: row.isParticipating === true || row.isParticipating === 't',
  };
  if (row.distanceMeters !== null && row.distanceMeters !== undefined) {
    return { ...out, distance_km: Math.round(Number(row.distanceMeters)) / 1000 };
  }
  return out;
}

export type EventJson = ReturnType<typeof toEventJson>;

/** Public origin for links (images): PUBLIC_BASE_URL when set, else the request's own. */
export function mediaBaseOf(request: FastifyRequest, publicBaseUrl: string | undefined): string {
  return publicBaseUrl ?? `${request.protocol}://${request.host}`;
}

/**
 * The manual's pagination, with the count and the page fetched at the same time (two pooled connections on
 * PostgreSQL): the page is validated against the count afterwards, and a page past the end is still a 404.
 */
export async function paginateConcurrently<T>(
  request: FastifyRequest,
  count: () => Promise<number>,
  fetch: (limit: number, offset: number) => Promise<T[]>,
  baseUrl?: string,
): Promise<Page<T>> {
  const q = (request.query ?? {}) as Record<string, unknown>;
  const pageSize = pageSizeOf(q.page_size);
  const requested = typeof q.page === 'string' && /^\d+$/.test(q.page) ? Number(q.page) : null;
  if (requested !== null && requested >= 1) {
    const [total, results] = await Promise.all([count(), fetch(pageSize, (requested - 1) * pageSize)]);
    const { page, totalPages } = resolvePage(q.page, total, pageSize);
    return buildPage(request, total, page, totalPages, pageSize, results, baseUrl);
  }
  if (q.page === undefined || q.page === '') {
    const [total, results] = await Promise.all([count(), fetch(pageSize, 0)]);
    const { page, totalPages } = resolvePage(q.page, total, pageSize);
    return buildPage(request, total, page, totalPages, pageSize, results, baseUrl);
  }
  // `last` (or nonsense, which resolvePage rejects) needs the count first.
  const total = await count();
  const { page, totalPages } = resolvePage(q.page, total, pageSize);
  const results = await fetch(pageSize, (page - 1) * pageSize);
  return buildPage(request, total, page, totalPages, pageSize, results, baseUrl);
}

function buildPage<T>(request: FastifyRequest, count: number, page: number, totalPages: number, pageSize: number, results: T[], baseUrl?: string): Page<T> {
  return {
    count,
    next: page < totalPages ? pageLink(request, page + 1, baseUrl) : null,
    previous: page > 1 ? pageLink(request, page - 1, baseUrl) : null,
    results,
    page_info: { current_page: page, total_pages: totalPages, page_size: pageSize },
  };
}
