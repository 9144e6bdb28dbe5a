/**
 * A fresh database per test file: PGlite in memory by default (started from a migrated template dump, to
 * skip initdb and migrations), or a new PostgreSQL database when TEST_DATABASE_URL is set (dropped after).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { loadConfig, type Config } from '../config.js';
import { MIGRATIONS_FOLDER, openDatabase, type Database } from '../db/client.js';
import type { JobDefinition, JobQueue } from '../jobs/queue.js';
import type { DomainHooks } from '../core/hooks.js';
import type { GatewayRegistry } from '../modules/payments/gateway.js';
import { seedCategories } from '../modules/events/seed.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { buildApp, type App } from '../app.js';

export interface TestContext {
  config: Config;
  database: Database;
  jobs: JobQueue;
  hooks: DomainHooks;
  /** The process's runtime, as the server, worker and CLI open it (runtime.ts). */
  runtime: Runtime;
  app: App;
  log: FastifyBaseLogger;
  close(): Promise<void>;
}

export interface TestContextOptions {
  env?: Record<string, string>;
  /** Run job handlers in this process (polling every 0.5 s). */
  work?: boolean;
  /** Extra job definitions (tests of the queue itself). */
  jobs?: JobDefinition<never>[];
  /** Skip building the HTTP app. */
  noApp?: boolean;
  /** Payment providers of the test's own (FakeGateway, or clients pointed at the simulator). */
  gateways?: GatewayRegistry;
  /** Public reads from the streaming replica at TEST_REPLICA_URL (see replicaAvailable()). */
  replica?: boolean;
}

export const usingPostgres = (): boolean => !!process.env.TEST_DATABASE_URL;

/**
 * A streaming replica of the PostgreSQL test server (TEST_REPLICA_URL, e.g. a pg_basebackup of it on another
 * port): each test database created on the primary appears there too, so the replica URL of a test database
 * is TEST_REPLICA_URL with the database's name.
 */
export const replicaAvailable = (): boolean => !!process.env.TEST_DATABASE_URL && !!process.env.TEST_REPLICA_URL;

export async function openTestDatabase(
  opts: { replica?: boolean } = {},
): Promise<{ database: Database; url?: string; replicaUrl?: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = `sv_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    let replicaUrl: string | undefined;
    if (opts.replica) {
      if (!process.env.TEST_REPLICA_URL) throw new Error('TEST_REPLICA_URL non défini');
      const r = new URL(process.env.TEST_REPLICA_URL);
      r.pathname = `/${name}`;
      replicaUrl = r.toString();
    }
    const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 20, replicaUrl });
    await database.migrate();
    await seedCategories(database.db);
    return {
      database,
      url: url.toString(),
      ...(replicaUrl ? { replicaUrl } : {}),
      drop: async () => {
        const a = new pg.Client({ connectionString: adminUrl });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const template = await pgliteTemplate();
  const database = await openDatabase({ kind: 'pglite', loadDataDir: template });
  return { database, drop: async () => undefined };
}

/** A dump of a migrated, seeded PGlite database, cached on disk by the migrations' content. */
async function pgliteTemplate(): Promise<Blob> {
  const hash = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS_FOLDER, { recursive: true }).map(String).sort()) {
    const p = path.join(MIGRATIONS_FOLDER, f);
    if (f.endsWith('.sql') || f.endsWith('.json')) hash.update(f).update(readFileSync(p));
  }
  hash.update(readFileSync(new URL('../modules/events/seed.ts', import.meta.url)));
  const dir = path.resolve('node_modules/.cache/spotvibe');
  const file = path.join(dir, `pglite-template-${hash.digest('hex').slice(0, 16)}.tar.gz`);
  if (!existsSync(file)) {
    const db = await openDatabase({ kind: 'pglite' });
    await db.migrate();
    await seedCategories(db.db);
    const dump = await (db as unknown as { pglite: { dumpDataDir(c: 'gzip'): Promise<Blob> } }).pglite.dumpDataDir('gzip');
    await db.close();
    mkdirSync(dir, { recursive: true });
    // Several test files may build it at once: write aside, then rename (atomic).
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file);
  }
  return new Blob([readFileSync(file)]);
}

export function testConfig(env: Record<string, string> = {}, dbUrl?: string): Config {
  return loadConfig({
    DEBUG: 'True',
    LOG_LEVEL: 'silent',
    ...(dbUrl ? { DATABASE_URL: dbUrl } : {}),
    ...env,
  });
}

export async function createTestContext(opts: TestContextOptions = {}): Promise<TestContext> {
  const { database, url, replicaUrl, drop } = await openTestDatabase({ replica: opts.replica ?? false });
  try {
    return await contextOn(database, url, replicaUrl, drop, opts);
  } catch (err) {
    // A bad configuration (or any start failure) must not leave the database open: the test process would hang.
    await database.close().catch(() => undefined);
    await drop().catch(() => undefined);
    throw err;
  }
}

async function contextOn(
  database: Database,
  url: string | undefined,
  replicaUrl: string | undefined,
  drop: () => Promise<void>,
  opts: TestContextOptions,
): Promise<TestContext> {
  const config = testConfig({ ...(replicaUrl ? { DATABASE_REPLICA_URL: replicaUrl } : {}), ...opts.env }, url);
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) as unknown as FastifyBaseLogger;
  const runtime = await openRuntime(config, {
    role: 'test',
    work: opts.work ?? false,
    log,
    database,
    gateways: opts.gateways ?? {},
    extraJobs: opts.jobs ?? [],
    pollingIntervalSeconds: 0.5,
  });
  const app = opts.noApp ? (null as unknown as App) : await buildApp(runtime, false);
  return {
    config,
    database,
    jobs: runtime.jobs,
    hooks: runtime.hooks,
    runtime,
    app,
    log,
    close: async () => {
      if (app) await app.close();
      await runtime.close();
      await database.close();
      await drop();
    },
  };
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`condition non atteinte en ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
