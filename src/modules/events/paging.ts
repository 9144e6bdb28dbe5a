/** Pagination for the events lists (the manual's OptimizedPagination shape, from core/pagination.ts). */
import type { FastifyRequest } from 'fastify';
import { pageLink, pageSizeOf, resolvePage, type Page } from '../../core/pagination.js';

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
  // Concurrently only for an offset the database can take; a page number past that is counted first (404).
  if (requested !== null && requested >= 1 && Number.isSafeInteger((requested - 1) * pageSize)) {
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

function buildPage<T>(
  request: FastifyRequest,
  count: number,
  page: number,
  totalPages: number,
  pageSize: number,
  results: T[],
  baseUrl?: string,
): Page<T> {
  return {
    count,
    next: page < totalPages ? pageLink(request, page + 1, baseUrl) : null,
    previous: page > 1 ? pageLink(request, page - 1, baseUrl) : null,
    results,
    page_info: { current_page: page, total_pages: totalPages, page_size: pageSize },
  };
}
