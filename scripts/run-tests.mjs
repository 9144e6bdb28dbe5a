#!/usr/bin/env node
// `npm test [-- filter…]`: every *.test.ts under src/ and test/, run by node:test through tsx.
// Node 20 has no glob support in --test, hence this small finder. Each file gets its own process and
// its own database (see src/test/context.ts).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';

const roots = ['src', 'test'];
const files = [];
const walk = (dir) => {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e);
    if (e === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.test.ts')) files.push(p);
  }
};
roots.forEach(walk);
const filters = process.argv.slice(2);
const selected = files.sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (selected.length === 0) {
  console.error('Aucun fichier de test ne correspond.');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// A hung test fails after TEST_TIMEOUT_MS (default 5 minutes) instead of holding CI until its deadline, and a file
// whose tests are over exits even if something it opened (a socket, a timer) would keep its process alive.
const timeout = process.env.TEST_TIMEOUT_MS ?? '300000';
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${timeout}`,
    '--test-force-exit',
    '--test-reporter=spec',
    ...selected,
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
