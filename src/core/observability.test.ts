/**
 * What an operator sees of a running process: Prometheus metrics at /metrics (token, per-route latency by
 * pattern, payments by provider and status, job queue, pools), errors reported to Sentry (a local stand-in
 * receives the envelopes: request id, release, no personal data), request ids carried into jobs, and the
 * file log.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createTestContext, eventually, usingPostgres, type TestContext } from '../test/context.js';
import { createUser, createUserWithToken } from '../test/users.js';
import { createPaidEvent } from '../test/events.js';
import { createPaidPurchase } from '../test/payments.js';
import type { JobDefinition } from '../jobs/queue.js';
import { currentRequestId } from './request-context.js';
import { createLogger } from './logging.js';
import { scrub } from './sentry.js';

interface Envelope {
  header: Record<string, unknown>;
  items: { type: string; payload: Record<string, unknown> }[];
}

/** A stand-in for Sentry's ingestion: stores every envelope POSTed to /api/<project>/envelope/. */
async function sentryStandIn(): Promise<{ dsn: string; envelopes: Envelope[]; close(): Promise<void> }> {
  const envelopes: Envelope[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (/^\/api\/42\/envelope\/?/.test(req.url ?? '')) {
        const lines = body.toString('utf8').split('\n').filter(Boolean);
        const env: Envelope = { header: JSON.parse(lines[0]!), items: [] };
        for (let i = 1; i + 1 < lines.length; i += 2) {
          env.items.push({ type: JSON.parse(lines[i]!).type, payload: JSON.parse(lines[i + 1]!) });
        }
        envelopes.push(env);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    dsn: `http://clepublique@127.0.0.1:${port}/42`,
    envelopes,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const seenRequestIds: (string | undefined)[] = [];
const seenLogRequestIds: unknown[] = [];
const failingJob: JobDefinition<{ email: string }> = {
  name: 'test.echec_definitif',
  retryLimit: 0,
  handler: async (data, ctx) => {
    seenRequestIds.push(currentRequestId());
    seenLogRequestIds.push((ctx.log as unknown as { bindings(): Record<string, unknown> }).bindings().reqId);
    throw new Error(`envoi impossible à ${data.email} (+225 07 01 02 03 04)`);
  },
};

let ctx: TestContext;
let sentry: Awaited<ReturnType<typeof sentryStandIn>>;
const TOKEN = 'jeton-des-metriques-de-test';

before(async () => {
  sentry = await sentryStandIn();
  ctx = await createTestContext({
    work: true,
    jobs: [failingJob] as JobDefinition<never>[],
    env: { SENTRY_DSN: sentry.dsn, SENTRY_RELEASE: 'spotvibe@essai-17', METRICS_TOKEN: TOKEN },
  });
  ctx.app.get('/test/panne/:id/', async () => {
    throw new Error('panne de test pour awa.kone@example.com');
  });
  ctx.app.post('/test/tache/', async () => {
    await ctx.jobs.send('test.echec_definitif', { email: 'awa.kone@example.com' });
    return { ok: true };
  });
});
after(async () => {
  await ctx.close();
  await sentry.close();
});

const scrape = async () => {
  const r = await ctx.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(r.statusCode, 200, r.body);
  assert.match(String(r.headers['content-type']), /^text\/plain/);
  return r.body;
};

test('/metrics needs the METRICS_TOKEN bearer token (French 401 otherwise)', async () => {
  const none = await ctx.app.inject({ url: '/metrics' });
  assert.equal(none.statusCode, 401);
  assert.deepEqual(none.json(), { error: 'Jeton des métriques manquant ou invalide.', code: 'not_authenticated' });
  assert.match(String(none.headers['www-authenticate']), /^Bearer/);
  const wrong = await ctx.app.inject({ url: '/metrics', headers: { authorization: 'Bearer autre-chose' } });
  assert.equal(wrong.statusCode, 401);
  await scrape();
});

test('request latency is a histogram per route pattern, never per raw URL', async () => {
  await ctx.app.inject({ url: '/api/events/987654/' });
  await ctx.app.inject({ url: '/api/events/?search=zouglou' });
  const body = await scrape();
  assert.match(
    body,
    /spotvibe_http_request_duration_seconds_bucket\{le="0\.005",role="test",method="GET",route="\/api\/events\/:id\/",status_code="404"/,
  );
  assert.match(
    body,
    /spotvibe_http_request_duration_seconds_count\{role="test",method="GET",route="\/api\/events\/",status_code="200"\} 1/,
  );
  assert.doesNotMatch(body, /987654|zouglou/);
});

test('payments by provider and status, the job queue and (on PostgreSQL) the pools are on /metrics', async () => {
  const buyer = await createUser(ctx.database.db);
  const organizer = await createUser(ctx.database.db);
  const { event, types } = await createPaidEvent(ctx.database.db, organizer.id);
  await createPaidPurchase(ctx.database.db, { buyerId: buyer.id, eventId: event.id, typeId: types[0]!.id, fournisseur: 'WAVE' });
  await createPaidPurchase(ctx.database.db, { buyerId: buyer.id, eventId: event.id, typeId: types[0]!.id, fournisseur: 'WAVE' });
  const body = await scrape();
  assert.match(body, /spotvibe_payments\{fournisseur="WAVE",statut="REUSSI",role="test"\} 2/);
  assert.match(body, /# TYPE spotvibe_jobs gauge/);
  assert.match(body, /# TYPE spotvibe_jobs_oldest_waiting_seconds gauge/);
  if (usingPostgres()) assert.match(body, /spotvibe_db_pool_connections\{pool="principal",etat="maximum",role="test"\} 20/);
});

test('a 5xx is reported to Sentry with the request id and release, and no personal data', async () => {
  const before = sentry.envelopes.length;
  const { token } = await createUserWithToken(ctx.database.db, { email: 'awa.kone@example.com' });
  const r = await ctx.app.inject({
    url: '/test/panne/12/?email=awa.kone@example.com',
    headers: { 'x-request-id': 'req-essai-5xx', authorization: `Token ${token}`, cookie: 'sessionid=abc' },
    remoteAddress: '41.202.1.2',
  });
  assert.equal(r.statusCode, 500);
  assert.deepEqual(r.json(), { error: 'Erreur interne du serveur.', code: 'server_error' });
  const env = await eventually(async () => sentry.envelopes.slice(before).find((e) => e.items.some((i) => i.type === 'event')));
  const event = env.items.find((i) => i.type === 'event')!.payload as Record<string, unknown>;
  const tags = event.tags as Record<string, string>;
  assert.equal(tags.request_id, 'req-essai-5xx');
  assert.equal(tags.route, '/test/panne/:id/');
  assert.equal(event.release, 'spotvibe@essai-17');
  assert.equal(event.user, undefined);
  assert.equal(event.request, undefined);
  const raw = JSON.stringify(env);
  for (const personal of ['awa.kone@example.com', '41.202.1.2', token, 'sessionid', '?email']) {
    assert.ok(!raw.includes(personal), `${personal} envoyé à Sentry`);
  }
  assert.match(raw, /panne de test pour \[email\]/);
});

test('a job that fails for good is reported with the id of the request that enqueued it', async () => {
  const before = sentry.envelopes.length;
  const r = await ctx.app.inject({ method: 'POST', url: '/test/tache/', headers: { 'x-request-id': 'req-essai-tache' } });
  assert.equal(r.statusCode, 200);
  const env = await eventually(async () =>
    sentry.envelopes.slice(before).find((e) => e.items.some((i) => (i.payload.tags as Record<string, string>)?.job === failingJob.name)),
  );
  const event = env.items.find((i) => i.type === 'event')!.payload as Record<string, unknown>;
  assert.equal((event.tags as Record<string, string>).request_id, 'req-essai-tache');
  assert.doesNotMatch(JSON.stringify(env), /awa\.kone@example\.com|07 01 02 03 04/);
  // The handler ran inside the request's id, and its logger says so as the request's lines do.
  assert.deepEqual(seenRequestIds, ['req-essai-tache']);
  assert.deepEqual(seenLogRequestIds, ['req-essai-tache']);
  const body = await scrape();
  assert.match(body, /spotvibe_jobs_runs_total\{file="test\.echec_definitif",resultat="echec_definitif",role="test"\} 1/);
});

test('the handler never sees the request id field, and jobs enqueued outside a request carry none', async () => {
  const { rows } = await ctx.database.query<{ data: Record<string, unknown> }>(
    `SELECT data FROM pgboss.job WHERE name = $1 ORDER BY created_on DESC LIMIT 1`,
    [failingJob.name],
  );
  assert.deepEqual(rows[0]!.data, { email: 'awa.kone@example.com', _meta: { requestId: 'req-essai-tache' } });
});

test('scrub masks email addresses and phone numbers', () => {
  assert.equal(scrub('échec pour awa@example.ci au +225 07 01 02 03 04'), 'échec pour [email] au [numéro]');
  assert.equal(scrub('paiement 42 en attente'), 'paiement 42 en attente');
});

test('LOG_FILE: the same JSON lines as stdout are appended to the file', async () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'sv-log-')), 'logs', 'spotvibe.log');
  const log = createLogger({ logLevel: 'info', logFile: file });
  log.info({ reqId: 'req-fichier', token: 'secret' }, 'une ligne');
  log.debug('trop bavard');
  await new Promise((r) => setTimeout(r, 50));
  const lines = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.msg, 'une ligne');
  assert.equal(lines[0]!.reqId, 'req-fichier');
  assert.equal(lines[0]!.token, '[masqué]');
});
