/** The domain hooks the tickets module raises (core/hooks.ts). */
import type { Tx } from '../../db/client.js';

declare module '../../core/hooks.js' {
  interface HookMap {
    /** A ticket type is about to be deleted (inside the transaction): payments refuse when it was ever bought. */
    'ticketType.beforeDelete': { payload: { tx: Tx; ticketTypeId: number; eventId: number }; result: void };
  }
}

export {};
