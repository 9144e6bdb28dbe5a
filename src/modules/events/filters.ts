/**
 * The public list's query string turned into filters, with a French 400 for anything that cannot be
 * understood (DRF would silently ignore a bad `ordering`; a client is better served by being told).
 */
import { ValidationError, type FieldErrors } from '../../core/errors.js';
import { QUERY_ERRORS } from '../../core/error-handler.js';
import type { ListFilters } from './queries.js';
import type { SearchTerm } from './search-terms.js';
import { ORDERING_FIELDS, type ListEventsQueryT } from './schemas.js';
import { parseQueryDate } from './validation.js';

const MAX_TERMS = 8;
export const DEFAULT_RADIUS_KM = 10;

/** DRF's SearchFilter splits on whitespace and commas; every term must match. */
export function searchTerms(raw: string | undefined): string[] {
  if (!raw) return [];
  const terms = raw
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
    .slice(0, MAX_TERMS)
    .map((t) => t.slice(0, 50));
  // Duplicates would only weigh the ranking.
  return [...new Set(terms.map((t) => t.toLowerCase()))];
}

export function parseOrdering(raw: string | undefined, errors: FieldErrors): ListFilters['ordering'] {
  if (!raw || !raw.trim()) return [];
  const out: ListFilters['ordering'] = [];
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const desc = part.startsWith('-');
    const field = desc ? part.slice(1) : part;
    if (!(ORDERING_FIELDS as readonly string[]).includes(field)) {
      (errors.ordering ??= []).push(
        `Tri inconnu « ${part.slice(0, 40)} ». Tris possibles : ${ORDERING_FIELDS.join(', ')} (préfixe - pour décroissant).`,
      );
      continue;
    }
    if (!out.some((o) => o.field === field)) out.push({ field: field as (typeof ORDERING_FIELDS)[number], desc });
  }
  return out;
}

export function parseNear(raw: string | undefined, radiusKm: number | undefined, errors: FieldErrors): ListFilters['near'] {
  if (raw === undefined || raw.trim() === '') {
    if (radiusKm !== undefined) (errors.radius_km ??= []).push('radius_km s’utilise avec near=LAT,LNG.');
    return undefined;
  }
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(raw);
  if (!m) {
    (errors.near ??= []).push('Format attendu : near=LAT,LNG (par exemple near=5.3364,-4.0267).');
    return undefined;
  }
  const lat = Number(m[1]);
  const lng = Number(m[2]);
  if (lat < -90 || lat > 90) (errors.near ??= []).push('La latitude doit être comprise entre -90 et 90.');
  if (lng < -180 || lng > 180) (errors.near ??= []).push('La longitude doit être comprise entre -180 et 180.');
  if (errors.near) return undefined;
  return { lat, lng, radiusKm: radiusKm ?? DEFAULT_RADIUS_KM };
}

/**
 * The public list's filters: validated events only (others are never listed, whatever the query says).
 * `expand` turns the search terms into their patterns (search-terms.ts).
 */
export async function publicListFilters(q: ListEventsQueryT, expand: (terms: string[]) => Promise<SearchTerm[]>): Promise<ListFilters> {
  const errors: FieldErrors = {};
  let debutApres: Date | undefined;
  let debutAvant: Date | undefined;
  if (q.date_debut_apres !== undefined) {
    debutApres = parseQueryDate(q.date_debut_apres, false) ?? undefined;
    if (!debutApres) errors.date_debut_apres = ['Date invalide : AAAA-MM-JJ ou ISO 8601 (2026-12-25T20:00:00Z) attendu.'];
  }
  if (q.date_debut_avant !== undefined) {
    debutAvant = parseQueryDate(q.date_debut_avant, true) ?? undefined;
    if (!debutAvant) errors.date_debut_avant = ['Date invalide : AAAA-MM-JJ ou ISO 8601 (2026-12-25T20:00:00Z) attendu.'];
  }
  if (debutApres && debutAvant && debutAvant < debutApres) {
    errors.date_debut_avant = ['date_debut_avant doit être postérieure ou égale à date_debut_apres.'];
  }
  const ordering = parseOrdering(q.ordering, errors);
  const near = parseNear(q.near, q.radius_km, errors);
  if (Object.keys(errors).length) throw new ValidationError(errors, QUERY_ERRORS);
  return {
    statuts: ['VALIDE'],
    categorie: q.categorie,
    typeAcces: q.type_acces,
    createur: q.createur,
    debutApres,
    debutAvant,
    upcoming: q.a_venir ?? true,
    terms: await expand(searchTerms(q.search)),
    near,
    ordering,
    enAvant: q.en_avant,
  };
}
