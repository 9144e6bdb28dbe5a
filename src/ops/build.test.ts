/**
 * The production build: what `npm ci --omit=dev` leaves must be enough to run dist/. Every package the
 * compiled code imports is a runtime dependency (not tsx, not a dev tool), and every installed package
 * accepts the Node versions we run (20.19, the minimum; 24, the production image's LTS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import semver from 'semver';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  engines: { node: string };
};

function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? jsFiles(p) : p.endsWith('.js') ? [p] : [];
  });
}

test('the compiled code imports only runtime dependencies (no tsx, no dev dependency)', { timeout: 180_000 }, () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'sv-build-'));
  try {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const files = jsFiles(out);
    for (const entry of ['server.js', 'worker.js', 'cli/index.js']) assert.ok(files.includes(path.join(out, entry)), entry);
    assert.ok(!files.some((f) => f.endsWith('.test.js') || f.includes(`${path.sep}test${path.sep}`)), 'tests are not shipped');
    const imported = new Map<string, string>();
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(
        /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm,
      )) {
        const name = packageOf(m[1] ?? m[2] ?? m[3]!);
        if (name) imported.set(name, path.relative(out, f));
      }
    }
    assert.ok(imported.has('fastify') && imported.has('pg-boss'), 'the scan sees the imports');
    for (const [name, file] of imported) {
      assert.ok(pkg.dependencies[name], `${file} importe ${name}, qui n'est pas dans "dependencies"`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('every locked package accepts Node 20.19 and Node 24 (no EBADENGINE warning at install)', () => {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
    packages: Record<string, { version?: string; engines?: { node?: string } | string[]; optional?: boolean; os?: string[] }>;
  };
  const bad: string[] = [];
  for (const [where, p] of Object.entries(lock.packages)) {
    const range = !Array.isArray(p.engines) ? p.engines?.node : undefined;
    if (!where || !range) continue;
    // Platform-specific optional binaries (sharp's Windows builds…) are never installed on Linux.
    if (p.optional && p.os && !p.os.includes('linux')) continue;
    for (const node of ['20.19.0', '24.0.0']) {
      if (!semver.satisfies(node, range)) bad.push(`${where}@${p.version} demande node ${range} (refuse ${node})`);
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(semver.satisfies('20.19.0', pkg.engines.node));
});
