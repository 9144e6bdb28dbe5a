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
    /** The event became ANNULE: payments refund every paid ticket (queued with the same commit); participants are told. */
    'event.cancelled': { payload: EventHookPayload & { motif?: string | undefined }; result: void };
    /** The event is waiting for moderation (created EN_ATTENTE, or submitted): staff are told. */
    'event.submitted': { payload: { tx: Tx; jobs: JobQueue; eventId: number }; result: void };
    /**
     * Staff decided: the event (or, with `revisionId`, a revision of a published one) is approved or rejected
     * with `motif`. The organizer is told; an event's first approval also tells its organizer's followers.
     */
    'event.moderated': {
      payload: { tx: Tx; jobs: JobQueue; eventId: number; decision: 'approve' | 'reject'; motif?: string; revisionId?: number };
      result: void;
    };
    /** A published event's date or place changed (`changes`: French lines): its participants are told. */
    'event.changed': { payload: { tx: Tx; jobs: JobQueue; eventId: number; changes: string[] }; result: void };
    /** Someone joined a free event (a new confirmed participation). */
    'participation.confirmed': {
      payload: { tx: Tx; jobs: JobQueue; eventId: number; userId: number; participationId: number };
      result: void;
    };
    /** The event is about to be deleted: a module throws (ConflictError) to refuse, e.g. when payments exist. */
    'event.beforeDelete': { payload: EventHookPayload; result: void };
  }
}

export {};
