/** The subscriptions' status machine as data (core/history.ts), with a history row for every change. */
import { stateMachine } from '../../core/history.js';
import { subscriptions, type SubscriptionStatut } from './tables.js';

export const SUBSCRIPTION_TRANSITIONS: Readonly<Record<SubscriptionStatut, readonly SubscriptionStatut[]>> = {
  // Awaiting its payment: paid, failed or expired, or cancelled by the organizer before paying.
  EN_ATTENTE: ['ACTIF', 'ECHOUE', 'ANNULE'],
  // A success reported after the attempt had expired still activates it (payments' late success).
  ECHOUE: ['ACTIF'],
  // Period over (grace included, or relayed by its successor), or revoked by staff.
  ACTIF: ['EXPIRE', 'ANNULE'],
  EXPIRE: [],
  ANNULE: [],
};

export const subscriptionMachine = stateMachine<SubscriptionStatut>('ABONNEMENT', subscriptions, SUBSCRIPTION_TRANSITIONS);
