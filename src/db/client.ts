/**
 * The database: node-postgres when DATABASE_URL points at PostgreSQL, PGlite (PostgreSQL in WASM) under
 * DATA_DIR otherwise. Both speak to the same Drizzle schema and apply the same migrations folder.
 *
 * PGlite has a single connection: a transaction holds it until it ends, so code inside a transaction must
 * use its `tx` and never the outer `db` (that waits for itself forever).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import pg from 'pg';
import * as schema from './schema.js';
import type { DatabaseKind } from '../config.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Query helpers take either: the caller decides whether the work is part of a transaction. */
export type DbOrTx = Db | Tx;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

/** Connections of one pool at a moment (the `/metrics` database pool gauges). */
export interface PoolStats {
  pool: string;
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** Where a read may run: a main pool and its planned-once twin (see `Database.planned`). */
export interface ReadPools {
  db: Db;
  planned: Db;
}

export interface Database {
  kind: DatabaseKind;
  db: Db;
  /**
   * For reads whose best plan does not depend on their values (a list page without selective filters, a row
   * by id), prepared once and run many times. On PostgreSQL: a second pool whose sessions use
   * plan_cache_mode=force_generic_plan, so such a statement is planned once per connection instead of at
   * every run (PostgreSQL keeps re-planning a statement whose LIMIT is a parameter, because the generic plan's
   * estimate for an unknown LIMIT looks costlier; planning was then twice the execution time of a list page).
   * On PGlite: the same as `db`.
   */
  planned: Db;
  /**
   * For public reads only (the event list, search, nearby, an event's page): the streaming replica's pools
   * when DATABASE_REPLICA_URL is set, else the primary's own. Never for availability, money, anything read
   * then written, or the answer to a write: those read `db` (the primary). Replica lag is the price.
   */
  publicReads: ReadPools & { replica: boolean };
  /** The pools' connections, for the metrics. */
  poolStats(): PoolStats[];
  /** Runs raw SQL with $1… placeholders; used by the job queue adapter and health checks. */
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs several statements without parameters, returning every statement's rows in order. */
  exec(text: string): Promise<{ rows: Record<string, unknown>[] }>;
  migrate(): Promise<void>;
  /** Names of migrations in the folder that the database has not applied yet. */
  pendingMigrations(): Promise<string[]>;
  close(): Promise<void>;
}

export interface OpenOptions {
  kind: DatabaseKind;
  url?: string | undefined;
  /** PGlite data directory; undefined keeps the database in memory (tests). */
  dataDir?: string | undefined;
  poolMax?: number;
  /** PostgreSQL only: a streaming replica serving `publicReads`. */
  replicaUrl?: string | undefined;
  /** PGlite only: start from a dump made by `dumpDataDir()` (tests start from a migrated template). */
  loadDataDir?: Blob | File | undefined;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  return opts.kind === 'postgres' ? openPostgres(opts) : openPglite(opts);
}

/**
 * A pool whose `query()` keeps its connection when the server answers with an error. pg-pool's own `query()`
 * closes the connection after any error, even one the server answered normally (a unique violation, a sold-out
 * seat, a statement timeout), so every such answer cost a new connection: a fork and an authentication on the
 * server, several milliseconds, under the very load where these answers are frequent (a flash sale answers
 * mostly "complet"). An error from the server (pg.DatabaseError) leaves the connection ready for the next
 * query; anything else (a FATAL error, a broken socket, a protocol error, a connection left inside a
 * transaction by a script) still discards it. Transactions check a client out
 * with `connect()` and are not concerned.
 */
export function newPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  // An idle client that loses its connection emits 'error'; without a listener it would crash the process.
  pool.on('error', () => undefined);
  const callbackQuery = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const query = async (text: unknown, values?: unknown): Promise<pg.QueryResult> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await client.query(text as pg.QueryConfig, values as unknown[]);
    } catch (err) {
      // FATAL and PANIC: the server is closing this connection.
      const answered = err instanceof pg.DatabaseError && err.severity !== 'FATAL' && err.severity !== 'PANIC';
      if (!answered) broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      // A script that opened a transaction and did not end it (or failed inside it) would poison the next user.
      if (!broken && client.getTransactionStatus() !== 'I') {
        broken = new Error('connexion laissée dans une transaction');
      }
      client.release(broken);
    }
  };
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) =>
    typeof args.at(-1) === 'function' ? callbackQuery(...args) : query(args[0], args[1]);
  return pool;
}

