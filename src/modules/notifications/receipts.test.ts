/**
 * SMS delivery receipts (receipts.ts): the Orange client asks for one (receiptRequest with a signed
 * callbackData), the simulator's Orange posts it to the app, the delivery becomes DELIVRE, or ECHEC with the
 * reason; a forged, altered or misdirected receipt is refused (401/404) and changes nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { startSimulator, type Simulator } from '../payments/simulator/server.js';
import { createTestContext, eventually, testConfig, type TestContext } from '../../test/context.js';
import { createUser } from '../../test/users.js';
import { notify } from './service.js';
import { notificationSettings } from './settings.js';
import { notificationDeliveries, notifications } from './tables.js';
import { callbackDataFor, receiptSettings, RECEIPT_PATH } from './receipts.js';
import { developmentMessagingConfig } from './channels/development.js';
import { simulatorInUse } from '../payments/setup.js';
import { channelsFor, setChannels } from './delivery.js';
import type { SmsChannel } from './channels/sms.js';

const SECRET = 'secret-des-accuses-de-reception';
let sim: Simulator;
let ctx: TestContext;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  sim = await startSimulator({ port: 0 });
  const port = await freePort();
  ctx = await createTestContext({
    work: true,
    env: {
      ...sim.messaging.env(),
      NOTIFICATIONS_QUIET_HOURS: '',
      ORANGE_SMS_RECEIPT_SECRET: SECRET,
      ORANGE_SMS_RECEIPT_URL: `http://127.0.0.1:${port}${RECEIPT_PATH}`,
    },
  });
  await ctx.app.listen({ port, host: '127.0.0.1' });
});
after(async () => {
  await ctx?.close();
  await sim.close();
});

const db = () => ctx.database.db;
const data = {
  'event.titre': 'Concert',
  'event.titre_court': 'Concert',
  'event.date': 'samedi',
  'event.date_courte': '21/06 20:00',
  montant: '5 000 F CFA',
  quantite: '1',
  code_billet: 'K7QM-2XPA-9RTD',
  reference: 'SV-1',
};

async function smsDelivery(telephone: string, key: string) {
  const u = await createUser(db(), { telephone });
  await notify(
    db(),
    { jobs: ctx.jobs, settings: notificationSettings(ctx.config) },
    { type: 'PAIEMENT_REUSSI', userIds: [u.id], dedupKey: key, data },
  );
  const [row] = await db()
    .select({ d: notificationDeliveries })
    .from(notificationDeliveries)
    .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
    .where(and(eq(notifications.cleDedup, key), eq(notificationDeliveries.canal, 'SMS')));
  return row!.d;
}
const deliveryRow = async (id: number) => (await db().select().from(notificationDeliveries).where(eq(notificationDeliveries.id, id)))[0]!;
const receipt = (callbackData: string, address: string, deliveryStatus: string) =>
  ctx.app.inject({
    method: 'POST',
    url: RECEIPT_PATH,
    payload: { deliveryInfoNotification: { callbackData, deliveryInfo: { address: `tel:${address}`, deliveryStatus } } },
  });

test('receipts: a delivered SMS becomes DELIVRE, an undeliverable one ECHEC with the reason, through the simulator', async () => {
  const ok = await smsDelivery('+2250711000001', 'dr:ok');
  const row = await eventually(async () => {
    const r = await deliveryRow(ok.id);
    return r.statut === 'DELIVRE' && r.dateRemise ? r : undefined;
  });
  assert.ok(row.dateEnvoi && row.idMessageFournisseur, 'the send was recorded too');
  const sent = sim.messaging.state.receipts.find((r) => r.callbackData === callbackDataFor(SECRET, ok.id))!;
  assert.equal(sent.url, ctx.config.env.ORANGE_SMS_RECEIPT_URL);
  await eventually(async () => sent.answer === 204);

  sim.messaging.state.unreachableNumbers.add('+2250711000002');
  const ko = await smsDelivery('+2250711000002', 'dr:ko');
  const failed = await eventually(async () => {
    const r = await deliveryRow(ko.id);
    return r.statut === 'ECHEC' ? r : undefined;
  });
  assert.equal(failed.derniereErreur, 'Orange SMS : remise impossible (DeliveryImpossible)');

  // Repeated, late or intermediate receipts change nothing.
  assert.equal((await receipt(callbackDataFor(SECRET, ok.id), '+2250711000001', 'DeliveryImpossible')).statusCode, 204);
  assert.equal((await receipt(callbackDataFor(SECRET, ok.id), '+2250711000001', 'DeliveredToNetwork')).statusCode, 204);
  assert.equal((await deliveryRow(ok.id)).statut, 'DELIVRE');
});

test('receipts: forged, altered or misdirected ones are refused and change nothing; unknown status is a 400', async () => {
  const d = await smsDelivery('+2250711000003', 'dr:forge');
  await eventually(async () => (await deliveryRow(d.id)).statut === 'DELIVRE');
  await db().update(notificationDeliveries).set({ statut: 'ENVOYEE', dateRemise: null }).where(eq(notificationDeliveries.id, d.id));

  const forged = await receipt(callbackDataFor('un-autre-secret-que-le-bon', d.id), '+2250711000003', 'DeliveryImpossible');
  assert.equal(forged.statusCode, 401);
  assert.equal(forged.json().code, 'invalid_receipt');
  assert.match(forged.json().error, /callbackData non reconnu/);
  const [, sig] = callbackDataFor(SECRET, d.id).split('.');
  assert.equal((await receipt(`${d.id + 1}.${sig}`, '+2250711000003', 'DeliveryImpossible')).statusCode, 401, 'another id, same signature');
  assert.equal((await receipt(String(d.id), '+2250711000003', 'DeliveryImpossible')).statusCode, 401);
  assert.equal((await receipt(callbackDataFor(SECRET, 999_999_999), '+2250711000003', 'DeliveryImpossible')).statusCode, 404);
  assert.equal((await receipt(callbackDataFor(SECRET, d.id), '+2250799999999', 'DeliveryImpossible')).statusCode, 404, 'another phone');
  const bad = await receipt(callbackDataFor(SECRET, d.id), '+2250711000003', 'Livré');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error, /état de remise inconnu/);
  const empty = await ctx.app.inject({ method: 'POST', url: RECEIPT_PATH, payload: {} });
  assert.equal(empty.statusCode, 400);
  const r = await deliveryRow(d.id);
  assert.deepEqual([r.statut, r.dateRemise], ['ENVOYEE', null]);
});

test('receipts: one that arrives before the sender has written its result wins (DELIVRE stays, the send is recorded)', async () => {
  const real = channelsFor(ctx.config, ctx.log);
  // Orange answers, and its receipt is taken into account, before the job writes what the send returned.
  const sms: SmsChannel = {
    name: 'orange',
    send: async (m) => {
      const r = await real.sms.send(m);
      await eventually(async () => (await deliveryRow(m.deliveryId!)).statut === 'DELIVRE');
      return r;
    },
  };
  setChannels(ctx.config, { ...real, sms });
  try {
    const d = await smsDelivery('+2250711000004', 'dr:avant');
    const row = await eventually(async () => {
      const r = await deliveryRow(d.id);
      return r.dateEnvoi ? r : undefined;
    });
    assert.deepEqual([row.statut, row.verrouJusqua, row.derniereErreur, row.tentatives], ['DELIVRE', null, null, 1]);
    assert.ok(row.idMessageFournisseur && row.dateRemise);
  } finally {
    setChannels(ctx.config, real);
  }
});

test('receipts in development (npm start with the simulator): on, posted to this server, the same secret in the server and a separate worker', () => {
  const env = { SECRET_KEY: 'cle-de-developpement-assez-longue-pour-le-test', PORT: '8123' };
  const server = testConfig(env);
  const worker = testConfig(env);
  simulatorInUse.add(server);
  simulatorInUse.add(worker);
  const a = receiptSettings(developmentMessagingConfig(server)!)!;
  const b = receiptSettings(developmentMessagingConfig(worker)!)!;
  assert.equal(a.notifyUrl, `http://127.0.0.1:8123${RECEIPT_PATH}`);
  assert.equal(a.secret, b.secret);
  const otherKey = testConfig({ ...env, SECRET_KEY: 'une-autre-cle-de-developpement-assez-longue' });
  simulatorInUse.add(otherKey);
  assert.notEqual(a.secret, receiptSettings(developmentMessagingConfig(otherKey)!)!.secret, 'derived from SECRET_KEY');
  // Receipts the team configured are left alone.
  const own = testConfig({
    ...env,
    ORANGE_SMS_RECEIPT_SECRET: 'secret-choisi-par-l-equipe',
    ORANGE_SMS_RECEIPT_URL: 'https://api.exemple.ci/dr/',
  });
  simulatorInUse.add(own);
  assert.deepEqual(receiptSettings(developmentMessagingConfig(own)!), {
    secret: 'secret-choisi-par-l-equipe',
    notifyUrl: 'https://api.exemple.ci/dr/',
  });
});
