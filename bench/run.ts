/**
 * `npm run bench`: load-tests the events API on PostgreSQL and prints, per endpoint, requests per second,
 * p50/p99 latency and errors.
 *
 * 1. (unless --skip-seed) recreates the database `spotvibe_bench` and seeds it through the CLI's seed-demo
 *    (10,000 events, 1,000 users, 50,000 participations, seed 42), then VACUUM ANALYZE;
 * 2. starts the server (`src/server.ts`, one process) on 127.0.0.1 against it;
 * 3. runs autocannon on: the list page, a search + filter + ordering query, a nearby query, a detail page.
 *
 * `npm run bench -- flash-sale` runs the ticket rush benchmark instead (see bench/flash-sale.ts).
 *
 * With --django it also measures the Django REST Framework reference in ../shared/bench/django_ref (same
 * data generator, same machine, same run) and prints the ratio; see that folder's README for its Debian
 * packages. Options: --duration S (default 10), --connections N (32), --warmup S (2), --skip-seed,
 * --django, --django-workers N (4). BENCH_DATABASE_URL: an admin connection (default
 * postgresql://postgres@127.0.0.1:5432/postgres).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbUrl = (name: string) => {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
};

async function admin(sqlText: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sqlText);
  } finally {
    await c.end();
  }
}

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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`le serveur s'est arrêté (code ${child.exitCode})`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} ne répond pas`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
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

async function benchSpotVibe(o: Options): Promise<Measure[]> {
  const name = 'spotvibe_bench';
  const url = dbUrl(name);
  if (!o.skipSeed) {
    console.log(`Base ${name} : création et données (seed-demo)…`);
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${name}`);
    run(
      'node',
      [
        '--import',
        'tsx',
        'src/cli/index.ts',
        'seed-demo',
        '--users',
        '1000',
        '--events',
        '10000',
        '--participations',
        '50000',
        '--seed',
        '42',
      ],
      {
        DATABASE_URL: url,
        LOG_LEVEL: 'warn',
      },
    );
    // Fresh statistics and visibility map, as autovacuum would leave them on a live database.
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    c.on('notice', () => undefined);
    await c.query('VACUUM ANALYZE');
    await c.end();
  }
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      RUN_WORKER: 'false',
      NODE_ENV: 'development',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/readyz`, server);
    const cat = 3;
    const { id } = await queryOne<{ id: number }>(
      url,
      "SELECT id FROM events WHERE statut = 'VALIDE' AND date_fin > now() ORDER BY date_debut, id LIMIT 1",
    );
    console.log(`SpotVibe : ${base} (un processus Node), ${o.connections} connexions, ${o.duration} s par endpoint`);
    return [
      await load('liste /api/events/', `${base}/api/events/`, o),
      await load('recherche+filtre+tri', `${base}/api/events/?search=concert&categorie=${cat}&ordering=-date_debut`, o),
      await load('proximité near=…&radius_km=5', `${base}/api/events/?near=5.3364,-4.0267&radius_km=5`, o),
      await load(`détail /api/events/${id}/`, `${base}/api/events/${id}/`, o),
    ];
  } finally {
    await stop(server);
  }
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
    await waitFor(`${base}/api/events/?page_size=1`, server);
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
    await stop(server);
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
  table('SpotVibe (TypeScript, Fastify, PostgreSQL)', sv);
  const list = sv[0]!;
  const ok = list.rps >= 1000 && list.p99 <= 100 && list.errors === 0;
  console.log(`\nObjectif liste (≥ 1 000 req/s, p99 ≤ 100 ms, 0 erreur à ${o.connections} connexions) : ${ok ? 'ATTEINT' : 'NON ATTEINT'}`);
  if (o.django) {
    const dj = await benchDjango(o);
    if (dj) {
      table('Référence Django REST Framework (manuel)', dj);
      const pairs: [string, Measure, Measure | undefined][] = [
        ['liste', sv[0]!, dj[0]],
        ['recherche+filtre+tri', sv[1]!, dj[1]],
        ['détail', sv[3]!, dj[2]],
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
