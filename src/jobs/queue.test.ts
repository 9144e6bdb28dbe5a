import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, eventually, testConfig, usingPostgres, type TestContext } from '../test/context.js';
import pg from 'pg';
import { openDatabase } from '../db/client.js';
import { JobQueue, type JobDefinition } from './queue.js';
import { users } from '../modules/users/tables.js';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';

const ran: { name: string; data: unknown; attempt: number }[] = [];
let failuresLeft = 2;

const recordJob: JobDefinition<{ tag: string }> = {
  name: 'test.record',
  retryLimit: 0,
  handler: async (data, ctx) => {
    ran.push({ name: 'test.record', data, attempt: ctx.retryCount });
  },
};
const flakyJob: JobDefinition<{ tag: string }> = {
  name: 'test.flaky',
  retryLimit: 3,
  retryDelay: 1,
  retryBackoff: false,
  handler: async (data, ctx) => {
    ran.push({ name: 'test.flaky', data, attempt: ctx.retryCount });
    if (failuresLeft-- > 0) throw new Error('panne simulée');
  },
};
const alwaysFails: JobDefinition<{ tag: string }> = {
  name: 'test.always_fails',
  retryLimit: 1,
  retryDelay: 1,
  retryBackoff: false,
  handler: async (data, ctx) => {
    ran.push({ name: 'test.always_fails', data, attempt: ctx.retryCount });
    throw new Error('toujours en panne');
  },
};

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ work: true, noApp: true, jobs: [recordJob, flakyJob, alwaysFails] as JobDefinition<never>[] });
});
after(() => ctx.close());

test('a job enqueued inside a committed transaction runs', async () => {
  await ctx.database.db.transaction(async (tx) => {
    await tx.insert(users).values({ username: 'commit', email: 'commit@example.com', password: 'x', telephone: '+2250100000001' });
    await ctx.jobs.send('test.record', { tag: 'committed' }, { tx });
  });
  await eventually(async () => ran.some((r) => (r.data as { tag: string }).tag === 'committed'));
});

test('a job enqueued inside a rolled-back transaction never runs, and is not stored', async () => {
  let jobId: string | null = null;
  await assert.rejects(
    ctx.database.db.transaction(async (tx) => {
      await tx.insert(users).values({ username: 'rollback', email: 'rollback@example.com', password: 'x', telephone: '+2250100000002' });
      jobId = await ctx.jobs.send('test.record', { tag: 'rolled-back' }, { tx });
      throw new Error('annulation');
    }),
    /annulation/,
  );
  assert.ok(jobId, 'the job was inserted inside the transaction');
  // A job sent after the rollback runs: once it has, the rolled-back one would have had its chance too.
  await ctx.jobs.send('test.record', { tag: 'after' });
  await eventually(async () => ran.some((r) => (r.data as { tag: string }).tag === 'after'));
  assert.equal(ran.filter((r) => (r.data as { tag: string }).tag === 'rolled-back').length, 0);
  assert.equal(await ctx.jobs.getJob('test.record', jobId!), null);
  const { rows } = await ctx.database.query(`SELECT 1 FROM users WHERE username = 'rollback'`);
  assert.equal(rows.length, 0);
});

test('sendMany: several jobs in one statement, with the transaction or not at all, delayed ones later, the queue policy applied', async () => {
  await assert.rejects(
    ctx.database.db.transaction(async (tx) => {
      await ctx.jobs.sendMany('test.record', [{ data: { tag: 'many-rolled-back' } }], { tx });
      throw new Error('annulation');
    }),
    /annulation/,
  );
  await ctx.database.db.transaction((tx) =>
    ctx.jobs.sendMany(
      'test.record',
      [{ data: { tag: 'many-1' } }, { data: { tag: 'many-2' } }, { data: { tag: 'many-later' }, startAfterSeconds: 3600 }],
      { tx },
    ),
  );
  await eventually(async () => ['many-1', 'many-2'].every((t) => ran.some((r) => (r.data as { tag: string }).tag === t)));
  const { rows } = await ctx.database.query<{ tag: string; later: boolean; retry_limit: number }>(
    `SELECT data->>'tag' AS tag, start_after > now() + interval '50 minutes' AS later, retry_limit
       FROM pgboss.job WHERE name = 'test.record' AND data->>'tag' LIKE 'many-%' ORDER BY 1`,
  );
  assert.deepEqual(
    rows.map((r) => [r.tag, r.later, r.retry_limit]),
    [
      ['many-1', false, 0],
      ['many-2', false, 0],
      ['many-later', true, 0],
    ],
  );
  assert.equal(ran.filter((r) => (r.data as { tag: string }).tag.startsWith('many-rolled')).length, 0);
  await assert.rejects(ctx.jobs.sendMany('test.inconnue', [{ data: {} }]), /Tâche inconnue/);
});

test('a job that throws is retried until it succeeds', async () => {
  const id = await ctx.jobs.send('test.flaky', { tag: 'flaky' });
  await eventually(async () => {
    const job = await ctx.jobs.getJob('test.flaky', id!);
    return job?.state === 'completed' ? job : undefined;
  }, 30_000);
  const attempts = ran.filter((r) => r.name === 'test.flaky').map((r) => r.attempt);
  assert.deepEqual(attempts, [0, 1, 2]);
});

test('a job that keeps failing ends failed after its retry limit', async () => {
  const id = await ctx.jobs.send('test.always_fails', { tag: 'ko' });
  const job = await eventually(async () => {
    const j = await ctx.jobs.getJob('test.always_fails', id!);
    return j?.state === 'failed' ? j : undefined;
  }, 30_000);
  assert.equal(job.retryCount, 1);
  assert.equal(ran.filter((r) => r.name === 'test.always_fails').length, 2);
});

