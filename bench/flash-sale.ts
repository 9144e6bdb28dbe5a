/**
 * Flash sale: 500 buyers rush one event of 200 seats through the real HTTP API, the real provider clients
 * and the provider simulator, on PostgreSQL. Prints reservations per second, latency percentiles, seats sold
 * and the oversell count (must be 0).
 *
 *   npm run bench -- flash-sale [--buyers 500] [--seats 200] [--concurrency 100] [--warmup 200]
 *
 * Before the measured sale, --warmup buyers rush another event of half as many seats, and that sale settles:
 * a server in production is warm (connections open, code compiled, provider token cached) when a sale opens.
 * Reservations per second are counted until the last seat is held; requests per second over the whole rush.
 *
 * Laid out as in production, one process each: the API server (`src/server.ts`, RUN_WORKER=false), the job
 * worker (`src/worker.ts`), the provider simulator (`npm run simulator`, configured into the server and the
 * worker as if it were the live providers: their code does not know), and this process as the buyers.
 * Uses BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres) to create a fresh database,
 * dropped at the end.
 */
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { eq, sql } from 'drizzle-orm';
import { openDatabase } from '../src/db/client.js';
import { seedCategories } from '../src/modules/events/seed.js';
import { simulatorEnv } from '../src/modules/payments/simulator/credentials.js';
import { users, authTokens } from '../src/modules/users/tables.js';
import { events } from '../src/modules/events/tables.js';
import { ticketTypes, tickets } from '../src/modules/tickets/tables.js';
import { payments } from '../src/modules/payments/tables.js';
import { generateSecret, hashSecret } from '../src/core/tokens.js';
import { freePort, freshDatabase, startNode, stopProcess, waitFor } from './harness.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'flash-sale'),
  options: {
    buyers: { type: 'string', default: '500' },
    seats: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '200' },
  },
});
const BUYERS = Number(args.buyers);
const SEATS = Number(args.seats);
const CONCURRENCY = Number(args.concurrency);
const WARMUP = Number(args.warmup);

