/**
 * Where the simulator of a development setup listens, for the processes that did not start it. The server
 * starts the simulator (on SIMULATOR_PORT, or any free port with 0) and writes its address to a small file in
 * the system's temporary directory, named after the database both processes share; a separate worker reads
 * it at each provider call, so it follows the server's SIMULATOR_PORT without being given it (one setting),
 * and follows a restarted server. The simulator listens on loopback in development only (never with
 * DEBUG=False), so the server and the worker are on the same machine whenever this is used.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../../config.js';

export function announcementFile(config: Config): string {
  const key = config.database.url ?? config.database.dataDir;
  return path.join(os.tmpdir(), `spotvibe-simulateur-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`);
}

export function announce(file: string, url: string): () => void {
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ url, pid: process.pid }));
  renameSync(tmp, file);
  return () => {
    // Only ours: a newer server may have announced its own since.
    if (readAnnounced(file, { checkAlive: false })?.pid === process.pid) rmSync(file, { force: true });
  };
}

export function readAnnounced(file: string, opts = { checkAlive: true }): { url: string; pid: number } | null {
  try {
    const a = JSON.parse(readFileSync(file, 'utf8')) as { url?: unknown; pid?: unknown };
    if (typeof a.url !== 'string' || typeof a.pid !== 'number') return null;
    if (opts.checkAlive) process.kill(a.pid, 0); // throws when that server is gone
    return { url: a.url, pid: a.pid };
  } catch {
    return null;
  }
}
