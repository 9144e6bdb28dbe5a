/**
 * The life of an event, written as data: which action moves an event from which statuses to which, and who
 * may perform it. Services call `assertTransition` under the event's row lock, so two racing decisions (an
 * approval and a cancellation) are applied one after the other and the second is judged on the first's
 * result. `status.test.ts` checks every (action, status, actor) combination against this table.
 */
import { ConflictError, ForbiddenError } from '../../core/errors.js';
import { elide } from '../../core/french.js';
import type { EventStatut } from './tables.js';

export type EventAction = 'submit' | 'approve' | 'reject' | 'cancel' | 'finish';
/** `createur`: the event's creator; `staff`: a moderator; `system`: the scheduled job. */
export type Actor = 'createur' | 'staff' | 'system';

export interface Transition {
  action: EventAction;
  from: readonly EventStatut[];
  to: EventStatut;
  by: readonly Actor[];
}

export const TRANSITIONS: readonly Transition[] = [
  // A draft goes to moderation; so does a rejected event once its organizer has fixed it.
  { action: 'submit', from: ['BROUILLON', 'REJETE'], to: 'EN_ATTENTE', by: ['createur'] },
  { action: 'approve', from: ['EN_ATTENTE'], to: 'VALIDE', by: ['staff'] },
  { action: 'reject', from: ['EN_ATTENTE'], to: 'REJETE', by: ['staff'] },
  // Anything not yet over can be called off by its organizer; TERMINE and ANNULE are final.
  { action: 'cancel', from: ['BROUILLON', 'EN_ATTENTE', 'REJETE', 'VALIDE'], to: 'ANNULE', by: ['createur'] },
  { action: 'finish', from: ['VALIDE'], to: 'TERMINE', by: ['system'] },
];

/**
 * Statuses whose event the public can open (the list shows VALIDE only). An ANNULE event is public only if it
 * was published first (access.ts `canSee`); every other status only for its creator and staff.
 */
export const PUBLIC_STATUTS: readonly EventStatut[] = ['VALIDE', 'TERMINE'];
/** Statuses in which the organizer may still edit the event. */
export const EDITABLE_STATUTS: readonly EventStatut[] = ['BROUILLON', 'EN_ATTENTE', 'REJETE', 'VALIDE'];

export const STATUT_LABELS: Record<EventStatut, string> = {
  BROUILLON: 'Brouillon',
  EN_ATTENTE: 'En attente de validation',
  VALIDE: 'Validé',
  REJETE: 'Rejeté',
  TERMINE: 'Terminé',
  ANNULE: 'Annulé',
};

const ACTION_LABELS: Record<EventAction, string> = {
  submit: 'soumettre à la modération',
  approve: 'valider',
  reject: 'rejeter',
  cancel: 'annuler',
  finish: 'clôturer',
};

export function transitionFor(action: EventAction): Transition {
  const t = TRANSITIONS.find((x) => x.action === action);
  if (!t) throw new Error(`Action inconnue : ${action}`);
  return t;
}

/**
 * The status `action` leads to from `from` when performed by someone holding `roles`; throws 403 when none of
 * the roles may perform the action, 409 when the event's current status does not allow it.
 */
export function assertTransition(action: EventAction, from: EventStatut, roles: readonly Actor[]): EventStatut {
  const t = transitionFor(action);
  if (!t.by.some((r) => roles.includes(r))) {
    throw new ForbiddenError(
      t.by.includes('staff')
        ? 'Action réservée au personnel de la plateforme.'
        : `Seul l'organisateur de l'événement peut ${elide('le', ACTION_LABELS[action])}.`,
      t.by.includes('staff') ? 'staff_only' : 'not_owner',
    );
  }
  // A conflict with the event's current state (API.md: 409), like every invalid_transition of the API.
  if (!t.from.includes(from)) {
    throw new ConflictError(
      `Impossible ${elide('de', ACTION_LABELS[action])} un événement au statut « ${STATUT_LABELS[from]} ».`,
      'invalid_transition',
    );
  }
  return t.to;
}

export function canTransition(action: EventAction, from: EventStatut, roles: readonly Actor[]): boolean {
  const t = transitionFor(action);
  return t.by.some((r) => roles.includes(r)) && t.from.includes(from);
}