async function main(): Promise<void> {
  const fresh = await freshDatabase('sv_bench_flash');

  const port = await freePort();
  const simPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const simUrl = `http://127.0.0.1:${simPort}`;
  const env = {
    DATABASE_URL: fresh.url,
    LOG_LEVEL: 'warn',
    DEBUG: 'True',
    HOST: '127.0.0.1',
    PORT: String(port),
    RUN_WORKER: 'false',
    PAYMENT_WEBHOOK_BASE_URL: base,
    PAYMENT_SIMULATOR: 'false',
    SIMULATOR_HOST: '127.0.0.1',
    SIMULATOR_PORT: String(simPort),
    DATABASE_POOL_MAX: '20',
    // The buyers share 90 simulator numbers (the outcome is read from the last digits): no per-phone hold cap here.
    MAX_HELD_SEATS_PER_PHONE: '0',
    ...simulatorEnv(simUrl),
  };
  const database = await openDatabase({ kind: 'postgres', url: fresh.url, poolMax: 4 });
  const children: ChildProcess[] = [];
  try {
    await database.migrate();
    await seedCategories(database.db);
    const sim = startNode('le simulateur', ['src/modules/payments/simulator/main.ts'], env);
    children.push(sim);
    const server = startNode('le serveur', ['src/server.ts'], env);
    children.push(server);
    children.push(startNode('le worker', ['src/worker.ts'], env));
    await waitFor(`${simUrl}/`, { child: sim });
    await waitFor(`${base}/readyz`, { child: server });

    // Data: one organizer, the event of the sale (SEATS seats) and a warm-up event, BUYERS + WARMUP buyers with
    // their API tokens.
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
    const { ev, type } = await paidEvent('Vente flash', SEATS);
    const warm = await paidEvent('Échauffement', Math.ceil(WARMUP / 2));
    const buyers = await db
      .insert(users)
      .values(
        Array.from({ length: BUYERS + WARMUP }, (_, i) => ({
          username: `acheteur${i}`,
          email: `acheteur${i}@bench.ci`,
          password: '!',
          telephone: `+22505${String(10_000_000 + i)}`,
        })),
      )
      .returning({ id: users.id });
    const keys = buyers.map(() => generateSecret());
    await db.insert(authTokens).values(buyers.map((b, i) => ({ userId: b.id, keyHash: hashSecret(keys[i]!) })));
    const held = async () =>
      (
        await db
          .select({ n: sql<number>`count(*)::int` })
          .from(payments)
          .where(sql`${payments.statut} = 'EN_ATTENTE'`)
      )[0]!.n;
    const settle = async (seconds: number) => {
      const deadline = Date.now() + seconds * 1000;
      while ((await held()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    };

    // A rush: every buyer asks for one seat, CONCURRENCY requests in flight at a time.
    // autocannon is the load generator (as in `npm run bench`): far less CPU than fetch, which would take
    // its share of the two cores from the server under test. Each request is one buyer's purchase.
    const rush = async (eventId: number, buyerKeys: string[]) => {
      const samples: string[] = [];
      const statuses = new Map<number, number>();
      let next = 0;
      let lastReservation = 0;
      let lastResponse = 0;
      const t0 = performance.now();
      const result = await autocannon({
        url: base,
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
                  'idempotency-key': `achat-${eventId}-${i}`,
                },
                // MTN (push flow): the simulator approves numbers ending in 10 to 99 within about a second.
                body: JSON.stringify({
                  event_id: eventId,
                  quantite: 1,
                  fournisseur: 'MTN_MONEY',
                  telephone: `+22505000000${(i % 90) + 10}`,
                }),
              };
            },
            onResponse: (status, body) => {
              lastResponse = performance.now() - t0;
              if (status === 201) lastReservation = Math.max(lastReservation, performance.now() - t0);
              if (status !== 201 && status !== 409 && samples.length < 3) samples.push(`${status} ${body.slice(0, 200)}`);
              statuses.set(status, (statuses.get(status) ?? 0) + 1);
            },
          },
        ],
      });
      const errors = result.errors + result.timeouts;
      if (errors) samples.push(`${errors} erreur(s) de connexion ou délai dépassé`);
      // Until the last answer (autocannon itself ends on its next one-second tick).
      return { elapsed: lastResponse / 1000, lastReservation: lastReservation / 1000, latency: result.latency, samples, statuses, t0 };
    };

    // Warm-up on another event (connections opened, code compiled, provider token fetched), settled before
    // the measured sale: a server in production is warm when a sale opens.
    if (WARMUP > 0) {
      await rush(warm.ev.id, keys.slice(BUYERS));
      await settle(30);
    }
    const { elapsed, lastReservation, latency, samples, statuses, t0 } = await rush(ev.id, keys.slice(0, BUYERS));

    // Let the simulator's callbacks and the worker finish the sale.
    await settle(60);
    const settleSeconds = (performance.now() - t0) / 1000;

    const [sold] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(tickets)
      .where(eq(tickets.evenementId, ev.id));
    const [t] = await db.select().from(ticketTypes).where(eq(ticketTypes.id, type.id));
    const reserved = statuses.get(201) ?? 0;
    // Oversell: more tickets than seats, or more reservations answered 201 than seats.
    const oversell = Math.max(0, sold!.n - SEATS, (statuses.get(201) ?? 0) - SEATS);
    console.log(
      `\nVente flash : ${BUYERS} acheteurs, ${SEATS} places, ${CONCURRENCY} requêtes simultanées (PostgreSQL ; serveur, worker et simulateur MTN dans leurs processus)`,
    );
    console.table({
      "réservations/s (jusqu'à la dernière place)": Math.round(reserved / lastReservation),
      'requêtes/s (toutes, complet compris)': Math.round(BUYERS / elapsed),
      'réservations (201)': reserved,
      'complet (409)': statuses.get(409) ?? 0,
      'autres réponses': BUYERS - reserved - (statuses.get(409) ?? 0),
      'latence p50 (ms)': Math.round(latency.p50),
      'latence p99 (ms)': Math.round(latency.p99),
      'latence max (ms)': Math.round(latency.max),
      'billets émis': sold!.n,
      'vendus (compteur)': t!.vendus,
      'encore en attente': await held(),
      survente: oversell,
      'vente terminée en (s)': Number(settleSeconds.toFixed(1)),
    });
    if (samples.length) console.log('Exemples de réponses inattendues :', samples);
    if (oversell > 0 || sold!.n !== t!.vendus) {
      console.error('ÉCHEC : survente ou compteur incohérent');
      process.exitCode = 1;
    }
  } finally {
    await Promise.all(children.map((c) => stopProcess(c)));
    await database.close();
    await fresh.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
