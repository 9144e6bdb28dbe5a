/**
 * The domain hooks the accounts module raises (core/hooks.ts). Other modules answer them in their plugin.ts.
 */
import type { DbOrTx, Tx } from '../../db/client.js';

declare module '../../core/hooks.js' {
  interface HookMap {
    /**
     * A user asked for their data (GET /api/users/me/export/): each module returns its sections, merged into
     * the export at the top level (`{paiements: …}`).
     */
    'account.export': { payload: { db: DbOrTx; userId: number }; result: Record<string, unknown> };
    /**
     * An account is being erased, inside the deletion's transaction: each module erases or detaches its personal
     * data about the user (the payer's phone on a payment…). Throwing rolls the whole deletion back.
     */
    'account.erase': { payload: { tx: Tx; userId: number }; result: void };
  }
}

export {};
