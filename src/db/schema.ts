/** One schema for both drivers: the shared tables of core and every module's tables, for Drizzle and drizzle-kit. */
export * from '../core/tables.js';
export * from '../modules/users/tables.js';
export * from '../modules/events/tables.js';
export * from '../modules/team/tables.js';
export * from '../modules/tickets/tables.js';
export * from '../modules/payments/tables.js';
export * from '../modules/notifications/tables.js';
export * from '../modules/subscriptions/tables.js';
