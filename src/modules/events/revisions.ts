/**
 * Pending revisions of published events (issue 11, medium 4). Once staff have approved an event (VALIDE), a
 * change to what readers trust (its title, descriptions, category, cover image, place) is not applied: it
 * waits as a revision, and the published version stays what everyone sees until staff approve it. Practical
 * fields (dates, capacity, price, ticket types) still apply at once; a date change is notified to participants
 * at once, a place change when its revision is approved.
 *
 * A revision stores only the fields that differ from the published event (`champs`) and their published
 * values when it was made (`avant`), so staff read the diff. An event has at most one pending revision (a
 * unique partial index): a new edit builds on the pending proposal and replaces it (REMPLACEE). Every step
 * runs under the event's row lock, like every other writer of an event (access.ts).
 */
import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { isStaffUser, type AuthUser } from '../../core/auth.js';
import { audit, type RequestMeta } from '../../core/audit.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../core/errors.js';
import { paginate, type PageRequest, type PageSlice } from '../../core/pagination.js';
import { users } from '../users/tables.js';
import { eventCategories, eventRevisions, events, type EventStatut, type RevisionStatut } from './tables.js';
import { assertOrganizer, lockEvent, lockVisibleEvent, EVENT_NOT_FOUND, type LockedEvent } from './access.js';
import { checkEventRules, type EventState } from './validation.js';
import './hooks.js';
import { listChanged, type EventsDeps } from './deps.js';

/** The content of an event that only staff may publish, in the API's names. */
export interface EventContent {
  titre: string;
  description: string;
  description_courte: string;
  categorie: number;
  lieu: string;
  adresse: string;
  latitude: number | null;
  longitude: number | null;
  /** Media keys (not URLs) of the cover and its thumbnail. */
  image: string;
  image_miniature: string;
}

export type ContentKey = keyof EventContent;
export const CONTENT_KEYS: readonly ContentKey[] = [
  'titre',
  'description',
  'description_courte',
  'categorie',
  'lieu',
  'adresse',
  'latitude',
  'longitude',
  'image',
  'image_miniature',
];

/** The fields of a revision, in French, for messages and the staff diff. */
export const CONTENT_LABELS: Record<ContentKey, string> = {
  titre: 'titre',
  description: 'description',
  description_courte: 'description courte',
  categorie: 'catégorie',
  lieu: 'lieu',
  adresse: 'adresse',
  latitude: 'latitude',
  longitude: 'longitude',
  image: 'image',
  image_miniature: 'miniature',
};

export const REVISION_NOT_FOUND = 'Aucune modification en attente de validation pour cet événement.';

export function contentOf(
  ev: Pick<
    LockedEvent,
    | 'titre'
    | 'description'
    | 'descriptionCourte'
    | 'categorieId'
    | 'lieu'
    | 'adresse'
    | 'latitude'
    | 'longitude'
    | 'image'
    | 'imageMiniature'
  >,
): EventContent {
  return {
    titre: ev.titre,
    description: ev.description,
    description_courte: ev.descriptionCourte,
    categorie: ev.categorieId,
    lieu: ev.lieu,
    adresse: ev.adresse,
    latitude: ev.latitude,
    longitude: ev.longitude,
    image: ev.image,
    image_miniature: ev.imageMiniature,
  };
}

/** The event's columns for some content. */
export function contentColumns(c: Partial<EventContent>) {
  return {
    ...(c.titre !== undefined ? { titre: c.titre } : {}),
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.description_courte !== undefined ? { descriptionCourte: c.description_courte } : {}),
    ...(c.categorie !== undefined ? { categorieId: c.categorie } : {}),
    ...(c.lieu !== undefined ? { lieu: c.lieu } : {}),
    ...(c.adresse !== undefined ? { adresse: c.adresse } : {}),
    ...(c.latitude !== undefined ? { latitude: c.latitude } : {}),
    ...(c.longitude !== undefined ? { longitude: c.longitude } : {}),
    ...(c.image !== undefined ? { image: c.image } : {}),
    ...(c.image_miniature !== undefined ? { imageMiniature: c.image_miniature } : {}),
  };
}

