/**
 * PGlite has no lock between processes: two processes opening the same data directory would corrupt it.
 * Each process that opens an embedded data directory takes this lock first (a directory created
 * atomically, kept fresh while we live, considered stale 15 s after its owner died).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';

export class DataDirLockedError extends Error {
  constructor(public readonly dataDir: string) {
    super(
      `Le dossier de données ${dataDir} est déjà utilisé par un autre processus SpotVibe. ` +
        `Arrêtez-le d'abord, ou choisissez un autre DATA_DIR (la base embarquée n'accepte qu'un processus à la fois).`,
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

export async function lockDataDir(dataDir: string, onCompromised?: (err: Error) => void): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true });
  const lockfilePath = path.join(dataDir, 'spotvibe.lock');
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataDir, {
      lockfilePath,
      stale: 15_000,
      update: 5_000,
      retries: 0,
      realpath: false,
      onCompromised:
        onCompromised ??
        ((err) => {
          // Someone else took the directory from under us: continuing could corrupt the database.
          console.error(`Verrou du dossier de données perdu : ${err.message}`);
          process.exit(70);
        }),
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'ELOCKED') throw new DataDirLockedError(dataDir);
    throw err;
  }
  return { release: () => release().catch(() => undefined) };
}
