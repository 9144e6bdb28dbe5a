/**
 * What a plan gives beyond event limits, through HTTP on both databases, with the public-read cache on (through a
 * real redis-server shared by two app instances when there is one; else in this process, PGlite only): the featured listing
 * (`en_avant` on events, the `en_avant` filter) across activation, upgrade, staff edits and grants, the end of
 * grace by the clock alone and expiry; the plans page from the cache and fresh after a staff edit; organizer
 * messages as a plan feature; the subscription notifications (activation, reminders with SMS, expiry); the
 * upgrade credited at the price actually paid.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, sql } from 'drizzle-orm';
import { createTestContext, eventually, usingPostgres, type TestContext } from '../../test/context.js';
import { createUserWithToken } from '../../test/users.js';
import { insertEvent } from '../../test/events.js';
import { putOnPlan } from '../../test/subscriptions.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { TestRedisServer, redisServerAvailable } from '../../test/redis-server.js';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { openRuntime, type Runtime } from '../../runtime.js';
import { buildApp } from '../../app.js';
import { paymentsDeps } from '../payments/deps.js';
import { confirmPayment } from '../payments/service.js';
import { payments } from '../payments/tables.js';
import { eventParticipations } from '../events/tables.js';
import { notificationDeliveries, notifications } from '../notifications/tables.js';
import { subscriptionPlans, subscriptions } from './tables.js';
import { subscriptionsDeps } from './deps.js';
import { runSubscriptionSweep } from './jobs.js';
import { DAY_MS } from './service.js';
import { selectRows } from '../../db/client.js';

const gateways = fakeGateways();
let redis: TestRedisServer | null = null;
let ctx: TestContext;
/** A second app process on the same database and Redis (only with Redis). */
let runtimeB: Runtime | null = null;
let appB: Awaited<ReturnType<typeof buildApp>> | null = null;
let staff: Awaited<ReturnType<typeof createUserWithToken>>;
let plans: Record<string, { id: number }>;
type Org = Awaited<ReturnType<typeof createUserWithToken>>;
const db = () => ctx.database.db;

before(async () => {
  // PostgreSQL caches public reads only with Redis (a version every process sees).
  if (redisServerAvailable()) redis = await TestRedisServer.start();
  // Views are written (and the version renewed) once an hour, not during a test that counts renewals.
  const env = { EVENTS_VIEWS_FLUSH_SECONDS: '3600', ...(redis ? { REDIS_URL: redis.url } : {}) };
  ctx = await createTestContext({ gateways, work: true, env });
  if (redis) {
    const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
    runtimeB = await openRuntime(ctx.config, { role: 'test', work: false, log, database: ctx.database, gateways, migrate: false });
    appB = await buildApp(runtimeB, false);
    for (const rt of [ctx.runtime, runtimeB]) await eventually(async () => (await rt.publicCache.version()) !== null, 30_000, 20);
  }
  staff = await createUserWithToken(db(), { isStaff: true });
  const r = await ctx.app.inject({ url: '/api/subscriptions/plans/' });
  plans = Object.fromEntries((r.json() as { code: string; id: number }[]).map((p) => [p.code, p]));
});
after(async () => {
  await appB?.close();
  await runtimeB?.close();
  await ctx?.close();
  await redis?.kill();
});

const cached = () => ctx.runtime.publicCache.enabled;
/** Grace left when a test lets the clock end it: room for the reads made before (this machine is shared and slow). */
const GRACE_LEFT_MS = 4000;

async function subscribeAndPay(org: Org, code: string) {
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/subscriptions/subscribe/',
    headers: org.headers,
    payload: { plan_id: plans[code]!.id, fournisseur: 'WAVE', telephone: '+2250700000010' },
  });
  assert.equal(r.statusCode, 201, r.body);
  const [row] = await db().select().from(payments).where(eq(payments.id, r.json().payment.id));
  gateways.WAVE.settle(row!.referenceFournisseur, { status: 'succeeded' });
  assert.equal(await confirmPayment(paymentsDeps(ctx.runtime), row!.id, 'rapprochement'), 'REUSSI');
  return (await db().select().from(subscriptions).where(eq(subscriptions.id, r.json().subscription.id)))[0]!;
}

