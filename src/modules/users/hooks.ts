/**
 * The domain hooks the accounts module raises (core/hooks.ts). Other modules answer them in their plugin.ts.
 */
import type { DbOrTx, Tx } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';

export type AccountMessageType =
  | 'COMPTE_BIENVENUE'
  | 'COMPTE_VERIFICATION_EMAIL'
  | 'COMPTE_REINITIALISATION'
  | 'COMPTE_MOT_DE_PASSE_MODIFIE'
  | 'COMPTE_SUPPRIME'
  | 'COMPTE_CODE_TELEPHONE';

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
    /** `followerId` started following `followedId` (a new pair). */
    'user.followed': { payload: { tx: Tx; jobs: JobQueue; followerId: number; followedId: number }; result: void };
    /**
     * An account message to send (links, codes: transactional, always sent): the notifications module renders
     * and delivers it. `to` overrides the account's address or phone (a new address, an account being erased).
     */
    'account.message': {
      payload: {
        tx: DbOrTx;
        jobs: JobQueue;
        userId: number;
        type: AccountMessageType;
        /** Unique per message (a token's id or hash): never sent twice. */
        key: string;
        data: Record<string, string>;
        to?: { email?: string; telephone?: string };
      };
      result: void;
    };
  }
}

export {};
