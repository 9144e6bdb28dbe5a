/**
 * Staff moderation: approve (VALIDE, with validateur and date) or reject with a reason (REJETE). Each decision
 * is taken under the event's row lock (two moderators clicking at once: the second sees the first's result
 * and gets a 400), leaves an audit log entry, and emails the organizer, all in one transaction.
 */
import { eq, sql } from 'drizzle-orm';
import type { AuthUser } from '../../core/auth.js';
import { AppError, BadRequestError, NotFoundError, ValidationError } from '../../core/errors.js';
import { events } from './tables.js';
import { assertTransition } from './status.js';
import { audit, changes, type RequestMeta } from '../../core/audit.js';
import { lockEvent, rolesOf, EVENT_NOT_FOUND } from './access.js';
import { listChanged, type EventsDeps } from './deps.js';
import './hooks.js';

export async function approveEvent(deps: EventsDeps, staff: AuthUser, id: number, meta: RequestMeta): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const ev = await lockEvent(tx, id);
    if (!ev) throw new NotFoundError(EVENT_NOT_FOUND);
    const to = assertTransition('approve', ev.statut, rolesOf(ev, staff));
    if (ev.dateFin.getTime() <= Date.now()) {
      throw new BadRequestError('Cet événement est déjà terminé : il ne peut plus être validé.', 'event_over');
    }
    await tx
      .update(events)
      .set({ statut: to, validateurId: staff.id, dateValidation: sql`now()`, motifRejet: '', dateModification: sql`now()` })
      .where(eq(events.id, id));
    await audit(tx, {
      userId: staff.id,
      action: 'event.approve',
      meta,
      cible: `event:${id}`,
      staff: true,
      details: { ancien_statut: ev.statut, titre: ev.titre, ...changes({ statut: ev.statut }, { statut: to }) },
    });
    await deps.hooks.run('event.moderated', { tx, jobs: deps.jobs, eventId: id, decision: 'approve' });
  });
  await listChanged(deps);
}

export async function rejectEvent(deps: EventsDeps, staff: AuthUser, id: number, motif: string, meta: RequestMeta): Promise<void> {
  const reason = motif.trim();
  if (reason.length < 5) throw ValidationError.field('motif', "Expliquez le motif du rejet à l'organisateur (5 caractères au moins).");
  await deps.db.transaction(async (tx) => {
    const ev = await lockEvent(tx, id);
    if (!ev) throw new NotFoundError(EVENT_NOT_FOUND);
    const to = assertTransition('reject', ev.statut, rolesOf(ev, staff));
    await tx
      .update(events)
      .set({ statut: to, motifRejet: reason, dateModification: sql`now()` })
      .where(eq(events.id, id));
    await audit(tx, {
      userId: staff.id,
      action: 'event.reject',
      meta,
      cible: `event:${id}`,
      staff: true,
      details: {
        ancien_statut: ev.statut,
        titre: ev.titre,
        motif: reason,
        ...changes({ statut: ev.statut }, { statut: to }),
      },
    });
    await deps.hooks.run('event.moderated', { tx, jobs: deps.jobs, eventId: id, decision: 'reject', motif: reason });
  });
  await listChanged(deps);
}

/** At most this many events in one bulk decision (one request, one confirmation in the staff interface). */
export const BULK_MODERATION_MAX = 100;

export interface BulkModerationResult {
  /** Events decided by this request, in the order given. */
  traites: number[];
  /** Events left as they were, each with the reason (already decided by someone else, over, unknown…). */
  ignores: { id: number; raison: string }[];
}

/**
 * The manual's `approve_events` / `reject_events` admin actions: each event is decided as the single routes
 * decide it (its own lock, transition check, journal entry and email to the organizer), one after the other.
 * One event that cannot be decided (a colleague already did, it is over) does not undo the others: it is
 * reported in `ignores` with the French reason.
 */
export async function moderateEvents(
  deps: EventsDeps,
  staff: AuthUser,
  ids: readonly number[],
  decision: { kind: 'approve' } | { kind: 'reject'; motif: string },
  meta: RequestMeta,
): Promise<BulkModerationResult> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw ValidationError.field('ids', 'Choisissez au moins un événement.');
  if (unique.length > BULK_MODERATION_MAX) {
    throw ValidationError.field('ids', `Au plus ${BULK_MODERATION_MAX} événements à la fois.`);
  }
  if (decision.kind === 'reject' && decision.motif.trim().length < 5) {
    throw ValidationError.field('motif', "Expliquez le motif du rejet à l'organisateur (5 caractères au moins).");
  }
  const result: BulkModerationResult = { traites: [], ignores: [] };
  for (const id of unique) {
    try {
      if (decision.kind === 'approve') await approveEvent(deps, staff, id, meta);
      else await rejectEvent(deps, staff, id, decision.motif, meta);
      result.traites.push(id);
    } catch (err) {
      if (!(err instanceof AppError) || err.statusCode >= 500 || err.statusCode === 403) throw err;
      result.ignores.push({ id, raison: err.message });
    }
  }
  return result;
}
