/**
 * The security journal (the manual's AuditLog): who did what, from which address and client. Written in the
 * same transaction as the action, so an entry exists exactly when the action happened.
 */
import type { FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import type { DbOrTx } from '../../db/client.js';
import { auditLogs } from './tables.js';

export type AuditAction =
  | 'inscription'
  | 'connexion'
  | 'connexion_echouee'
  | 'compte_verrouille'
  | 'deconnexion'
  | 'mot_de_passe_modifie'
  | 'reinitialisation_demandee'
  | 'mot_de_passe_reinitialise'
  | 'email_verifie'
  | 'telephone_verifie'
  | 'compte_social_lie'
  | 'inscription_sociale'
  | 'profil_modifie'
  | 'export_donnees'
  | 'compte_supprime'
  | 'staff_desactivation'
  | 'staff_reactivation';

/** Where a request came from: `request.ip` honours X-Forwarded-For only when TRUST_PROXY is on. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string;
}

export function requestMeta(request: FastifyRequest): RequestMeta {
  const ua = request.headers['user-agent'];
  return { ip: isIP(request.ip) ? request.ip : null, userAgent: (typeof ua === 'string' ? ua : '').slice(0, 255) };
}

export async function audit(
  db: DbOrTx,
  entry: { userId: number | null; action: AuditAction; meta: RequestMeta; cible?: string; details?: Record<string, unknown> },
): Promise<void> {
  await db.insert(auditLogs).values({
    userId: entry.userId,
    action: entry.action,
    cible: (entry.cible ?? '').slice(0, 100),
    details: entry.details ?? {},
    ip: entry.meta.ip,
    userAgent: entry.meta.userAgent,
  });
}
