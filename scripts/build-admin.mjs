#!/usr/bin/env node
// Builds SpotVibe Administration (admin/ → admin/dist/) with Vite.
//   node scripts/build-admin.mjs              build now
//   node scripts/build-admin.mjs --if-stale   build only when admin/dist/ is missing or older than its sources
// `npm install` (prepare) and `npm start` (prestart) run the second form, so a fresh clone serves /admin/ and a
// pulled change to the interface is rebuilt before the server starts. The stamp admin/dist/.build-hash is a
// hash of the interface's sources and of package-lock.json.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const admin = path.join(root, 'admin');
const dist = path.join(admin, 'dist');
const stampFile = path.join(dist, '.build-hash');

function files(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

export function sourcesHash() {
  const h = createHash('sha256');
  const inputs = [
    path.join(admin, 'index.html'),
    path.join(admin, 'vite.config.ts'),
    path.join(admin, 'tsconfig.json'),
    ...files(path.join(admin, 'src')),
    path.join(root, 'package-lock.json'),
  ];
  for (const f of inputs) if (existsSync(f)) h.update(path.relative(root, f)).update('\0').update(readFileSync(f));
  return h.digest('hex');
}

const ifStale = process.argv.includes('--if-stale');
const hash = sourcesHash();
if (ifStale && existsSync(path.join(dist, 'index.html')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === hash) {
  process.exit(0);
}

// A production build whatever the caller's NODE_ENV (`npm test` sets it to "test", which would give React's
// development build and react-admin's development paths).
process.env.NODE_ENV = 'production';
let vite;
try {
  vite = await import('vite');
} catch {
  // A production install without dev dependencies: the API runs, /admin/ says the interface is not built.
  console.warn("SpotVibe Administration n'est pas construite : Vite est absent (dépendances de développement non installées).");
  console.warn('Construisez-la là où elles le sont (`npm run build:admin`) et déployez admin/dist/.');
  process.exit(ifStale ? 0 : 1);
}
const started = Date.now();
console.log('Construction de SpotVibe Administration (admin/dist/)…');
await vite.build({ configFile: path.join(admin, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
writeFileSync(stampFile, `${hash}\n`);

const assets = files(path.join(dist, 'assets'));
const total = assets.reduce((s, f) => s + statSync(f).size, 0);
const entry = assets.find((f) => /\/index-[^/]+\.js$/.test(f));
const kb = (n) => `${(n / 1024).toFixed(0)} kio`;
console.log(
  `SpotVibe Administration construite en ${((Date.now() - started) / 1000).toFixed(1)} s : ${assets.length} fichiers, ${kb(total)}` +
    (entry ? ` (page de connexion : ${kb(statSync(entry).size)})` : ''),
);