/** The keys of `proposed` whose values differ from `published`. */
function diff(published: EventContent, proposed: EventContent): Partial<EventContent> {
  const out: Partial<EventContent> = {};
  for (const k of CONTENT_KEYS) {
    if (proposed[k] !== published[k]) (out as Record<string, unknown>)[k] = proposed[k];
  }
  return out;
}

export type RevisionRow = typeof eventRevisions.$inferSelect;

/** The event's pending revision, if any (the caller holds the event's lock). */
export async function pendingRevisionOf(tx: DbOrTx, eventId: number): Promise<RevisionRow | null> {
  const [row] = await tx
    .select()
    .from(eventRevisions)
    .where(and(eq(eventRevisions.evenementId, eventId), eq(eventRevisions.statut, 'EN_ATTENTE')));
  return row ?? null;
}

/** The proposal an organizer is building on: the published content with the pending revision over it. */
export function currentProposal(ev: LockedEvent, pending: RevisionRow | null): EventContent {
  return { ...contentOf(ev), ...((pending?.champs as Partial<EventContent> | undefined) ?? {}) };
}

/** Image keys of a revision that nothing else uses once it is set aside (to remove after the commit). */
function orphanImages(champs: Partial<EventContent>, keep: Partial<EventContent>[]): string[] {
  const used = new Set(keep.flatMap((c) => [c.image, c.image_miniature]).filter(Boolean));
  return [champs.image, champs.image_miniature].filter((k): k is string => !!k && !used.has(k));
}

export interface ProposalOutcome {
  /** The pending revision after this edit (null: the proposal equals what is published). */
  revisionId: number | null;
  /** Media keys of images no revision nor the event uses any more: remove them after the commit. */
  orphanImages: string[];
}

/**
 * Records `proposed` as the event's pending revision (the caller holds the event's lock and has checked the
 * proposal). A proposal equal to the published content withdraws the pending revision; an identical one keeps
 * it as it is.
 */
export async function propose(
  tx: DbOrTx,
  ev: LockedEvent,
  author: AuthUser,
  pending: RevisionRow | null,
  proposed: EventContent,
): Promise<ProposalOutcome> {
  const published = contentOf(ev);
  const champs = diff(published, proposed);
  const previous = (pending?.champs ?? {}) as Partial<EventContent>;
  if (pending && JSON.stringify(diff(published, { ...published, ...previous })) === JSON.stringify(champs)) {
    return { revisionId: pending.id, orphanImages: [] };
  }
  if (pending) {
    const statut: RevisionStatut = Object.keys(champs).length ? 'REMPLACEE' : 'RETIREE';
    await tx
      .update(eventRevisions)
      .set({ statut, dateDecision: sql`now()` })
      .where(eq(eventRevisions.id, pending.id));
  }
  const orphans = pending ? orphanImages(previous, [champs, published]) : [];
  if (!Object.keys(champs).length) return { revisionId: null, orphanImages: orphans };
  const avant: Partial<EventContent> = {};
  for (const k of Object.keys(champs) as ContentKey[]) (avant as Record<string, unknown>)[k] = published[k];
  const [row] = await tx
    .insert(eventRevisions)
    .values({ evenementId: ev.id, auteurId: author.id, champs, avant })
    .returning({ id: eventRevisions.id });
  return { revisionId: row!.id, orphanImages: orphans };
}

/**
 * Sets the event's pending revision aside (the organizer withdrew it, the event was cancelled or deleted).
 * Returns the images only it used, to remove after the commit.
 */
