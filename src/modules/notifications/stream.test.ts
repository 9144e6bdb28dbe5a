/**
 * The live stream: a notification written by one app instance reaches an SSE client of another (PostgreSQL:
 * LISTEN/NOTIFY on separate connections and pools, as two processes behind a load balancer; PGlite: its own
 * LISTEN, one process); a rolled-back notification is never streamed; a shutdown tells the client to come back.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { createTestContext, eventually, openTestDatabase, usingPostgres, type TestContext } from '../../test/context.js';
import { createUserWithToken } from '../../test/users.js';
import { openRuntime, type Runtime } from '../../runtime.js';
import { buildApp, type App } from '../../app.js';
import { notify } from './service.js';
import { notificationSettings } from './settings.js';
import { SHUTDOWN_RETRY_MS } from '../../core/lifecycle.js';
import { eq } from 'drizzle-orm';
import { hashSecret } from '../../core/tokens.js';
import { redactUrl } from '../../core/security.js';
import { authTokens } from '../users/tables.js';
import { streamTickets } from './tables.js';
import { NotificationStream } from './stream.js';

let ctx: TestContext;
let other: { runtime: Runtime; app: App } | null = null;

before(async () => {
  ctx = await createTestContext({ env: { NOTIFICATIONS_QUIET_HOURS: '' } });
  if (usingPostgres()) {
    // A second instance on the same database: its own pools, its own LISTEN connection, its own HTTP server.
    const runtime = await openRuntime(ctx.config, {
      role: 'test',
      work: false,
      migrate: false,
      gateways: {},
      log: pino({ level: 'silent' }) as unknown as FastifyBaseLogger,
    });
    other = { runtime, app: await buildApp(runtime, false) };
  }
});
after(async () => {
  if (other) {
    await other.app.close();
    await other.runtime.close();
  }
  await ctx.close();
});

interface Sse {
  events: { event: string; data: unknown }[];
  raw: string;
  ended: Promise<void>;
  close(): void;
}

async function openStream(app: App, authorization: string, path = '/api/notifications/stream/'): Promise<Sse> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  const s: Sse = { events: [], raw: '', ended: Promise.resolve(), close: () => undefined };
  await new Promise<void>((resolve, reject) => {
    let ended: () => void = () => undefined;
    s.ended = new Promise((r) => (ended = r));
    const headers = authorization ? { authorization } : {};
    const req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        s.raw += chunk;
        s.events = s.raw
          .split('\n\n')
          .map((b) => ({ event: /^event: (.*)$/m.exec(b)?.[1], data: /^data: (.*)$/m.exec(b)?.[1] }))
          .filter((e): e is { event: string; data: string } => !!e.event && !!e.data)
          .map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
      });
      res.on('end', () => ended());
      resolve();
    });
    req.on('error', reject);
    s.close = () => req.destroy();
  });
  return s;
}

test('SSE: a notification committed by another instance reaches the stream with the unread count; a rolled-back one never does', async () => {
  const me = await createUserWithToken(ctx.database.db);
  const reader = other?.app ?? ctx.app; // PostgreSQL: read on instance B, write on instance A
  const s = await openStream(reader, me.headers.authorization);
  await eventually(async () => s.events.some((e) => e.event === 'unread'));
  assert.deepEqual(s.events[0], { event: 'unread', data: { count: 0 } });

  const deps = { jobs: ctx.jobs, settings: notificationSettings(ctx.config) };
  await assert.rejects(
    ctx.database.db.transaction(async (tx) => {
      await notify(tx, deps, {
        type: 'NOUVEL_ABONNE',
        userIds: [me.user.id],
        dedupKey: 'sse:rollback',
        data: { 'abonne.nom': 'Fantôme', 'abonne.id': '1' },
      });
      throw new Error('annulé');
    }),
  );
  await ctx.database.db.transaction((tx) =>
    notify(tx, deps, { type: 'NOUVEL_ABONNE', userIds: [me.user.id], dedupKey: 'sse:1', data: { 'abonne.nom': 'Yao', 'abonne.id': '1' } }),
  );
  const n = await eventually(async () => s.events.find((e) => e.event === 'notification'));
  assert.equal((n.data as { message: string }).message, 'Yao vous suit désormais.');
  await eventually(async () => s.events.some((e) => e.event === 'unread' && (e.data as { count: number }).count === 1));
  assert.equal(s.events.filter((e) => e.event === 'notification').length, 1, 'the rolled-back one was never streamed');
  assert.doesNotMatch(s.raw, /Fantôme/);

  // Someone else's notification is not sent to this stream.
  const stranger = await createUserWithToken(ctx.database.db);
  await notify(ctx.database.db, deps, {
    type: 'NOUVEL_ABONNE',
    userIds: [stranger.user.id],
    dedupKey: 'sse:2',
    data: { 'abonne.nom': 'Zoé', 'abonne.id': '1' },
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.doesNotMatch(s.raw, /Zoé/);
  s.close();
});

test('SSE from a browser: a single-use 60-second ticket (stored hashed, masked in logs) opens the stream; spent, expired, unknown or logged out is a 401', async () => {
  const me = await createUserWithToken(ctx.database.db);
  assert.equal((await ctx.app.inject({ method: 'POST', url: '/api/notifications/stream/ticket/' })).statusCode, 401);
  const newTicket = async (headers = me.headers) => {
    const r = await ctx.app.inject({ method: 'POST', url: '/api/notifications/stream/ticket/', headers });
    assert.equal(r.statusCode, 201);
    const body = r.json() as { ticket: string; expire_dans: number };
    assert.equal(body.expire_dans, 60);
    assert.ok(body.ticket.length >= 40);
    return body.ticket;
  };
  const ticket = await newTicket();
  const stored = await ctx.database.db.select().from(streamTickets).where(eq(streamTickets.utilisateurId, me.user.id));
  assert.deepEqual(
    stored.map((t) => t.hash),
    [hashSecret(ticket)],
  );
  const ttl = stored[0]!.expireLe.getTime() - stored[0]!.dateCreation.getTime();
  assert.ok(ttl > 55_000 && ttl <= 61_000, `about 60 s (${ttl} ms)`);
  assert.equal(redactUrl(`/api/notifications/stream/?ticket=${ticket}`), '/api/notifications/stream/?ticket=[masqué]');

  // EventSource: no Authorization header, the ticket in the query string.
  const reader = other?.app ?? ctx.app;
  const s = await openStream(reader, '', `/api/notifications/stream/?ticket=${encodeURIComponent(ticket)}`);
  await eventually(async () => s.events.some((e) => e.event === 'unread'));
  await notify(
    ctx.database.db,
    { jobs: ctx.jobs, settings: notificationSettings(ctx.config) },
    { type: 'NOUVEL_ABONNE', userIds: [me.user.id], dedupKey: 'sse:ticket', data: { 'abonne.nom': 'Koffi', 'abonne.id': '1' } },
  );
  const n = await eventually(async () => s.events.find((e) => e.event === 'notification'));
  assert.equal((n.data as { message: string }).message, 'Koffi vous suit désormais.');
  s.close();

  const refused = async (t: string) => {
    const r = await ctx.app.inject({ url: `/api/notifications/stream/?ticket=${encodeURIComponent(t)}` });
    assert.equal(r.statusCode, 401, t);
    assert.equal(r.json().code, 'invalid_ticket');
    assert.match(r.json().error, /Ticket de flux invalide, expiré ou déjà utilisé/);
  };
  await refused(ticket); // spent
  await refused('pas-un-ticket');
  const old = await newTicket();
  await ctx.database.db
    .update(streamTickets)
    .set({ expireLe: new Date(Date.now() - 1000) })
    .where(eq(streamTickets.hash, hashSecret(old)));
  await refused(old);
  // Logging that device out (its API token gone) ends the tickets it made.
  const device = await createUserWithToken(ctx.database.db);
  const fromDevice = await newTicket(device.headers);
  await ctx.database.db.delete(authTokens).where(eq(authTokens.userId, device.user.id));
  await refused(fromDevice);
  // Never the API token itself in the URL.
  assert.equal((await ctx.app.inject({ url: `/api/notifications/stream/?token=${me.token}` })).statusCode, 401);
});

test('SSE: anonymous is a 401; a shutdown tells the client when to come back and ends the stream', async () => {
  const r = await ctx.app.inject({ url: '/api/notifications/stream/' });
  assert.equal(r.statusCode, 401);
  const me = await createUserWithToken(ctx.database.db);
  const s = await openStream(ctx.app, me.headers.authorization);
  await eventually(async () => s.events.some((e) => e.event === 'unread'));
  await ctx.runtime.lifecycle.beginShutdown();
  await s.ended;
  assert.match(s.raw, new RegExp(`retry: ${SHUTDOWN_RETRY_MS}\\n\\n$`));
});

test('the stream closes quietly when its database was closed first (the shutdown order of the server)', async () => {
  const { database, url, drop } = await openTestDatabase();
  const stream = new NotificationStream(database, url, pino({ level: 'silent' }) as unknown as FastifyBaseLogger);
  try {
    await stream.subscribe(1, () => undefined); // listening
    await database.close();
    await stream.close();
  } finally {
    await drop();
  }
});
