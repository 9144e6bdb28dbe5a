/**
 * Queries built once. Drizzle builds a query's SQL text anew at every call, and on a hot path (the token
 * lookup of every authenticated request, a ticket purchase) that building cost more CPU than the query
 * itself. `preparedOnce` builds it once per database handle, with `sql.placeholder` for the values, and keeps
 * the prepared query: each call then only binds its values. Give it a stable, unique name: on PostgreSQL the
 * query runs as a named prepared statement, parsed once per connection (PGlite ignores the name).
 *
 * For queries whose plan does not depend on their values (lookups by a unique key): PostgreSQL may switch a
 * named statement to a generic plan after five runs.
 */
import type { DbOrTx } from './client.js';

const byHandle = new WeakMap<object, Map<string, unknown>>();

export function preparedOnce<T>(db: DbOrTx, name: string, build: (db: DbOrTx, name: string) => T): T {
  let queries = byHandle.get(db);
  if (!queries) byHandle.set(db, (queries = new Map()));
  let q = queries.get(name) as T | undefined;
  if (q === undefined) {
    q = build(db, name);
    queries.set(name, q);
  }
  return q;
}
