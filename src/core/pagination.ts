/**
 * Page-number pagination shaped like the manual's OptimizedPagination (DRF): `count`, `next`, `previous`,
 * `results`, `page_info`. Defaults 20 per page, at most 100; an out-of-range page is a 404 `invalid_page`
 * (DRF behaviour); a bad `page_size` falls back to the default, as in DRF.
 */
import { Type, type TSchema } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { NotFoundError } from './errors.js';

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

export interface PaginateOptions<T> {
  request: FastifyRequest;
  count: () => Promise<number>;
  fetch: (limit: number, offset: number) => Promise<T[]>;
  baseUrl?: string | undefined;
}

export async function paginate<T>(opts: PaginateOptions<T>): Promise<Page<T>> {
  const q = (opts.request.query ?? {}) as Record<string, unknown>;
  const pageSize = pageSizeOf(q.page_size);
  const count = await opts.count();
  const { page, totalPages } = resolvePage(q.page, count, pageSize);
  const results = await opts.fetch(pageSize, (page - 1) * pageSize);
  return {
    count,
    next: page < totalPages ? pageLink(opts.request, page + 1, opts.baseUrl) : null,
    previous: page > 1 ? pageLink(opts.request, page - 1, opts.baseUrl) : null,
    results,
    page_info: { current_page: page, total_pages: totalPages, page_size: pageSize },
  };
}

/** Absolute link to another page of the same query (DRF removes `page` for page 1). */
export function pageLink(request: FastifyRequest, page: number, baseUrl?: string): string {
  const origin = baseUrl ?? `${request.protocol}://${request.host}`;
  const url = new URL(request.url, origin);
  if (page === 1) url.searchParams.delete('page');
  else url.searchParams.set('page', String(page));
  return `${origin}${url.pathname}${url.search}`;
}
