/**
 * A rolling restart as one process lives it (what SIGTERM runs in server.ts: app.close(), then the runtime):
 * a request in flight is answered, a running job finishes, an event stream is told to reconnect elsewhere
 * (SSE `retry:`) and closed, new connections are refused, all within a bounded time.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createTestContext, eventually } from '../test/context.js';
import type { JobDefinition } from '../jobs/queue.js';
import { SHUTDOWN_RETRY_MS } from './lifecycle.js';

let jobStarted = false;
let jobFinished = false;
const slowJob: JobDefinition<Record<string, never>> = {
  name: 'test.lente',
  retryLimit: 0,
  handler: async () => {
    jobStarted = true;
    await new Promise((r) => setTimeout(r, 1500));
    jobFinished = true;
  },
};

const ctx = await createTestContext({ work: true, jobs: [slowJob] as JobDefinition<never>[], env: { SHUTDOWN_DRAIN_SECONDS: '2' } });
after(() => ctx.close());

ctx.app.get('/test/lent/', async () => {
  await new Promise((r) => setTimeout(r, 1000));
  return { fini: true };
});
// A Server-Sent Events stream as the notifications module will write one: hijacked, registered for shutdown.
ctx.app.get('/test/flux/', async (request, reply) => {
  reply.hijack();
  reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  reply.raw.write(': ok\n\n');
  const off = ctx.runtime.lifecycle.onShutdown(() => {
    reply.raw.end(`retry: ${SHUTDOWN_RETRY_MS}\n\n`);
  });
  request.raw.on('close', off);
});

test('SIGTERM: in-flight request answered, running job finished, stream told to reconnect, new connections refused', async () => {
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (ctx.app.server.address() as { port: number }).port;

  let streamed = '';
  const streamEnded = new Promise<void>((resolve, reject) => {
    http
      .get({ port, host: '127.0.0.1', path: '/test/flux/' }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (d: string) => (streamed += d));
        res.on('end', () => resolve());
      })
      .on('error', reject);
  });
  await eventually(async () => streamed.includes(': ok'));

  // A load balancer's pooled keep-alive connection, idle when the shutdown begins.
  const pooled = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const viaPool = () =>
    new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      http
        .get({ port, host: '127.0.0.1', path: '/healthz', agent: pooled }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
        })
        .on('error', reject);
    });
  assert.equal((await viaPool()).connection, 'keep-alive');

  await ctx.jobs.send('test.lente', {});
  await eventually(async () => jobStarted, 15_000, 50);
  const inFlight = fetch(`http://127.0.0.1:${port}/test/lent/`);
  await new Promise((r) => setTimeout(r, 200));

  const t0 = Date.now();
  const closed = ctx.app.close().then(() => ctx.runtime.close());
  await streamEnded;
  assert.match(streamed, new RegExp(`retry: ${SHUTDOWN_RETRY_MS}\\n\\n$`));
  const answer = await inFlight;
  assert.equal(answer.status, 200);
  assert.deepEqual(await answer.json(), { fini: true });
  assert.equal(answer.headers.get('connection'), 'close');
  // While draining (SHUTDOWN_DRAIN_SECONDS): a new connection is refused at once (the balancer tries another
  // process, safe even for a POST since nothing was sent), but a request written into the pooled connection is
  // served, with Connection: close, never reset (Node's http close would have destroyed that idle connection).
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'no new connection once closing');
  assert.deepEqual(await viaPool(), { status: 200, connection: 'close' });
  pooled.destroy();
  await closed;
  assert.ok(jobFinished, 'the running job finished before the process let go of the database');
  assert.ok(Date.now() - t0 < 10_000, `arrêt en ${Date.now() - t0} ms`);
});

test('a handler registered after the shutdown began runs at once', async () => {
  let ran = false;
  ctx.runtime.lifecycle.onShutdown(() => {
    ran = true;
  });
  await eventually(async () => ran);
});
