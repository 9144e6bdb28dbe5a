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
}

export async function audit(db: DbOrTx, entry: AuditEntry): Promise<void> {
  await db.insert(auditLogs).values({
    userId: entry.userId,
    action: entry.action,
    cible: (entry.cible ?? '').slice(0, 100),
    details: entry.details ?? {},
    ip: entry.meta.ip,
    userAgent: entry.meta.userAgent,
  });
}
