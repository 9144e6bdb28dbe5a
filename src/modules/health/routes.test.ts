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

test('GET /readyz: database reachable, migrations applied, no job waiting', async () => {
  const r = await ctx.app.inject({ url: '/readyz' });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.json(), {
    status: 'ready',
    database: 'ok',
    migrations: 'ok',
    jobs: { en_attente: 0, attente_max_secondes: null, worker: 'absent' },
  });
});

test('GET /readyz tells how long due jobs have waited and that no worker runs them (still ready: it can serve)', async () => {
  const id = await ctx.jobs.send('maintenance.cleanup_old_data', {});
  await ctx.database.query(`UPDATE pgboss.job SET start_after = now() - interval '5 minutes' WHERE id = $1`, [id]);
  const r = await ctx.app.inject({ url: '/readyz' });
  assert.equal(r.statusCode, 200);
  const jobs = r.json().jobs;
  assert.equal(jobs.en_attente, 1);
  assert.ok(jobs.attente_max_secondes >= 299 && jobs.attente_max_secondes < 400, String(jobs.attente_max_secondes));
  assert.equal(jobs.worker, 'absent');
  // A worker stamps pg-boss's cron clock: seen within 90 s, it counts as running.
  await ctx.database.query(`UPDATE pgboss.version SET cron_on = now() - interval '20 seconds'`);
  assert.equal((await ctx.app.inject({ url: '/readyz' })).json().jobs.worker, 'actif');
  await ctx.database.query(`UPDATE pgboss.version SET cron_on = now() - interval '5 minutes'`);
  assert.equal((await ctx.app.inject({ url: '/readyz' })).json().jobs.worker, 'absent');
  await ctx.database.query(`DELETE FROM pgboss.job WHERE id = $1`, [id]);
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

test('GET /readyz → 503 once the process is shutting down (the load balancer sends work elsewhere)', async () => {
  const other = await createTestContext();
  try {
    assert.equal((await other.app.inject({ url: '/readyz' })).statusCode, 200);
    void other.runtime.lifecycle.beginShutdown();
    const r = await other.app.inject({ url: '/readyz' });
    assert.equal(r.statusCode, 503);
    assert.deepEqual(r.json(), { status: 'arret_en_cours' });
    assert.equal(r.headers.connection, 'close');
  } finally {
    await other.close();
  }
});

test('GET /readyz → 503 when a migration is missing', async () => {
  await ctx.database.query('DELETE FROM drizzle.__drizzle_migrations');
  const r = await ctx.app.inject({ url: '/readyz' });
  assert.equal(r.statusCode, 503);
  assert.equal(r.json().migrations, 'en retard');
  assert.ok(r.json().pending.length >= 1);
});
