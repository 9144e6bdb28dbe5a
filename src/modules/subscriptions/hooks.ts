/**
 * The domain hooks the subscriptions module raises (core/hooks.ts), inside the transaction of the change, for
 * the notifications module to turn into ABONNEMENT_ACTIVE, ABONNEMENT_EXPIRE_BIENTOT and ABONNEMENT_EXPIRE
 * messages. Handlers must use `tx`.
 */
import type { Tx } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';

export interface SubscriptionHookPayload {
  tx: Tx;
  jobs: JobQueue;
  subscription: {
    id: number;
    organisateurId: number;
    planId: number;
    planNom: string;
    /** The plan's price today (XOF): what a renewal costs. */
    planPrix: number;
    dateDebut: Date | null;
    dateFin: Date | null;
    enGraceJusquAu: Date | null;
  };
}

declare module '../../core/hooks.js' {
  interface HookMap {
    /** Paid (or granted by staff): ACTIF with its dates. */
    'subscription.activated': { payload: SubscriptionHookPayload; result: void };
    /** A renewal reminder step is due (J-7, J-3, J-1, J0, J+3 by default): sent once per step. */
    'subscription.expiring': { payload: SubscriptionHookPayload & { etape: string; joursRestants: number }; result: void };
    /** Grace over with no renewal: the organizer is back on the free plan. */
    'subscription.expired': { payload: SubscriptionHookPayload; result: void };
  }
}

export {};
