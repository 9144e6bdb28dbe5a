/** Each channel client against its stand-in in the simulator (as strict as the real API), then end to end. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { startSimulator, type Simulator } from '../payments/simulator/server.js';
import { testConfig, createTestContext, eventually, type TestContext } from '../../test/context.js';
import { createUserWithToken } from '../../test/users.js';
import { orangeSms, orangeSmsSettings } from './channels/sms.js';
import { apnsClient, apnsSettings, fcmClient, fcmSettings, type PushMessage } from './channels/push.js';
import { ChannelError } from './channels/types.js';
import { notify } from './service.js';
import { notificationSettings } from './settings.js';
import { notificationDeliveries, notifications, pushTokens } from './tables.js';

let sim: Simulator;
let ctx: TestContext;
const IOS_TOKEN = 'a'.repeat(64);

before(async () => {
  sim = await startSimulator({ port: 0 });
  ctx = await createTestContext({ work: true, env: { ...sim.messaging.env(), NOTIFICATIONS_QUIET_HOURS: '' } });
});
after(async () => {
  await ctx?.close();
  await sim.close();
});

const config = () => testConfig({ ...sim.messaging.env(), NOTIFICATIONS_HTTP_TIMEOUT_MS: '400' });
const fault = (f: { service: 'sms' | 'fcm' | 'apns'; status?: number; retryAfter?: number; hang?: boolean; count?: number }) =>
  sim.messaging.state.faults.push({ status: 503, count: 1, ...f });
const push = (token: string, plateforme: PushMessage['plateforme'] = 'ANDROID'): PushMessage => ({
  token,
  plateforme,
  titre: 'Paiement réussi',
  corps: 'Code : K7QM-2XPA-9RTD',
  donnees: { event_id: '42' },
});
async function rejects(p: Promise<unknown>, check: (e: ChannelError) => void) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ChannelError, String(e));
    check(e);
    return true;
  });
}

test('Orange SMS: token cached, message id from resourceURL, expired token refreshed, 503 with Retry-After, bad number, timeout', async () => {
  const sms = orangeSms(orangeSmsSettings(config()));
  const issued = sim.messaging.state.tokensIssued;
  const r = await sms.send({ to: '+2250701020304', text: 'SpotVibe: paiement OK.' });
  await sms.send({ to: '+2250701020305', text: 'Deux' });
  assert.equal(sim.messaging.state.tokensIssued - issued, 1, 'one token for both');
  const got = sim.messaging.state.sms.find((m) => m.id === r.providerMessageId)!;
  assert.deepEqual([got.to, got.sender, got.senderName, got.text], ['+2250701020304', '+2250000', 'SpotVibe', 'SpotVibe: paiement OK.']);

  sim.messaging.state.expireAll();
  await sms.send({ to: '+2250701020306', text: 'Après expiration' });
  assert.equal(sim.messaging.state.tokensIssued - issued, 2);

  fault({ service: 'sms', status: 503, retryAfter: 42 });
  await rejects(sms.send({ to: '+2250701020307', text: 'x' }), (e) => {
    assert.equal(e.retryable, true);
    assert.equal(e.retryAfterSeconds, 42);
  });
  await rejects(sms.send({ to: '0701020304', text: 'x' }), (e) => {
    assert.equal(e.retryable, false);
    assert.match(e.message, /SVC0004/);
  });
  fault({ service: 'sms', hang: true });
  await rejects(sms.send({ to: '+2250701020308', text: 'x' }), (e) => {
    assert.equal(e.retryable, true);
    assert.match(e.message, /pas de réponse en 400 ms/);
  });
  const wrong = orangeSms({ ...orangeSmsSettings(config()), clientSecret: 'faux' });
  await rejects(wrong.send({ to: '+2250701020309', text: 'x' }), (e) => assert.equal(e.retryable, false));
});

test('FCM HTTP v1: service-account JWT exchanged once, UNREGISTERED and INVALID_ARGUMENT are dead tokens, 429 retried, expiry refreshed', async () => {
  const send = fcmClient(fcmSettings(config())!);
  const issued = sim.messaging.state.tokensIssued;
  const r = await send(push('fcm-token-ok-1'));
  await send(push('fcm-token-ok-2', 'WEB'));
  assert.equal(sim.messaging.state.tokensIssued - issued, 1);
  assert.match(r.providerMessageId!, /^projects\/spotvibe-simulateur\/messages\//);
  const got = sim.messaging.state.pushes.find((p) => p.token === 'fcm-token-ok-1')!;
  assert.deepEqual(
    [got.service, got.titre, got.corps, got.donnees],
    ['fcm', 'Paiement réussi', 'Code : K7QM-2XPA-9RTD', { event_id: '42' }],
  );

  sim.messaging.state.invalidTokens.add('fcm-token-dead');
  await rejects(send(push('fcm-token-dead')), (e) => {
    assert.equal(e.deadToken, true);
    assert.match(e.message, /UNREGISTERED/);
  });
  await rejects(send(push('bad token!')), (e) => {
    assert.equal(e.deadToken, true);
    assert.match(e.message, /INVALID_ARGUMENT/);
  });
  fault({ service: 'fcm', status: 429, retryAfter: 7 });
  await rejects(send(push('fcm-token-ok-3')), (e) => {
    assert.deepEqual([e.retryable, e.retryAfterSeconds, e.deadToken], [true, 7, false]);
  });
  sim.messaging.state.expireAll();
  await send(push('fcm-token-ok-4'));
  assert.equal(sim.messaging.state.tokensIssued - issued, 2);
});

test('APNs over HTTP/2: ES256 provider token, 410 Unregistered and BadDeviceToken dead, 503 with Retry-After retried, timeout', async () => {
  const apns = apnsClient({ ...apnsSettings(config())! });
  try {
    const r = await apns.send(push(IOS_TOKEN, 'IOS'));
    assert.ok(r.providerMessageId);
    assert.equal(sim.messaging.state.pushes.at(-1)!.service, 'apns');
    assert.equal(sim.messaging.state.pushes.at(-1)!.titre, 'Paiement réussi');
    sim.messaging.state.invalidTokens.add('b'.repeat(64));
    await rejects(apns.send(push('b'.repeat(64), 'IOS')), (e) => {
      assert.equal(e.deadToken, true);
      assert.match(e.message, /Unregistered/);
    });
    await rejects(apns.send(push('pas-hexadecimal', 'IOS')), (e) => assert.equal(e.deadToken, true));
    fault({ service: 'apns', status: 503, retryAfter: 30 });
    await rejects(apns.send(push(IOS_TOKEN, 'IOS')), (e) => assert.deepEqual([e.retryable, e.retryAfterSeconds], [true, 30]));
    fault({ service: 'apns', hang: true });
    await rejects(apns.send(push(IOS_TOKEN, 'IOS')), (e) => assert.equal(e.retryable, true));
    await apns.send(push(IOS_TOKEN, 'IOS')); // the session still works after a cancelled stream
    const wrongKey = apnsClient({ ...apnsSettings(config())!, keyId: 'AUTRE' });
    await rejects(wrongKey.send(push(IOS_TOKEN, 'IOS')), (e) => assert.match(e.message, /InvalidProviderToken/));
    wrongKey.close();
  } finally {
    apns.close();
  }
});

test('end to end: a payment result reaches SMS (one segment recorded), Android and iPhone; a dead token is deactivated; SMS down is retried later', async () => {
  const db = ctx.database.db;
  const deps = { jobs: ctx.jobs, settings: notificationSettings(ctx.config) };
  const me = await createUserWithToken(db, { firstName: 'Awa', telephone: '+2250711223344' });
  await db.insert(pushTokens).values([
    { utilisateurId: me.user.id, token: `android-${me.user.id}-ok`, plateforme: 'ANDROID' },
    { utilisateurId: me.user.id, token: IOS_TOKEN, plateforme: 'IOS' },
  ]);
  const data = {
    'event.titre': 'Fête de la musique à Cocody',
    'event.titre_court': 'Fête de la musique à Cocody',
    'event.date': 'samedi',
    'event.date_courte': '21/06 20:00',
    montant: '15 000 F CFA',
    quantite: '2',
    code_billet: 'K7QM-2XPA-9RTD',
    reference: 'SV-1',
  };
  await notify(db, deps, { type: 'PAIEMENT_REUSSI', userIds: [me.user.id], dedupKey: 'e2e:1', data });
  const sms = await eventually(async () => sim.messaging.state.sms.find((m) => m.to === '+2250711223344'));
  assert.equal(sms.text, 'SpotVibe: paiement de 15 000 F CFA OK. Billet K7QM-2XPA-9RTD pour Fete de la musique à Cocody le 21/06 20:00.');
  const rows = await eventually(async () => {
    const r = await db
      .select()
      .from(notificationDeliveries)
      .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
      .where(eq(notifications.utilisateurId, me.user.id));
    return r.length === 3 && r.every((x) => x.notification_deliveries.statut === 'ENVOYEE') ? r : undefined;
  });
  const bySms = rows.find((x) => x.notification_deliveries.canal === 'SMS')!.notification_deliveries;
  assert.equal(bySms.segmentsSms, 1);
  assert.ok(bySms.idMessageFournisseur);
  assert.ok(sim.messaging.state.pushes.some((p) => p.token === `android-${me.user.id}-ok`));
  const [android] = await db
    .select()
    .from(pushTokens)
    .where(eq(pushTokens.token, `android-${me.user.id}-ok`));
  assert.equal(android!.notificationsEnvoyees, 1);

  // The Android app was uninstalled: FCM says UNREGISTERED, the token is deactivated, the iPhone still gets it.
  sim.messaging.state.invalidTokens.add(`android-${me.user.id}-ok`);
  fault({ service: 'sms', status: 503, retryAfter: 120 });
  const t0 = Date.now();
  await notify(db, deps, { type: 'PAIEMENT_REUSSI', userIds: [me.user.id], dedupKey: 'e2e:2', data });
  assert.ok(Date.now() - t0 < 1000, 'the caller never waits for a provider');
  await eventually(async () => !(await db.select().from(pushTokens).where(eq(pushTokens.id, android!.id)))[0]!.actif);
  const retried = await eventually(async () => {
    const r = await db
      .select({ d: notificationDeliveries })
      .from(notificationDeliveries)
      .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
      .where(eq(notifications.cleDedup, 'e2e:2'));
    const s = r.find((x) => x.d.canal === 'SMS')?.d;
    return s && s.tentatives === 1 && s.statut === 'EN_ATTENTE' ? s : undefined;
  });
  assert.match(retried.derniereErreur!, /HTTP 503/);
  assert.ok(retried.envoyerApres.getTime() >= Date.now() + 100_000, 'waits for Retry-After');
});