test('cron jobs are scheduled in the database', async () => {
  const { rows } = await ctx.database.query<{ name: string; cron: string }>('SELECT name, cron FROM pgboss.schedule');
  assert.ok(rows.some((r) => r.name === 'maintenance.cleanup_old_data' && r.cron === '30 3 * * *'));
});

test('sending an unknown job is a programming error', async () => {
  await assert.rejects(ctx.jobs.send('nope', {}), /Tâche inconnue/);
});

test('the transaction adapter keeps parameters intact (quotes, dollars, JSON)', async () => {
  const tricky = { tag: 'l\'événement à 5 000 $1 "ok"', nested: { a: [1, 2] } };
  const id = await ctx.database.db.transaction(async (tx) => ctx.jobs.send('test.record', tricky, { tx }));
  await eventually(async () => ran.some((r) => (r.data as { tag: string }).tag === tricky.tag));
  const job = await ctx.jobs.getJob('test.record', id!);
  assert.deepEqual(job?.data, tricky);
});

test('a backlog drains without waiting a polling interval between full batches', async () => {
  const done: number[] = [];
  const burst: JobDefinition<{ n: number }> = {
    name: 'test.burst',
    batchSize: 2,
    retryLimit: 0,
    handler: async (data) => {
      done.push(data.n);
    },
  };
  // A 30-second interval: ten jobs in batches of two would take two minutes if every batch waited for it.
  const common = {
    database: ctx.database,
    config: ctx.config,
    log: ctx.log,
    definitions: [burst] as JobDefinition<never>[],
    pollingIntervalSeconds: 30,
  };
  const producer = new JobQueue(common);
  await producer.start({ work: false });
  for (let n = 0; n < 10; n++) await producer.send('test.burst', { n });
  await producer.stop();
  const consumer = new JobQueue(common);
  consumer.attach(ctx.runtime);
  await consumer.start({ work: true });
  try {
    await eventually(async () => done.length === 10, 20_000);
    assert.deepEqual(
      [...done].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  } finally {
    await consumer.stop();
  }
});

test('queue policies survive a restart: a short queue keeps one waiting job per key', async () => {
  const single: JobDefinition<{ n: number }> = { name: 'test.single', policy: 'short', retryLimit: 0, handler: async () => undefined };
  const common = { database: ctx.database, config: ctx.config, log: ctx.log, definitions: [single] as JobDefinition<never>[] };
  for (let start = 0; start < 2; start++) {
    const queue = new JobQueue(common);
    await queue.start({ work: false });
    await queue.send('test.single', { n: start }, { singletonKey: 'clé' });
    await queue.send('test.single', { n: start }, { singletonKey: 'clé' });
    await queue.stop();
  }
  const { rows } = await ctx.database.query<{ policy: string; waiting: number }>(
    "SELECT q.policy, (SELECT count(*)::int FROM pgboss.job j WHERE j.name = q.name AND j.state = 'created') AS waiting FROM pgboss.queue q WHERE q.name = 'test.single'",
  );
  assert.deepEqual(rows, [{ policy: 'short', waiting: 1 }]);
});

test('a process that does not work the queue warns in its log when due jobs wait and no worker runs', async () => {
  const lines: { msg: string; enAttente?: number }[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) }) as unknown as FastifyBaseLogger;
  const queue = new JobQueue({
    database: ctx.database,
    config: ctx.config,
    log,
    definitions: [recordJob] as JobDefinition<never>[],
    workerWatchIntervalMs: 100,
  });
  queue.attach(ctx.runtime);
  // The test context works its queue: make it look as if no worker had stamped pg-boss's clock for long.
  await ctx.jobs.stop();
  await queue.start({ work: false });
  try {
    await ctx.database.query(`UPDATE pgboss.version SET cron_on = now() - interval '10 minutes'`);
    const id = await queue.send('test.record', { tag: 'oublie' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(lines.filter((l) => /aucun worker/.test(l.msg)).length, 0, 'not yet: it has waited less than a minute');
    await ctx.database.query(`UPDATE pgboss.job SET start_after = now() - interval '2 minutes' WHERE id = $1`, [id]);
    const warned = await eventually(async () => lines.find((l) => /aucun worker ne tourne/.test(l.msg)));
    assert.ok((warned.enAttente ?? 0) >= 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(lines.filter((l) => /aucun worker/.test(l.msg)).length, 1, 'said once per stall, not every check');
  } finally {
    await queue.stop();
  }
});

test(
  'processes starting together on a new database create their queues without deadlocking',
  { skip: !usingPostgres() && 'PostgreSQL seulement (une base embarquée n’a qu’un processus)' },
  async () => {
    const name = `sv_test_queues_${process.pid}_${Date.now() % 100000}`;
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 4 });
    const config = testConfig({}, url.toString());
    const definitions = Array.from({ length: 12 }, (_, i) => ({
      name: `test.q${i}`,
      handler: async () => undefined,
    })) as JobDefinition<never>[];
    const queues = Array.from({ length: 4 }, () => new JobQueue({ database, config, log: ctx.log, definitions }));
    try {
      for (const q of queues) q.attach(ctx.runtime);
      await Promise.all(queues.map((q) => q.start({ work: false })));
    } finally {
      await Promise.all(queues.map((q) => q.stop()));
      await database.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  },
);
