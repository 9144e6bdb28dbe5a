/**
 * The organizer's use cases: create, edit, submit, cancel, delete. Each opens its own transaction and, for an
 * existing event, starts by locking the event's row: every writer of an event (these, moderation, joins and
 * leaves) takes that lock first, so they apply one after the other, judge the state the previous one left,
 * and never deadlock on each other.
 */
import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import type { AuthUser } from '../../core/auth.js';
import { audit, type RequestMeta } from '../../core/audit.js';
import { BadRequestError, ConflictError, ValidationError, type FieldErrors } from '../../core/errors.js';
import { processImage, type ProcessedImage } from '../../core/images.js';
import type { StoredImage } from '../../core/media.js';
import type { UploadedFile } from '../../core/multipart.js';
import { eventCategories, events } from './tables.js';
import { assertTransition, EDITABLE_STATUTS, STATUT_LABELS } from './status.js';
import { checkEventRules, type EventState } from './validation.js';
import type { EventInput } from './schemas.js';
import { formatDateTime as formatDate } from '../../core/french.js';
import './hooks.js';
import { assertOrganizer, lockVisibleEvent, rolesOf, type LockedEvent } from './access.js';
import { listChanged, type EventsDeps } from './deps.js';
import type { EventHookPayload } from './hooks.js';
import './hooks.js';
import { assertWithinPlan } from '../subscriptions/effective.js';
import { contentOf, currentProposal, pendingRevisionOf, propose, retirePending, type EventContent } from './revisions.js';

export const INVALID_IMAGE_MESSAGE = 'Image invalide : formats acceptés JPEG, PNG ou WebP.';
export const COVER_SIDE = 2048;
export const COVER_THUMB_SIDE = 480;

async function checkCategory(db: EventsDeps['db'] | Tx, id: number, errors: FieldErrors): Promise<void> {
  const [cat] = await db.select({ actif: eventCategories.actif }).from(eventCategories).where(eq(eventCategories.id, id));
  if (!cat || !cat.actif) (errors.categorie ??= []).push(`Catégorie inconnue (${id}).`);
}

/** The cover image re-encoded (core/images.ts), or a field error when the upload is not an accepted image. */
async function inspectImage(image: UploadedFile | undefined, errors: FieldErrors): Promise<ProcessedImage | null> {
  if (!image) return null;
  const processed = await processImage(image.bytes, { maxSide: COVER_SIDE, thumbSide: COVER_THUMB_SIDE });
  if (!processed) (errors.image ??= []).push(INVALID_IMAGE_MESSAGE);
  return processed;
}

