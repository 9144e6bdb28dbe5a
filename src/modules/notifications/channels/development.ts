/**
 * `npm start` on a fresh machine: with no SMS or push provider configured and the payment simulator in use
 * (setupPayments chose it: DEBUG=True, no live payment credentials, PAYMENT_SIMULATOR not false), the real Orange SMS, FCM and APNs
 * clients talk to the simulator's stand-ins, so every SMS and push can be seen at
 * <simulator>/__simulator/messages. The simulator's address is the one the server announced (a separate worker
 * follows it), else SIMULATOR_HOST:SIMULATOR_PORT; APNs listens on the next port. Never with DEBUG=False.
 * SMS delivery receipts are on too (unless configured): the stand-in posts them to this server (HOST:PORT or
 * PUBLIC_BASE_URL), signed with a secret derived from SECRET_KEY, the same in the server and a separate worker.
 */
import { createHmac } from 'node:crypto';
import type { Config } from '../../../config.js';
import { RECEIPT_PATH } from '../receipts.js';
import { simulatorInUse } from '../../payments/setup.js';
import { announcementFile, readAnnounced } from '../../payments/simulator/announce.js';
import { messagingEnv } from '../../payments/simulator/messaging.js';

export function usesMessagingSimulator(config: Config): boolean {
  const env = config.env;
  if (!config.debug || env.PAYMENT_SIMULATOR === 'false') return false;
  if (env.SMS_BACKEND || env.ORANGE_SMS_CLIENT_ID || env.FCM_SERVICE_ACCOUNT || env.APNS_KEY || env.PUSH_BACKEND === 'console')
    return false;
  // Only a process whose payments run on the simulator (tests give their own providers and never get here).
  return simulatorInUse.has(config);
}

/** The configuration with the messaging settings of the running simulator, or null when it is not used. */
export function developmentMessagingConfig(config: Config): Config | null {
  if (!usesMessagingSimulator(config)) return null;
  const url = readAnnounced(announcementFile(config))?.url ?? `http://${config.env.SIMULATOR_HOST}:${config.env.SIMULATOR_PORT}`;
  const u = new URL(url);
  const apnsUrl = `http://${u.hostname}:${Number(u.port) + 1}`;
  const env = config.env;
  const receipts = env.ORANGE_SMS_RECEIPT_SECRET
    ? {}
    : {
        ORANGE_SMS_RECEIPT_SECRET: createHmac('sha256', config.secretKey).update('spotvibe-sms-dr-developpement').digest('base64url'),
        ORANGE_SMS_RECEIPT_URL:
          env.ORANGE_SMS_RECEIPT_URL ??
          `${config.publicBaseUrl ?? `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`}${RECEIPT_PATH}`,
      };
  return { ...config, env: { ...env, ...messagingEnv(url, apnsUrl), ...receipts } as Config['env'] };
}
