/**
 * Queries built once: the one cache of prepared queries. Drizzle builds a query's SQL text anew at every
 * call, and on a hot path (the token lookup of every authenticated request, a ticket purchase, the event list)
 * that building cost more CPU than the query itself. `preparedOnce` builds a query once per database handle
 * and key, with `sql.placeholder` for the values, and keeps the prepared query: each call then only binds its
 * values.
 *
 * The statement name given to `build` decides how PostgreSQL plans it. A name (the default: the key) makes a
 * named prepared statement, parsed once per connection; PostgreSQL may switch it to a generic plan after five
 * runs, which suits lookups by a unique key. An empty name (`statementName: ''`) is the unnamed statement,
 * parsed and planned with its values at every run: for queries whose best plan depends on them (a search, a
 * rare category). PGlite ignores names.
 */
import { createHash } from 'node:crypto';
import type { DbOrTx } from './client.js';

const byHandle = new WeakMap<object, Map<string, unknown>>();
/** Keys are query shapes, few in practice; the bound only protects memory from a shape explosion. */
const MAX_PER_HANDLE = 1000;

export interface PreparedOptions {
  /** The statement name (default: the key, shortened to a hash when long); '' for the unnamed statement. */
  statementName?: string;
}

export function preparedOnce<T>(db: DbOrTx, key: string, build: (db: DbOrTx, name: string) => T, opts: PreparedOptions = {}): T {
  let queries = byHandle.get(db);
  if (!queries) byHandle.set(db, (queries = new Map()));
  let q = queries.get(key) as T | undefined;
  if (q === undefined) {
    if (queries.size >= MAX_PER_HANDLE) queries.clear();
    q = build(db, opts.statementName ?? statementNameFor(key));
    queries.set(key, q);
  }
  return q;
}

/** PostgreSQL truncates identifiers at 63 bytes: long keys become a stable hash. */
export function statementNameFor(key: string): string {
  return /^[a-z0-9_]{1,63}$/.test(key) ? key : `sv_${createHash('sha1').update(key).digest('hex').slice(0, 24)}`;
}
