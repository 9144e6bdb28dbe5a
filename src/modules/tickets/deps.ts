/** What the tickets use cases need: the database and the key signing QR codes (its public half verifies them). */
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { ProcessServices } from '../../jobs/queue.js';
import type { DomainHooks } from '../../core/hooks.js';
import { keyRing, type PublicKeyRing } from './render/payload.js';
import { ticketSigningKey, type TicketSigningKey } from './render/keys.js';
import { checkinLimitSettings, UnknownCodeCounter, type CheckinLimitSettings } from './checkin-limits.js';

export interface TicketsDeps {
  db: Db;
  hooks: DomainHooks;
  config: Config;
  signingKey: TicketSigningKey;
  keys: PublicKeyRing;
  checkinLimits: CheckinLimitSettings;
  /** Unknown or forged codes per scanner (checkin-limits.ts). */
  unknownCodes: UnknownCodeCounter;
}

export function ticketsDeps(s: Pick<ProcessServices, 'database' | 'hooks' | 'config'> & { redis?: ProcessServices['redis'] }): TicketsDeps {
  const signingKey = ticketSigningKey(s.config);
  const checkinLimits = checkinLimitSettings(s.config.env);
  return {
    db: s.database.db,
    hooks: s.hooks,
    config: s.config,
    signingKey,
    keys: keyRing(signingKey),
    checkinLimits,
    unknownCodes: new UnknownCodeCounter(checkinLimits.unknown, s.redis ?? null),
  };
}
