/**
 * Every module, in dependency order: the one list the runtime (jobs, hooks, settings) and the app (plugins)
 * are built from. Adding a module is adding it here (see core/module.ts for the contract).
 */
import type { SpotVibeModule } from '../core/module.js';
import { healthModule } from './health/plugin.js';
import { usersModule } from './users/plugin.js';
import { eventsModule } from './events/plugin.js';
import { teamModule } from './team/plugin.js';
import { ticketsModule } from './tickets/plugin.js';
import { paymentsModule } from './payments/plugin.js';
import { subscriptionsModule } from './subscriptions/plugin.js';
import { notificationsModule } from './notifications/plugin.js';
import { adminModule } from './admin/plugin.js';
import { maintenanceModule } from './maintenance/plugin.js';

export const MODULES: readonly SpotVibeModule[] = [
  healthModule,
  usersModule,
  eventsModule,
  teamModule,
  ticketsModule,
  paymentsModule,
  subscriptionsModule,
  notificationsModule,
  adminModule,
  maintenanceModule,
];
