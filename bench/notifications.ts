/**
 * Notifications fan-out: an organizer with N followers (10,000 by default, each with a push token: 90 % Android
 * through FCM, 10 % iPhone through APNs) has an event approved by staff through the API. Measured: the time
 * until every follower's in-app notification exists, and until every push has been handed to the stand-in
 * (the simulator's FCM and APNs, reached by the real clients over HTTP and HTTP/2); the API's latency for other
 * requests (the public event list) before and during the fan-out.
 *
 *   npm run bench -- notifications [--followers 10000] [--rate 200] [--connections 8] [--timeout 150]
 *
 * The other traffic is a steady --rate requests per second (not a saturating loop), so its latency says what a
 * user browsing during the fan-out sees.
 *
 * Laid out as in production: the server (RUN_WORKER=false) and the worker each in their own process, on a
 * fresh PostgreSQL database (BENCH_DATABASE_URL, default the local server; dropped at the end); the stand-ins
 * and the load generator (autocannon) in this process. Emails go to the log backend (LOG_LEVEL=warn).
 */
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../src/db/client.js';
import { seedCategories } from '../src/modules/events/seed.js';
import { startSimulator } from '../src/modules/payments/simulator/server.js';
import { users, authTokens, follows } from '../src/modules/users/tables.js';
import { events } from '../src/modules/events/tables.js';
import { pushTokens } from '../src/modules/notifications/tables.js';
import { generateSecret, hashSecret } from '../src/core/tokens.js';
import { freePort, freshDatabase, startNode, stopProcess, waitFor } from './harness.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'notifications'),
  options: {
    followers: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '8' },
    timeout: { type: 'string', default: '150' },
    rate: { type: 'string', default: '200' },
  },
});
const FOLLOWERS = Number(args.followers);
const CONNECTIONS = Number(args.connections);
const TIMEOUT_S = Number(args.timeout);
/** Requests per second of the other traffic (the public list), before and during the fan-out. */
const RATE = Number(args.rate);

function load(url: string, seconds: number): { stop(): void; done: Promise<autocannon.Result> } {
  let resolve: (r: autocannon.Result) => void = () => undefined;
  const done = new Promise<autocannon.Result>((r) => (resolve = r));
  const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, overallRate: RATE }, (_err, result) => resolve(result));
  return { stop: () => instance.stop(), done };
}

