/** What the tickets use cases need: the database and the key signing QR codes (its public half verifies them). */
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { ProcessServices } from '../../jobs/queue.js';
import type { DomainHooks } from '../../core/hooks.js';
import { keyRing, type PublicKeyRing } from './render/payload.js';
import { ticketSigningKey, type TicketSigningKey } from './render/keys.js';

export interface TicketsDeps {
  db: Db;
  hooks: DomainHooks;
  config: Config;
  signingKey: TicketSigningKey;
  keys: PublicKeyRing;
}

export function ticketsDeps(s: Pick<ProcessServices, 'database' | 'hooks' | 'config'>): TicketsDeps {
  const signingKey = ticketSigningKey(s.config);
  return { db: s.database.db, hooks: s.hooks, config: s.config, signingKey, keys: keyRing(signingKey) };
}