/** A published event of `org`, written behind the use cases' back: the version renewed as their commit would. */
async function publishedEvent(org: Org): Promise<number> {
  const id = await insertEvent(db(), org.user.id, { statut: 'VALIDE', dateValidation: new Date() });
  await ctx.runtime.publicCache.bump();
  return id;
}

/** en_avant of `id` in the anonymous list (undefined: not listed), and whether the en_avant filters list it. */
async function featured(id: number) {
  const get = async (q: string) => {
    const r = await ctx.app.inject({ url: `/api/events/?page_size=100&a_venir=true${q}` });
    assert.equal(r.statusCode, 200, r.body);
    return (r.json().results as { id: number; en_avant: boolean }[]).find((e) => e.id === id);
  };
  const detail = await ctx.app.inject({ url: `/api/events/${id}/` });
  assert.equal(detail.statusCode, 200, detail.body);
  return {
    list: (await get(''))?.en_avant,
    detail: detail.json().en_avant as boolean,
    onlyFeatured: !!(await get('&en_avant=true')),
    onlyOthers: !!(await get('&en_avant=false')),
  };
}
const ON = { list: true, detail: true, onlyFeatured: true, onlyOthers: false };
const OFF = { list: false, detail: false, onlyFeatured: false, onlyOthers: true };

test('en_avant: off on the free plan, on once a plan with mise_en_avant is paid, off when grace ends by the clock alone', async () => {
  if (!usingPostgres() || redis) assert.ok(cached(), 'the public cache is on for this test');
  const org = await createUserWithToken(db());
  const id = await publishedEvent(org);
  assert.deepEqual(await featured(id), OFF);
  // Those pages are now cached: the payment's settlement renews them.
  const s = await subscribeAndPay(org, 'professionnel');
  assert.deepEqual(await featured(id), ON);
  const count = (await ctx.app.inject({ url: '/api/events/?en_avant=true' })).json().count;
  assert.ok(count >= 1);

  // The period over, grace ending in a moment: the page cached now must not outlive it, with no write to tell it.
  const graceEnd = new Date(Date.now() + GRACE_LEFT_MS);
  await db()
    .update(subscriptions)
    .set({ dateFin: new Date(Date.now() - DAY_MS), enGraceJusquAu: graceEnd })
    .where(eq(subscriptions.id, s.id));
  await ctx.runtime.publicCache.bump();
  assert.deepEqual(await featured(id), ON);
  const bumps = ctx.runtime.publicCache.stats.bumps;
  await eventually(async () => Date.now() > graceEnd.getTime() + 50, 10_000, 50);
  assert.deepEqual(await featured(id), OFF);
  assert.equal(ctx.runtime.publicCache.stats.bumps, bumps, 'no write happened: the pages expired on their own');
  // The sweep's expiry changes nothing more.
  await runSubscriptionSweep({ ...subscriptionsDeps(ctx.runtime), now: () => new Date(graceEnd.getTime() + 1000) });
  assert.equal((await db().select().from(subscriptions).where(eq(subscriptions.id, s.id)))[0]!.statut, 'EXPIRE');
  assert.deepEqual(await featured(id), OFF);
});

