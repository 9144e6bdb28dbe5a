/**
 * The module contract, checked (core/module.ts): no import cycle; route files only parse, authorize and call
 * use cases (no Drizzle, no database client, no transaction); every module is wired through the one list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import madge from 'madge';
import { MODULES } from './modules/index.js';
import { pluginName } from './core/module.js';

const SRC = path.resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

test('no import cycle anywhere under src/ (madge, as `npm run check:cycles`)', async () => {
  const result = await madge(SRC, { fileExtensions: ['ts'], tsConfig: path.resolve('tsconfig.json') });
  assert.deepEqual(result.circular(), []);
});

test('route files never touch the database: no drizzle-orm, no database client, no transaction', () => {
  const routeFiles = files(path.join(SRC, 'modules')).filter((f) => /routes\.ts$/.test(f));
  assert.ok(routeFiles.length >= 12, `${routeFiles.length} fichiers de routes trouvés`);
  const offenders = routeFiles.flatMap((f) => {
    const text = readFileSync(f, 'utf8');
    const problems: string[] = [];
    if (/from 'drizzle-orm/.test(text)) problems.push('imports drizzle-orm');
    if (/from '[./]*db\/client\.js'/.test(text) || /from '[./]*db\/prepared\.js'/.test(text)) problems.push('imports the database client');
    if (/\.transaction\(/.test(text)) problems.push('opens a transaction');
    // Value lists and types from a tables file are fine (schemas use them); the tables themselves are not.
    const fromTables = [...text.matchAll(/import \{([^}]*)\} from '[^']*tables\.js'/g)].flatMap((m) => m[1]!.split(','));
    const tablesUsed = fromTables.map((n) => n.trim()).filter((n) => n && !n.startsWith('type ') && !/^[A-Z][A-Z0-9_]*$/.test(n));
    if (tablesUsed.length) problems.push(`imports tables: ${tablesUsed.join(', ')}`);
    return problems.map((p) => `${path.relative(SRC, f)}: ${p}`);
  });
  assert.deepEqual(offenders, []);
});

test('every module plugin is named after its module and declares dependencies that come before it', () => {
  const seen = new Set<string>();
  for (const m of MODULES) {
    for (const d of m.dependencies) assert.ok(seen.has(d), `${m.name} dépend de ${d}, qui doit venir avant dans modules/index.ts`);
    if (m.plugin) {
      const meta = (m.plugin as unknown as Record<symbol, { name?: string }>)[Symbol.for('plugin-meta')];
      assert.equal(meta?.name, pluginName(m.name));
    }
    seen.add(m.name);
  }
});

test('no module registers anything by being imported: hook arrays and side-effect registrations are gone', () => {
  const offenders = files(SRC).filter((f) => {
    const text = readFileSync(f, 'utf8');
    return /^(onEventCancelled|beforeEventDeleted|registerAccountDataHook)\(/m.test(text);
  });
  assert.deepEqual(offenders, []);
});