async function main(): Promise<void> {
  const fresh = await freshDatabase('sv_bench_notif');
  const sim = await startSimulator({ port: 0 });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: fresh.url,
    LOG_LEVEL: 'warn',
    DEBUG: 'True',
    HOST: '127.0.0.1',
    PORT: String(port),
    RUN_WORKER: 'false',
    PAYMENT_SIMULATOR: 'false',
    NOTIFICATIONS_QUIET_HOURS: '',
    ...sim.messaging.env(),
  };
  const database = await openDatabase({ kind: 'postgres', url: fresh.url, poolMax: 4 });
  const children: ChildProcess[] = [];
  try {
    await database.migrate();
    await seedCategories(database.db);
    const db = database.db;
    const [org] = await db
      .insert(users)
      .values({ username: 'organisateur', email: 'org@bench.ci', password: '!', telephone: '+2250700000000' })
      .returning();
    const [staff] = await db
      .insert(users)
      .values({ username: 'moderateur', email: 'staff@bench.ci', password: '!', telephone: '+2250700000001', isStaff: true })
      .returning();
    const staffKey = generateSecret();
    await db.insert(authTokens).values({ userId: staff!.id, keyHash: hashSecret(staffKey) });
    for (let i = 0; i < FOLLOWERS; i += 2000) {
      const n = Math.min(2000, FOLLOWERS - i);
      const fans = await db
        .insert(users)
        .values(
          Array.from({ length: n }, (_, k) => ({
            username: `fan${i + k}`,
            email: `fan${i + k}@bench.ci`,
            password: '!',
            telephone: `+22505${String(10_000_000 + i + k)}`,
          })),
        )
        .returning({ id: users.id });
      await db.insert(follows).values(fans.map((f) => ({ followerId: f.id, followedId: org!.id })));
      await db
        .insert(pushTokens)
        .values(
          fans.map((f, k) =>
            (i + k) % 10 === 0
              ? { utilisateurId: f.id, token: (i + k).toString(16).padStart(64, '0'), plateforme: 'IOS' as const }
              : { utilisateurId: f.id, token: `fcm-bench-${i + k}`, plateforme: 'ANDROID' as const },
          ),
        );
    }
    const debut = new Date(Date.now() + 7 * 86_400_000);
    const [ev] = await db
      .insert(events)
      .values({
        titre: 'Concert des abonnés',
        description: 'Concert',
        createurId: org!.id,
        categorieId: 1,
        dateDebut: debut,
        dateFin: new Date(debut.getTime() + 3_600_000),
        lieu: 'Abidjan',
        typeAcces: 'GRATUIT',
        capaciteMax: 100,
        statut: 'EN_ATTENTE',
      })
      .returning();
    await db.execute(sql`VACUUM ANALYZE`);

    const server = startNode('le serveur', ['src/server.ts'], env);
    children.push(server);
    children.push(startNode('le worker', ['src/worker.ts'], env));
    await waitFor(`${base}/readyz`, { child: server });
    await load(`${base}/api/events/`, 3).done; // warm-up
    const baseline = await load(`${base}/api/events/`, 5).done;

    const count = async () =>
      Number(
        (await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE type_notification = 'NOUVEL_EVENEMENT'`))
          .rows[0]!.n,
      );
    const loadBefore = loadavg()[0]!;
    const pushesBefore = sim.messaging.state.pushes.length;
    const during = load(`${base}/api/events/`, TIMEOUT_S);
    const t0 = Date.now();
    const r = await fetch(`${base}/api/admin/events/${ev!.id}/approve/`, {
      method: 'POST',
      headers: { authorization: `Token ${staffKey}` },
    });
    const approveMs = Date.now() - t0;
    if (r.status !== 200) throw new Error(`validation : HTTP ${r.status} ${await r.text()}`);
    let inApp: number | null = null;
    let pushed: number | null = null;
    while (Date.now() - t0 < TIMEOUT_S * 1000 && (inApp === null || pushed === null)) {
      if (inApp === null && (await count()) >= FOLLOWERS) inApp = (Date.now() - t0) / 1000;
      if (pushed === null && sim.messaging.state.pushes.length - pushesBefore >= FOLLOWERS) pushed = (Date.now() - t0) / 1000;
      await new Promise((res) => setTimeout(res, 100));
    }
    during.stop();
    const result = await during.done;
    const pushesDone = sim.messaging.state.pushes.length - pushesBefore;
    console.table({
      'abonnés (jetons push)': FOLLOWERS,
      'validation (ms, réponse API)': approveMs,
      'notifications in-app (s)': inApp ?? `> ${TIMEOUT_S} (${await count()})`,
      'push remis au simulateur (s)': pushed ?? `> ${TIMEOUT_S} (${pushesDone})`,
      [`liste /api/events/ avant : req/s (cible ${RATE})`]: Math.round(baseline.requests.average),
      'liste avant : p99 (ms)': baseline.latency.p99,
      'liste pendant la diffusion : req/s': Math.round(result.requests.average),
      'liste pendant : p99 (ms)': result.latency.p99,
      'liste pendant : erreurs et non-2xx': result.errors + result.non2xx,
      // The machine's load says how much CPU the measure had (a shared machine gives very different numbers).
      [`charge (load average 1 min, ${cpus().length} cœurs) au début / à la fin`]: `${loadBefore.toFixed(1)} / ${loadavg()[0]!.toFixed(1)}`,
    });
  } finally {
    for (const c of children.reverse()) await stopProcess(c);
    await database.close();
    await sim.close();
    await fresh.drop();
  }
}

await main();
