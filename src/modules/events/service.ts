/**
 * The organizer's use cases: create, edit, submit, cancel, delete. Each opens its own transaction and, for an
 * existing event, starts by locking the event's row: every writer of an event (these, moderation, joins and
 * leaves) takes that lock first, so they apply one after the other, judge the state the previous one left,
 * and never deadlock on each other.
 */
import { eq, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Db, Tx } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { AuthUser } from '../../core/auth.js';
import { isStaffUser } from '../../core/auth.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from '../../core/errors.js';
import { auditLogs } from '../users/tables.js';
import { eventCategories, events, type EventStatut } from './tables.js';
import { assertTransition, EDITABLE_STATUTS, PUBLIC_STATUTS, STATUT_LABELS, type Actor } from './status.js';
import { checkEventRules, type EventState } from './validation.js';
import type { EventInput } from './schemas.js';
import { INVALID_IMAGE_MESSAGE, type CoverImageStore, type UploadedImage } from './cover-image.js';
import { formatDate, notifyParticipantsLater } from './notifications.js';
import { runBeforeEventDeletedHooks, runEventCancelledHooks } from './lifecycle-hooks.js';
import { assertTicketTypesFit, ensureStandardTicketType } from '../tickets/types-service.js';
import { participantsCountSql } from './queries.js';

export interface EventsDeps {
  db: Db;
  jobs: JobQueue;
  images: CoverImageStore;
  /** Called after a committed write that may change which events the public list shows (count-cache.ts). */
  listChanged: () => void;
}

export const EVENT_NOT_FOUND = 'Événement introuvable';

/** The columns a writer needs, read under the row lock. */
const lockedColumns = {
  id: events.id,
  titre: events.titre,
  description: events.description,
  descriptionCourte: events.descriptionCourte,
  createurId: events.createurId,
  categorieId: events.categorieId,
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
  participantsCount: participantsCountSql,
};

export async function lockEvent(tx: Tx, id: number) {
  // NO KEY UPDATE: the row is ours to change, while foreign-key checks of new participations and payments
  // (KEY SHARE) need not wait for us.
  const [row] = await tx.select(lockedColumns).from(events).where(eq(events.id, id)).for('no key update');
  return row ?? null;
}

/** A non-public event (draft, pending, rejected) does not exist for anyone but its creator and staff. */
export function canSee(ev: { statut: EventStatut; createurId: number }, user: AuthUser | null): boolean {
  return PUBLIC_STATUTS.includes(ev.statut) || (!!user && (user.id === ev.createurId || isStaffUser(user)));
}

export function rolesOf(ev: { createurId: number }, user: AuthUser): Actor[] {
  const roles: Actor[] = [];
  if (user.id === ev.createurId) roles.push('createur');
  if (isStaffUser(user)) roles.push('staff');
  return roles;
}

async function lockVisible(tx: Tx, id: number, user: AuthUser) {
  const ev = await lockEvent(tx, id);
  if (!ev || !canSee(ev, user)) throw new NotFoundError(EVENT_NOT_FOUND);
  return ev;
}

function assertOwner(ev: { createurId: number }, user: AuthUser): void {
  if (ev.createurId !== user.id) {
    throw new ForbiddenError("Vous n'êtes pas l'organisateur de cet événement.", 'not_owner');
  }
}

async function checkCategory(db: Db | Tx, id: number, errors: FieldErrors): Promise<void> {
  const [cat] = await db.select({ actif: eventCategories.actif }).from(eventCategories).where(eq(eventCategories.id, id));
  if (!cat || !cat.actif) (errors.categorie ??= []).push(`Catégorie inconnue (${id}).`);
}

async function inspectImage(images: CoverImageStore, image: UploadedImage | undefined, errors: FieldErrors): Promise<string | null> {
  if (!image) return null;
  const ext = await images.inspect(image);
  if (!ext) (errors.image ??= []).push(INVALID_IMAGE_MESSAGE);
  return ext;
}

function stateFromInput(
  input: Required<
    Pick<
      EventInput,
      | 'titre'
      | 'description'
      | 'description_courte'
      | 'categorie'
      | 'date_debut'
      | 'date_fin'
      | 'lieu'
      | 'adresse'
      | 'type_acces'
      | 'capacite_max'
    >
  > &
    EventInput,
): EventState {
  return {
    titre: input.titre,
    description: input.description,
    descriptionCourte: input.description_courte,
    categorieId: input.categorie,
    dateDebut: new Date(input.date_debut),
    dateFin: new Date(input.date_fin),
    lieu: input.lieu,
    adresse: input.adresse,
    latitude: input.latitude ?? null,
    longitude: input.longitude ?? null,
    typeAcces: input.type_acces,
    prix: input.prix ?? 0,
    capaciteMax: input.capacite_max,
  };
}