export async function retirePending(tx: DbOrTx, ev: LockedEvent): Promise<string[]> {
  const pending = await pendingRevisionOf(tx, ev.id);
  if (!pending) return [];
  await tx
    .update(eventRevisions)
    .set({ statut: 'RETIREE', dateDecision: sql`now()` })
    .where(eq(eventRevisions.id, pending.id));
  return orphanImages(pending.champs as Partial<EventContent>, [contentOf(ev)]);
}

/** The organizer withdraws their pending revision: the published version stays. */
export async function withdrawRevision(deps: EventsDeps, user: AuthUser, eventId: number): Promise<void> {
  const orphans = await deps.db.transaction(async (tx) => {
    const ev = await lockVisibleEvent(tx, eventId, user);
    assertOrganizer(ev, user);
    if (!(await pendingRevisionOf(tx, eventId))) throw new NotFoundError(REVISION_NOT_FOUND, 'no_pending_revision');
    return retirePending(tx, ev);
  });
  await deps.media.remove(...orphans);
}

/** The pending revision of an event, for its organizer and staff (404 otherwise, or when there is none). */
export async function revisionOfEvent(deps: EventsDeps, user: AuthUser, eventId: number): Promise<RevisionView> {
  const [ev] = await deps.db.select({ createurId: events.createurId }).from(events).where(eq(events.id, eventId));
  if (!ev || (ev.createurId !== user.id && !isStaffUser(user))) throw new NotFoundError(EVENT_NOT_FOUND);
  const [row] = await revisionViews(deps.db, and(eq(eventRevisions.evenementId, eventId), eq(eventRevisions.statut, 'EN_ATTENTE')));
  if (!row) throw new NotFoundError(REVISION_NOT_FOUND, 'no_pending_revision');
  return row;
}

/** What `GET …/revision/` and the staff queue return, before URLs are built. */
export interface RevisionView {
  revision: RevisionRow;
  event: { id: number; titre: string; statut: EventStatut; createurId: number };
  auteur: {
    id: number;
    username: string;
    firstName: string;
    lastName: string;
    photoProfil: string;
    photoMiniature: string;
    estVerifie: boolean;
  } | null;
  /** Names of the categories the diff mentions. */
  categories: Record<number, string>;
}

async function revisionViews(db: DbOrTx, where: ReturnType<typeof and>, limit = 1, offset = 0): Promise<RevisionView[]> {
  const rows = await db
    .select({
      revision: eventRevisions,
      event: { id: events.id, titre: events.titre, statut: events.statut, createurId: events.createurId },
      auteur: {
        id: users.id,
        username: users.username,
        firstName: users.firstName,
        lastName: users.lastName,
        photoProfil: users.photoProfil,
        photoMiniature: users.photoMiniature,
        estVerifie: users.estVerifie,
      },
    })
    .from(eventRevisions)
    .innerJoin(events, eq(events.id, eventRevisions.evenementId))
    .leftJoin(users, eq(users.id, eventRevisions.auteurId))
    .where(where)
    .orderBy(asc(eventRevisions.dateCreation), asc(eventRevisions.id))
    .limit(limit)
    .offset(offset);
  const ids = new Set<number>();
  for (const r of rows) {
    for (const c of [r.revision.champs, r.revision.avant] as Partial<EventContent>[]) if (c.categorie !== undefined) ids.add(c.categorie);
  }
  const categories: Record<number, string> = {};
  if (ids.size) {
    for (const c of await db
      .select({ id: eventCategories.id, nom: eventCategories.nom })
      .from(eventCategories)
      .where(inArray(eventCategories.id, [...ids]))) {
      categories[c.id] = c.nom;
    }
  }
  return rows.map((r) => ({ ...r, auteur: r.auteur?.id ? r.auteur : null, categories }));
}

