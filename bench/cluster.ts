/**
 * `npm run bench -- cluster`: SpotVibe as docker-compose.yml lays it out, on this machine: two app processes
 * and two workers (the compiled `node dist/server.js` / `node dist/worker.js`, the Procfile's commands, after
 * `node dist/cli/index.js migrate`, its release) behind a real nginx running deploy/nginx/nginx.conf, on
 * PostgreSQL and Redis, with the provider simulator as the live providers. It checks and prints:
 *
 *   1. a flash sale through the balancer: every seat sold once, 0 oversell, both processes served it;
 *   2. the login rate limit is shared: the 6th attempt in a minute is refused whichever process gets it;
 *   3. SSE notifications reach a client connected to the other process;
 *   4. one app process killed (SIGKILL) during load: the other keeps serving; no request hangs, every
 *      purchase the client was not told about is found again with its Idempotency-Key, none is doubled;
 *   5. a rolling restart (SIGTERM to one process, then started again) during load: no error at all;
 *   6. scheduled jobs ran once per schedule, not once per worker.
 *
 * Options: --buyers 300 --seats 100 --concurrency 50 --skip-build. Needs nginx (apt-get install nginx-light),
 * PostgreSQL at BENCH_DATABASE_URL (default the local server) and Redis at BENCH_REDIS_URL (default
 * redis://127.0.0.1:6379/9). Exits non-zero when a check fails.
 */
import { parseArgs } from 'node:util';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { openDatabase } from '../src/db/client.js';
import { simulatorEnv } from '../src/modules/payments/simulator/credentials.js';
import { messagingEnv } from '../src/modules/payments/simulator/messaging.js';
import { users, authTokens } from '../src/modules/users/tables.js';
import { events } from '../src/modules/events/tables.js';
import { ticketTypes } from '../src/modules/tickets/tables.js';
import { generateSecret, hashSecret } from '../src/core/tokens.js';
import { hashPassword } from '../src/core/passwords.js';
import { startSmtpSink } from '../src/test/smtp.js';
import { localNginxConfig } from './nginx.js';
import { ROOT, freePort, freshDatabase, sleep, startNode, stopProcess, waitFor } from './harness.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'cluster'),
  options: {
    buyers: { type: 'string', default: '300' },
    seats: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '50' },
    'skip-build': { type: 'boolean', default: false },
  },
});
const BUYERS = Number(args.buyers);
const SEATS = Number(args.seats);
const CONCURRENCY = Number(args.concurrency);

const results: { check: string; ok: boolean; detail: string }[] = [];
const report = (check: string, ok: boolean, detail: string) => {
  results.push({ check, ok, detail });
  console.log(`${ok ? 'OK ' : 'ÉCHEC'}  ${check} : ${detail}`);
};

/** Requests per upstream address in nginx's access log (JSON lines), for requests matching `uri`. */
function upstreamsOf(logFile: string, uri: RegExp, since: number): Map<string, number> {
  const counts = new Map<string, number>();
  const lines = readFileSync(logFile, 'utf8').split('\n').slice(since);
  for (const l of lines) {
    if (!l.trim()) continue;
    const e = JSON.parse(l) as { uri: string; upstream: string };
    if (!uri.test(e.uri)) continue;
    // "a, b" when nginx tried a second process: the last one answered.
    const u = e.upstream.split(',').at(-1)!.trim();
    counts.set(u, (counts.get(u) ?? 0) + 1);
  }
  return counts;
}
const logLines = (f: string) => readFileSync(f, 'utf8').split('\n').length - 1;

