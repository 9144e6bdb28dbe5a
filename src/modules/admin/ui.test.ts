import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestContext } from '../../test/context.js';
import { adminCsp } from './ui-routes.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sv-admin-ui-'));
mkdirSync(path.join(dir, 'assets'));
writeFileSync(
  path.join(dir, 'index.html'),
  '<!doctype html><title>SpotVibe Administration</title><script type="module" src="/admin/assets/index-abc.js"></script>',
);
writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
after(() => rmSync(dir, { recursive: true, force: true }));

test('/admin/ serves the built interface with its CSP; hashed assets are cached for ever; /admin goes to /admin/', async () => {
  const ctx = await createTestContext({ env: { ADMIN_UI_DIR: dir } });
  try {
    const page = await ctx.app.inject({ url: '/admin/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.ok(page.body.includes('SpotVibe Administration'));
    assert.equal(page.headers['content-security-policy'], adminCsp(null));
    assert.match(adminCsp(null), /script-src 'self';/);
    assert.match(adminCsp(null), /connect-src 'self';/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const bare = await ctx.app.inject({ url: '/admin' });
    assert.equal(bare.statusCode, 301);
    assert.equal(bare.headers.location, '/admin/');
    const asset = await ctx.app.inject({ url: '/admin/assets/index-abc.js' });
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(asset.headers['content-security-policy'], undefined, 'the CSP is for pages');
    assert.equal((await ctx.app.inject({ url: '/admin/assets/absent.js' })).statusCode, 404);
    assert.equal((await ctx.app.inject({ url: '/admin/../package.json' })).statusCode, 404);
  } finally {
    await ctx.close();
  }
});

test('not built yet: a French page says how to build it (503), the API works', async () => {
  const ctx = await createTestContext({ env: { ADMIN_UI_DIR: path.join(dir, 'absent') } });
  try {
    const page = await ctx.app.inject({ url: '/admin/' });
    assert.equal(page.statusCode, 503);
    assert.match(page.body, /npm run build:admin/);
    assert.match(page.body, /n’est pas encore construite/);
    assert.equal((await ctx.app.inject({ url: '/admin/assets/index-abc.js' })).statusCode, 503);
    assert.equal((await ctx.app.inject({ url: '/api/events/categories/' })).statusCode, 200);
  } finally {
    await ctx.close();
  }
});

test('an S3 media store: its origin is allowed for images, nothing else', () => {
  const csp = adminCsp('https://cdn.spotvibe.ci');
  assert.match(csp, /img-src 'self' data: blob: https:\/\/cdn\.spotvibe\.ci;/);
  assert.match(csp, /connect-src 'self';/);
});
