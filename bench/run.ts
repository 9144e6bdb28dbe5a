/**
 * `npm run bench`: load-tests the events API on PostgreSQL and prints, per endpoint, requests per second,
 * p50/p99 latency and errors.
 *
 * 1. (unless --skip-seed) recreates the database `spotvibe_bench` and seeds it through the CLI's seed-demo
 *    (10,000 events, 1,000 users, 50,000 participations, seed 42), then VACUUM ANALYZE;
 * 2. starts the server (`src/server.ts`, one process) on 127.0.0.1 against it, once right after the seed (cache
 *    off), once with the public cache on (a redis-server started for the run), once with it off;
 * 3. runs autocannon on: the list page, a search + filter + ordering query, a nearby query, a detail page;
 * 4. seeds the same data into a temporary embedded database and measures its list with and without the cache;
 * 5. measures the list page's bytes on the wire (plain, gzip, br, sparse fields) and prints the targets.
 *
 * `npm run bench -- flash-sale` runs the ticket rush benchmark instead (see bench/flash-sale.ts).
 *
 * With --django it also measures the Django REST Framework reference in ../shared/bench/django_ref (same
 * data generator, same machine, same run) and prints the ratio; see that folder's README for its Debian
 * packages. Options: --duration S (default 10), --connections N (32), --warmup S (2), --skip-seed,
 * --django, --django-workers N (4). BENCH_DATABASE_URL: an admin connection (default
 * postgresql://postgres@127.0.0.1:5432/postgres).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { TestRedisServer } from '../src/test/redis-server.js';
import { ROOT, adminQuery, benchDatabaseUrl, freePort, stopProcess, waitFor } from './harness.js';

const DJANGO_DIR = path.resolve(ROOT, process.env.BENCH_DJANGO_DIR ?? '../shared/bench/django_ref');

interface Options {
  duration: number;
  connections: number;
  warmup: number;
  skipSeed: boolean;
  django: boolean;
  djangoWorkers: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { duration: 10, connections: 32, warmup: 2, skipSeed: false, django: false, djangoWorkers: 4 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} : nombre positif attendu`);
      return v;
    };
    if (a === '--duration') o.duration = num();
    else if (a === '--connections') o.connections = num();
    else if (a === '--warmup') o.warmup = num();
    else if (a === '--django-workers') o.djangoWorkers = num();
    else if (a === '--skip-seed') o.skipSeed = true;
    else if (a === '--django') o.django = true;
    else throw new Error(`Option inconnue : ${a}`);
  }
  return o;
}

const dbUrl = benchDatabaseUrl;
const admin = adminQuery;

async function queryOne<T>(url: string, sqlText: string): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sqlText)).rows[0] as T;
  } finally {
    await c.end();
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): void {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} a échoué (code ${r.status})`);
}

interface Measure {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
}

async function load(name: string, url: string, o: Options): Promise<Measure> {
  if (o.warmup > 0) await autocannon({ url, connections: o.connections, duration: o.warmup });
  const r = await autocannon({ url, connections: o.connections, duration: o.duration });
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    total: r.requests.total,
  };
}

function table(title: string, rows: Measure[]): void {
  console.log(`\n${title}`);
  console.log(
    'endpoint'.padEnd(34) +
      'req/s'.padStart(9) +
      'p50 ms'.padStart(9) +
      'p99 ms'.padStart(9) +
      'erreurs'.padStart(10) +
      'requêtes'.padStart(10),
  );
  for (const m of rows) {
    console.log(
      m.name.padEnd(34) +
        m.rps.toFixed(0).padStart(9) +
        m.p50.toFixed(1).padStart(9) +
        m.p99.toFixed(1).padStart(9) +
        String(m.errors).padStart(10) +
        String(m.total).padStart(10),
    );
  }
}

/** Bytes on the wire of one answer, as sent (no decoding), for an Accept-Encoding. */
function wireSize(url: string, acceptEncoding: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve(n));
      })
      .on('error', reject);
  });
}

interface ServerRun {
  base: string;
  stop: () => Promise<void>;
}