/** Staff's queue: pending revisions of events still published, oldest first. */
export async function listPendingRevisions(deps: EventsDeps, page: PageRequest): Promise<PageSlice<RevisionView>> {
  const where = and(eq(eventRevisions.statut, 'EN_ATTENTE'), eq(events.statut, 'VALIDE'));
  return paginate(
    page,
    async () => {
      const [r] = await deps.db
        .select({ n: count() })
        .from(eventRevisions)
        .innerJoin(events, eq(events.id, eventRevisions.evenementId))
        .where(where);
      return r?.n ?? 0;
    },
    (limit, offset) => revisionViews(deps.db, where, limit, offset),
  );
}

export async function revisionById(deps: EventsDeps, id: number): Promise<RevisionView> {
  const [row] = await revisionViews(deps.db, and(eq(eventRevisions.id, id)));
  if (!row) throw new NotFoundError('Révision introuvable.', 'not_found');
  return row;
}

/**
 * Locks the revision's event then the revision (events are always locked first), and checks it can still be
 * decided: pending, and its event still published.
 */
async function lockForDecision(tx: DbOrTx, id: number): Promise<{ ev: LockedEvent; revision: RevisionRow }> {
  const [ref] = await tx.select({ eventId: eventRevisions.evenementId }).from(eventRevisions).where(eq(eventRevisions.id, id));
  if (!ref) throw new NotFoundError('Révision introuvable.', 'not_found');
  const ev = await lockEvent(tx, ref.eventId);
  if (!ev) throw new NotFoundError('Révision introuvable.', 'not_found');
  const [revision] = await tx.select().from(eventRevisions).where(eq(eventRevisions.id, id)).for('update');
  if (!revision) throw new NotFoundError('Révision introuvable.', 'not_found');
  if (revision.statut !== 'EN_ATTENTE') {
    throw new ConflictError('Cette modification a déjà été traitée ou remplacée par une plus récente.', 'revision_decided');
  }
  if (ev.statut !== 'VALIDE') {
    throw new ConflictError("L'événement n'est plus publié : sa modification ne peut plus être validée.", 'event_not_published');
  }
  return { ev, revision };
}

/** Place changes, in words for the participants (dates change at once, outside revisions). */
function placeChanges(before: EventContent, after: EventContent): string[] {
  if (before.lieu !== after.lieu || before.adresse !== after.adresse) return [`Nouveau lieu : ${after.lieu}, ${after.adresse}.`];
  if (before.latitude !== after.latitude || before.longitude !== after.longitude) {
    return [`Nouvel emplacement sur la carte pour ${after.lieu}.`];
  }
  return [];
}

/**
 * Staff publish a revision: its fields replace the published ones, participants hear of a new place, the
 * organizer is told, the journal keeps the diff. The content is checked again (a category may have been
 * switched off since).
 */
export async function approveRevision(deps: EventsDeps, staff: AuthUser, id: number, meta: RequestMeta): Promise<number> {
  let replaced: string[] = [];
  const eventId = await deps.db.transaction(async (tx) => {
    const { ev, revision } = await lockForDecision(tx, id);
    const published = contentOf(ev);
    const champs = revision.champs as Partial<EventContent>;
    const after = { ...published, ...champs };
    const state: EventState = {
      ...ev,
      titre: after.titre,
      description: after.description,
      descriptionCourte: after.description_courte,
      categorieId: after.categorie,
      lieu: after.lieu,
      adresse: after.adresse,
      latitude: after.latitude,
      longitude: after.longitude,
    };
    const errors: FieldErrors = checkEventRules(state, {
      now: new Date(),
      checkStartInFuture: false,
      participantsCount: ev.participantsCount,
      previousTypeAcces: ev.typeAcces,
    });
    if (champs.categorie !== undefined) {
      const [cat] = await tx.select({ actif: eventCategories.actif }).from(eventCategories).where(eq(eventCategories.id, champs.categorie));
      if (!cat?.actif) (errors.categorie ??= []).push(`Catégorie inconnue (${champs.categorie}).`);
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);

    await tx
      .update(events)
      .set({ ...contentColumns(champs), dateModification: sql`now()` })
      .where(eq(events.id, ev.id));
    await tx
      .update(eventRevisions)
      .set({ statut: 'APPROUVEE', moderateurId: staff.id, dateDecision: sql`now()` })
      .where(eq(eventRevisions.id, id));
    await audit(tx, {
      userId: staff.id,
      action: 'event.revision.approve',
      meta,
      cible: `event:${ev.id}`,
      staff: true,
      details: { revision: id, titre: ev.titre, avant: revision.avant, apres: champs },
    });
    if (champs.image !== undefined) replaced = [published.image, published.image_miniature].filter(Boolean);
    const changes = placeChanges(published, after);
    if (changes.length && ev.participantsCount > 0) {
      await deps.hooks.run('event.changed', { tx, jobs: deps.jobs, eventId: ev.id, changes });
    }
    await deps.hooks.run('event.moderated', { tx, jobs: deps.jobs, eventId: ev.id, decision: 'approve', revisionId: id });
    return ev.id;
  });
  await listChanged(deps);
  await deps.media.remove(...replaced);
  return eventId;
}