test(
  'two app processes sharing Redis: a page one of them read from Redis, and a sparse page, end with the one it cached',
  { skip: redisServerAvailable() ? false : 'redis-server absent' },
  async () => {
    const org = await createUserWithToken(db());
    const id = await publishedEvent(org);
    const s = await subscribeAndPay(org, 'professionnel');
    const graceEnd = new Date(Date.now() + GRACE_LEFT_MS);
    await db()
      .update(subscriptions)
      .set({ dateFin: new Date(Date.now() - DAY_MS), enGraceJusquAu: graceEnd })
      .where(eq(subscriptions.id, s.id));
    await ctx.runtime.publicCache.bump();
    const url = '/api/events/?page_size=100';
    const sparse = `${url}&fields=id,en_avant`;
    const flag = async (app: NonNullable<typeof appB>, u: string) => {
      const r = await app.inject({ url: u });
      assert.equal(r.statusCode, 200, r.body);
      return (r.json().results as { id: number; en_avant: boolean }[]).find((e) => e.id === id)?.en_avant;
    };
    // A caches both pages (and Redis), B then takes its copies from Redis.
    assert.equal(await flag(ctx.app, url), true);
    assert.equal(await flag(ctx.app, sparse), true);
    const redisHits = runtimeB!.publicCache.stats.hits;
    assert.equal(await flag(appB!, url), true);
    assert.equal(await flag(appB!, sparse), true);
    assert.equal(runtimeB!.publicCache.stats.hits, redisHits + 2, 'B read both pages from Redis');
    await eventually(async () => Date.now() > graceEnd.getTime() + 50, 10_000, 50);
    for (const app of [appB!, ctx.app]) {
      assert.equal(await flag(app, url), false);
      assert.equal(await flag(app, sparse), false);
    }
  },
);

test('en_avant follows an upgrade, a staff edit of the plan and a staff grant; the free plan cannot feature', async () => {
  const org = await createUserWithToken(db());
  const id = await publishedEvent(org);
  await subscribeAndPay(org, 'essentiel');
  assert.deepEqual(await featured(id), OFF);
  const up = await subscribeAndPay(org, 'professionnel');
  assert.equal(up.nature, 'SURCLASSEMENT');
  assert.deepEqual(await featured(id), ON);

  const patch = (planId: number, payload: object) =>
    ctx.app.inject({ method: 'PATCH', url: `/api/admin/subscription-plans/${planId}/`, headers: staff.headers, payload });
  try {
    assert.equal((await patch(plans.professionnel!.id, { mise_en_avant: false })).statusCode, 200);
    assert.deepEqual(await featured(id), OFF);
  } finally {
    assert.equal((await patch(plans.professionnel!.id, { mise_en_avant: true })).statusCode, 200);
  }
  assert.deepEqual(await featured(id), ON);

  const org2 = await createUserWithToken(db());
  const id2 = await publishedEvent(org2);
  assert.deepEqual(await featured(id2), OFF);
  const g = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/subscriptions/grant/',
    headers: staff.headers,
    payload: { organisateur_id: org2.user.id, plan_id: plans['professionnel-annuel']!.id, jours: 10, motif: 'Partenariat festival' },
  });
  assert.equal(g.statusCode, 201, g.body);
  assert.deepEqual(await featured(id2), ON);

  const free = await patch(plans.gratuit!.id, { mise_en_avant: true });
  assert.equal(free.statusCode, 400);
  assert.equal(free.json().code, 'free_plan');
  assert.match(free.json().error, /gratuit ne comprend pas la mise en avant/);
});

test('plans page: served from the public cache (ETag, 304) and fresh right after a staff edit, creation or removal', async () => {
  const get = (etag?: string) => ctx.app.inject({ url: '/api/subscriptions/plans/', headers: etag ? { 'if-none-match': etag } : {} });
  const first = await get();
  assert.equal(first.statusCode, 200);
  const etag = first.headers.etag as string;
  assert.ok(etag);
  const hits = ctx.runtime.publicCache.stats.hits;
  assert.equal((await get(etag)).statusCode, 304);
  if (cached()) assert.equal(ctx.runtime.publicCache.stats.hits, hits + 1);

  const essentiel = plans.essentiel!.id;
  const rename = (nom: string) =>
    ctx.app.inject({ method: 'PATCH', url: `/api/admin/subscription-plans/${essentiel}/`, headers: staff.headers, payload: { nom } });
  try {
    assert.equal((await rename('Essentiel Plus')).statusCode, 200);
    const after = await get(etag);
    assert.equal(after.statusCode, 200);
    assert.notEqual(after.headers.etag, etag);
    assert.equal(after.json().find((p: { id: number }) => p.id === essentiel).nom, 'Essentiel Plus');
  } finally {
    await rename('Essentiel');
  }
  const c = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/subscription-plans/',
    headers: staff.headers,
    payload: { code: 'week-end', nom: 'Week-end', prix: 1000, duree_jours: 3 },
  });
  assert.equal(c.statusCode, 201, c.body);
  assert.ok((await get()).json().some((p: { code: string }) => p.code === 'week-end'));
  const del = await ctx.app.inject({ method: 'DELETE', url: `/api/admin/subscription-plans/${c.json().id}/`, headers: staff.headers });
  assert.equal(del.statusCode, 204);
  assert.ok(!(await get()).json().some((p: { code: string }) => p.code === 'week-end'));
});