async function startServer(env: NodeJS.ProcessEnv): Promise<ServerRun> {
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${base}/readyz`, { child: server, timeoutMs: 120_000, ok: true });
  } catch (err) {
    await stopProcess(server);
    throw err;
  }
  return { base, stop: () => stopProcess(server) };
}

const SEED_ARGS = ['seed-demo', '--users', '1000', '--events', '10000', '--participations', '50000', '--seed', '42'];

export interface SpotVibeResults {
  /** PostgreSQL, public cache on (Redis): list, search, nearby, detail. */
  cached: Measure[];
  /** PostgreSQL, cache off: list, search, detail. */
  uncached: Measure[];
  /** PostgreSQL, right after seed-demo (its own ANALYZE, no VACUUM yet), cache off. */
  afterSeed: Measure | null;
  /** Embedded database: list with the cache, without. */
  embedded: Measure[];
  /** Bytes of the list page on the wire. */
  sizes: { identity: number; gzip: number; br: number; sparse: number; sparseBr: number };
}

async function benchSpotVibe(o: Options): Promise<SpotVibeResults> {
  const name = 'spotvibe_bench';
  const url = dbUrl(name);
  const redis = await TestRedisServer.start();
  const pgEnv = { DATABASE_URL: url, RUN_WORKER: 'false' };
  let afterSeed: Measure | null = null;
  try {
    if (!o.skipSeed) {
      console.log(`Base ${name} : création et données (seed-demo)…`);
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin(`CREATE DATABASE ${name}`);
      run('node', ['--import', 'tsx', 'src/cli/index.ts', ...SEED_ARGS], { DATABASE_URL: url, LOG_LEVEL: 'warn' });
      // Right after seed-demo (which runs ANALYZE itself), before any VACUUM: what a fresh install sees.
      const fresh = await startServer({ ...pgEnv, PUBLIC_CACHE: 'False' });
      try {
        afterSeed = await load('liste juste après seed-demo (sans cache)', `${fresh.base}/api/events/`, o);
      } finally {
        await fresh.stop();
      }
      // Fresh statistics and visibility map, as autovacuum would leave them on a live database.
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      c.on('notice', () => undefined);
      await c.query('VACUUM ANALYZE');
      await c.end();
    }
    const cat = 3;
    const { id } = await queryOne<{ id: number }>(
      url,
      "SELECT id FROM events WHERE statut = 'VALIDE' AND date_fin > now() ORDER BY date_debut, id LIMIT 1",
    );
    const search = `/api/events/?search=concert&categorie=${cat}&ordering=-date_debut`;
    console.log(`SpotVibe : un processus Node, ${o.connections} connexions, ${o.duration} s par mesure`);
    const on = await startServer({ ...pgEnv, REDIS_URL: redis.url, PUBLIC_CACHE: 'True' });
    let cached: Measure[];
    let sizes: SpotVibeResults['sizes'];
    try {
      cached = [
        await load('liste /api/events/', `${on.base}/api/events/`, o),
        await load('recherche+filtre+tri', `${on.base}${search}`, o),
        await load('proximité near=…&radius_km=5', `${on.base}/api/events/?near=5.3364,-4.0267&radius_km=5`, o),
        await load(`détail /api/events/${id}/`, `${on.base}/api/events/${id}/`, o),
      ];
      const sparseUrl = `${on.base}/api/events/?fields=id,titre,date_debut,lieu,prix`;
      sizes = {
        identity: await wireSize(`${on.base}/api/events/`, 'identity'),
        gzip: await wireSize(`${on.base}/api/events/`, 'gzip'),
        br: await wireSize(`${on.base}/api/events/`, 'br'),
        sparse: await wireSize(sparseUrl, 'identity'),
        sparseBr: await wireSize(sparseUrl, 'br'),
      };
    } finally {
      await on.stop();
    }
    const off = await startServer({ ...pgEnv, PUBLIC_CACHE: 'False' });
    let uncached: Measure[];
    try {
      uncached = [
        await load('liste, sans cache', `${off.base}/api/events/`, o),
        await load('recherche+filtre+tri, sans cache', `${off.base}${search}`, o),
        await load('détail, sans cache', `${off.base}/api/events/${id}/`, o),
      ];
    } finally {
      await off.stop();
    }
    const embedded = await benchEmbedded(o);
    return { cached, uncached, afterSeed, embedded, sizes };
  } finally {
    await redis.kill();
  }
}

/** The same data on the embedded database (PGlite, one process): the list with and without the cache. */
async function benchEmbedded(o: Options): Promise<Measure[]> {
  const dataDir = path.join(os.tmpdir(), 'spotvibe-bench-pglite');
  if (!o.skipSeed || !existsSync(dataDir)) {
    console.log(`Base embarquée ${dataDir} : données (seed-demo)…`);
    rmSync(dataDir, { recursive: true, force: true });
    run('node', ['--import', 'tsx', 'src/cli/index.ts', ...SEED_ARGS], { DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' });
  }
  const out: Measure[] = [];
  for (const cache of ['True', 'False']) {
    const srv = await startServer({ DATA_DIR: dataDir, DATABASE_URL: '', PUBLIC_CACHE: cache, PAYMENT_SIMULATOR: 'false' });
    try {
      out.push(await load(`liste embarquée (PGlite)${cache === 'True' ? '' : ', sans cache'}`, `${srv.base}/api/events/`, o));
    } finally {
      await srv.stop();
    }
  }
  return out;
}

async function benchDjango(o: Options): Promise<Measure[] | null> {
  const python = '/usr/bin/python3';
  const gunicorn = '/usr/bin/gunicorn';
  const check = spawnSync(python, ['-c', 'import django, rest_framework, django_filters, psycopg2'], { stdio: 'ignore' });
  if (!existsSync(DJANGO_DIR) || check.status !== 0 || !existsSync(gunicorn)) {
    console.log(
      `\nRéférence Django indisponible (${DJANGO_DIR}) : installez-la avec\n` +
        '  apt-get install -y python3-djangorestframework python3-django-filters gunicorn python3-psycopg2',
    );
    return null;
  }
  const name = 'spotref_bench';
  const url = dbUrl(name);
  const env = { REF_DB: name };
  if (!o.skipSeed) {
    console.log(`\nBase ${name} : migrations et données (seedbench)…`);
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${name}`);
    run(python, ['manage.py', 'migrate', '-v', '0'], env, DJANGO_DIR);
    run(python, ['manage.py', 'seedbench', '--events', '10000', '--users', '1000', '--participations', '50000'], env, DJANGO_DIR);
    await admin(`VACUUM ANALYZE`).catch(() => undefined);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('VACUUM ANALYZE');
    await c.end();
  }
  const port = await freePort();
  const server = spawn(
    gunicorn,
    ['-w', String(o.djangoWorkers), '-b', `127.0.0.1:${port}`, '--log-level', 'warning', 'spotref.wsgi:application'],
    {
      cwd: DJANGO_DIR,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/api/events/?page_size=1`, { child: server, ok: true });
    const { id } = await queryOne<{ id: number }>(
      url,
      "SELECT id FROM events_event WHERE statut = 'VALIDE' ORDER BY date_debut, id LIMIT 1",
    );
    console.log(`Django : ${base} (gunicorn, ${o.djangoWorkers} processus), ${o.connections} connexions, ${o.duration} s par endpoint`);
    return [
      await load('liste /api/events/', `${base}/api/events/`, o),
      await load('recherche+filtre+tri', `${base}/api/events/?search=concert&categorie=3&ordering=-date_debut`, o),
      await load(`détail /api/events/${id}/`, `${base}/api/events/${id}/`, o),
      await load('liste /api/events-opt/ (annotée)', `${base}/api/events-opt/`, o),
      await load('recherche+filtre+tri (opt)', `${base}/api/events-opt/?search=concert&categorie=3&ordering=-date_debut`, o),
    ];
  } finally {
    await stopProcess(server);
  }
}

async function main(): Promise<void> {
  // `npm run bench -- flash-sale [...]`: the ticket rush benchmark (bench/flash-sale.ts).
  // `npm run bench -- cluster [...]`: several processes behind nginx (bench/cluster.ts).
  if (process.argv[2] === 'cluster') {
    await import('./cluster.js');
    return;
  }
  if (process.argv[2] === 'flash-sale') {
    await import('./flash-sale.js');
    return;
  }
  // `npm run bench -- notifications [...]`: an event's fan-out to 10,000 followers (bench/notifications.ts).
  if (process.argv[2] === 'notifications') {
    await import('./notifications.js');
    return;
  }
  const o = parseArgs(process.argv.slice(2));
  const load1 = (await import('node:os')).loadavg()[0]!;
  console.log(`Machine : ${(await import('node:os')).cpus().length} cœurs, charge moyenne (1 min) ${load1.toFixed(2)} au départ`);
  const sv = await benchSpotVibe(o);
  table('SpotVibe sur PostgreSQL, cache public activé (Redis)', sv.cached);
  table('SpotVibe sur PostgreSQL, sans cache', [...(sv.afterSeed ? [sv.afterSeed] : []), ...sv.uncached]);
  table('SpotVibe sur la base embarquée (PGlite)', sv.embedded);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} Ko`;
  console.log(
    `\nTaille de la page de liste sur le réseau : ${kb(sv.sizes.identity)} sans compression, ${kb(sv.sizes.gzip)} gzip, ${kb(sv.sizes.br)} br ; ` +
      `fields=id,titre,date_debut,lieu,prix : ${kb(sv.sizes.sparse)}, ${kb(sv.sizes.sparseBr)} br`,
  );
  const [list, searchRow, , detail] = sv.cached;
  const [listOff, searchOff] = sv.uncached;
  const targets: [string, boolean][] = [
    ['liste ≥ 3 000 req/s, p99 ≤ 50 ms', list!.rps >= 3000 && list!.p99 <= 50 && list!.errors === 0],
    ['liste juste après seed-demo, comme la liste sans cache (≥ 1 200 req/s)', !!sv.afterSeed && sv.afterSeed.rps >= 1200],
    ['liste sans cache ≥ 1 200 req/s', listOff!.rps >= 1200],
    ['recherche+filtre+tri ≥ 1 500 req/s', searchRow!.rps >= 1500],
    ['détail ≥ 6 000 req/s', detail!.rps >= 6000],
    ['liste embarquée ≥ 600 req/s', sv.embedded[0]!.rps >= 600],
    ['page de liste ≤ 6 Ko compressée', Math.min(sv.sizes.gzip, sv.sizes.br) <= 6 * 1024],
  ];
  console.log('\nObjectifs (issue 16) :');
  for (const [t, ok] of targets) console.log(`  ${ok ? 'ATTEINT    ' : 'NON ATTEINT'}  ${t}`);
  console.log(`  (recherche sans cache : ${searchOff!.rps.toFixed(0)} req/s ; vente flash : npm run bench -- flash-sale)`);
  if (o.django) {
    const dj = await benchDjango(o);
    if (dj) {
      table('Référence Django REST Framework (manuel)', dj);
      const pairs: [string, Measure, Measure | undefined][] = [
        ['liste', list!, dj[0]],
        ['liste sans cache', listOff!, dj[0]],
        ['recherche+filtre+tri', searchRow!, dj[1]],
        ['détail', detail!, dj[2]],
      ];
      console.log('\nRapport SpotVibe / Django (req/s ; p99 Django / p99 SpotVibe)');
      for (const [n, a, b] of pairs) {
        if (!b || b.rps === 0) continue;
        console.log(`${n.padEnd(24)} ×${(a.rps / b.rps).toFixed(1).padStart(6)}   p99 ×${(b.p99 / Math.max(a.p99, 0.1)).toFixed(1)}`);
      }
    }
  }
  console.log(
    `\nCharge moyenne (1 min) à la fin : ${(await import('node:os')).loadavg()[0]!.toFixed(2)} (d'autres processus partagent la machine)`,
  );
}

main().catch((err: unknown) => {
  console.error('Échec du benchmark :', err instanceof Error ? err.message : err);
  process.exit(1);
});
