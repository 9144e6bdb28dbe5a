/**
 * Reading events, as use cases: the public list (EventViewSet.list), the feed, an organizer's own events, one
 * event (counting a view), the categories and the moderation queue. Each returns rows (or a page of rows); the
 * routes turn them into the API's JSON (serializer.ts).
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { AuthUser } from '../../core/auth.js';
import { NotFoundError } from '../../core/errors.js';
import { paginate, type PageRequest, type PageSlice } from '../../core/pagination.js';
import { EVENT_STATUTS, eventCategories, events, type EventStatut } from './tables.js';
import { countEvents, fetchEventById, fetchEvents, type ListFilters } from './queries.js';
import { publicListFilters } from './filters.js';
import type { ListEventsQueryT } from './schemas.js';
import type { EventRow } from './serializer.js';
import { canSee, EVENT_NOT_FOUND } from './access.js';
import { EventViewCounter } from './views.js';
import type { EventsDeps } from './deps.js';

/** Validated events, filtered, searched, sorted or nearest first (the query string's French 400 on nonsense). */
export async function listPublicEvents(
  deps: EventsDeps,
  query: ListEventsQueryT,
  viewerId: number | null,
  page: PageRequest,
): Promise<PageSlice<EventRow>> {
  const filters = await publicListFilters(query, (terms) => deps.searchTerms.expand(deps.db, terms));
  const now = new Date();
  const count = () => countEvents(deps.database, filters, now);
  return paginate(
    page,
    () => (deps.listCounts ? deps.listCounts.get(filters, count) : count()),
    (limit, offset) => fetchEvents(deps.database, filters, viewerId, limit, offset, now),
  );
}

/** Upcoming events of the organizers this user follows. */
export async function listFeed(deps: EventsDeps, userId: number, page: PageRequest): Promise<PageSlice<EventRow>> {
  const filters: ListFilters = {
    statuts: ['VALIDE'],
    upcoming: true,
    terms: [],
    ordering: [{ field: 'date_debut', desc: false }],
    followedBy: userId,
  };
  const now = new Date();
  return paginate(
    page,
    () => countEvents(deps.database, filters, now),
    (limit, offset) => fetchEvents(deps.database, filters, userId, limit, offset, now),
  );
}

/** The organizer's own events, every status (or one), newest first, with the number of events per status. */
export async function listMyEvents(
  deps: EventsDeps,
  userId: number,
  statut: EventStatut | undefined,
  page: PageRequest,
): Promise<{ page: PageSlice<EventRow>; counts: Record<EventStatut, number> }> {
  const filters: ListFilters = {
    statuts: statut ? [statut] : EVENT_STATUTS,
    createur: userId,
    upcoming: false,
    terms: [],
    ordering: [{ field: 'date_creation', desc: true }],
  };
  const [slice, grouped] = await Promise.all([
    paginate(
      page,
      () => countEvents(deps.database, filters),
      (limit, offset) => fetchEvents(deps.database, filters, userId, limit, offset),
    ),
    deps.db
      .select({ statut: events.statut, n: sql<number>`count(*)::int` })
      .from(events)
      .where(eq(events.createurId, userId))
      .groupBy(events.statut),
  ]);
  const counts = Object.fromEntries(EVENT_STATUTS.map((s) => [s, 0])) as Record<EventStatut, number>;
  for (const g of grouped) counts[g.statut] = Number(g.n);
  return { page: slice, counts };
}

/** Pending events, oldest first; not those already over (they can no longer be approved). */
export async function listPendingModeration(deps: EventsDeps, staffId: number, page: PageRequest): Promise<PageSlice<EventRow>> {
  const filters: ListFilters = {
    statuts: ['EN_ATTENTE'],
    upcoming: true,
    terms: [],
    ordering: [{ field: 'date_creation', desc: false }],
  };
  return paginate(
    page,
    () => countEvents(deps.database, filters),
    (limit, offset) => fetchEvents(deps.database, filters, staffId, limit, offset),
  );
}

export interface Viewer {
  user: AuthUser | null;
  ip: string;
}

/**
 * One event as its viewer may see it (404 otherwise), counting a view by someone other than its organizer.
 * `extraViews`: views counted but not yet written (views.ts buffers them).
 */
export async function viewEvent(deps: EventsDeps, id: number, viewer: Viewer): Promise<{ row: EventRow; extraViews: number }> {
  const row = await fetchEventById(deps.database, id, viewer.user?.id ?? null);
  if (!row || !canSee({ statut: row.statut, createurId: row.createur.id, dateValidation: row.dateValidation }, viewer.user)) {
    throw new NotFoundError(EVENT_NOT_FOUND);
  }
  const views = deps.views;
  if (!views) return { row, extraViews: 0 };
  // Organizers looking at their own page, and previews of unpublished events, are not audience.
  if (row.statut === 'VALIDE' && viewer.user?.id !== row.createur.id) {
    await views.record(id, EventViewCounter.viewerKey(viewer.user?.id ?? null, viewer.ip));
  }
  return { row, extraViews: views.pendingFor(id) };
}

/** The event as it stands after a write, for the answer to that write. */
export async function eventAfterWrite(
  deps: EventsDeps,
  id: number,
  viewerId: number | null,
): Promise<{ row: EventRow; extraViews: number }> {
  const row = await fetchEventById(deps.database, id, viewerId);
  if (!row) throw new NotFoundError(EVENT_NOT_FOUND);
  return { row, extraViews: deps.views?.pendingFor(id) ?? 0 };
}

/** The active categories, in display order (paginated like every list, a short one in practice). */
export async function listCategories(deps: EventsDeps, page: PageRequest) {
  const where = eq(eventCategories.actif, true);
  return paginate(
    page,
    async () =>
      (
        await deps.db
          .select({ n: sql<number>`count(*)::int` })
          .from(eventCategories)
          .where(where)
      )[0]!.n,
    (limit, offset) => categoriesPage(deps, limit, offset),
  );
}

async function categoriesPage(deps: EventsDeps, limit: number, offset: number) {
  return deps.db
    .select({
      id: eventCategories.id,
      nom: eventCategories.nom,
      slug: eventCategories.slug,
      description: eventCategories.description,
      icone: eventCategories.icone,
      couleur: eventCategories.couleur,
    })
    .from(eventCategories)
    .where(eq(eventCategories.actif, true))
    .orderBy(asc(eventCategories.ordre), asc(eventCategories.id))
    .limit(limit)
    .offset(offset);
}
