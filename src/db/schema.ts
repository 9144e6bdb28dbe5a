/** One schema for both drivers: every module's tables, gathered for Drizzle and drizzle-kit. */
export * from '../modules/users/tables.js';
export * from '../modules/events/tables.js';
export * from '../modules/tickets/tables.js';
export * from '../modules/payments/tables.js';
