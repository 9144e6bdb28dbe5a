import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../../test/context.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.close());

test('GET /healthz answers ok', async () => {
  const r = await ctx.app.inject({ url: '/healthz' });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.json(), { status: 'ok' });
});

test('GET /readyz: database reachable, migrations applied', async () => {
  const r = await ctx.app.inject({ url: '/readyz' });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.json(), { status: 'ready', database: 'ok', migrations: 'ok' });
});

test('GET /api/docs/ serves the interactive documentation titled "SpotVibe API", with local assets only', async () => {
  const r = await ctx.app.inject({ url: '/api/docs/' });
  assert.equal(r.statusCode, 200);
  assert.match(r.body, /SpotVibe API/);
  // No CDN: every script and stylesheet is served by us.
  for (const m of r.body.matchAll(/(?:src|href)="([^"]+)"/g)) assert.doesNotMatch(m[1]!, /^(https?:)?\/\//, m[1]);
  const js = await ctx.app.inject({ url: '/api/docs/static/swagger-ui-bundle.js' });
  assert.equal(js.statusCode, 200);
  assert.ok(js.body.length > 100_000);
});

test('GET /api/schema/ returns the OpenAPI 3.1 document built from the route schemas', async () => {
  const r = await ctx.app.inject({ url: '/api/schema/' });
  assert.equal(r.statusCode, 200);
  const doc = r.json();
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.title, 'SpotVibe API');
  assert.ok(doc.paths['/api/events/categories/']);
  assert.ok(doc.paths['/readyz'].get.responses['503']);
  assert.equal(doc.components.securitySchemes.tokenAuth.name, 'Authorization');
});

test('GET /readyz → 503 when a migration is missing', async () => {
  await ctx.database.query('DELETE FROM drizzle.__drizzle_migrations');
  const r = await ctx.app.inject({ url: '/readyz' });
  assert.equal(r.statusCode, 503);
  assert.equal(r.json().migrations, 'en retard');
  assert.ok(r.json().pending.length >= 1);
});
