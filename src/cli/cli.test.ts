/**
 * The CLI as a person runs it: a real process on a real data directory (embedded) or database (PostgreSQL),
 * checking what it prints and its exit code.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../db/client.js';
import { seedDemo } from './seed-demo.js';
import { cleanupOldData } from '../modules/maintenance/service.js';
import { loginAttempts } from '../modules/users/tables.js';
import { auditLogs } from '../core/audit.js';
import { openTestDatabase } from '../test/context.js';

const adminUrl = process.env.TEST_DATABASE_URL;
let env: Record<string, string>;
let cleanup: () => Promise<void>;

before(async () => {
  if (adminUrl) {
    const name = `sv_cli_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    env = { DATABASE_URL: url.toString() };
    cleanup = async () => {
      const d = new pg.Client({ connectionString: adminUrl });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    };
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sv-cli-'));
    env = { DATA_DIR: dir, DATABASE_URL: '' };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
});
after(() => cleanup());

function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
      env: { ...process.env, ...env, LOG_LEVEL: 'silent', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('migrate prints what it did', async () => {
  const r = await cli(['migrate']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Toutes les migrations sont appliquées\./);
});

test('createsuperuser, non-interactive: creates a staff superuser; a duplicate fails with the field named', async () => {
  const ok = await cli([
    'createsuperuser',
    '--username',
    'admin',
    '--email',
    'admin@spotvibe.ci',
    '--password',
    'Sup3r-Secret!',
    '--telephone',
    '07 01 02 03 04',
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Super-utilisateur « admin » créé/);
  const dup = await cli([
    'createsuperuser',
    '--username',
    'ADMIN',
    '--email',
    'autre@spotvibe.ci',
    '--password',
    'Sup3r-Secret!',
    '--telephone',
    '+2250701020399',
  ]);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /username : Un utilisateur avec ce nom d'utilisateur existe déjà\./);
});

test('createsuperuser refuses bad values and missing ones without a terminal', async () => {
  const bad = await cli(['createsuperuser', '--username', 'x y', '--email', 'nope', '--password', '12345678', '--telephone', '123']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /username :/);
  assert.match(bad.stderr, /email : Saisissez une adresse e-mail valide\./);
  assert.match(bad.stderr, /telephone : Numéro de téléphone invalide/);
  assert.match(bad.stderr, /password : Ce mot de passe est entièrement numérique\./);
  const missing = await cli(['createsuperuser', '--username', 'bob']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Valeurs manquantes en mode non interactif : --email, --telephone, --password/);
});

test('seed-demo prints progress and a summary; the same seed twice is refused', async () => {
  const r = await cli(['seed-demo', '--users', '30', '--events', '120', '--participations', '200', '--seed', '5']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Utilisateurs : 30\/30/);
  assert.match(r.stdout, /Événements : 120\/120/);
  assert.match(r.stdout, /30 utilisateurs .*120 événements, 200 participations\./);
  const again = await cli(['seed-demo', '--users', '3', '--events', '1', '--seed', '5']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /existent déjà pour la graine 5/);
});

test('attack: seed-demo in production would add a staff account with a known password: refused unless asked, then a random one', async () => {
  const production = {
    DEBUG: 'False',
    SECRET_KEY: 'p'.repeat(64),
    PUBLIC_BASE_URL: 'https://api.spotvibe.ci',
    EMAIL_HOST: 'smtp.spotvibe.ci',
    // Production refuses the console SMS backend (codes would only reach the log).
    SMS_BACKEND: 'orange',
    ORANGE_SMS_CLIENT_ID: 'id',
    ORANGE_SMS_CLIENT_SECRET: 'secret',
    ORANGE_SMS_SENDER_ADDRESS: '+2250000',
  };
  const refused = await cli(['seed-demo', '--users', '3', '--events', '2', '--participations', '0', '--seed', '77'], production);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /seed-demo refusé en production \(DEBUG=False\)/);
  const allowed = await cli(
    ['seed-demo', '--users', '3', '--events', '2', '--participations', '0', '--seed', '77', '--allow-production'],
    production,
  );
  assert.equal(allowed.code, 0, allowed.stderr);
  const password = /mot de passe « ([^»]+) », affiché cette seule fois/.exec(allowed.stdout)?.[1];
  assert.ok(password && password !== 'demo12345' && password.length >= 20, allowed.stdout);
});

test('seed-demo rejects bad options', async () => {
  const r = await cli(['seed-demo', '--users', 'beaucoup']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--users : nombre entier/);
});

test("cleanup_old_data prints the manual's success message", async () => {
  const r = await cli(['cleanup_old_data']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Nettoyage terminé avec succès/);
});

test('an unknown command fails, in French; help is in French too', async () => {
  const r = await cli(['fly']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /erreur : commande inconnue « fly »/);
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Utilisation : spotvibe/m);
  assert.match(help.stdout, /Commandes :/);
  assert.doesNotMatch(help.stdout, /display help|Usage:|Commands:/);
  const missing = await cli(['delete-account']);
  assert.match(missing.stderr, /argument obligatoire manquant « compte »/);
});

// In-process checks on their own database: determinism and the retention rule.
async function withDb(fn: (db: Database) => Promise<void>) {
  const opened = await openTestDatabase();
  try {
    await fn(opened.database);
  } finally {
    await opened.database.close();
    await opened.drop();
  }
}

test('seed-demo is deterministic: same seed and base date → same data; counters match the rows', async () => {
  const snapshot = async (seed: number) => {
    let out = '';
    await withDb(async (db) => {
      await seedDemo(db, { users: 20, events: 60, participations: 150, seed, baseDate: new Date('2027-01-01T00:00:00Z') });
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT e.titre, e.lieu, e.date_debut, e.type_acces, e.prix, e.capacite_max, e.statut, e.participants_count, u.username AS createur,
                (SELECT count(*)::int FROM event_participations p WHERE p.evenement_id = e.id AND p.statut = 'CONFIRME') AS real_count
         FROM events e JOIN users u ON u.id = e.createur_id ORDER BY e.id`,
      );
      for (const r of rows) assert.equal(r.participants_count, r.real_count);
      assert.ok(rows.every((r) => (r.type_acces === 'GRATUIT') === (r.prix === 0)));
      // Demo buyers can buy: each paid event sells its whole capacity through one "Standard" type at its price.
      const { rows: unsellable } = await db.query(
        `SELECT e.id FROM events e LEFT JOIN ticket_types t ON t.evenement_id = e.id
         WHERE e.type_acces = 'PAYANT' AND (t.id IS NULL OR t.nom <> 'Standard' OR t.prix <> e.prix OR t.quantite <> e.capacite_max)`,
      );
      assert.deepEqual(unsellable, []);
      out = JSON.stringify(rows.map(({ real_count: _r, ...x }) => x));
    });
    return out;
  };
  const a = await snapshot(11);
  const b = await snapshot(11);
  const c = await snapshot(12);
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('cleanup_old_data deletes only what is older than the retention period', async () => {
  await withDb(async (db) => {
    const old = new Date(Date.now() - 31 * 86_400_000);
    await db.db.insert(loginAttempts).values([
      { login: 'a', succes: false, dateTentative: old },
      { login: 'b', succes: true },
    ]);
    await db.db.insert(auditLogs).values([{ action: 'login', dateAction: old }, { action: 'login' }]);
    const r = await cleanupOldData(db.db, 30);
    assert.equal(r.loginAttempts, 1);
    assert.equal(r.auditLogs, 1);
    const left = await db.db.select().from(loginAttempts);
    assert.deepEqual(
      left.map((x) => x.login),
      ['b'],
    );
  });
});