function hookEvent(ev: LockedEvent): EventHookPayload['event'] {
  return { id: ev.id, titre: ev.titre, createurId: ev.createurId, typeAcces: ev.typeAcces, prix: ev.prix, previousStatut: ev.statut };
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
  image?: UploadedFile,
): Promise<number> {
  const state = stateFromInput(input);
  const errors = checkEventRules(state, { now: new Date(), checkStartInFuture: true, participantsCount: 0 });
  await checkCategory(deps.db, state.categorieId, errors);
  const cover = await inspectImage(image, errors);
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const stored = cover ? await deps.media.saveImage('events', cover) : null;
  try {
    return await deps.db.transaction(async (tx) => {
      // The organizer's plan (subscriptions): active events and paid events, under the organizer's row lock.
      const payant = state.typeAcces === 'PAYANT';
      if (!input.brouillon) await assertWithinPlan(tx, user.id, { kind: 'evenement_actif', payant });
      else if (payant) await assertWithinPlan(tx, user.id, { kind: 'evenement_payant' });
      const [row] = await tx
        .insert(events)
        .values({
          ...columnsOf(state),
          maxParPersonne: input.max_par_personne ?? null,
          createurId: user.id,
          statut: input.brouillon ? 'BROUILLON' : 'EN_ATTENTE',
          image: stored?.key ?? '',
          imageMiniature: stored?.thumbKey ?? '',
        })
        .returning({ id: events.id });
      // A paid event created with only `prix` sells one "Standard" type holding all its capacity (tickets).
      await deps.hooks.run('event.saved', { tx, eventId: row!.id });
      if (!input.brouillon) await deps.hooks.run('event.submitted', { tx, jobs: deps.jobs, eventId: row!.id });
      return row!.id;
    });
  } catch (err) {
    await deps.media.remove(stored?.key, stored?.thumbKey);
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

/** What an edit did: with `revision`, its content change waits for staff (the event is published). */
export interface UpdateOutcome {
  revision: boolean;
}

function trimmed(v: string | undefined, fallback: string): string {
  return v !== undefined ? v.trim() : fallback;
}

/**
 * PATCH (partial) or PUT (every required field): only the creator, only while the event is not over. On a
 * published event (VALIDE), the content fields become a pending revision (revisions.ts) and only the practical
 * ones (dates, capacity, access and price) apply at once.
 */
export async function updateEvent(
  deps: EventsDeps,
  user: AuthUser,
  id: number,
  patch: EventInput,
  image?: UploadedFile,
): Promise<UpdateOutcome> {
  let stored: StoredImage | null = null;
  let toRemove: string[] = [];
  let revision = false;
  try {
    await deps.db.transaction(async (tx) => {
      const ev = await lockVisibleEvent(tx, id, user);
      assertOrganizer(ev, user);
      if (!EDITABLE_STATUTS.includes(ev.statut)) {
        throw new BadRequestError(`Un événement au statut « ${STATUT_LABELS[ev.statut]} » ne peut plus être modifié.`, 'not_editable');
      }
      const moderated = ev.statut === 'VALIDE';
      const pending = moderated ? await pendingRevisionOf(tx, id) : null;
      // A published event's edit builds on its pending proposal, if any; the others on the event itself.
      const base = moderated ? currentProposal(ev, pending) : contentOf(ev);
      const proposed: EventContent = {
        ...base,
        titre: trimmed(patch.titre, base.titre),
        description: trimmed(patch.description, base.description),
        description_courte: trimmed(patch.description_courte, base.description_courte),
        categorie: patch.categorie ?? base.categorie,
        lieu: trimmed(patch.lieu, base.lieu),
        adresse: trimmed(patch.adresse, base.adresse),
        latitude: patch.latitude !== undefined ? patch.latitude : base.latitude,
        longitude: patch.longitude !== undefined ? patch.longitude : base.longitude,
      };
      const before: EventState = { ...ev };
      const after: EventState = {
        titre: proposed.titre,
        description: proposed.description,
        descriptionCourte: proposed.description_courte,
        categorieId: proposed.categorie,
        dateDebut: patch.date_debut !== undefined ? new Date(patch.date_debut) : ev.dateDebut,
        dateFin: patch.date_fin !== undefined ? new Date(patch.date_fin) : ev.dateFin,
        lieu: proposed.lieu,
        adresse: proposed.adresse,
        latitude: proposed.latitude,
        longitude: proposed.longitude,
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
      const cover = await inspectImage(image, errors);
      if (Object.keys(errors).length) throw new ValidationError(errors);
      if (after.typeAcces === 'PAYANT' && ev.typeAcces !== 'PAYANT')
        await assertWithinPlan(tx, ev.createurId, { kind: 'evenement_payant' });

      if (cover) stored = await deps.media.saveImage('events', cover);
      const s = stored as StoredImage | null;
      const perPerson = patch.max_par_personne !== undefined ? { maxParPersonne: patch.max_par_personne } : {};
      if (moderated) {
        const practical = {
          dateDebut: after.dateDebut,
          dateFin: after.dateFin,
          typeAcces: after.typeAcces,
          prix: after.prix,
          capaciteMax: after.capaciteMax,
        };
        await tx
          .update(events)
          // The per-person cap is a sales rule, not content: it applies at once, like capacity (no moderation).
          .set({ ...practical, ...perPerson, dateModification: sql`now()` })
          .where(eq(events.id, id));
        const outcome = await propose(tx, ev, user, pending, s ? { ...proposed, image: s.key, image_miniature: s.thumbKey } : proposed);
        toRemove = outcome.orphanImages;
        revision = outcome.revisionId !== null;
        // The dates changed now; a new place is announced when staff publish it.
        const changes = describeChanges(before, { ...before, ...practical });
        if (changes.length && ev.participantsCount > 0) {
          await deps.hooks.run('event.changed', { tx, jobs: deps.jobs, eventId: id, changes });
        }
      } else {
        await tx
          .update(events)
          .set({
            ...columnsOf(after),
            ...perPerson,
            ...(s ? { image: s.key, imageMiniature: s.thumbKey } : {}),
            dateModification: sql`now()`,
          })
          .where(eq(events.id, id));
        if (s) toRemove = [ev.image, ev.imageMiniature];
      }
      // Paid events: a first ticket type if it has none; capacity never below what the types offer (tickets).
      await deps.hooks.run('event.saved', { tx, eventId: id });
    });
  } catch (err) {
    const s = stored as StoredImage | null;
    await deps.media.remove(s?.key, s?.thumbKey);
    throw err;
  }
  await listChanged(deps);
  await deps.media.remove(...toRemove);
  return { revision };
}

/**
 * Replaces (or, with no image, removes) the cover image. A new cover for a published event waits for staff
 * like any content change; removing one applies at once (it cannot mislead anyone).
 */
export async function setCoverImage(deps: EventsDeps, user: AuthUser, id: number, image: UploadedFile | null): Promise<UpdateOutcome> {
  let cover: ProcessedImage | null = null;
  if (image) {
    cover = await processImage(image.bytes, { maxSide: COVER_SIDE, thumbSide: COVER_THUMB_SIDE });
    if (!cover) throw ValidationError.field('image', INVALID_IMAGE_MESSAGE);
  }
  const stored = cover ? await deps.media.saveImage('events', cover) : null;
  let toRemove: string[] = [];
  let revision = false;
  try {
    await deps.db.transaction(async (tx) => {
      const ev = await lockVisibleEvent(tx, id, user);
      assertOrganizer(ev, user);
      if (!EDITABLE_STATUTS.includes(ev.statut)) {
        throw new BadRequestError(`Un événement au statut « ${STATUT_LABELS[ev.statut]} » ne peut plus être modifié.`, 'not_editable');
      }
      if (ev.statut === 'VALIDE' && stored) {
        const pending = await pendingRevisionOf(tx, id);
        const outcome = await propose(tx, ev, user, pending, {
          ...currentProposal(ev, pending),
          image: stored.key,
          image_miniature: stored.thumbKey,
        });
        toRemove = outcome.orphanImages;
        revision = outcome.revisionId !== null;
        return;
      }
      toRemove = [ev.image, ev.imageMiniature];
      await tx
        .update(events)
        .set({ image: stored?.key ?? '', imageMiniature: stored?.thumbKey ?? '', dateModification: sql`now()` })
        .where(eq(events.id, id));
      if (ev.statut === 'VALIDE') revision = (await pendingRevisionOf(tx, id)) !== null;
    });
  } catch (err) {
    await deps.media.remove(stored?.key, stored?.thumbKey);
    throw err;
  }
  await listChanged(deps);
  await deps.media.remove(...toRemove);
  return { revision };
}

export async function submitEvent(deps: EventsDeps, user: AuthUser, id: number): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const ev = await lockVisibleEvent(tx, id, user);
    const to = assertTransition('submit', ev.statut, rolesOf(ev, user));
    await assertWithinPlan(tx, ev.createurId, { kind: 'evenement_actif', payant: ev.typeAcces === 'PAYANT', exceptEventId: ev.id });
    if (ev.dateDebut.getTime() <= Date.now()) {
      throw ValidationError.field('date_debut', "La date de début est passée : modifiez-la avant de soumettre l'événement.");
    }
    await tx
      .update(events)
      .set({ statut: to, motifRejet: '', dateModification: sql`now()` })
      .where(eq(events.id, id));
    await deps.hooks.run('event.submitted', { tx, jobs: deps.jobs, eventId: id });
  });
  await listChanged(deps);
}

