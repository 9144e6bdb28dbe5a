/** ANALYZE after a bulk load and hourly on the embedded database (no autovacuum there): the planner's statistics exist. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { createTestContext, usingPostgres, type TestContext } from '../../test/context.js';
import { rowsOf } from '../../db/client.js';
import { insertEvent } from '../../test/events.js';
import { createUser } from '../../test/users.js';
import { analyzeJob } from './service.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.close());

const eventStats = async () =>
  rowsOf<{ n: number }>(await ctx.database.db.execute(sql`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'events'`))[0]!.n;

test(
  'the analyze job gives the events table planner statistics on the embedded database',
  { skip: usingPostgres() ? 'PostgreSQL : autovacuum' : false },
  async () => {
    const u = await createUser(ctx.database.db);
    for (let i = 0; i < 30; i++) await insertEvent(ctx.database.db, u.id, { statut: 'VALIDE' });
    const beforeJob = await eventStats();
    await analyzeJob.handler({}, { ...ctx.runtime, retryCount: 0 });
    const afterJob = await eventStats();
    assert.equal(beforeJob, 0, 'no autovacuum: nothing before');
    assert.ok(afterJob > 0, `${afterJob} colonnes avec statistiques`);
    assert.ok(analyzeJob.cron, 'scheduled');
  },
);
