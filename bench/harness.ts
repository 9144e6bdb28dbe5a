/**
 * What every benchmark needs to lay SpotVibe out as in production: free ports, child Node processes (the server,
 * the worker, the simulator) started and stopped, waiting until one answers, and a fresh PostgreSQL database
 * dropped at the end. One copy here instead of one per benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The admin connection benchmarks create their databases with. */
export const BENCH_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  /** Run a TypeScript entry point through tsx (default), with BENCH_NODE_FLAGS (e.g. --cpu-prof) before it. */
  tsx?: boolean;
  /** Where the child's stdout goes (stderr is always inherited so its errors are seen). */
  stdout?: 'ignore' | 'inherit';
}

/**
 * Starts `node [flags] [--import tsx] script…` in the repository with the environment extended by `env`. An exit
 * that nobody asked for (not 0, not SIGTERM/SIGKILL) is reported on stderr with the process's French name.
 */
export function startNode(name: string, scriptAndArgs: string[], env: Record<string, string>, o: StartOptions = {}): ChildProcess {
  const tsx = o.tsx ?? true;
  const flags = tsx ? [...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...flags, ...scriptAndArgs], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', o.stdout ?? 'ignore', 'inherit'],
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM' && signal !== 'SIGKILL') console.error(`${name} s'est arrêté (code ${code ?? signal})`);
  });
  return child;
}

/** Asks a child to stop (SIGTERM by default) and kills it after `graceMs`. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
  });
}

/**
 * Waits until `url` answers below 500 (or, with `ok`, with a 2xx). With `child`, gives up as soon as that process
 * has exited instead of waiting for the timeout.
 */
export async function waitFor(url: string, o: { child?: ChildProcess; timeoutMs?: number; ok?: boolean } = {}): Promise<void> {
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (o.child && o.child.exitCode !== null) throw new Error(`${url} : le processus s'est arrêté (code ${o.child.exitCode})`);
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (o.ok ? r.ok : r.status < 500) return;
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  throw new Error(`${url} ne répond pas`);
}

/** Runs one statement on the admin connection. */
export async function adminQuery(sqlText: string): Promise<void> {
  const c = new pg.Client({ connectionString: BENCH_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sqlText);
  } finally {
    await c.end();
  }
}

/** The URL of database `name` on the benchmarks' server. */
export function benchDatabaseUrl(name: string): string {
  const u = new URL(BENCH_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates an empty database named after `prefix` and the time; `drop()` removes it (connections forced out). */
export async function freshDatabase(prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now()}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return { name, url: benchDatabaseUrl(name), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
