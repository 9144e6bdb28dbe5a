/**
 * The tickets module: ticket types of paid events (`/api/events/{id}/ticket-types/`), the buyer's tickets with
 * their QR codes and PDF, and check-in at the door (`/api/tickets/`). It gives a saved paid event its first
 * ticket type and keeps the types within its capacity (`event.saved`).
 */
import { defineModule, modulePlugin } from '../../core/module.js';
import { ticketsDeps } from './deps.js';
import { ticketRoutes } from './routes.js';
import { ticketTypeRoutes } from './types-routes.js';
import { checkinRoutes } from './checkin-routes.js';
import { onEventSaved } from './types-service.js';
import { parseTicketSigningKey } from './render/keys.js';

export const ticketsModule = defineModule({
  name: 'tickets',
  dependencies: ['users', 'events', 'team'],
  hooks: () => ({ 'event.saved': onEventSaved }),
  checkConfig: (config) => {
    const key = config.env.TICKET_SIGNING_PRIVATE_KEY;
    if (key === undefined) return [];
    try {
      parseTicketSigningKey(key);
      return [];
    } catch (err) {
      return [`TICKET_SIGNING_PRIVATE_KEY: ${(err as Error).message.replace(/^TICKET_SIGNING_PRIVATE_KEY: /, '')}`];
    }
  },
  plugin: modulePlugin('tickets', ['users', 'events', 'team'], async (app) => {
    const deps = ticketsDeps(app.runtime);
    await app.register(ticketRoutes(deps), { prefix: '/api/tickets' });
    await app.register(ticketTypeRoutes(deps), { prefix: '/api/events' });
    await app.register(checkinRoutes(deps), { prefix: '/api/events' });
  }),
});
