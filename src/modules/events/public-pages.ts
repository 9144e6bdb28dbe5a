/**
 * The events' public reads through the public cache (core/public-cache.ts): the list (with search, filters,
 * nearby), an event's page and the categories. What is cached is the anonymous answer, keyed by the
 * normalised query (the validated parameters, sorted), the public origin and the sparse fields; a signed-in
 * caller gets the same page with their own `is_participating` merged in afterwards (one query for the page's
 * events), never a page cached for someone else.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../core/errors.js';
import { QUERY_ERRORS } from '../../core/error-handler.js';
import { publicOrigin } from '../../core/origin.js';
import { pageOf, sendPage } from '../../core/public-http.js';
import type { CachedPage, Loaded } from '../../core/public-cache.js';
import { EventSchema } from './schemas.js';
import { participatingIn } from './reads.js';
import type { EventsDeps } from './deps.js';
import { nextFeaturedChange } from '../subscriptions/effective.js';

/**
 * How long a cached page stays right as far as `en_avant` goes: until the clock alone changes some organizer's
 * subscription in force (a renewal starts, a grace ends; writes bump the version themselves). Not asked when
 * nothing is cached.
 */
export async function featuredMaxAgeMs(deps: EventsDeps): Promise<number> {
  if (!deps.publicCache.enabled) return Infinity;
  const now = new Date();
  const next = await nextFeaturedChange(deps.db, now);
  return next ? next.getTime() - now.getTime() : Infinity;
}

const heads = new WeakMap<CachedPage, { statut: string; createur: { id: number } }>();

/** An event page's status and organizer, parsed once per cached page (this process). */
export function eventHead(page: CachedPage): { statut: string; createur: { id: number } } {
  let head = heads.get(page);
  if (!head) {
    const e = JSON.parse(page.body) as { statut: string; createur: { id: number } };
    head = { statut: e.statut, createur: { id: e.createur.id } };
    heads.set(page, head);
  }
  return head;
}

/** Fields a client may ask for with `?fields=` (the event's, in the schema's order, and `distance_km`). */
export const SPARSE_FIELDS: readonly string[] = Object.keys(EventSchema.properties).filter((f) => f !== 'revision_en_attente');

/** `fields=id,titre,…` checked against the event's fields (French 400 naming the unknown ones), in schema order. */
export function parseFields(raw: string | undefined): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  const asked = new Set(
    raw
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean),
  );
  const unknown = [...asked].filter((f) => !SPARSE_FIELDS.includes(f));
  if (unknown.length) {
    throw new ValidationError(
      {
        fields: [
          `Champ${unknown.length > 1 ? 's' : ''} inconnu${unknown.length > 1 ? 's' : ''} : ${unknown
            .slice(0, 5)
            .map((f) => `« ${f.slice(0, 40)} »`)
            .join(', ')}. Champs possibles : ${SPARSE_FIELDS.join(', ')}.`,
        ],
      },
      QUERY_ERRORS,
    );
  }
  return SPARSE_FIELDS.filter((f) => asked.has(f));
}

type Json = Record<string, unknown>;

export function pickFields(event: Json, fields: readonly string[] | null): Json {
  if (!fields) return event;
  const out: Json = {};
  for (const f of fields) if (f in event) out[f] = event[f];
  return out;
}

function pickPage(page: Json, fields: readonly string[] | null): Json {
  if (!fields) return page;
  return { ...page, results: (page.results as Json[]).map((e) => pickFields(e, fields)) };
}

/** The validated query as a sorted string (without `fields`): the same page has one key however it is written. */
export function canonicalQuery(query: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (k === 'fields' || v === undefined || v === null) continue;
    params.append(k, String(v));
  }
  return params.toString();
}

/** The request as if it had been written canonically (pagination links of a shared page name no stray parameter). */
export function canonicalRequest(request: FastifyRequest, path: string, canon: string): FastifyRequest {
  return Object.create(request, { url: { value: canon ? `${path}?${canon}` : path } }) as FastifyRequest;
}

export function cacheKey(deps: EventsDeps, request: FastifyRequest, kind: string, canon: string): string {
  return `${kind}|${publicOrigin(request, deps.config.publicBaseUrl)}|${canon}`;
}

/**
 * Sends a cached page of events (`results`), or one event: anonymous callers get the cached bytes (sparse
 * fields cached under their own key); a signed-in caller gets the anonymous page with their own
 * `is_participating`, privately.
 */
export async function sendEvents(
  deps: EventsDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  key: string,
  load: () => Promise<Loaded>,
  fields: string[] | null,
  shape: 'page' | 'event',
  /** Views counted by this process and not yet written, added to an event's `nombre_vues`. */
  extraViews = 0,
  /** The full page when the caller already has it (an event's page reads it first): no second lookup. */
  known?: CachedPage,
): Promise<FastifyReply> {
  const cache = deps.publicCache;
  const viewer = request.user?.id ?? null;
  const fullPage = async () => known ?? (await cache.get(key, load)).page;
  if (viewer === null && extraViews > 0) {
    const full = JSON.parse((await fullPage()).body) as Json;
    full.nombre_vues = (full.nombre_vues as number) + extraViews;
    return sendPage(request, reply, pageOf(JSON.stringify(pickFields(full, fields))));
  }
  if (viewer === null) {
    if (!fields) return sendPage(request, reply, await fullPage());
    const sparse = await cache.get(`${key}|fields=${fields.join(',')}`, async () => {
      const page = await fullPage();
      const full = JSON.parse(page.body) as Json;
      const body = JSON.stringify(shape === 'page' ? pickPage(full, fields) : pickFields(full, fields));
      // Kept no longer than the full page it is cut from (an event ending, en_avant).
      return page.expiresAt === undefined ? body : { body, maxAgeMs: page.expiresAt - Date.now() };
    });
    return sendPage(request, reply, sparse.page);
  }
  const full = JSON.parse((await fullPage()).body) as Json;
  const events = shape === 'page' ? (full.results as Json[]) : [full];
  const mine = await participatingIn(
    deps,
    viewer,
    events.map((e) => e.id as number),
  );
  for (const e of events) e.is_participating = mine.has(e.id as number);
  if (shape === 'event') full.nombre_vues = (full.nombre_vues as number) + extraViews;
  const body = JSON.stringify(shape === 'page' ? pickPage(full, fields) : pickFields(full, fields));
  return sendPage(request, reply, pageOf(body), true);
}