test('organizer messages: 403 plan_limit on the free plan, allowed on a plan with messages_participants', async () => {
  const org = await createUserWithToken(db());
  const fan = await createUserWithToken(db());
  const id = await insertEvent(db(), org.user.id, { statut: 'VALIDE', dateValidation: new Date() });
  await db().insert(eventParticipations).values({ utilisateurId: fan.user.id, evenementId: id, statut: 'CONFIRME' });
  const send = () =>
    ctx.app.inject({
      method: 'POST',
      url: `/api/events/${id}/messages/`,
      headers: org.headers,
      payload: { titre: 'Ouverture des portes', message: 'Les portes ouvrent à 19 h.' },
    });
  const refused = await send();
  assert.equal(refused.statusCode, 403, refused.body);
  assert.equal(refused.json().code, 'plan_limit');
  assert.match(refused.json().error, /forfait « Gratuit » ne permet pas d'écrire aux participants/);
  assert.equal(
    (await db().select().from(notifications).where(eq(notifications.utilisateurId, fan.user.id))).length,
    0,
    'nothing recorded nor sent',
  );
  await putOnPlan(db(), org.user.id, 'essentiel');
  const ok = await send();
  assert.equal(ok.statusCode, 202, ok.body);
  assert.deepEqual(ok.json(), { destinataires: 1 });
});

test('notifications: activation, each reminder step once (inbox, email and SMS), expiry — through the notification system', async () => {
  const org = await createUserWithToken(db());
  const s = await subscribeAndPay(org, 'essentiel');
  const inbox = async () =>
    (await ctx.app.inject({ url: '/api/notifications/', headers: org.headers })).json().results as {
      type_notification: string;
      message: string;
      donnees: Record<string, unknown>;
    }[];
  const active = (await inbox()).filter((n) => n.type_notification === 'ABONNEMENT_ACTIVE');
  assert.equal(active.length, 1);
  assert.match(active[0]!.message, /Essentiel est actif/);
  assert.equal(active[0]!.donnees.subscription_id, s.id);

  const end = s.dateFin!.getTime();
  const at = (days: number) => ({ ...subscriptionsDeps(ctx.runtime), now: () => new Date(end + days * DAY_MS + 60_000) });
  const reminders = async () =>
    db()
      .select({ n: notifications, d: notificationDeliveries })
      .from(notifications)
      .innerJoin(notificationDeliveries, eq(notificationDeliveries.notificationId, notifications.id))
      .where(and(eq(notifications.utilisateurId, org.user.id), eq(notifications.typeNotification, 'ABONNEMENT_EXPIRE_BIENTOT')))
      .orderBy(notifications.id, notificationDeliveries.canal);
  await Promise.all([runSubscriptionSweep(at(-7)), runSubscriptionSweep(at(-7))]);
  await runSubscriptionSweep(at(-6.5));
  const j7 = await reminders();
  assert.deepEqual(
    j7.map((r) => r.d.canal),
    ['EMAIL', 'SMS'],
  );
  const sms = j7.find((r) => r.d.canal === 'SMS')!.d;
  assert.equal(sms.destinataire, org.user.telephone);
  assert.equal(sms.segmentsSms, 1);
  assert.match(sms.contenu.texte!, /forfait Essentiel expire le .+ Renouvelez-le \(5.000 F CFA\)/);
  assert.match(j7[0]!.n.message, /expire le/);
  // In grace (J+3): the text says it has ended and until when the features stay.
  await runSubscriptionSweep(at(3));
  const j3 = (await reminders()).filter((r) => r.d.canal === 'SMS').at(-1)!;
  assert.match(j3.d.contenu.texte!, /a pris fin le .+, actif jusqu'au /);
  assert.equal(j3.n.donnees.etape, 'J+3');

  await runSubscriptionSweep(at(7.1));
  const expired = (await inbox()).filter((n) => n.type_notification === 'ABONNEMENT_EXPIRE');
  assert.equal(expired.length, 1);
  assert.match(expired[0]!.message, /revenu au forfait gratuit/);
  // The modules no longer queue their own emails or SMS: every message has its notification.
  const [direct] = await selectRows<{ n: number }>(
    db(),
    sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name IN ('notifications.email', 'notifications.sms')
         AND (data->>'to' = ${org.user.email} OR data->>'to' = ${org.user.telephone})`,
  );
  assert.equal(direct!.n, 0);
});

test('upgrade: the days left are credited at the price actually paid (not the plan price of today), a grant at its plan rate', async () => {
  const org = await createUserWithToken(db());
  const ess = await subscribeAndPay(org, 'essentiel'); // 5 000 FCFA paid
  await db()
    .update(subscriptions)
    .set({
      dateDebut: new Date(ess.dateDebut!.getTime() - 20 * DAY_MS),
      dateFin: new Date(ess.dateFin!.getTime() - 20 * DAY_MS),
      enGraceJusquAu: new Date(ess.enGraceJusquAu!.getTime() - 20 * DAY_MS),
    })
    .where(eq(subscriptions.id, ess.id)); // 10 days left
  await db().update(subscriptionPlans).set({ prix: 8000 }).where(eq(subscriptionPlans.code, 'essentiel'));
  try {
    const r = await ctx.app.inject({
      method: 'POST',
      url: '/api/subscriptions/subscribe/',
      headers: org.headers,
      payload: { plan_id: plans.professionnel!.id, fournisseur: 'WAVE', telephone: '+2250700000010' },
    });
    assert.equal(r.statusCode, 201, r.body);
    // ceil(10 × (15 000 − 5 000) / 30) = 3 334 FCFA (today's 8 000 would give 2 334).
    assert.equal(r.json().payment.montant, 3334);
  } finally {
    await db().update(subscriptionPlans).set({ prix: 5000 }).where(eq(subscriptionPlans.code, 'essentiel'));
  }
  // A staff grant of 10 days (nothing paid) is credited at its plan's rate (5 000 / 30 days), not 5 000 / 10 days.
  const org2 = await createUserWithToken(db());
  const g = await ctx.app.inject({
    method: 'POST',
    url: '/api/admin/subscriptions/grant/',
    headers: staff.headers,
    payload: { organisateur_id: org2.user.id, plan_id: plans.essentiel!.id, jours: 10, motif: 'Essai offert' },
  });
  assert.equal(g.statusCode, 201, g.body);
  await db()
    .update(subscriptions)
    .set({
      dateDebut: sql`${subscriptions.dateDebut} - interval '5 days'`,
      dateFin: sql`${subscriptions.dateFin} - interval '5 days'`,
      enGraceJusquAu: sql`${subscriptions.enGraceJusquAu} - interval '5 days'`,
    })
    .where(eq(subscriptions.id, g.json().subscription.id)); // 5 days left
  const up = await ctx.app.inject({
    method: 'POST',
    url: '/api/subscriptions/subscribe/',
    headers: org2.headers,
    payload: { plan_id: plans.professionnel!.id, fournisseur: 'WAVE', telephone: '+2250700000010' },
  });
  assert.equal(up.statusCode, 201, up.body);
  assert.equal(up.json().subscription.nature, 'SURCLASSEMENT');
  // ceil(5 × (15 000 − 5 000) / 30) = 1 667 FCFA
  assert.equal(up.json().payment.montant, 1667);
});
