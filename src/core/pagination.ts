/**
 * Page-number pagination shaped like the manual's OptimizedPagination (DRF): `count`, `next`, `previous`,
 * `results`, `page_info`. Defaults 20 per page, at most 100; an out-of-range page is a 404 `invalid_page`
 * (DRF behaviour); a bad `page_size` falls back to the default, as in DRF.
 *
 * Two halves: use cases call `paginate()` with the page asked for and get a `PageSlice` (no HTTP in it);
 * routes turn the slice into the answer with `pageResponse()`, which adds the `next`/`previous` links.
 */
import { Type, type TSchema } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { NotFoundError } from './errors.js';
import { publicOrigin } from './origin.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export const PaginationQuery = {
  page: Type.Optional(Type.String({ description: 'Numéro de page (1…), ou `last`.' })),
  page_size: Type.Optional(Type.String({ description: `Taille de page (défaut ${DEFAULT_PAGE_SIZE}, maximum ${MAX_PAGE_SIZE}).` })),
};

export const PageInfo = Type.Object({
  current_page: Type.Integer(),
  total_pages: Type.Integer(),
  page_size: Type.Integer(),
});

export function Paginated<T extends TSchema>(item: T) {
  return Type.Object({
    count: Type.Integer(),
    next: Type.Union([Type.String(), Type.Null()]),
    previous: Type.Union([Type.String(), Type.Null()]),
    results: Type.Array(item),
    page_info: PageInfo,
  });
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
  page_info: { current_page: number; total_pages: number; page_size: number };
}

/** The page asked for, as the query string gave it (validated by `paginate`). */
export interface PageRequest {
  page?: string | undefined;
  pageSize?: string | undefined;
}

/** One page of results, without links: what use cases return. */
export interface PageSlice<T> {
  count: number;
  page: number;
  totalPages: number;
  pageSize: number;
  results: T[];
}

export function pageRequest(query: unknown): PageRequest {
  const q = (query ?? {}) as Record<string, unknown>;
  return {
    page: typeof q.page === 'string' ? q.page : undefined,
    pageSize: typeof q.page_size === 'string' ? q.page_size : undefined,
  };
}

export function pageSizeOf(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) return DEFAULT_PAGE_SIZE;
  const n = Number(raw);
  if (n < 1) return DEFAULT_PAGE_SIZE;
  return Math.min(n, MAX_PAGE_SIZE);
}

/** Resolves the requested page against the total; throws the DRF-style 404 when it does not exist. */
export function resolvePage(raw: unknown, count: number, pageSize: number): { page: number; totalPages: number } {
  // DRF: an empty list still has one (empty) page.
  const totalPages = Math.max(1, Math.ceil(count / pageSize));
  let page: number;
  if (raw === undefined || raw === '') page = 1;
  else if (raw === 'last') page = totalPages;
  else if (typeof raw === 'string' && /^\d+$/.test(raw)) page = Number(raw);
  else throw new NotFoundError('Page non valide.', 'invalid_page');
  if (page < 1 || page > totalPages) throw new NotFoundError('Page non valide.', 'invalid_page');
  return { page, totalPages };
}

/**
 * Counts and fetches the page. When the page is known before the count (a number, or none for the first),
 * both run at the same time (two pooled connections on PostgreSQL) and the page is validated against the
 * count afterwards: a page past the end is still a 404. `last` (or junk, which is refused) counts first.
 */
export async function paginate<T>(
  req: PageRequest,
  count: () => Promise<number>,
  fetch: (limit: number, offset: number) => Promise<T[]>,
): Promise<PageSlice<T>> {
  const pageSize = pageSizeOf(req.pageSize);
  const raw = req.page;
  const requested = raw === undefined || raw === '' ? 1 : /^\d+$/.test(raw) ? Number(raw) : null;
  // Concurrently only for an offset the database can take; a page number past that is counted first (404).
  if (requested !== null && requested >= 1 && Number.isSafeInteger((requested - 1) * pageSize)) {
    const [total, results] = await Promise.all([count(), fetch(pageSize, (requested - 1) * pageSize)]);
    const { page, totalPages } = resolvePage(raw, total, pageSize);
    return { count: total, page, totalPages, pageSize, results };
  }
  const total = await count();
  const { page, totalPages } = resolvePage(raw, total, pageSize);
  const results = await fetch(pageSize, (page - 1) * pageSize);
  return { count: total, page, totalPages, pageSize, results };
}

export function mapPage<T, U>(slice: PageSlice<T>, fn: (item: T) => U): PageSlice<U> {
  return { ...slice, results: slice.results.map(fn) };
}

/** The answer for a slice: the manual's shape, with absolute links to the neighbouring pages of the same query. */
export function pageResponse<T>(request: FastifyRequest, slice: PageSlice<T>, baseUrl?: string): Page<T> {
  return {
    count: slice.count,
    next: slice.page < slice.totalPages ? pageLink(request, slice.page + 1, baseUrl) : null,
    previous: slice.page > 1 ? pageLink(request, slice.page - 1, baseUrl) : null,
    results: slice.results,
    page_info: { current_page: slice.page, total_pages: slice.totalPages, page_size: slice.pageSize },
  };
}

/** Absolute link to another page of the same query (DRF removes `page` for page 1). */
export function pageLink(request: FastifyRequest, page: number, baseUrl?: string): string {
  const origin = publicOrigin(request, baseUrl);
  const url = new URL(request.url, origin);
  if (page === 1) url.searchParams.delete('page');
  else url.searchParams.set('page', String(page));
  return `${origin}${url.pathname}${url.search}`;
}
