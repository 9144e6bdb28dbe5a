/**
 * Email and SMS leave through the job queue: a domain action enqueues `notifications.email` or
 * `notifications.sms` in its own transaction, so a message is sent only for a write that committed, and
 * a failed delivery (SMTP down) is retried with backoff instead of failing the user's request.
 */
import type { DbOrTx } from '../../db/client.js';
import type { Config } from '../../config.js';
import type { JobDefinition, JobQueue } from '../../jobs/queue.js';
import { createEmailChannel, type EmailChannel, type EmailMessage } from './channels/email.js';
import { createSmsChannel, type SmsMessage } from './channels/sms.js';

export const EMAIL_JOB = 'notifications.email';
export const SMS_JOB = 'notifications.sms';

export function queueEmail(jobs: JobQueue, message: EmailMessage, tx?: DbOrTx): Promise<string | null> {
  return jobs.send(EMAIL_JOB, message, tx ? { tx } : {});
}

export function queueSms(jobs: JobQueue, message: SmsMessage, tx?: DbOrTx): Promise<string | null> {
  return jobs.send(SMS_JOB, message, tx ? { tx } : {});
}

// One SMTP transport per configuration, made on first use (nodemailer reuses its connection).
const emailChannels = new WeakMap<Config, EmailChannel>();

export const emailJob: JobDefinition<EmailMessage> = {
  name: EMAIL_JOB,
  retryLimit: 8,
  retryDelay: 30,
  retryBackoff: true,
  handler: async (message, ctx) => {
    let channel = emailChannels.get(ctx.config);
    if (!channel) {
      channel = createEmailChannel(ctx.config, ctx.log);
      emailChannels.set(ctx.config, channel);
    }
    await channel.send(message);
  },
};

export const smsJob: JobDefinition<SmsMessage> = {
  name: SMS_JOB,
  retryLimit: 5,
  retryDelay: 30,
  retryBackoff: true,
  handler: async (message, ctx) => {
    await createSmsChannel(ctx.log).send(message);
  },
};
