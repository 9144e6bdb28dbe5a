/** The tickets' status machine (core/history.ts): issued VALIDE, then scanned once, or cancelled and refunded. */
import { stateMachine } from '../../core/history.js';
import { tickets, type TicketStatut } from './tables.js';

export const TICKET_TRANSITIONS: Readonly<Record<TicketStatut, readonly TicketStatut[]>> = {
  VALIDE: ['UTILISE', 'ANNULE'],
  UTILISE: [],
  ANNULE: ['REMBOURSE'],
  REMBOURSE: [],
};

export const ticketMachine = stateMachine<TicketStatut>('BILLET', tickets, TICKET_TRANSITIONS);
