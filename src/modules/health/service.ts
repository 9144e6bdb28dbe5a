/** Readiness: the database answers and every migration is applied. */
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client.js';

export interface Readiness {
  ready: boolean;
  body: { status: string; database?: string; migrations?: string; pending?: string[] };
}

export async function readiness(database: Database, log: FastifyBaseLogger): Promise<Readiness> {
  try {
    await database.query('SELECT 1');
  } catch (err) {
    log.warn({ err }, 'base de données injoignable');
    return { ready: false, body: { status: 'unavailable', database: 'injoignable' } };
  }
  const pending = await database.pendingMigrations();
  if (pending.length) return { ready: false, body: { status: 'unavailable', database: 'ok', migrations: 'en retard', pending } };
  return { ready: true, body: { status: 'ready', database: 'ok', migrations: 'ok' } };
}
