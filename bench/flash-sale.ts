/**
 * Flash sale: 500 buyers rush one event of 200 seats through the real HTTP API, the real provider clients
 * and the provider simulator, on PostgreSQL. Prints reservations per second, latency percentiles, seats sold
 * and the oversell count (must be 0).
 *
 *   npm run bench -- flash-sale [--buyers 500] [--seats 200] [--concurrency 100]
 *
 * Uses BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres) to create a fresh database,
 * dropped at the end.
 */
import { parseArgs } from 'node:util';
import { createServer } from 'node:net';
import pg from 'pg';
import pino from 'pino';
import { eq, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { seedCategories } from '../src/modules/events/seed.js';
import { JobQueue } from '../src/jobs/queue.js';
import { allJobDefinitions } from '../src/jobs/registry.js';
import { buildApp } from '../src/app.js';
import { startSimulator } from '../src/modules/payments/simulator/server.js';
import { createProviders, providerSettingsFromConfig } from '../src/modules/payments/providers/index.js';
import type { GatewayRegistry } from '../src/modules/payments/gateway.js';
import { users, authTokens } from '../src/modules/users/tables.js';
import { events } from '../src/modules/events/tables.js';
import { ticketTypes, tickets } from '../src/modules/tickets/tables.js';
import { payments } from '../src/modules/payments/tables.js';
import { generateSecret, hashSecret } from '../src/core/tokens.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'flash-sale'),
  options: { buyers: { type: 'string', default: '500' }, seats: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '100' } },
});
const BUYERS = Number(args.buyers);
const SEATS = Number(args.seats);
const CONCURRENCY = Number(args.concurrency);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const dbName = `sv_bench_flash_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = loadConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: 'warn', DEBUG: 'True', PORT: String(port), PAYMENT_WEBHOOK_BASE_URL: base, DATABASE_POOL_MAX: '20' });
  const log = pino({ level: 'warn' }) as unknown as FastifyBaseLogger;
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 20 });
  const sim = await startSimulator({ port: 0, host: '127.0.0.1', waveWebhookUrl: `${base}/api/payments/webhooks/wave/` });
  const gateways: GatewayRegistry = createProviders(sim.settings(providerSettingsFromConfig(config).common));
  const jobs = new JobQueue({ database, config, log, definitions: allJobDefinitions(), services: { gateways }, pollingIntervalSeconds: 0.5 });
  try {
    await database.migrate();
    await seedCategories(database.db);
    await jobs.start({ work: true });
    const app = await buildApp({ config, database, jobs, services: { gateways } }, false);
    await app.listen({ port, host: '127.0.0.1' });

    // Data: one organizer, one paid event of SEATS seats, BUYERS buyers with their API tokens.
    const db = database.db;
    const [org] = await db.insert(users).values({ username: 'organisateur', email: 'org@bench.ci', password: '!', telephone: '+2250700000000' }).returning();
    const debut = new Date(Date.now() + 7 * 86_400_000);
    const [ev] = await db.insert(events).values({ titre: 'Vente flash', description: 'Concert', createurId: org!.id, categorieId: 1, dateDebut: debut, dateFin: new Date(debut.getTime() + 3_600_000), lieu: 'Abidjan', typeAcces: 'PAYANT', prix: 5000, capaciteMax: SEATS, statut: 'VALIDE' }).returning();
    const [type] = await db.insert(ticketTypes).values({ evenementId: ev!.id, nom: 'Standard', prix: 5000, quantite: SEATS, maxParCommande: 1 }).returning();
    const buyers = await db.insert(users).values(Array.from({ length: BUYERS }, (_, i) => ({ username: `acheteur${i}`, email: `acheteur${i}@bench.ci`, password: '!', telephone: `+22505${String(10_000_000 + i)}` }))).returning({ id: users.id });
    const keys = buyers.map(() => generateSecret());
    await db.insert(authTokens).values(buyers.map((b, i) => ({ userId: b.id, keyHash: hashSecret(keys[i]!) })));

    // The rush: every buyer asks for one seat, CONCURRENCY requests in flight at a time.
    const latencies: number[] = [];
    const samples: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, BUYERS) }, async () => {
        while (next < BUYERS) {
          const i = next++;
          const start = performance.now();
          const res = await fetch(`${base}/api/payments/initiate/`, {
            method: 'POST',
            headers: { authorization: `Token ${keys[i]}`, 'content-type': 'application/json', 'idempotency-key': `achat-${i}` },
            // MTN (push flow): the simulator approves numbers ending in 10 within about a second.
            body: JSON.stringify({ event_id: ev!.id, quantite: 1, fournisseur: 'MTN_MONEY', telephone: `+22505000000${i % 90 + 10}` }),
          });
          const text = await res.text();
          if (res.status !== 201 && res.status !== 409 && samples.length < 3) samples.push(`${res.status} ${text.slice(0, 200)}`);
          latencies.push(performance.now() - start);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;

    // Let the simulator's callbacks and the worker finish the sale.
    const held = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(payments).where(sql`${payments.statut} = 'EN_ATTENTE'`))[0]!.n;
    const deadline = Date.now() + 60_000;
    while ((await held()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const settleSeconds = (performance.now() - t0) / 1000;

    const [sold] = await db.select({ n: sql<number>`count(*)::int` }).from(tickets).where(eq(tickets.evenementId, ev!.id));
    const [t] = await db.select().from(ticketTypes).where(eq(ticketTypes.id, type!.id));
    const reserved = statuses.get(201) ?? 0;
    const sorted = [...latencies].sort((a, b) => a - b);
    const oversell = Math.max(0, sold!.n - SEATS);
    console.log(`\nVente flash : ${BUYERS} acheteurs, ${SEATS} places, ${CONCURRENCY} requêtes simultanées (PostgreSQL, simulateur MTN)`);
    console.table({
      'requêtes/s': Math.round(BUYERS / elapsed),
      'réservations/s': Math.round(reserved / elapsed),
      'réservations (201)': reserved,
      'complet (409)': statuses.get(409) ?? 0,
      'autres réponses': BUYERS - reserved - (statuses.get(409) ?? 0),
      'latence p50 (ms)': Math.round(percentile(sorted, 50)),
      'latence p99 (ms)': Math.round(percentile(sorted, 99)),
      'latence max (ms)': Math.round(sorted.at(-1) ?? 0),
      'billets émis': sold!.n,
      'vendus (compteur)': t!.vendus,
      'encore en attente': await held(),
      survente: oversell,
      'vente terminée en (s)': Number(settleSeconds.toFixed(1)),
    });
    if (samples.length) console.log('Exemples de réponses inattendues :', samples);
    await app.close();
    if (oversell > 0 || sold!.n !== t!.vendus) {
      console.error('ÉCHEC : survente ou compteur incohérent');
      process.exitCode = 1;
    }
  } finally {
    await jobs.stop();
    await database.close();
    await sim.close();
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await a.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
