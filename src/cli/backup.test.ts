/**
 * Backup then restore of the embedded database gives back the same data (and the media stored under
 * DATA_DIR); both refuse clearly while a server holds the data directory; a restore keeps what it replaces.
 * On PostgreSQL they point to pg_dump / pg_restore.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { lockDataDir, DataDirLockedError } from '../db/lock.js';
import { backupEmbedded, BackupError, restoreEmbedded } from './backup.js';

async function usernames(dataDir: string): Promise<string[]> {
  const db = await openDatabase({ kind: 'pglite', dataDir });
  try {
    const { rows } = await db.query<{ username: string }>('SELECT username FROM users ORDER BY username');
    return rows.map((r) => r.username);
  } finally {
    await db.close();
  }
}

async function addUser(dataDir: string, username: string): Promise<void> {
  const db = await openDatabase({ kind: 'pglite', dataDir });
  try {
    await db.migrate();
    await db.query(`INSERT INTO users (username, email, password, telephone) VALUES ($1, $2, 'x', $3)`, [
      username,
      `${username}@example.com`,
      `+22507${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
    ]);
  } finally {
    await db.close();
  }
}

test(
  'backup, changes, restore --force: the data and media are those of the backup; the replaced ones are kept aside',
  { timeout: 120_000 },
  async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'sv-backup-'));
    const dataDir = path.join(root, 'data');
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: '' });
    await addUser(dataDir, 'awa');
    mkdirSync(path.join(dataDir, 'media', 'profiles'), { recursive: true });
    writeFileSync(path.join(dataDir, 'media', 'profiles', 'awa.webp'), 'photo-avant');

    const file = path.join(root, 'sauvegardes', 'spotvibe.tar.gz');
    const done = await backupEmbedded(config, file);
    assert.ok(done.bytes > 1000 && existsSync(file));

    await addUser(dataDir, 'kouassi');
    writeFileSync(path.join(dataDir, 'media', 'profiles', 'awa.webp'), 'photo-apres');
    assert.deepEqual(await usernames(dataDir), ['awa', 'kouassi']);

    await assert.rejects(
      restoreEmbedded(config, file, { force: false }),
      (e: Error) => e instanceof BackupError && /--force/.test(e.message),
    );
    const { aside } = await restoreEmbedded(config, file, { force: true });
    assert.deepEqual(await usernames(dataDir), ['awa']);
    assert.equal(readFileSync(path.join(dataDir, 'media', 'profiles', 'awa.webp'), 'utf8'), 'photo-avant');
    assert.ok(aside && existsSync(path.join(aside, 'PG_VERSION')), 'the replaced database is kept');
    assert.deepEqual(await usernames(aside!), ['awa', 'kouassi']);
    assert.ok(!existsSync(path.join(dataDir, 'spotvibe.lock')), 'the lock is not restored');
    assert.deepEqual(
      readdirSync(root).filter((e) => e.includes('.restauration-')),
      [],
      'no staging directory left',
    );

    // A file that is not a backup changes nothing.
    const bogus = path.join(root, 'pas-une-sauvegarde.tar.gz');
    writeFileSync(bogus, 'bonjour');
    await assert.rejects(restoreEmbedded(config, bogus, { force: true }), /n'est pas une sauvegarde SpotVibe/);
    assert.deepEqual(await usernames(dataDir), ['awa']);
  },
);

test('backup and restore refuse while a server holds the data directory', async () => {
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'sv-backup-lock-')), 'data');
  await addUser(dataDir, 'awa');
  const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: '' });
  const held = await lockDataDir(dataDir);
  try {
    await assert.rejects(backupEmbedded(config, path.join(dataDir, '..', 'b.tar.gz')), DataDirLockedError);
    // The CLI says so in French and exits non-zero.
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'backup', path.join(dataDir, '..', 'c.tar.gz')], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /est déjà utilisé par un autre processus SpotVibe\. Arrêtez-le d'abord/);
  } finally {
    await held.release();
  }
});

test('on PostgreSQL the commands point to pg_dump and pg_restore', async () => {
  const config = loadConfig({ DATABASE_URL: 'postgresql://u@127.0.0.1:1/x' });
  await assert.rejects(backupEmbedded(config, 'x.tar.gz'), /utilisez pg_dump \(par exemple pg_dump -Fc/);
  await assert.rejects(restoreEmbedded(config, 'x.tar.gz', { force: false }), /utilisez pg_restore/);
});
