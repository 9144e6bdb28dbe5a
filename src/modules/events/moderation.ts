/**
 * Staff moderation: approve (VALIDE, with validateur and date) or reject with a reason (REJETE). Each decision
 * is taken under the event's row lock (two moderators clicking at once: the second sees the first's result
 * and gets a 400), leaves an audit log entry, and emails the organizer, all in one transaction.
 */
import { eq, sql } from 'drizzle-orm';
import type { AuthUser } from '../../core/auth.js';
import { BadRequestError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { DbOrTx } from '../../db/client.js';
import { users } from '../users/tables.js';
import { events } from './tables.js';
import { assertTransition } from './status.js';
import { audit, type RequestMeta } from '../../core/audit.js';
import { lockEvent, rolesOf, EVENT_NOT_FOUND } from './access.js';
import { listChanged, type EventsDeps } from './deps.js';
import { notifyOrganizerOfDecision } from './notifications.js';

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
      details: { ancien_statut: ev.statut, titre: ev.titre },
    });
    const organizer = await organizerOf(tx, ev.createurId);
    if (organizer) await notifyOrganizerOfDecision(deps.jobs, tx, organizer, ev, { kind: 'approve' });
  });
  listChanged(deps);
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
      details: { ancien_statut: ev.statut, titre: ev.titre, motif: reason },
    });
    const organizer = await organizerOf(tx, ev.createurId);
    if (organizer) await notifyOrganizerOfDecision(deps.jobs, tx, organizer, ev, { kind: 'reject', motif: reason });
  });
}

async function organizerOf(tx: DbOrTx, id: number) {
  const [u] = await tx
    .select({ email: users.email, firstName: users.firstName, username: users.username })
    .from(users)
    .where(eq(users.id, id));
  return u ?? null;
}
