/**
 * `backup FILE` and `restore FILE` for the embedded database (PGlite): the whole data directory (the database,
 * and the media under it when MEDIA_ROOT is the default DATA_DIR/media) as one gzipped tar, made by PGlite's
 * own dumpDataDir and read back by its loadDataDir. Consistent because nothing else has the directory open:
 * both take the data-directory lock, so they refuse clearly while the server runs. A restore never deletes:
 * the directory's current content is moved aside (DATA_DIR.avant-restauration-<date>/) and kept. On
 * PostgreSQL the tools are pg_dump and pg_restore (README, "En production").
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { lockDataDir } from '../db/lock.js';
import { openDatabase } from '../db/client.js';

export class BackupError extends Error {}

const LOCK = 'spotvibe.lock';
const GZIP_MAGIC = [0x1f, 0x8b];

type PGliteLike = { dumpDataDir(c: 'gzip'): Promise<Blob>; query(q: string): Promise<{ rows: unknown[] }>; close(): Promise<void> };

/** Opened as the server opens it (with its extensions), never migrated: the archive is taken as it is. */
async function openPglite(dataDir: string, loadDataDir?: Blob): Promise<PGliteLike> {
  const database = await openDatabase({ kind: 'pglite', dataDir, loadDataDir });
  return (database as unknown as { pglite: PGliteLike }).pglite;
}

function embeddedOnly(config: Config, tool: string): string {
  if (config.database.kind === 'postgres') {
    throw new BackupError(
      `La base est PostgreSQL : utilisez ${tool} (par exemple ${
        tool === 'pg_dump'
          ? 'pg_dump -Fc "$DATABASE_URL" -f spotvibe.dump'
          : 'pg_restore --clean --if-exists -d "$DATABASE_URL" spotvibe.dump'
      }), voir le README.`,
    );
  }
  return config.database.dataDir;
}

const stamp = (d = new Date()) => d.toISOString().replace(/[:.]/g, '-');

export async function backupEmbedded(config: Config, file: string): Promise<{ file: string; bytes: number }> {
  const dataDir = embeddedOnly(config, 'pg_dump');
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) throw new BackupError(`Aucune base embarquée dans ${dataDir} (DATA_DIR).`);
  const lock = await lockDataDir(dataDir);
  try {
    const pg = await openPglite(dataDir);
    let dump: Blob;
    try {
      dump = await pg.dumpDataDir('gzip');
    } finally {
      await pg.close();
    }
    const target = path.resolve(file);
    mkdirSync(path.dirname(target), { recursive: true });
    // Written aside then renamed: an interrupted backup never leaves a truncated FILE behind.
    const tmp = `${target}.${process.pid}.partiel`;
    const bytes = Buffer.from(await dump.arrayBuffer());
    writeFileSync(tmp, bytes);
    renameSync(tmp, target);
    return { file: target, bytes: bytes.length };
  } finally {
    await lock.release();
  }
}

export async function restoreEmbedded(config: Config, file: string, opts: { force: boolean }): Promise<{ aside: string | null }> {
  const dataDir = embeddedOnly(config, 'pg_restore');
  const source = path.resolve(file);
  if (!existsSync(source)) throw new BackupError(`Fichier introuvable : ${source}`);
  const bytes = readFileSync(source);
  if (bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1]) {
    throw new BackupError(`${source} n'est pas une sauvegarde SpotVibe (archive tar.gz attendue, faite par « backup »).`);
  }
  const lock = await lockDataDir(dataDir);
  const ts = stamp();
  const staging = `${dataDir}.restauration-${ts}`;
  try {
    const current = readdirSync(dataDir).filter((e) => e !== LOCK);
    if (existsSync(path.join(dataDir, 'PG_VERSION')) && !opts.force) {
      throw new BackupError(
        `${dataDir} contient déjà une base. Relancez avec --force pour la remplacer (son contenu actuel sera mis de côté, pas supprimé).`,
      );
    }
    // Unpacked and opened in a directory of its own first: a damaged archive leaves DATA_DIR untouched.
    try {
      const pg = await openPglite(staging, new Blob([bytes]));
      await pg.query('SELECT count(*) FROM drizzle.__drizzle_migrations');
      await pg.close();
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw new BackupError(`Sauvegarde illisible (${(err as Error).message}) : rien n'a été changé.`);
    }
    let aside: string | null = null;
    if (current.length) {
      aside = `${dataDir}.avant-restauration-${ts}`;
      mkdirSync(aside);
      for (const e of current) renameSync(path.join(dataDir, e), path.join(aside, e));
    }
    for (const e of readdirSync(staging)) {
      if (e === LOCK) continue;
      renameSync(path.join(staging, e), path.join(dataDir, e));
    }
    rmSync(staging, { recursive: true, force: true });
    return { aside };
  } finally {
    await lock.release();
  }
}
