/**
 * Reading events, as use cases: the public list (EventViewSet.list), the feed, an organizer's own events, one
 * event (counting a view), the categories and the moderation queue. Each returns rows (or a page of rows); the
 * routes turn them into the API's JSON (serializer.ts).
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { AuthUser } from '../../core/auth.js';
import { NotFoundError } from '../../core/errors.js';
import { paginate, type PageRequest, type PageSlice } from '../../core/pagination.js';
import { EVENT_STATUTS, eventCategories, eventParticipations, events, type EventStatut } from './tables.js';
import { tickets } from '../tickets/tables.js';
import { countEvents, fetchEventById, fetchEvents, type ListFilters } from './queries.js';
import { publicListFilters } from './filters.js';
import type { ListEventsQueryT } from './schemas.js';
import type { EventRow } from './serializer.js';
import { canSee, EVENT_NOT_FOUND } from './access.js';
import { EventViewCounter } from './views.js';
import type { EventsDeps } from './deps.js';
import { rowsOf, type ReadPools } from '../../db/client.js';

/**
 * Validated events, filtered, searched, sorted or nearest first (the query string's French 400 on nonsense).
 * A public read: served by the read replica when there is one (replicaRead).
 */
export async function listPublicEvents(
  deps: EventsDeps,
  query: ListEventsQueryT,
  viewerId: number | null,
  page: PageRequest,
): Promise<PageSlice<EventRow>> {
  return replicaRead(deps, async (src) => {
    const filters = await publicListFilters(query, (terms) => deps.searchTerms.expand(src.db, terms));
    const now = new Date();
    const count = () => countEvents(src, filters, now);
    return paginate(
      page,
      // The featured set changes with subscriptions, which never clear this process's remembered totals: counted each time.
      () => (deps.listCounts && filters.enAvant === undefined ? deps.listCounts.get(filters, count) : count()),
      (limit, offset) => fetchEvents(src, filters, viewerId, limit, offset, now),
    );
  });
}

/**
 * Runs a public read on the replica (DATABASE_REPLICA_URL), or on the primary when there is none or it cannot
 * be reached (a connection error, not a query's error). Only the public list, search, nearby and an event's
 * page come here: what is shown may lag the primary by the replication delay. Availability at purchase time,
 * money, anything read then written and the answer to a write read `deps.db`, the primary.
 */
async function replicaRead<T>(deps: EventsDeps, read: (src: ReadPools) => Promise<T>): Promise<T> {
  const reads = deps.database.publicReads;
  if (!reads.replica) return read(deps.database);
  try {
    return await read(reads);
  } catch (err) {
    if (!isConnectionError(err)) throw err;
    deps.log?.warn({ err }, 'réplique injoignable : lecture publique faite sur la base principale');
    return read(deps.database);
  }
}

/** Errors the server never answered (refused, reset, timed out, shutting down): another server may serve it. */
function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; severity?: string; cause?: unknown };
  if (e?.cause && e.cause !== err && isConnectionError(e.cause)) return true;
  if (typeof e?.code !== 'string') return err instanceof Error && /Connection terminated|timeout/i.test(err.message);
  // Node socket errors, and PostgreSQL's "connection exception" and "operator intervention" classes.
  return /^E[A-Z]+$/.test(e.code) || e.code.startsWith('08') || e.code.startsWith('57P');
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
  const viewerId = viewer.user?.id ?? null;
  const visible = (r: EventRow | null): r is EventRow =>
    !!r && canSee({ statut: r.statut, createurId: r.createur.id, dateValidation: r.dateValidation }, viewer.user);
  let row = await replicaRead(deps, (src) => fetchEventById(src, id, viewerId));
  // The replica may not have an event created (or published) a moment ago: the primary has the last word on a 404.
  if (deps.database.publicReads.replica && !visible(row)) row = await fetchEventById(deps.database, id, viewerId);
  if (!visible(row)) throw new NotFoundError(EVENT_NOT_FOUND);
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

/**
 * An event as anyone may see it (the public cache's detail page): 404 for what only its creator and staff
 * see. No view is counted here (the route does, for cached answers too).
 */
export async function publicEvent(deps: EventsDeps, id: number): Promise<EventRow> {
  const visible = (r: EventRow | null): r is EventRow =>
    !!r && canSee({ statut: r.statut, createurId: r.createur.id, dateValidation: r.dateValidation }, null);
  let row = await replicaRead(deps, (src) => fetchEventById(src, id, null));
  if (deps.database.publicReads.replica && !visible(row)) row = await fetchEventById(deps.database, id, null);
  if (!visible(row)) throw new NotFoundError(EVENT_NOT_FOUND);
  return row;
}

/** Among these events, those this person takes part in (joined, or holds a valid ticket): one query. */
export async function participatingIn(deps: EventsDeps, userId: number, ids: readonly number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const list = sql.join(
    ids.map((i) => sql`${i}`),
    sql`, `,
  );
  const rows = await deps.db.execute(sql`
    SELECT p.evenement_id AS id FROM ${eventParticipations} p
      WHERE p.utilisateur_id = ${userId} AND p.statut = 'CONFIRME' AND p.evenement_id IN (${list})
    UNION
    SELECT t.evenement_id AS id FROM ${tickets} t
      WHERE t.titulaire_id = ${userId} AND t.statut IN ('VALIDE', 'UTILISE') AND t.evenement_id IN (${list})`);
  return new Set(rowsOf<{ id: number }>(rows).map((r) => Number(r.id)));
}