function columnsOf(s: EventState) {
  return {
    titre: s.titre.trim(),
    description: s.description.trim(),
    descriptionCourte: s.descriptionCourte.trim(),
    categorieId: s.categorieId,
    dateDebut: s.dateDebut,
    dateFin: s.dateFin,
    lieu: s.lieu.trim(),
    adresse: s.adresse.trim(),
    latitude: s.latitude,
    longitude: s.longitude,
    typeAcces: s.typeAcces,
    prix: s.prix,
    capaciteMax: s.capaciteMax,
  };
}

export async function createEvent(
  deps: EventsDeps,
  user: AuthUser,
  input: Parameters<typeof stateFromInput>[0],
  image?: UploadedImage,
): Promise<number> {
  const state = stateFromInput(input);
  const errors = checkEventRules(state, { now: new Date(), checkStartInFuture: true, participantsCount: 0 });
  await checkCategory(deps.db, state.categorieId, errors);
  const ext = await inspectImage(deps.images, image, errors);
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const stored = image && ext ? await deps.images.write(image, ext) : '';
  try {
    return await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(events)
        .values({ ...columnsOf(state), createurId: user.id, statut: input.brouillon ? 'BROUILLON' : 'EN_ATTENTE', image: stored })
        .returning({ id: events.id });
      // A paid event created with only `prix` sells one "Standard" type holding all its capacity.
      await ensureStandardTicketType(tx, row!.id);
      return row!.id;
    });
  } catch (err) {
    await deps.images.remove(stored);
    throw err;
  }
}

/** What changed in the date or the place, in words for the participants' email. */
function describeChanges(before: EventState, after: EventState): string[] {
  const out: string[] = [];
  if (before.dateDebut.getTime() !== after.dateDebut.getTime() || before.dateFin.getTime() !== after.dateFin.getTime()) {
    out.push(`Nouvelle date : du ${formatDate(after.dateDebut)} au ${formatDate(after.dateFin)}.`);
  }
  if (before.lieu.trim() !== after.lieu.trim() || before.adresse.trim() !== after.adresse.trim()) {
    out.push(`Nouveau lieu : ${after.lieu.trim()}, ${after.adresse.trim()}.`);
  } else if (before.latitude !== after.latitude || before.longitude !== after.longitude) {
    out.push(`Nouvel emplacement sur la carte pour ${after.lieu.trim()}.`);
  }
  return out;
}

/** PATCH (partial) or PUT (every required field): only the creator, only while the event is not over. */
export async function updateEvent(deps: EventsDeps, user: AuthUser, id: number, patch: EventInput, image?: UploadedImage): Promise<void> {
  let newImage = '';
  let oldImage = '';
  try {
    await deps.db.transaction(async (tx) => {
      const ev = await lockVisible(tx, id, user);
      assertOwner(ev, user);
      if (!EDITABLE_STATUTS.includes(ev.statut)) {
        throw new BadRequestError(`Un événement au statut « ${STATUT_LABELS[ev.statut]} » ne peut plus être modifié.`, 'not_editable');
      }
      const before: EventState = { ...ev };
      const after: EventState = {
        titre: patch.titre ?? ev.titre,
        description: patch.description ?? ev.description,
        descriptionCourte: patch.description_courte ?? ev.descriptionCourte,
        categorieId: patch.categorie ?? ev.categorieId,
        dateDebut: patch.date_debut !== undefined ? new Date(patch.date_debut) : ev.dateDebut,
        dateFin: patch.date_fin !== undefined ? new Date(patch.date_fin) : ev.dateFin,
        lieu: patch.lieu ?? ev.lieu,
        adresse: patch.adresse ?? ev.adresse,
        latitude: patch.latitude !== undefined ? patch.latitude : ev.latitude,
        longitude: patch.longitude !== undefined ? patch.longitude : ev.longitude,
        typeAcces: patch.type_acces ?? ev.typeAcces,
        prix: patch.prix ?? (patch.type_acces === 'GRATUIT' ? 0 : ev.prix),
        capaciteMax: patch.capacite_max ?? ev.capaciteMax,
      };
      const errors = checkEventRules(after, {
        now: new Date(),
        checkStartInFuture: after.dateDebut.getTime() !== before.dateDebut.getTime(),
        participantsCount: ev.participantsCount,
        previousTypeAcces: ev.typeAcces,
      });
      if (after.categorieId !== before.categorieId) await checkCategory(tx, after.categorieId, errors);
      const ext = await inspectImage(deps.images, image, errors);
      if (Object.keys(errors).length) throw new ValidationError(errors);

      if (image && ext) {
        newImage = await deps.images.write(image, ext);
        oldImage = ev.image;
      }
      await tx
        .update(events)
        .set({ ...columnsOf(after), ...(newImage ? { image: newImage } : {}), dateModification: sql`now()` })
        .where(eq(events.id, id));

      // Paid events: a first ticket type if it has none; capacity never below what the types offer.
      await ensureStandardTicketType(tx, id);
      await assertTicketTypesFit(tx, id);

      const changes = describeChanges(before, after);
      if (ev.statut === 'VALIDE' && changes.length && ev.participantsCount > 0) {
        await notifyParticipantsLater(deps.jobs, tx, { eventId: id, kind: 'modification', changes });
      }
    });
  } catch (err) {
    await deps.images.remove(newImage);
    throw err;
  }
  deps.listChanged();
  await deps.images.remove(oldImage);
}

