/**
 * The domain hooks the events module raises (core/hooks.ts), each inside the transaction of the decision it
 * reports, while the event's row is locked. Handlers must use `tx`; one that throws rolls the decision back.
 */
import type { Tx } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { EventStatut } from './tables.js';

export interface EventHookPayload {
  tx: Tx;
  jobs: JobQueue;
  event: { id: number; titre: string; createurId: number; typeAcces: 'GRATUIT' | 'PAYANT'; prix: number; previousStatut: EventStatut };
  /** Who did it (the organizer's user id, or staff). */
  actorId: number | null;
}

declare module '../../core/hooks.js' {
  interface HookMap {
    /**
     * An event was created or edited (after the write): the tickets module gives a paid event its "Standard"
     * ticket type and refuses a capacity below what its ticket types offer.
     */
    'event.saved': { payload: { tx: Tx; eventId: number }; result: void };
    /** The event became ANNULE: payments refund every paid ticket (queued with the same commit). */
    'event.cancelled': { payload: EventHookPayload; result: void };
    /** The event is about to be deleted: a module throws (ConflictError) to refuse, e.g. when payments exist. */
    'event.beforeDelete': { payload: EventHookPayload; result: void };
  }
}

export {};
