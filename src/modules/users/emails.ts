/**
 * The accounts module's messages (links, codes) are rendered and sent by the notifications module (its seeded
 * French templates COMPTE_*, editable by staff): this module raises `account.message` in the transaction that
 * created the token or made the change, so a rolled-back change sends nothing.
 */
import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../../db/client.js';
import type { DomainHooks } from '../../core/hooks.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { AccountMessageType } from './hooks.js';
import './hooks.js';

export async function sendAccountMessage(
  deps: { hooks: DomainHooks; jobs: JobQueue },
  tx: DbOrTx,
  userId: number,
  type: AccountMessageType,
  data: Record<string, string> = {},
  to?: { email?: string; telephone?: string },
): Promise<void> {
  await deps.hooks.run('account.message', {
    tx,
    jobs: deps.jobs,
    userId,
    type,
    key: `${type}:${randomUUID()}`,
    data,
    ...(to ? { to } : {}),
  });
}

/**
 * A link from a template with {token} (PASSWORD_RESET_URL…, an app's own page) or, by default, one of the
 * server's account pages (account-pages.ts) with the token in the fragment, which no server or proxy sees.
 */
export function linkFor(template: string | undefined, origin: string, defaultPage: string, token: string): string {
  const t = encodeURIComponent(token);
  return template ? template.replace('{token}', t) : `${origin}${defaultPage}#token=${t}`;
}
