/** The server and worker as processes: start, serve, stop cleanly on SIGTERM (lock released). */
import { test, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import pg from 'pg';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Every process a test started: a failed assertion must not leave a server running after the file. */
const started = new Set<ChildProcess>();
after(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/**
 * A fresh PostgreSQL database for a child process (never migrate the shared admin database), dropped after the
 * test; its URL.
 */
async function freshDatabase(t: TestContext, name: string): Promise<URL> {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  t.after(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return url;
}

function run(script: string, env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

test('npm start on the embedded database: serves, then exits 0 on SIGTERM and releases the lock', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sv-server-'));
  const port = await freePort();
  const s = run('src/server.ts', { DATA_DIR: dir, DATABASE_URL: '', PORT: String(port), LOG_LEVEL: 'info' });
  let ready = false;
  for (let i = 0; i < 240 && !ready; i++) {
    await new Promise((r) => setTimeout(r, 250));
    ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
  }
  assert.ok(ready, s.output());
  const cats = (await (await fetch(`http://127.0.0.1:${port}/api/events/categories/`)).json()) as { count: number; results: unknown[] };
  assert.ok(Array.isArray(cats.results) && cats.count >= 10, JSON.stringify(cats));
  assert.match(s.output(), /SpotVibe prêt/);
  s.child.kill('SIGTERM');
  assert.equal(await s.exited, 0, s.output());
  assert.equal(existsSync(path.join(dir, 'spotvibe.lock')), false);
});

test('a bad configuration stops the start with the variable named', async () => {
  const s = run('src/server.ts', { PORT: 'abc', DATABASE_URL: '' });
  assert.equal(await s.exited, 78);
  assert.match(s.output(), /PORT: nombre entier attendu/);
});

test('the separate worker refuses the embedded database', async () => {
  const s = run('src/worker.ts', { DATABASE_URL: '', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'sv-w-')) });
  assert.equal(await s.exited, 78);
  assert.match(s.output(), /Le worker séparé demande PostgreSQL/);
});

test(
  'the separate worker runs on PostgreSQL and stops on SIGTERM',
  { skip: !process.env.TEST_DATABASE_URL && 'TEST_DATABASE_URL non défini' },
  async (t) => {
    const url = await freshDatabase(t, `sv_test_worker_${process.pid}`);
    const s = run('src/worker.ts', { DATABASE_URL: url.toString(), LOG_LEVEL: 'info', PAYMENT_SIMULATOR: 'false' });
    for (let i = 0; i < 120 && !/worker SpotVibe démarré/.test(s.output()); i++) await new Promise((r) => setTimeout(r, 250));
    assert.match(s.output(), /worker SpotVibe démarré/);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0, s.output());
  },
);

async function waitReady(port: number, output: () => string): Promise<void> {
  for (let i = 0; i < 160; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(output());
}

test('WEB_CONCURRENCY is ignored, with a warning, on the embedded database (one process per data directory)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sv-wc-'));
  const port = await freePort();
  const s = run('src/server.ts', { DATA_DIR: dir, DATABASE_URL: '', PORT: String(port), LOG_LEVEL: 'info', WEB_CONCURRENCY: '3' });
  await waitReady(port, s.output);
  assert.match(s.output(), /WEB_CONCURRENCY ignoré : la base embarquée/);
  assert.equal(s.output().match(/SpotVibe prêt/g)?.length, 1);
  s.child.kill('SIGTERM');
  assert.equal(await s.exited, 0, s.output());
});

test(
  'WEB_CONCURRENCY=2 on PostgreSQL: two app processes share the port, /metrics counts both, SIGTERM stops all',
  { skip: !process.env.TEST_DATABASE_URL && 'TEST_DATABASE_URL non défini' },
  async (t) => {
    const url = await freshDatabase(t, `sv_test_wc_${process.pid}`);
    const port = await freePort();
    const s = run('src/server.ts', {
      DATABASE_URL: url.toString(),
      PORT: String(port),
      LOG_LEVEL: 'info',
      WEB_CONCURRENCY: '2',
      PAYMENT_SIMULATOR: 'false',
    });
    t.after(() => s.child.kill('SIGKILL'));
    await waitReady(port, s.output);
    for (let i = 0; i < 80 && (s.output().match(/SpotVibe prêt/g)?.length ?? 0) < 2; i++) await new Promise((r) => setTimeout(r, 250));
    const pids = new Set([...s.output().matchAll(/"pid":(\d+)[^\n]*SpotVibe prêt/g)].map((m) => m[1]));
    assert.equal(pids.size, 2, s.output());
    // Fresh connections each time (no keep-alive): the primary hands them out in turn.
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/api/events/categories/`, { headers: { connection: 'close' } });
      assert.equal(r.status, 200);
    }
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const count = metrics.match(/spotvibe_http_request_duration_seconds_count\{[^}]*route="\/api\/events\/categories\/"[^}]*\} (\d+)/);
    assert.equal(count?.[1], '10', `one scrape sees the requests of both processes:\n${metrics.slice(0, 3000)}`);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0, s.output());
    assert.equal(s.output().match(/arrêt terminé/g)?.length, 2, s.output());
  },
);