async function main(): Promise<void> {
  if (spawnSync('nginx', ['-v']).error) throw new Error('nginx introuvable : apt-get install -y nginx-light');
  if (!args['skip-build']) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build a échoué');
  }
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/9';
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.flushdb();

  const fresh = await freshDatabase('sv_bench_cluster');
  const smtp = await startSmtpSink();
  const dbName = fresh.name;

  const dir = mkdtempSync(path.join(os.tmpdir(), 'sv-cluster-'));
  const [app1Port, app2Port, lbPort, simPort, m1, m2] = (await Promise.all(Array.from({ length: 6 }, freePort))) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const lb = `http://127.0.0.1:${lbPort}`;
  const simUrl = `http://127.0.0.1:${simPort}`;
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    DEBUG: 'False',
    SECRET_KEY: 'banc-cluster-'.padEnd(48, 'x'),
    ALLOWED_HOSTS: '127.0.0.1,localhost',
    SECURE_SSL_REDIRECT: 'False',
    TRUST_PROXY: '1',
    DATABASE_URL: fresh.url,
    DATABASE_POOL_MAX: '10',
    REDIS_URL: redisUrl,
    RUN_WORKER: 'false',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PAYMENT_WEBHOOK_BASE_URL: lb,
    PAYMENT_SIMULATOR: 'false',
    SIMULATOR_HOST: '127.0.0.1',
    SIMULATOR_PORT: String(simPort),
    SHUTDOWN_TIMEOUT_SECONDS: '20',
    PUBLIC_BASE_URL: lb,
    // Production refuses emails written to the log: a local SMTP server receives them.
    ...smtp.env,
    // ...and text messages go to the simulator's Orange SMS stand-in (the console SMS backend is refused too).
    ...Object.fromEntries(Object.entries(messagingEnv(simUrl, simUrl)).filter(([k]) => k.startsWith('ORANGE_SMS_') || k === 'SMS_BACKEND')),
    ...simulatorEnv(simUrl),
  };
  const children = new Set<ChildProcess>();
  const run = (name: string, a: string[], extra: Record<string, string> = {}) => {
    const c = startNode(name, a, { ...env, ...extra }, { tsx: false });
    children.add(c);
    c.once('exit', () => children.delete(c));
    return c;
  };
  const startedAt = new Date();
  let nginx: ChildProcess | null = null;
  try {
    // The release step, then the processes, with the Procfile's commands.
    const release = spawnSync(process.execPath, ['dist/cli/index.js', 'migrate'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    if (release.status !== 0) throw new Error(`migrate : ${release.stderr}`);
    run('le simulateur', ['dist/modules/payments/simulator/main.js']);
    await waitFor(`${simUrl}/`, { timeoutMs: 90_000 });
    const app = (port: number) => run(`l'app ${port}`, ['dist/server.js'], { PORT: String(port) });
    let app1 = app(app1Port);
    let app2 = app(app2Port);
    run('le worker 1', ['dist/worker.js'], { METRICS_PORT: String(m1) });
    run('le worker 2', ['dist/worker.js'], { METRICS_PORT: String(m2) });
    await Promise.all([
      waitFor(`http://127.0.0.1:${app1Port}/readyz`, { timeoutMs: 90_000 }),
      waitFor(`http://127.0.0.1:${app2Port}/readyz`, { timeoutMs: 90_000 }),
    ]);
    writeFileSync(path.join(dir, 'nginx.conf'), localNginxConfig({ listenPort: lbPort, upstreamPorts: [app1Port, app2Port], dir }));
    nginx = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor(`${lb}/healthz`, { timeoutMs: 90_000 });
    const access = path.join(dir, 'access.log');
    const upstream1 = `127.0.0.1:${app1Port}`;
    const upstream2 = `127.0.0.1:${app2Port}`;
    console.log(`banc cluster : nginx ${lb} → ${upstream1}, ${upstream2} ; 2 workers ; base ${dbName}`);

    // Data: an organizer, a paid event, buyers with API tokens, one account with a password.
    const database = await openDatabase({ kind: 'postgres', url: fresh.url, poolMax: 4 });
    const db = database.db;
    const [org] = await db
      .insert(users)
      .values({ username: 'organisateur', email: 'org@bench.ci', password: '!', telephone: '+2250700000000' })
      .returning();
    const paidEvent = async (titre: string, seats: number) => {
      const debut = new Date(Date.now() + 7 * 86_400_000);
      const [ev] = await db
        .insert(events)
        .values({
          titre,
          description: 'Concert',
          createurId: org!.id,
          categorieId: 1,
          dateDebut: debut,
          dateFin: new Date(debut.getTime() + 3_600_000),
          lieu: 'Abidjan',
          typeAcces: 'PAYANT',
          prix: 5000,
          capaciteMax: seats,
          statut: 'VALIDE',
        })
        .returning();
      const [type] = await db
        .insert(ticketTypes)
        .values({ evenementId: ev!.id, nom: 'Standard', prix: 5000, quantite: seats, maxParCommande: 1 })
        .returning();
      return { ev: ev!, type: type! };
    };
    const buyers = await db
      .insert(users)
      .values(
        Array.from({ length: BUYERS * 2 }, (_, i) => ({
          username: `acheteur${i}`,
          email: `acheteur${i}@bench.ci`,
          password: '!',
          telephone: `+22505${String(10_000_000 + i)}`,
        })),
      )
      .returning({ id: users.id });
    const keys = buyers.map(() => generateSecret());
    await db.insert(authTokens).values(buyers.map((b, i) => ({ userId: b.id, keyHash: hashSecret(keys[i]!) })));
    await db
      .insert(users)
      .values({ username: 'awa', email: 'awa@bench.ci', password: await hashPassword('motdepasse-juste-42'), telephone: '+2250700000001' });

    const one = async <T>(text: string, values: unknown[] = []) => (await database.query<T>(text, values)).rows[0]!;
    const settle = async (eventId: number, seconds: number) => {
      const deadline = Date.now() + seconds * 1000;
      while (Date.now() < deadline) {
        const { n } = await one<{ n: number }>(
          `SELECT count(*)::int AS n FROM payments WHERE evenement_id = $1 AND statut = 'EN_ATTENTE'`,
          [eventId],
        );
        if (n === 0) return;
        await sleep(250);
      }
    };

    // A rush of purchases through nginx, one per buyer, with Idempotency-Keys.
    const rush = async (eventId: number, buyerKeys: string[], keyPrefix: string) => {
      const statuses = new Map<number, number>();
      let next = 0;
      const result = await autocannon({
        url: lb,
        connections: Math.min(CONCURRENCY, buyerKeys.length),
        amount: buyerKeys.length,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: '/api/payments/initiate/',
            setupRequest: (req) => {
              const i = next++;
              return {
                ...req,
                headers: {
                  authorization: `Token ${buyerKeys[i]}`,
                  'content-type': 'application/json',
                  'idempotency-key': `${keyPrefix}-${i}`,
                  'x-buyer': String(i),
                },
                body: JSON.stringify({
                  event_id: eventId,
                  quantite: 1,
                  fournisseur: 'MTN_MONEY',
                  telephone: `+22505000000${(i % 90) + 10}`,
                }),
              };
            },
            onResponse: (status) => {
              statuses.set(status, (statuses.get(status) ?? 0) + 1);
            },
          },
        ],
      });
      return { statuses, errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx };
    };
    const fmt = (m: Map<number, number>) =>
      [...m]
        .sort()
        .map(([s, n]) => `${n}×${s}`)
        .join(', ');

    // 1. Flash sale through the balancer.
    {
      const since = logLines(access);
      const sale = await paidEvent('Vente flash', SEATS);
      const t0 = performance.now();
      const r = await rush(sale.ev.id, keys.slice(0, BUYERS), 'vente');
      await settle(sale.ev.id, 90);
      const s = await one<{ sold: number; tickets: number; pending: number }>(
        `SELECT (SELECT vendus FROM ticket_types WHERE id = $1) AS sold,
                (SELECT count(*)::int FROM tickets WHERE type_billet_id = $1) AS tickets,
                (SELECT count(*)::int FROM payments WHERE type_billet_id = $1 AND statut = 'EN_ATTENTE') AS pending`,
        [sale.type.id],
      );
      const served = upstreamsOf(access, /^\/api\/payments\/initiate\//, since);
      const oversell = Math.max(0, s.tickets - SEATS);
      report(
        'vente flash via nginx',
        oversell === 0 &&
          s.tickets === SEATS &&
          s.sold === SEATS &&
          (r.statuses.get(201) ?? 0) === SEATS &&
          r.errors + r.timeouts === 0 &&
          served.size === 2,
        `${BUYERS} acheteurs, ${SEATS} places : ${fmt(r.statuses)} ; ${s.tickets} billets, vendus ${s.sold}, en attente ${s.pending}, survente ${oversell} ; ` +
          `servis par ${[...served].map(([u, n]) => `${u} (${n})`).join(' et ')} ; ${((performance.now() - t0) / 1000).toFixed(1)} s jusqu'au dernier billet`,
      );
    }

    // 2. Login rate limit shared across processes (5 per minute and address: the 6th is refused).
    {
      const since = logLines(access);
      const codes: number[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await fetch(`${lb}/api/users/login/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ login: 'awa@bench.ci', password: i % 2 ? 'motdepasse-juste-42' : 'mauvais-mot-de-passe' }),
        });
        await r.arrayBuffer();
        codes.push(r.status);
      }
      const served = upstreamsOf(access, /^\/api\/users\/login\//, since);
      const limited = codes.slice(5).every((c) => c === 429) && codes.slice(0, 5).every((c) => c !== 429);
      report(
        'limite de connexion partagée',
        limited && served.size === 2 && [...served.values()].every((n) => n < 6),
        `réponses ${codes.join(' ')} ; ${[...served].map(([u, n]) => `${u} en a reçu ${n}`).join(', ')} (aucun seul n'en a vu 6)`,
      );
    }

    // 3. SSE across processes: a client listening on one app process is told of a notification raised by a
    // request the other process handled (PostgreSQL LISTEN/NOTIFY, not process memory). Buyer 1 follows buyer 0
    // through app 2; buyer 0's stream is open on app 1 and must receive the "nouvel abonné" notification.
    {
      const abort = new AbortController();
      const stream = await fetch(`http://127.0.0.1:${app1Port}/api/notifications/stream/`, {
        headers: { authorization: `Token ${keys[0]}`, accept: 'text/event-stream' },
        signal: abort.signal,
      });
      const received = (async () => {
        const decoder = new TextDecoder();
        let text = '';
        for await (const chunk of stream.body as AsyncIterable<Uint8Array>) {
          text += decoder.decode(chunk, { stream: true });
          const m = /event: notification\ndata: (.*)\n/.exec(text);
          if (m) return JSON.parse(m[1]!) as { type_notification?: string };
        }
        return null;
      })().catch(() => null);
      await sleep(500); // the stream has subscribed (LISTEN) before the follow commits
      const startedFollow = Date.now();
      const follow = await fetch(`http://127.0.0.1:${app2Port}/api/users/${buyers[0]!.id}/follow/`, {
        method: 'POST',
        headers: { authorization: `Token ${keys[1]}` },
      });
      await follow.arrayBuffer();
      const got = await Promise.race([received, sleep(10_000).then(() => null)]);
      const ms = Date.now() - startedFollow;
      abort.abort();
      report(
        'SSE vers l’autre processus',
        stream.status === 200 && follow.status === 201 && got !== null,
        got
          ? `flux ouvert sur 127.0.0.1:${app1Port}, abonnement fait par 127.0.0.1:${app2Port} (${follow.status}) : notification ${got.type_notification ?? '?'} reçue en ${ms} ms`
          : `flux ${stream.status}, abonnement ${follow.status} : aucune notification reçue en 10 s`,
      );
    }

    // 4 and 5. A process lost during load: killed (SIGKILL), then a rolling restart (SIGTERM) of the other.
    const underLoad = async (label: string, act: () => Promise<void>, signal: 'SIGKILL' | 'SIGTERM') => {
      const ev = await paidEvent(`Sous charge ${label}`, 1000);
      const buyerKeys = keys.slice(BUYERS, BUYERS * 2);
      // ASCII only: autocannon writes header bytes as UTF-8, fetch as Latin-1.
      const prefix = `charge-${signal}`;
      const reads = autocannon({
        url: lb,
        connections: 20,
        duration: 8,
        timeout: 10,
        requests: [{ method: 'GET', path: `/api/events/${ev.ev.id}/` }],
      });
      const buys = rush(ev.ev.id, buyerKeys, prefix);
      await sleep(1500);
      await act();
      const [r, b] = await Promise.all([reads, buys]);
      // Every purchase whose answer was not a 201 is asked again with its key: the payment, or a clear answer.
      const retried = new Map<number, number>();
      for (let i = 0; i < buyerKeys.length; i++) {
        const again = await fetch(`${lb}/api/payments/initiate/`, {
          method: 'POST',
          headers: { authorization: `Token ${buyerKeys[i]}`, 'content-type': 'application/json', 'idempotency-key': `${prefix}-${i}` },
          body: JSON.stringify({ event_id: ev.ev.id, quantite: 1, fournisseur: 'MTN_MONEY', telephone: `+22505000000${(i % 90) + 10}` }),
        });
        await again.arrayBuffer();
        retried.set(again.status, (retried.get(again.status) ?? 0) + 1);
      }
      const p = await one<{ n: number; doubles: number }>(
        `SELECT count(*)::int AS n, (SELECT count(*)::int FROM (SELECT utilisateur_id FROM payments WHERE evenement_id = $1 GROUP BY 1 HAVING count(*) > 1) d) AS doubles
           FROM payments WHERE evenement_id = $1`,
        [ev.ev.id],
      );
      const readErrors = r.errors + r.timeouts + r.non2xx;
      const buyNot201 = [...b.statuses].filter(([s]) => s !== 201).reduce((a, [, n]) => a + n, 0);
      const ok =
        r.errors + r.timeouts === 0 &&
        b.errors + b.timeouts === 0 &&
        p.doubles === 0 &&
        p.n === buyerKeys.length &&
        (retried.get(200) ?? 0) + (retried.get(201) ?? 0) === buyerKeys.length &&
        (signal === 'SIGKILL' || (readErrors === 0 && buyNot201 === 0));
      report(
        label,
        ok,
        `lectures : ${r.requests.total} (${r.non2xx} non-2xx, ${r.errors} erreurs, ${r.timeouts} délais) ; achats : ${fmt(b.statuses)} ; ` +
          `redemandés avec leur clé : ${fmt(retried)} ; ${p.n} paiements pour ${buyerKeys.length} acheteurs, ${p.doubles} en double`,
      );
      return ev;
    };

    await underLoad(
      'processus tué (SIGKILL) pendant la charge',
      async () => {
        app1.kill('SIGKILL');
      },
      'SIGKILL',
    );
    app1 = app(app1Port);
    await waitFor(`http://127.0.0.1:${app1Port}/readyz`, { timeoutMs: 90_000 });
    await sleep(6000); // nginx's fail_timeout: the restarted process is tried again
    await underLoad(
      'redémarrage progressif (SIGTERM) pendant la charge',
      async () => {
        const old = app2;
        await stopProcess(old, 'SIGTERM', 40_000);
        app2 = app(app2Port);
      },
      'SIGTERM',
    );
    await waitFor(`http://127.0.0.1:${app2Port}/readyz`, { timeoutMs: 90_000 });

    // 6. Crons: once per schedule across both workers (payments.reconcile runs every minute).
    {
      const elapsedMin = (Date.now() - startedAt.getTime()) / 60_000;
      if (elapsedMin < 3.2) await sleep((3.2 - elapsedMin) * 60_000);
      const { rows } = await database.query<{ t: Date }>(
        `SELECT created_on AS t FROM (
           SELECT created_on FROM pgboss.job WHERE name = 'payments.reconcile'
           UNION ALL SELECT created_on FROM pgboss.archive WHERE name = 'payments.reconcile') j
         WHERE created_on > $1 ORDER BY 1`,
        [startedAt],
      );
      // Once a minute: pg-boss deduplicates a schedule per 60-second slot, then creates the job when its queue is
      // worked, so under load two runs can be 30 s apart or 90 s: the gaps are printed, but what tells a
      // schedule run by each worker is the count (about twice one per minute).
      const gaps = rows.slice(1).map((r, i) => (r.t.getTime() - rows[i]!.t.getTime()) / 1000);
      const minutes = (Date.now() - startedAt.getTime()) / 60_000;
      report(
        'tâches planifiées une seule fois',
        rows.length >= 2 && rows.length <= Math.ceil(minutes) + 1,
        `payments.reconcile (chaque minute) avec 2 workers : ${rows.length} exécutions en ${minutes.toFixed(1)} min, écarts ${gaps.map((g) => `${g.toFixed(0)} s`).join(', ')}`,
      );
    }
    await database.close();
  } finally {
    if (nginx) await stopProcess(nginx, 'SIGQUIT' as NodeJS.Signals, 40_000);
    await Promise.all([...children].map((c) => stopProcess(c, 'SIGTERM', 40_000)));
    await redis.flushdb().catch(() => undefined);
    redis.disconnect();
    await fresh.drop().catch(() => undefined);
    await smtp.close();
  }
  const failed = results.filter((r) => !r.ok);
  console.log(failed.length ? `\n${failed.length} vérification(s) en échec.` : `\nToutes les vérifications passent (${results.length}).`);
  process.exit(failed.length ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
