/**
 * The API's lists (`?page=&page_size=&ordering=&search=&<filters>` → `{count, next, previous, results, page_info}`)
 * and details (`/<resource>/<id>/`) for react-admin. Where a resource lives comes from its definition
 * (resources/index.ts).
 */
import type { DataProvider, GetListParams, Identifier, RaRecord } from 'react-admin';
import { HttpError } from 'react-admin';
import { apiFetch } from './api';
import { RESOURCES } from './resources';

type Page<T> = { count: number; next: string | null; previous: string | null; results: T[] };

const MAX_PAGE_SIZE = 100;
const byName = new Map(RESOURCES.map((r) => [r.name, r]));
const listPath = (resource: string) => byName.get(resource)?.listPath ?? `/${resource}/`;
const itemPath = (resource: string, id: Identifier) => byName.get(resource)?.itemPath?.(id) ?? `/${resource}/${id}/`;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fromItem = (resource: string, json: unknown): any => byName.get(resource)?.fromItem?.(json) ?? (json as RaRecord);

export function listQuery({ pagination, sort, filter }: Partial<GetListParams>): string {
  const qs = new URLSearchParams();
  if (pagination) {
    qs.set('page', String(pagination.page));
    qs.set('page_size', String(Math.min(pagination.perPage, MAX_PAGE_SIZE)));
  }
  if (sort?.field && sort.field !== 'id') qs.set('ordering', `${sort.order === 'DESC' ? '-' : ''}${sort.field}`);
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    const name = key === 'q' ? 'search' : key; // <SearchInput source="q"> → ?search=
    if (Array.isArray(value)) value.forEach((v) => qs.append(name, String(v)));
    else qs.set(name, String(value));
  }
  return qs.toString();
}

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v).toLowerCase());

/** A list the API answers whole (a plain array): filtered (`q` over every text field, others equal), sorted, paged here. */
async function getWhole(resource: string, { pagination, sort, filter }: Partial<GetListParams>) {
  const { json } = await apiFetch(listPath(resource));
  let rows = (json as unknown[]).map((r) => fromItem(resource, r) as RaRecord);
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    rows =
      key === 'q'
        ? rows.filter((r) => Object.values(r).some((v) => typeof v === 'string' && v.toLowerCase().includes(text(value))))
        : rows.filter((r) => text(r[key]) === text(value));
  }
  if (sort?.field) {
    const dir = sort.order === 'DESC' ? -1 : 1;
    const f = sort.field;
    rows = [...rows].sort((a, b) =>
      typeof a[f] === 'number' && typeof b[f] === 'number' ? (a[f] - b[f]) * dir : text(a[f]).localeCompare(text(b[f]), 'fr') * dir,
    );
  }
  const total = rows.length;
  if (pagination) rows = rows.slice((pagination.page - 1) * pagination.perPage, pagination.page * pagination.perPage);
  return { data: rows, total };
}

async function getPage<T extends RaRecord>(resource: string, query: string) {
  try {
    const { json } = await apiFetch(`${listPath(resource)}?${query}`);
    const page = json as Page<T>;
    return {
      data: page.results,
      total: page.count,
      pageInfo: { hasNextPage: page.next !== null, hasPreviousPage: page.previous !== null },
      meta: json as Record<string, unknown>,
    };
  } catch (e) {
    // Past the last page (after the last rows went): an empty page sends react-admin back to page 1.
    if (e instanceof HttpError && e.status === 404 && (e.body as { code?: string })?.code === 'invalid_page') {
      return { data: [] as T[], total: 0 };
    }
    throw e;
  }
}

const changedFields = (data: Record<string, unknown>, previous?: Record<string, unknown>) =>
  previous ? Object.fromEntries(Object.entries(data).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(previous[k]))) : data;

export const dataProvider: DataProvider = {
  getList: (resource, params) =>
    byName.get(resource)?.wholeList ? (getWhole(resource, params) as never) : getPage(resource, listQuery(params)),

  getOne: async (resource, { id }) => ({ data: fromItem(resource, (await apiFetch(itemPath(resource, id))).json) }),

  // One page of 100 (the lists where this is used are small: categories, plans), kept to the ids asked; an id
  // beyond it (an organizer among many users) is read on its own.
  getMany: async (resource, { ids }) => {
    const wanted = new Set(ids.map(String));
    const { data } = byName.get(resource)?.wholeList ? await getWhole(resource, {}) : await getPage(resource, `page_size=${MAX_PAGE_SIZE}`);
    const found = data.filter((r) => wanted.has(String(r.id)));
    const missing = ids.filter((id) => !found.some((r) => String(r.id) === String(id)));
    const more = await Promise.all(
      missing.map((id) =>
        apiFetch(itemPath(resource, id)).then(
          ({ json }) => fromItem(resource, json) as RaRecord,
          () => null, // gone since: the reference shows nothing rather than failing the whole list
        ),
      ),
    );
    return { data: [...found, ...more.filter((r) => r !== null)] as never[] };
  },

  getManyReference: (resource, { target, id, ...params }) =>
    getPage(resource, listQuery({ ...params, filter: { ...params.filter, [target]: id } })),

  create: async (resource, { data }) => ({
    data: (await apiFetch(listPath(resource), { method: 'POST', body: JSON.stringify(data) })).json,
  }),

  update: async (resource, { id, data, previousData }) => ({
    data: fromItem(
      resource,
      (await apiFetch(itemPath(resource, id), { method: 'PATCH', body: JSON.stringify(changedFields(data, previousData)) })).json,
    ),
  }),

  updateMany: async () => {
    throw new Error('Action groupée non prise en charge ici.');
  },

  delete: async (resource, { id, previousData }) => {
    await apiFetch(itemPath(resource, id), { method: 'DELETE' });
    return { data: (previousData ?? { id }) as never };
  },

  deleteMany: async () => {
    throw new Error('Suppression groupée non prise en charge ici.');
  },
};
