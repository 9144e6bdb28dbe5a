/**
 * Sending in batches (delivery.ts): one job claims its deliveries in one statement and writes their results in
 * one, against the simulator's FCM and APNs. Exactly once when the same ids come in several jobs at once; a
 * provider's 429 with Retry-After puts that delivery back for at least that long, and the job's deliveries not
 * yet sent to that provider wait with it, untried; dead tokens are deactivated, live ones counted.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inArray, sql } from 'drizzle-orm';
import { startSimulator, type Simulator } from '../payments/simulator/server.js';
import { createTestContext, type TestContext } from '../../test/context.js';
import { createUser } from '../../test/users.js';
import { queuedJobs, runJob } from '../../test/jobs.js';
import { channelsFor, deliverJob, setChannels } from './delivery.js';
import type { PushChannel } from './channels/push.js';
import { DELIVER_JOB } from './service.js';
import { notificationDeliveries, notifications, pushTokens } from './tables.js';

let sim: Simulator;
let ctx: TestContext;

before(async () => {
  sim = await startSimulator({ port: 0 });
  // No worker: the test plays the jobs (duplicated, concurrent) itself. One call at a time: a known order.
  ctx = await createTestContext({ env: { ...sim.messaging.env(), NOTIFICATIONS_QUIET_HOURS: '', NOTIFICATIONS_SEND_CONCURRENCY: '1' } });
});
after(async () => {
  await ctx?.close();
  await sim.close();
});

const db = () => ctx.database.db;

/** `n` people with one device each (every 4th an iPhone), and one push delivery each, waiting; no job queued. */
async function pushDeliveries(tag: string, n: number): Promise<{ ids: number[]; tokens: string[] }> {
  const ids: number[] = [];
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const u = await createUser(db());
    const ios = i % 4 === 3;
    const token = ios ? `${tag}${i}`.padStart(64, 'c').replace(/[^0-9a-f]/g, 'e') : `fcm-${tag}-${i}`;
    await db()
      .insert(pushTokens)
      .values({ utilisateurId: u.id, token, plateforme: ios ? 'IOS' : 'ANDROID' });
    const [notif] = await db()
      .insert(notifications)
      .values({ utilisateurId: u.id, typeNotification: 'NOUVEL_ABONNE', titre: 'Nouvel abonné', message: 'm', cleDedup: `${tag}:${i}` })
      .returning();
    const [d] = await db()
      .insert(notificationDeliveries)
      .values({ notificationId: notif!.id, canal: 'PUSH', destinataire: `utilisateur:${u.id}`, contenu: { titre: tag, corps: `${i}` } })
      .returning();
    ids.push(d!.id);
    tokens.push(token);
  }
  return { ids, tokens };
}

const rowsOf = (ids: number[]) => db().select().from(notificationDeliveries).where(inArray(notificationDeliveries.id, ids));
const received = (tag: string) => sim.messaging.state.pushes.filter((p) => p.titre === tag);

