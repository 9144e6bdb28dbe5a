import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { DataDirLockedError, lockDataDir } from './lock.js';

test('a second lock on the same data directory is refused; release frees it', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sv-lock-'));
  const first = await lockDataDir(dir);
  await assert.rejects(lockDataDir(dir), DataDirLockedError);
  await first.release();
  assert.equal(existsSync(path.join(dir, 'spotvibe.lock')), false);
  const again = await lockDataDir(dir);
  await again.release();
});

test('a second server process on a locked data directory exits with a clear message', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sv-lock-'));
  const held = await lockDataDir(dir);
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '', PORT: '0', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 78);
    assert.match(stderr, /déjà utilisé par un autre processus SpotVibe/);
  } finally {
    await held.release();
  }
});