export async function cancelEvent(
  deps: EventsDeps,
  user: AuthUser,
  id: number,
  motif: string | undefined,
  meta: RequestMeta,
): Promise<void> {
  let orphans: string[] = [];
  await deps.db.transaction(async (tx) => {
    const ev = await lockVisibleEvent(tx, id, user);
    const to = assertTransition('cancel', ev.statut, rolesOf(ev, user));
    orphans = await retirePending(tx, ev);
    await tx
      .update(events)
      .set({ statut: to, dateModification: sql`now()` })
      .where(eq(events.id, id));
    await audit(tx, {
      userId: user.id,
      action: 'event.cancel',
      meta,
      cible: `event:${id}`,
      details: { ancien_statut: ev.statut, motif: motif ?? '' },
    });
    // Paid tickets are refunded by the payments module, in this transaction; notifications tells the participants
    // of an event that had been published.
    await deps.hooks.run('event.cancelled', { tx, jobs: deps.jobs, actorId: user.id, event: hookEvent(ev), motif });
  });
  await listChanged(deps);
  await deps.media.remove(...orphans);
}

/** Only an event nobody joined can disappear; otherwise the organizer cancels it (participants are told). */
export async function deleteEvent(deps: EventsDeps, user: AuthUser, id: number): Promise<void> {
  let toRemove: string[] = [];
  await deps.db.transaction(async (tx) => {
    const ev = await lockVisibleEvent(tx, id, user);
    assertOrganizer(ev, user);
    // participants_count is exact here: joins take this same row lock before changing it.
    if (ev.participantsCount > 0) {
      throw new ConflictError(
        `Impossible de supprimer un événement auquel ${ev.participantsCount} personne(s) participent : annulez-le plutôt.`,
        'has_participants',
      );
    }
    await deps.hooks.run('event.beforeDelete', { tx, jobs: deps.jobs, actorId: user.id, event: hookEvent(ev) });
    // A pending revision's cover goes with the event (its row goes by cascade).
    const revisionImages = await retirePending(tx, ev);
    await tx.delete(events).where(eq(events.id, id));
    toRemove = [ev.image, ev.imageMiniature, ...revisionImages];
  });
  await listChanged(deps);
  await deps.media.remove(...toRemove);
}
