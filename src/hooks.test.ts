/**
 * Domain hooks are built by the runtime in every process, not registered by importing the HTTP app: a
 * cancellation run inside a worker process refunds the paid tickets, and an account erasure run from the CLI
 * erases the payment data. Both run as real child processes, on both databases.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { openDatabase, type Database } from './db/client.js';
import { openTestDatabase } from './test/context.js';
import { seedCategories } from './modules/events/seed.js';
import { createUser } from './test/users.js';
import { createPaidEvent } from './test/events.js';
import { createPaidPurchase } from './test/payments.js';
import { payments, refunds } from './modules/payments/tables.js';
import { tickets } from './modules/tickets/tables.js';
import { events } from './modules/events/tables.js';
import { users } from './modules/users/tables.js';

let env: Record<string, string>;
let open: () => Promise<Database>;
let cleanup: () => Promise<void>;

before(async () => {
  if (process.env.TEST_DATABASE_URL) {
    const t = await openTestDatabase();
    await t.database.close();
    env = { DATABASE_URL: t.url!, RUN_WORKER: 'true' };
    open = () => openDatabase({ kind: 'postgres', url: t.url! });
    cleanup = t.drop;
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sv-hooks-'));
    env = { DATA_DIR: dir, DATABASE_URL: '' };
    open = async () => {
      const db = await openDatabase({ kind: 'pglite', dataDir: dir });
      await db.migrate();
      await seedCategories(db.db);
      return db;
    };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
});
after(() => cleanup());

/** Runs a TypeScript entry point as its own process, with the test database in its environment. */
function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env: { ...process.env, ...env, LOG_LEVEL: 'silent', DEBUG: 'True' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One database handle at a time: the embedded database allows a single process per data directory. */
async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await open();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

test('a cancellation run inside the worker process refunds every paid ticket (event.cancelled reaches payments)', async () => {
  const { eventId, organizerId, paymentId } = await withDb(async ({ db }) => {
    const organizer = await createUser(db);
    const buyer = await createUser(db);
    const { event, types } = await createPaidEvent(db, organizer.id, { capacite: 10 });
    const purchase = await createPaidPurchase(db, { buyerId: buyer.id, eventId: event.id, typeId: types[0]!.id, quantite: 2 });
    return { eventId: event.id, organizerId: organizer.id, paymentId: purchase.paymentId };
  });
  const r = await run('src/test/fixtures/cancel-in-worker.ts', [String(eventId), String(organizerId)]);
  assert.equal(r.code, 0, r.stderr);
  await withDb(async ({ db }) => {
    const [ev] = await db.select({ statut: events.statut }).from(events).where(eq(events.id, eventId));
    assert.equal(ev!.statut, 'ANNULE');
    const rs = await db.select().from(refunds).where(eq(refunds.paymentId, paymentId));
    assert.equal(rs.length, 1, 'one refund for the paid payment');
    const ts = await db.select({ statut: tickets.statut }).from(tickets).where(eq(tickets.paymentId, paymentId));
    assert.deepEqual(
      ts.map((t) => t.statut),
      ['ANNULE', 'ANNULE'],
    );
  });
});

test("an account erasure run from the CLI erases the payer's phone and the name on tickets (account.erase reaches payments)", async () => {
  const { buyerId, paymentId } = await withDb(async ({ db }) => {
    const organizer = await createUser(db);
    const buyer = await createUser(db, { username: 'a-effacer' });
    const { event, types } = await createPaidEvent(db, organizer.id, { capacite: 10 });
    const purchase = await createPaidPurchase(db, {
      buyerId: buyer.id,
      eventId: event.id,
      typeId: types[0]!.id,
      telephone: '+2250500000077',
    });
    return { buyerId: buyer.id, paymentId: purchase.paymentId };
  });
  const r = await run('src/cli/index.ts', ['delete-account', 'a-effacer', '--yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Compte ${buyerId} supprimé`));
  await withDb(async ({ db }) => {
    const [p] = await db.select().from(payments).where(eq(payments.id, paymentId));
    assert.equal(p!.telephone, '', 'the payer’s phone is erased');
    assert.equal(p!.montant, 5000, 'the payment itself stays for accounting');
    const [t] = await db.select({ nom: tickets.titulaireNom }).from(tickets).where(eq(tickets.paymentId, paymentId));
    assert.equal(t!.nom, '');
    const [u] = await db.select({ actif: users.isActive, username: users.username }).from(users).where(eq(users.id, buyerId));
    assert.deepEqual(u, { actif: false, username: `supprime-${buyerId}` });
  });
});
