/**
 * Tickets for the live stream from a browser. EventSource cannot send an Authorization header, and the API
 * token must never travel in a URL (logs, history, proxies keep URLs), so the page asks for a ticket with its
 * token (`POST /api/notifications/stream/ticket/`) and opens `GET /api/notifications/stream/?ticket=…`. A
 * ticket is 32 random bytes, stored only as its SHA-256, good once and for STREAM_TICKET_SECONDS; it goes with
 * the API token that made it (a logout ends it). Spending it is one DELETE … RETURNING: two requests with the
 * same ticket, one gets the stream. Request logs mask `ticket` in query strings (core/security.ts).
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { generateSecret, hashSecret } from '../../core/tokens.js';
import { users } from '../users/tables.js';
import { streamTickets } from './tables.js';

export const STREAM_TICKET_SECONDS = 60;

export async function createStreamTicket(
  db: DbOrTx,
  userId: number,
  authTokenId: number | null,
): Promise<{ ticket: string; expire_dans: number }> {
  const ticket = generateSecret();
  await db.transaction(async (tx) => {
    // This person's spent-by-time tickets go as new ones are made (the daily prune takes the rest).
    await tx.delete(streamTickets).where(and(eq(streamTickets.utilisateurId, userId), lt(streamTickets.expireLe, sql`now()`)));
    await tx.insert(streamTickets).values({
      hash: hashSecret(ticket),
      utilisateurId: userId,
      authTokenId,
      expireLe: sql`now() + make_interval(secs => ${STREAM_TICKET_SECONDS})`,
    });
  });
  return { ticket, expire_dans: STREAM_TICKET_SECONDS };
}

/** The user a ticket was made for, if it is unspent, unexpired and its owner still active; spends it. */
export async function spendStreamTicket(db: DbOrTx, ticket: string): Promise<number | null> {
  const [row] = await db
    .delete(streamTickets)
    .where(
      and(
        eq(streamTickets.hash, hashSecret(ticket)),
        sql`${streamTickets.expireLe} > now()`,
        sql`EXISTS (SELECT 1 FROM ${users} u WHERE u.id = ${streamTickets.utilisateurId} AND u.is_active)`,
      ),
    )
    .returning({ userId: streamTickets.utilisateurId });
  return row?.userId ?? null;
}

export async function pruneStreamTickets(db: DbOrTx): Promise<number> {
  const gone = await db
    .delete(streamTickets)
    .where(lt(streamTickets.expireLe, sql`now()`))
    .returning({ id: streamTickets.id });
  return gone.length;
}