async function openPostgres(opts: OpenOptions): Promise<Database> {
  if (!opts.url) throw new Error('DATABASE_URL manquant');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const pool = newPool({ connectionString: opts.url, max: opts.poolMax ?? 10 });
  const db = drizzle(pool, { schema }) as unknown as Db;
  const plannedPool = newPool({ connectionString: opts.url, max: opts.poolMax ?? 10, options: '-c plan_cache_mode=force_generic_plan' });
  const planned = drizzle(plannedPool, { schema }) as unknown as Db;
  const pools: [string, pg.Pool][] = [
    ['principal', pool],
    ['principal_planifie', plannedPool],
  ];
  let publicReads: Database['publicReads'] = { db, planned, replica: false };
  if (opts.replicaUrl) {
    const replicaPool = newPool({ connectionString: opts.replicaUrl, max: opts.poolMax ?? 10 });
    const replicaPlanned = newPool({
      connectionString: opts.replicaUrl,
      max: opts.poolMax ?? 10,
      options: '-c plan_cache_mode=force_generic_plan',
    });
    pools.push(['replique', replicaPool], ['replique_planifie', replicaPlanned]);
    publicReads = {
      db: drizzle(replicaPool, { schema }) as unknown as Db,
      planned: drizzle(replicaPlanned, { schema }) as unknown as Db,
      replica: true,
    };
  }
  return {
    kind: 'postgres',
    db,
    planned,
    publicReads,
    poolStats: () =>
      pools.map(([name, p]) => ({ pool: name, total: p.totalCount, idle: p.idleCount, waiting: p.waitingCount, max: p.options.max })),
    query: async (text, values) => pool.query(text, values as unknown[]) as never,
    exec: async (text) => {
      const res = (await pool.query(text)) as pg.QueryResult | pg.QueryResult[];
      return { rows: (Array.isArray(res) ? res : [res]).flatMap((r) => r.rows) };
    },
    migrate: async () => {
      // Server and worker may start together: an advisory lock on a dedicated connection makes them take turns.
      const client = new pg.Client({ connectionString: opts.url });
      await client.connect();
      try {
        await client.query('SELECT pg_advisory_lock(727274)');
        await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await client.query('SELECT pg_advisory_unlock(727274)').catch(() => undefined);
        await client.end();
      }
    },
    pendingMigrations: () => pendingMigrations((t) => pool.query(t)),
    close: async () => {
      await Promise.all(pools.map(([, p]) => p.end()));
    },
  };
}

async function openPglite(opts: OpenOptions): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { unaccent } = await import('@electric-sql/pglite/contrib/unaccent');
  const { cube } = await import('@electric-sql/pglite/contrib/cube');
  const { earthdistance } = await import('@electric-sql/pglite/contrib/earthdistance');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const client = await PGlite.create({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
    extensions: { pg_trgm, unaccent, cube, earthdistance },
  });
  const db = drizzle(client, { schema }) as unknown as Db;
  const database: Database = {
    kind: 'pglite',
    db,
    planned: db,
    publicReads: { db, planned: db, replica: false },
    // One in-process connection: no pool to watch.
    poolStats: () => [],
    query: async (text, values) => client.query(text, values) as never,
    exec: async (text) => ({ rows: (await client.exec(text)).flatMap((r) => r.rows as Record<string, unknown>[]) }),
    migrate: async () => {
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    },
    pendingMigrations: () => pendingMigrations((t) => client.query(t)),
    close: () => client.close(),
  };
  return Object.assign(database, { pglite: client });
}

interface Journal {
  entries: { idx: number; tag: string; when: number }[];
}

function readJournal(): Journal {
  return JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as Journal;
}

/** Drizzle records each applied migration's `created_at` (the journal's `when`); compare the two lists. */
async function pendingMigrations(q: (text: string) => Promise<{ rows: unknown[] }>): Promise<string[]> {
  const journal = readJournal();
  let applied = new Set<number>();
  try {
    const { rows } = await q('SELECT created_at FROM drizzle.__drizzle_migrations');
    applied = new Set((rows as { created_at: string | number }[]).map((r) => Number(r.created_at)));
  } catch (err) {
    // 42P01/3F000: the migrations table or schema does not exist yet, so nothing is applied.
    const code = (err as { code?: string }).code;
    if (code !== '42P01' && code !== '3F000') throw err;
  }
  return journal.entries.filter((e) => !applied.has(e.when)).map((e) => e.tag);
}

/** The rows of a `db.execute()` result, whichever driver produced it. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

export async function selectRows<T>(dbOrTx: DbOrTx, query: SQL): Promise<T[]> {
  return rowsOf<T>(await dbOrTx.execute(query));
}

/** Rows touched by an INSERT/UPDATE/DELETE without RETURNING (node-postgres: rowCount; PGlite: affectedRows). */
export function affectedRows(result: unknown): number {
  const r = result as { rowCount?: number | null; affectedRows?: number };
  return r.rowCount ?? r.affectedRows ?? 0;
}
