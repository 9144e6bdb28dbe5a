/**
 * The journal (the manual's AuditLog): who did what, to what, from which address and client. One writer for
 * every module, called in the same transaction as the action, so an entry exists exactly when the action
 * happened. Security events use the accounts' action names (`connexion`, `compte_supprime`…); other modules
 * use `<domaine>.<action>` (`event.approve`) and name their target in `cible` (`event:42`).
 * The table is in core/tables.ts.
 */
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { DbOrTx } from '../db/client.js';
import { auditLogs } from './tables.js';

export { auditLogs };

/** Where a request came from: `request.ip` honours X-Forwarded-For only as far as TRUST_PROXY allows. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string;
}

/** Actions outside a request (a job, the CLI): no address, the process named as the client. */
export const SYSTEM_META: RequestMeta = { ip: null, userAgent: 'spotvibe' };

export function requestMeta(request: FastifyRequest): RequestMeta {
  const ua = request.headers['user-agent'];
  // The inet column takes only an address: anything else (a socket path, a bad header) is recorded as none.
  return { ip: isIP(request.ip) ? request.ip : null, userAgent: (typeof ua === 'string' ? ua : '').slice(0, 255) };
}

export interface AuditEntry {
  userId: number | null;
  action: string;
  meta: RequestMeta;
  cible?: string;
  details?: Record<string, unknown>;
  /**
   * A staff action: part of the staff journal (SpotVibe Administration's "Journal", Django's LogEntry), kept by
   * the 30-day cleanup. Such entries name their object in `cible` and say what changed in `details.avant` /
   * `details.apres` (see `changes`).
   */
  staff?: boolean;
}

export async function audit(db: DbOrTx, entry: AuditEntry): Promise<void> {
  await db.insert(auditLogs).values({
    userId: entry.userId,
    parPersonnel: entry.staff ?? false,
    action: entry.action,
    cible: (entry.cible ?? '').slice(0, 100),
    details: entry.details ?? {},
    ip: entry.meta.ip,
    userAgent: entry.meta.userAgent,
  });
}

/**
 * What a staff action changed, for the journal: the fields whose values differ, before and after
 * (`{avant: {statut: 'EN_ATTENTE'}, apres: {statut: 'VALIDE'}}`). Fields absent from `after` are not compared.
 */
export function changes(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { avant: Record<string, unknown>; apres: Record<string, unknown> } {
  const avant: Record<string, unknown> = {};
  const apres: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) {
    const was = before[k] instanceof Date ? (before[k] as Date).toISOString() : before[k];
    const now = v instanceof Date ? v.toISOString() : v;
    if (JSON.stringify(was ?? null) !== JSON.stringify(now ?? null)) {
      avant[k] = was ?? null;
      apres[k] = now ?? null;
    }
  }
  return { avant, apres };
}