test('batches: the same ids in three jobs at once are sent once each; a dead token is deactivated, the others counted', async () => {
  const { ids, tokens } = await pushDeliveries('lot', 12);
  sim.messaging.state.invalidTokens.add(tokens[0]!);
  await Promise.all([
    runJob(ctx.runtime, deliverJob, { ids }),
    runJob(ctx.runtime, deliverJob, { ids: [...ids].reverse() }),
    runJob(ctx.runtime, deliverJob, { ids: ids.slice(3, 9) }),
  ]);
  await runJob(ctx.runtime, deliverJob, { ids }); // a retried job: nothing left to take
  const got = received('lot');
  assert.equal(got.length, 11, 'every live device once');
  assert.equal(new Set(got.map((p) => p.token)).size, 11);
  assert.equal(got.filter((p) => p.service === 'apns').length, 3);
  const rows = await rowsOf(ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  assert.deepEqual([byId.get(ids[0]!)!.statut, byId.get(ids[0]!)!.derniereErreur], ['IGNOREE', 'aucun appareil actif']);
  for (const id of ids.slice(1)) {
    const r = byId.get(id)!;
    assert.deepEqual([r.statut, r.tentatives, r.verrouJusqua], ['ENVOYEE', 1, null]);
    assert.ok(r.dateEnvoi && r.idMessageFournisseur);
  }
  const devices = await db().select().from(pushTokens).where(inArray(pushTokens.token, tokens));
  const dead = devices.find((t) => t.token === tokens[0])!;
  assert.equal(dead.actif, false);
  assert.match(dead.derniereErreur!, /UNREGISTERED/);
  assert.deepEqual(
    devices.filter((t) => t.token !== tokens[0]).map((t) => t.notificationsEnvoyees),
    Array(11).fill(1),
  );
});

test('batches: a 429 with Retry-After puts the delivery back for that long and the rest of the batch waits untried, then all are sent', async () => {
  const { ids } = await pushDeliveries('pause', 6);
  const android = ids.filter((_, i) => i % 4 !== 3);
  const before = sim.messaging.state.pushes.length;
  sim.messaging.state.faults.push({ service: 'fcm', status: 429, retryAfter: 120, count: 1 });
  const t0 = Date.now();
  await runJob(ctx.runtime, deliverJob, { ids: android });
  assert.equal(sim.messaging.state.pushes.length, before, 'nothing reached FCM after its 429');
  const rows = new Map((await rowsOf(android)).map((r) => [r.id, r]));
  const first = rows.get(android[0]!)!;
  assert.deepEqual([first.statut, first.tentatives], ['EN_ATTENTE', 1]);
  assert.match(first.derniereErreur!, /RESOURCE_EXHAUSTED|HTTP 429/);
  for (const id of android) {
    const r = rows.get(id)!;
    assert.equal(r.statut, 'EN_ATTENTE');
    assert.ok(r.envoyerApres.getTime() >= t0 + 119_000, 'waits for the Retry-After');
    if (id !== android[0]) assert.equal(r.tentatives, 0, 'an untried delivery has not used an attempt');
  }
  // Jobs for them, due after the Retry-After.
  const queued = (await queuedJobs<{ ids: number[] }>(ctx.database, DELIVER_JOB)).flatMap((j) => j.ids);
  assert.deepEqual(
    android.filter((id) => !queued.includes(id)),
    [],
  );

  // The wait is over: the same job sends them all, the first on its second attempt.
  await db()
    .update(notificationDeliveries)
    .set({ envoyerApres: sql`now()` })
    .where(inArray(notificationDeliveries.id, android));
  await runJob(ctx.runtime, deliverJob, { ids: android });
  const after = new Map((await rowsOf(android)).map((r) => [r.id, r]));
  assert.deepEqual(
    android.map((id) => [after.get(id)!.statut, after.get(id)!.tentatives]),
    android.map((id) => ['ENVOYEE', id === android[0] ? 2 : 1]),
  );
  assert.equal(received('pause').length, android.length);
});

test('batches: a result is written only by the attempt that holds the row (a lease taken over meanwhile is left to its new holder)', async () => {
  const { ids } = await pushDeliveries('relais', 1);
  const real = channelsFor(ctx.config, ctx.log);
  // This send is so slow that its lease runs out and another worker takes the delivery over (attempt 2).
  const push: PushChannel = {
    send: async (m) => {
      const r = await real.push.send(m);
      await db()
        .update(notificationDeliveries)
        .set({ tentatives: sql`${notificationDeliveries.tentatives} + 1`, verrouJusqua: sql`now() + interval '120 seconds'` })
        .where(inArray(notificationDeliveries.id, ids));
      return r;
    },
    close: () => undefined,
  };
  setChannels(ctx.config, { ...real, push });
  try {
    await runJob(ctx.runtime, deliverJob, { ids });
  } finally {
    setChannels(ctx.config, real);
  }
  const [r] = await rowsOf(ids);
  assert.deepEqual([r!.statut, r!.tentatives, r!.dateEnvoi], ['EN_COURS', 2, null], 'the new holder writes its own result');
});
