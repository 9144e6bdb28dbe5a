/**
 * SMS delivery. Only the console channel exists so far (development); SMS_BACKEND names the channel so a
 * provider can be added without touching callers. A production start with SMS_BACKEND=console logs a warning.
 */
import type { FastifyBaseLogger } from 'fastify';

export interface SmsMessage {
  to: string;
  text: string;
}

export interface SmsChannel {
  send(message: SmsMessage): Promise<void>;
}

export function createSmsChannel(log: FastifyBaseLogger): SmsChannel {
  return {
    send: async (m) => {
      log.info({ sms: { to: m.to }, body: m.text }, `SMS (console) à ${m.to}`);
    },
  };
}
