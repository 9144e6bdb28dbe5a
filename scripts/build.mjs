#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ with tsc (tsconfig.build.json: no tests, no test kit), then copies
// what the compiled code reads from disk beside itself: the migrations folder (SQL and drizzle's journal).
// `node dist/server.js`, `node dist/worker.js` and `node dist/cli/index.js` then need neither tsx nor any
// development dependency.
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

// Every file under src/ that is not TypeScript is a runtime asset (today: the migrations).
const copied = [];
const walk = (dir) => {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (!p.endsWith('.ts')) {
      const to = path.join(dist, path.relative(path.join(root, 'src'), p));
      cpSync(p, to);
      copied.push(path.relative(root, to));
    }
  }
};
walk(path.join(root, 'src'));
for (const entry of ['server.js', 'worker.js', 'cli/index.js', 'db/migrations/meta/_journal.json']) {
  if (!existsSync(path.join(dist, entry))) {
    console.error(`build : dist/${entry} manquant`);
    process.exit(1);
  }
}
console.log(`dist/ prêt (${copied.length} fichiers copiés en plus du code compilé).`);
