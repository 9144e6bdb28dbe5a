/**
 * `npm run routes`: every route of the app with its method, path and the file that declares it, built exactly
 * as the server builds it (on an in-memory database, nothing else is touched). The file is read from the call
 * stack at the moment the route is declared.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RouteOptions } from 'fastify';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { openRuntime } from '../src/runtime.js';
import { buildApp } from '../src/app.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The first frame of the stack inside src/ that is not the app's own plumbing. */
function declaringFile(stack: string): string {
  for (const line of stack.split('\n').slice(1)) {
    const m = /(?:file:\/\/)?(\/[^\s():]+\.ts):(\d+)/.exec(line);
    if (!m) continue;
    const rel = path.relative(root, m[1]!);
    if (!rel.startsWith('src/') || rel === 'src/core/module.ts') continue;
    return `${rel}:${m[2]}`;
  }
  // Declared inside a library plugin (the docs page, the media files): no file of ours on the stack.
  return '(plugin)';
}

const rows: { method: string; url: string; file: string }[] = [];
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: '' });
const database = await openDatabase({ kind: 'pglite' });
await database.migrate();
const runtime = await openRuntime(config, { role: 'cli', work: false, jobs: false, payments: false, database });
const app = await buildApp(runtime, false, {
  onRoute: (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const file = declaringFile(new Error().stack ?? '');
    for (const method of methods) if (method !== 'HEAD') rows.push({ method, url: route.url, file });
  },
});
await app.ready();
await app.close();
await runtime.close();
await database.close();

// A path registered with and without its trailing slash (ignoreTrailingSlash) is listed once.
const seen = new Set<string>();
const unique = rows.filter((r) => {
  const key = `${r.method} ${r.url.replace(/\/$/, '')}`;
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
});
unique.sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
const width = Math.max(...unique.map((r) => r.url.length));
for (const r of unique) console.log(`${r.method.padEnd(7)} ${r.url.padEnd(width)}  ${r.file}`);
console.log(`\n${unique.length} routes`);
