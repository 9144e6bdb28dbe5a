/**
 * Where other modules plug into an event's life without the events module knowing them.
 *
 * - `onEventCancelled`: runs inside the cancellation's transaction, after the status became ANNULE and while
 *   the event row is locked. THIS IS WHERE PAID-TICKET REFUNDS PLUG IN once the payments module exists: it
 *   registers a hook that marks the event's paid tickets for refund and enqueues the refund jobs with `tx`
 *   (so a cancellation that rolls back refunds nothing, and one that commits cannot forget a ticket). Until
 *   then no hook is registered and a cancelled PAYANT event refunds nothing, because nothing can be sold.
 * - `beforeEventDeleted`: runs inside the deletion's transaction; a hook throws (e.g. ConflictError) to
 *   refuse deleting an event that has sold tickets. Free participations are checked by the events module.
 *
 * Hooks must use `tx`, never the outer database (see db/client.ts).
 */
import type { Tx } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { EventStatut } from './tables.js';

export interface EventHookContext {
  tx: Tx;
  jobs: JobQueue;
  event: { id: number; titre: string; createurId: number; typeAcces: 'GRATUIT' | 'PAYANT'; prix: number; previousStatut: EventStatut };
  /** Who did it (the organizer's user id). */
  actorId: number;
}

export type EventHook = (ctx: EventHookContext) => Promise<void>;

const cancelledHooks: EventHook[] = [];
const deleteGuards: EventHook[] = [];

/** Payments: `onEventCancelled(refundPaidTicketsOfCancelledEvent)`. Returns an unregister function. */
export function onEventCancelled(hook: EventHook): () => void {
  cancelledHooks.push(hook);
  return () => void cancelledHooks.splice(cancelledHooks.indexOf(hook), 1);
}

export function beforeEventDeleted(hook: EventHook): () => void {
  deleteGuards.push(hook);
  return () => void deleteGuards.splice(deleteGuards.indexOf(hook), 1);
}

/** Called by cancelEvent: refunds of paid tickets happen in here, once payments register their hook. */
export async function runEventCancelledHooks(ctx: EventHookContext): Promise<void> {
  for (const hook of cancelledHooks) await hook(ctx);
}

export async function runBeforeEventDeletedHooks(ctx: EventHookContext): Promise<void> {
  for (const hook of deleteGuards) await hook(ctx);
}
