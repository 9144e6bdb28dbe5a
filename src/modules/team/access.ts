/**
 * Who may act on an event: its creator, the members of its door staff (SCANNER, GESTIONNAIRE) and, at the door
 * only, platform staff. The one helper other modules call (tickets for check-in and ticket types, payments for
 * the sales figures): `eventRole` to read the caller's role, `assertEventRole` to require one.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { isStaffUser, type AuthUser, type ScannerCredential } from '../../core/auth.js';
import { ForbiddenError, NotFoundError } from '../../core/errors.js';
import { hashSecret } from '../../core/tokens.js';
import { preparedOnce } from '../../db/prepared.js';
import { events } from '../events/tables.js';
import { EVENT_NOT_FOUND } from '../events/access.js';
import { users } from '../users/tables.js';
import { eventTeam, scannerTokens, type TeamRole } from './tables.js';

/** CREATEUR > GESTIONNAIRE > SCANNER; PERSONNEL is platform staff (check-in and attendee search only). */
export type EventRole = 'CREATEUR' | TeamRole | 'PERSONNEL';

/** What each level of need admits. */
const ADMITS: Record<'SCANNER' | 'GESTIONNAIRE' | 'CREATEUR', readonly EventRole[]> = {
  SCANNER: ['CREATEUR', 'GESTIONNAIRE', 'SCANNER', 'PERSONNEL'],
  GESTIONNAIRE: ['CREATEUR', 'GESTIONNAIRE'],
  CREATEUR: ['CREATEUR'],
};

/**
 * The caller's role on the event, or null (none); throws 404 when the event does not exist. A scanner token
 * is a SCANNER of its own event and nothing anywhere else, whatever its member's role.
 */
export async function eventRole(
  db: DbOrTx,
  eventId: number,
  user: AuthUser,
  scanner: ScannerCredential | null = null,
): Promise<{ role: EventRole | null; createurId: number; titre: string }> {
  const [row] = await db
    .select({ createurId: events.createurId, titre: events.titre, role: eventTeam.role })
    .from(events)
    .leftJoin(eventTeam, and(eq(eventTeam.evenementId, events.id), eq(eventTeam.utilisateurId, user.id)))
    .where(eq(events.id, eventId));
  if (!row) throw new NotFoundError(EVENT_NOT_FOUND);
  const base = { createurId: row.createurId, titre: row.titre };
  if (scanner) return { ...base, role: scanner.eventId === eventId ? 'SCANNER' : null };
  if (row.createurId === user.id) return { ...base, role: 'CREATEUR' };
  if (row.role) return { ...base, role: row.role };
  return { ...base, role: isStaffUser(user) ? 'PERSONNEL' : null };
}

const REFUSAL: Record<'SCANNER' | 'GESTIONNAIRE' | 'CREATEUR', string> = {
  SCANNER: "Vous ne faites pas partie de l'équipe de contrôle de cet événement.",
  GESTIONNAIRE: "Action réservée à l'organisateur de l'événement et à ses gestionnaires.",
  CREATEUR: "Vous n'êtes pas l'organisateur de cet événement.",
};

/**
 * Requires at least `need` on the event (403 in French otherwise, 404 for an unknown event). Call it inside
 * the use case's transaction with `tx`.
 */
export async function assertEventRole(
  db: DbOrTx,
  eventId: number,
  user: AuthUser,
  need: 'SCANNER' | 'GESTIONNAIRE' | 'CREATEUR',
  scanner: ScannerCredential | null = null,
): Promise<{ role: EventRole; createurId: number; titre: string }> {
  const r = await eventRole(db, eventId, user, scanner);
  if (!r.role || !ADMITS[need].includes(r.role)) {
    if (scanner && scanner.eventId !== eventId) {
      throw new ForbiddenError('Ce jeton de contrôle ne vaut que pour son propre événement.', 'scanner_token_scope');
    }
    throw new ForbiddenError(REFUSAL[need], need === 'CREATEUR' ? 'not_owner' : 'not_team_member');
  }
  return { ...r, role: r.role };
}

/** The creator and their GESTIONNAIRE (sales figures, ticket types): the helper the sales summary calls. */
export async function assertEventManager(db: DbOrTx, eventId: number, user: AuthUser) {
  return assertEventRole(db, eventId, user, 'GESTIONNAIRE');
}

/** `derniere_utilisation` is refreshed at most this often. */
const TOUCH_INTERVAL_MS = 60_000;

/** The authentication hook's lookup of `svscan_…` keys (core/auth.ts): a revoked or unknown key is null. */
export async function findScannerToken(db: Db, key: string): Promise<{ user: AuthUser; scanner: ScannerCredential } | null> {
  const lookup = preparedOnce(db, 'scanner_token_user', (d, name) =>
    d
      .select({ user: users, tokenId: scannerTokens.id, eventId: scannerTokens.evenementId, lastUsed: scannerTokens.derniereUtilisation })
      .from(scannerTokens)
      .innerJoin(eventTeam, eq(eventTeam.id, scannerTokens.membreId))
      .innerJoin(users, eq(users.id, eventTeam.utilisateurId))
      .where(and(eq(scannerTokens.keyHash, sql.placeholder('hash')), isNull(scannerTokens.revoqueLe)))
      .limit(1)
      .prepare(name),
  );
  const [row] = await lookup.execute({ hash: hashSecret(key) });
  if (!row) return null;
  if (!row.lastUsed || Date.now() - row.lastUsed.getTime() > TOUCH_INTERVAL_MS) {
    await db
      .update(scannerTokens)
      .set({ derniereUtilisation: sql`now()` })
      .where(eq(scannerTokens.id, row.tokenId));
  }
  return { user: row.user, scanner: { tokenId: row.tokenId, eventId: row.eventId, userId: row.user.id } };
}