/** Staff refuse a revision, with the reason the organizer reads; the published version stays. */
export async function rejectRevision(deps: EventsDeps, staff: AuthUser, id: number, motif: string, meta: RequestMeta): Promise<number> {
  const reason = motif.trim();
  if (reason.length < 5) throw ValidationError.field('motif', "Expliquez le motif du refus à l'organisateur (5 caractères au moins).");
  let orphans: string[] = [];
  const eventId = await deps.db.transaction(async (tx) => {
    const { ev, revision } = await lockForDecision(tx, id);
    await tx
      .update(eventRevisions)
      .set({ statut: 'REJETEE', motifRejet: reason, moderateurId: staff.id, dateDecision: sql`now()` })
      .where(eq(eventRevisions.id, id));
    await audit(tx, {
      userId: staff.id,
      action: 'event.revision.reject',
      meta,
      cible: `event:${ev.id}`,
      staff: true,
      details: { revision: id, titre: ev.titre, motif: reason, proposees: revision.champs },
    });
    orphans = orphanImages(revision.champs as Partial<EventContent>, [contentOf(ev)]);
    await deps.hooks.run('event.moderated', { tx, jobs: deps.jobs, eventId: ev.id, decision: 'reject', motif: reason, revisionId: id });
    return ev.id;
  });
  await deps.media.remove(...orphans);
  return eventId;
}

/** The short form of an event's pending revision, for its organizer's and staff's view of the event. */
export async function pendingSummary(db: DbOrTx, eventId: number): Promise<{ id: number; champs: string[]; date_creation: string } | null> {
  const pending = await pendingRevisionOf(db, eventId);
  if (!pending) return null;
  return {
    id: pending.id,
    champs: Object.keys(pending.champs as object).filter((k) => k !== 'image_miniature'),
    date_creation: pending.dateCreation.toISOString(),
  };
}

/** The latest decision on an event's revisions, for its organizer: was the last change published or refused, and why. */
export async function lastDecision(
  db: DbOrTx,
  eventId: number,
): Promise<{ id: number; statut: 'APPROUVEE' | 'REJETEE'; motif_rejet: string; date_decision: string } | null> {
  const [row] = await db
    .select()
    .from(eventRevisions)
    .where(and(eq(eventRevisions.evenementId, eventId), inArray(eventRevisions.statut, ['APPROUVEE', 'REJETEE'])))
    .orderBy(desc(eventRevisions.dateDecision), desc(eventRevisions.id))
    .limit(1);
  if (!row || !row.dateDecision) return null;
  return {
    id: row.id,
    statut: row.statut as 'APPROUVEE' | 'REJETEE',
    motif_rejet: row.motifRejet,
    date_decision: row.dateDecision.toISOString(),
  };
}
