import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { openTestDatabase, usingPostgres } from '../test/context.js';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { newPool, openDatabase, selectRows } from './client.js';
import { pgErrorCode } from '../core/errors.js';
import { users } from '../modules/users/tables.js';
import { eventCategories } from '../modules/events/tables.js';

const opened = await openTestDatabase();
const { database } = opened;
after(async () => {
  await database.close();
  await opened.drop();
});

test(`migrations applied on ${usingPostgres() ? 'PostgreSQL' : 'PGlite'}: none pending, categories seeded`, async () => {
  assert.deepEqual(await database.pendingMigrations(), []);
  const cats = await database.db.select().from(eventCategories);
  assert.ok(cats.length >= 10);
});

test('migrating again is a no-op', async () => {
  await database.migrate();
  assert.deepEqual(await database.pendingMigrations(), []);
});

test('the search and distance extensions are loaded', async () => {
  const [row] = await selectRows<{ u: string; s: number; d: number }>(
    database.db,
    sql`SELECT unaccent('Côte d''Ivoire') AS u, similarity('zouglo', 'zouglou') AS s,
        earth_distance(ll_to_earth(5.3600, -4.0083), ll_to_earth(5.3167, -4.0333)) AS d`,
  );
  assert.equal(row!.u, "Cote d'Ivoire");
  assert.ok(row!.s > 0.5);
  assert.ok(row!.d > 5000 && row!.d < 6000, `distance Plateau–Treichville ≈ 5.6 km, reçu ${row!.d}`);
});

test('email uniqueness is case-insensitive and enforced by the database', async () => {
  const base = { password: 'x', telephone: '+2250700000001' };
  await database.db.insert(users).values({ ...base, username: 'awa', email: 'Awa@Example.com' });
  await assert.rejects(
    database.db.insert(users).values({ ...base, username: 'awa2', email: 'awa@example.COM', telephone: '+2250700000002' }),
    (err: unknown) => (err as { cause?: { code?: string } }).cause?.code === '23505' || (err as { code?: string }).code === '23505',
  );
});

test('a fresh PGlite database reports every migration pending before migrate()', async () => {
  const fresh = await openDatabase({ kind: 'pglite' });
  try {
    assert.ok((await fresh.pendingMigrations()).length >= 1);
    await fresh.migrate();
    assert.deepEqual(await fresh.pendingMigrations(), []);
  } finally {
    await fresh.close();
  }
});

test(
  'the same migrations apply to real PostgreSQL',
  { skip: !process.env.TEST_DATABASE_URL && 'TEST_DATABASE_URL non défini' },
  async () => {
    // Run on PostgreSQL by CI's second pass; the first pass covers PGlite above.
    assert.equal(database.kind, 'postgres');
    const [v] = await selectRows<{ v: string }>(database.db, sql`SELECT current_setting('server_version_num') AS v`);
    assert.ok(Number(v!.v) >= 130000);
  },
);

test(
  'planned-once reads use generic plans on PostgreSQL; other reads keep custom plans',
  { skip: !usingPostgres() && 'PostgreSQL seulement' },
  async () => {
    const mode = async (db: typeof database.db) =>
      (await selectRows<{ plan_cache_mode: string }>(db, sql`SHOW plan_cache_mode`))[0]!.plan_cache_mode;
    assert.equal(await mode(database.planned), 'force_generic_plan');
    assert.equal(await mode(database.db), 'auto');
    // A statement prepared on the planned pool is planned once: its plan shows the parameter, not the value.
    const explain = (db: typeof database.db) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`PREPARE by_id(int) AS SELECT id FROM users WHERE id = $1`);
        const rows = await selectRows<Record<string, string>>(tx, sql`EXPLAIN EXECUTE by_id(1)`);
        await tx.execute(sql`DEALLOCATE by_id`);
        return rows.map((r) => Object.values(r)[0]).join('\n');
      });
    assert.match(await explain(database.planned), /id = \$1/);
    assert.match(await explain(database.db), /id = 1\b/);
  },
);

test(
  'an error answered by the server keeps the pooled connection; a dead connection is replaced',
  { skip: !usingPostgres() && 'PostgreSQL seulement' },
  async () => {
    const pool = newPool({ connectionString: opened.url, max: 1 });
    const db = drizzle(pool);
    try {
      const pid = async () => (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const first = await pid();
      // pg-pool's own query() would close the connection after each of these.
      await assert.rejects(pool.query('SELECT 1/0'), (e: unknown) => e instanceof pg.DatabaseError && e.code === '22012');
      await assert.rejects(db.execute(sql`SELECT 1/0`), (e: unknown) => pgErrorCode(e) === '22012');
      await assert.rejects(
        pool.query('SELECT * FROM table_inexistante'),
        (e: unknown) => e instanceof pg.DatabaseError && e.code === '42P01',
      );
      assert.equal(await pid(), first);
      assert.equal(pool.totalCount, 1);
      // The callback form still works.
      const viaCallback = await new Promise<number>((resolve, reject) => {
        pool.query('SELECT 2 AS n', (err: Error | undefined, res: pg.QueryResult<{ n: number }>) =>
          err ? reject(err) : resolve(res.rows[0]!.n),
        );
      });
      assert.equal(viaCallback, 2);
      // A script that fails inside its own transaction leaves the connection in it: that one is not reused.
      await assert.rejects(pool.query('BEGIN; SELECT 1/0; COMMIT'), (e: unknown) => e instanceof pg.DatabaseError && e.code === '22012');
      const afterScript = await pid();
      assert.notEqual(afterScript, first);
      assert.equal((await pool.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n, 1);
      // A connection the server ends is not handed out again: at most the query already under way fails.
      await database.query('SELECT pg_terminate_backend($1)', [afterScript]);
      const next = await pid().catch(() => pid());
      assert.notEqual(next, afterScript);
    } finally {
      await pool.end();
    }
  },
);