/** Replaces (or, with no image, removes) the cover image. */
export async function setCoverImage(deps: EventsDeps, user: AuthUser, id: number, image: UploadedImage | null): Promise<void> {
  let ext: string | null = null;
  if (image) {
    ext = await deps.images.inspect(image);
    if (!ext) throw ValidationError.field('image', INVALID_IMAGE_MESSAGE);
  }
  const stored = image && ext ? await deps.images.write(image, ext) : '';
  let previous = '';
  try {
    await deps.db.transaction(async (tx) => {
      const ev = await lockVisible(tx, id, user);
      assertOwner(ev, user);
      if (!EDITABLE_STATUTS.includes(ev.statut)) {
        throw new BadRequestError(`Un événement au statut « ${STATUT_LABELS[ev.statut]} » ne peut plus être modifié.`, 'not_editable');
      }
      previous = ev.image;
      await tx
        .update(events)
        .set({ image: stored, dateModification: sql`now()` })
        .where(eq(events.id, id));
    });
  } catch (err) {
    await deps.images.remove(stored);
    throw err;
  }
  await deps.images.remove(previous);
}

export async function submitEvent(deps: EventsDeps, user: AuthUser, id: number): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const ev = await lockVisible(tx, id, user);
    const to = assertTransition('submit', ev.statut, rolesOf(ev, user));
    if (ev.dateDebut.getTime() <= Date.now()) {
      throw ValidationError.field('date_debut', "La date de début est passée : modifiez-la avant de soumettre l'événement.");
    }
    await tx
      .update(events)
      .set({ statut: to, motifRejet: '', dateModification: sql`now()` })
      .where(eq(events.id, id));
  });
}

export interface RequestMeta {
  ip: string | null;
  userAgent: string;
}

export function requestMeta(request: FastifyRequest): RequestMeta {
  return { ip: request.ip || null, userAgent: String(request.headers['user-agent'] ?? '').slice(0, 255) };
}

export async function recordAudit(
  tx: Tx,
  meta: RequestMeta,
  entry: { userId: number; action: string; eventId: number; details: Record<string, unknown> },
): Promise<void> {
  await tx.insert(auditLogs).values({
    userId: entry.userId,
    action: entry.action,
    cible: `event:${entry.eventId}`,
    details: entry.details,
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
}

export async function cancelEvent(
  deps: EventsDeps,
  user: AuthUser,
  id: number,
  motif: string | undefined,
  meta: RequestMeta,
): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const ev = await lockVisible(tx, id, user);
    const to = assertTransition('cancel', ev.statut, rolesOf(ev, user));
    await tx
      .update(events)
      .set({ statut: to, dateModification: sql`now()` })
      .where(eq(events.id, id));
    await recordAudit(tx, meta, {
      userId: user.id,
      action: 'event.cancel',
      eventId: id,
      details: { ancien_statut: ev.statut, motif: motif ?? '' },
    });
    if (ev.statut === 'VALIDE' && ev.participantsCount > 0) {
      await notifyParticipantsLater(deps.jobs, tx, { eventId: id, kind: 'annulation', ...(motif ? { motif } : {}) });
    }
    // Paid-ticket refunds plug in here (see lifecycle-hooks.ts).
    await runEventCancelledHooks({
      tx,
      jobs: deps.jobs,
      actorId: user.id,
      event: { id, titre: ev.titre, createurId: ev.createurId, typeAcces: ev.typeAcces, prix: ev.prix, previousStatut: ev.statut },
    });
  });
  deps.listChanged();
}

/** Only an event nobody joined can disappear; otherwise the organizer cancels it (participants are told). */
export async function deleteEvent(deps: EventsDeps, user: AuthUser, id: number): Promise<void> {
  let image = '';
  await deps.db.transaction(async (tx) => {
    const ev = await lockVisible(tx, id, user);
    assertOwner(ev, user);
    // participants_count is exact here: joins take this same row lock before changing it.
    if (ev.participantsCount > 0) {
      throw new ConflictError(
        `Impossible de supprimer un événement auquel ${ev.participantsCount} personne(s) participent : annulez-le plutôt.`,
        'has_participants',
      );
    }
    await runBeforeEventDeletedHooks({
      tx,
      jobs: deps.jobs,
      actorId: user.id,
      event: { id, titre: ev.titre, createurId: ev.createurId, typeAcces: ev.typeAcces, prix: ev.prix, previousStatut: ev.statut },
    });
    await tx.delete(events).where(eq(events.id, id));
    image = ev.image;
  });
  deps.listChanged();
  await deps.images.remove(image);
}
