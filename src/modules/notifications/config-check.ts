/** The notifications module's settings, checked at start in every process (runtime.ts). */
import type { Config } from '../../config.js';
import { checkPushConfig } from './channels/push.js';
import { smsBackend } from './channels/sms.js';
import { checkTimeZone } from './settings.js';

export function checkNotificationConfig(config: Config): string[] {
  const env = config.env;
  const problems: string[] = [];
  if (!checkTimeZone(env.NOTIFICATIONS_TIME_ZONE))
    problems.push(`NOTIFICATIONS_TIME_ZONE: fuseau horaire inconnu « ${env.NOTIFICATIONS_TIME_ZONE} »`);
  const sms = smsBackend(config);
  if (sms === 'orange') {
    for (const v of ['ORANGE_SMS_CLIENT_ID', 'ORANGE_SMS_CLIENT_SECRET', 'ORANGE_SMS_SENDER_ADDRESS'] as const) {
      if (!env[v]) problems.push(`${v}: obligatoire avec SMS_BACKEND=orange`);
    }
  } else if (!config.debug) {
    // Codes and tickets would only reach the log: nobody would receive them, and the log would hold secrets.
    problems.push('SMS_BACKEND: « console » refusé en production (DEBUG=False) : configurez Orange SMS (ORANGE_SMS_*)');
  }
  return [...problems, ...checkPushConfig(config)];
}
