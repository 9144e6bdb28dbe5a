/**
 * Sending what `notify` recorded. A `notifications.deliver` job carries delivery ids; each delivery is taken
 * by one guarded update (EN_ATTENTE → EN_COURS with a lease), so a duplicated job, two workers or a retried
 * batch never send it twice; a process that dies mid-send leaves a lease that runs out and the delivery is
 * taken again. A failure the provider may get over (timeout, 5xx, 429/503 with Retry-After) puts the delivery
 * back to EN_ATTENTE with a backoff and a new job for it alone; a final one (bad number, dead token, attempts
 * used up) is ECHEC with its error, which staff see. The job itself fails only when the database does
 * (pg-boss then retries it whole, harmlessly).
 *
 * `queueEmail` / `queueSms` remain for mail that is not a notification of a person's account (none today).
 */
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { DbOrTx } from '../../db/client.js';
import type { Config } from '../../config.js';
import type { JobContext, JobDefinition, JobQueue } from '../../jobs/queue.js';
import { createEmailChannel, type EmailChannel, type EmailMessage } from './channels/email.js';
import { createSmsChannel, type SmsChannel, type SmsMessage } from './channels/sms.js';
import { createPushChannel, type PushChannel } from './channels/push.js';
import { ChannelError, type SendResult } from './channels/types.js';
import { developmentMessagingConfig } from './channels/development.js';
import { notificationDeliveries, notifications, pushTokens } from './tables.js';
import { DELIVER_JOB, enqueueDeliveries } from './service.js';
import { notificationSettings } from './settings.js';
import { deliveryCounter } from './metrics.js';

export const EMAIL_JOB = 'notifications.email';
export const SMS_JOB = 'notifications.sms';
/** How long a taken delivery is its sender's before another may take it (the provider calls time out sooner). */
const LEASE_SECONDS = 120;
/** Deliveries of one job sent at once: provider calls overlap, a slow one does not hold the others. */
const LANES = 8;

export function queueEmail(jobs: JobQueue, message: EmailMessage, tx?: DbOrTx): Promise<string | null> {
  return jobs.send(EMAIL_JOB, message, tx ? { tx } : {});
}

export function queueSms(jobs: JobQueue, message: SmsMessage, tx?: DbOrTx): Promise<string | null> {
  return jobs.send(SMS_JOB, message, tx ? { tx } : {});
}

export interface Channels {
  email: EmailChannel;
  sms: SmsChannel;
  push: PushChannel;
}

// One set of clients per configuration, made on first use (SMTP connection, OAuth tokens and HTTP/2 session reused).
const channelCache = new WeakMap<Config, Channels>();

export function channelsFor(config: Config, log: FastifyBaseLogger): Channels {
  let c = channelCache.get(config);
  if (!c) {
    // Development: SMS and push go to the simulator's stand-ins when no provider is configured.
    const messaging = developmentMessagingConfig(config) ?? config;
    c = { email: createEmailChannel(config, log), sms: createSmsChannel(messaging, log), push: createPushChannel(messaging, log) };
    channelCache.set(config, c);
  }
  return c;
}

/** Tests: clients of their own for a configuration. */
export function setChannels(config: Config, channels: Channels): void {
  channelCache.set(config, channels);
}

export function closeChannels(config: Config): void {
  const c = channelCache.get(config);
  c?.email.close();
  c?.push.close();
  channelCache.delete(config);
}

export function backoffSeconds(attempt: number, retryAfterSeconds?: number): number {
  const exp = Math.min(6 * 3600, 30 * 2 ** Math.max(0, attempt - 1));
  return Math.max(exp, retryAfterSeconds ?? 0);
}

type Delivery = typeof notificationDeliveries.$inferSelect;

async function take(db: DbOrTx, id: number): Promise<Delivery | null> {
  const [row] = await db
    .update(notificationDeliveries)
    .set({
      statut: 'EN_COURS',
      tentatives: sql`${notificationDeliveries.tentatives} + 1`,
      verrouJusqua: sql`now() + make_interval(secs => ${LEASE_SECONDS})`,
    })
    .where(
      and(
        eq(notificationDeliveries.id, id),
        sql`${notificationDeliveries.envoyerApres} <= now() + interval '2 seconds'`,
        sql`(${notificationDeliveries.statut} = 'EN_ATTENTE' OR (${notificationDeliveries.statut} = 'EN_COURS' AND ${notificationDeliveries.verrouJusqua} < now()))`,
      ),
    )
    .returning();
  return row ?? null;
}

async function sendPush(
  ctx: JobContext,
  channels: Channels,
  d: Delivery,
  userId: number,
  donnees: Record<string, unknown>,
): Promise<SendResult | 'none'> {
  const db = ctx.database.db;
  const tokens = await db
    .select()
    .from(pushTokens)
    .where(and(eq(pushTokens.utilisateurId, userId), eq(pushTokens.actif, true)));
  if (!tokens.length) return 'none';
  const data = Object.fromEntries(Object.entries({ ...donnees, notification_id: d.notificationId }).map(([k, v]) => [k, String(v)]));
  const ids: string[] = [];
  let lastError: ChannelError | null = null;
  for (const t of tokens) {
    try {
      const r = await channels.push.send({
        token: t.token,
        plateforme: t.plateforme,
        titre: d.contenu.titre ?? '',
        corps: d.contenu.corps ?? '',
        donnees: data,
      });
      if (r.providerMessageId) ids.push(r.providerMessageId);
      await db
        .update(pushTokens)
        .set({ notificationsEnvoyees: sql`${pushTokens.notificationsEnvoyees} + 1`, dateModification: new Date() })
        .where(eq(pushTokens.id, t.id));
    } catch (err) {
      const e = err instanceof ChannelError ? err : new ChannelError((err as Error).message, true);
      if (e.deadToken) {
        await db
          .update(pushTokens)
          .set({ actif: false, derniereErreur: e.message, dateModification: new Date() })
          .where(eq(pushTokens.id, t.id));
        ctx.log.info({ pushTokenId: t.id }, `jeton push désactivé : ${e.message}`);
      }
      if (!lastError || (e.retryable && !lastError.retryable)) lastError = e;
    }
  }
  if (ids.length || !lastError) return { providerMessageId: ids.join(',').slice(0, 500) || undefined };
  if (lastError.deadToken && !lastError.retryable) return 'none';
  throw lastError;
}

async function deliverOne(ctx: JobContext, channels: Channels, id: number, maxAttempts: number): Promise<void> {
  const db = ctx.database.db;
  const d = await take(db, id);
  if (!d) return; // sent, failed for good, not due yet, or another worker has it
  const [n] = await db
    .select({ utilisateurId: notifications.utilisateurId, donnees: notifications.donnees, visible: notifications.visible })
    .from(notifications)
    .where(eq(notifications.id, d.notificationId));
  // An account message's link or code is not kept once it has left (or failed for good): only its subject stays.
  const secret = n && !n.visible;
  const done = (set: Partial<Delivery>) =>
    db
      .update(notificationDeliveries)
      .set({ verrouJusqua: null, ...(secret ? { contenu: d.contenu.sujet ? { sujet: d.contenu.sujet } : {} } : {}), ...set })
      .where(eq(notificationDeliveries.id, id));
  const count = deliveryCounter(ctx.metrics);
  try {
    let result: SendResult | 'none';
    if (!n) result = 'none';
    else if (d.canal === 'EMAIL')
      result = await channels.email.send({
        to: d.destinataire,
        subject: d.contenu.sujet ?? '',
        text: d.contenu.texte ?? '',
        html: d.contenu.html,
      });
    else if (d.canal === 'SMS') result = await channels.sms.send({ to: d.destinataire, text: d.contenu.texte ?? '' });
    else result = await sendPush(ctx, channels, d, n.utilisateurId, n.donnees);
    if (result === 'none') {
      await done({ statut: 'IGNOREE', derniereErreur: 'aucun appareil actif' });
      count.inc({ canal: d.canal, resultat: 'ignoree' });
      return;
    }
    await done({ statut: 'ENVOYEE', dateEnvoi: new Date(), derniereErreur: null, idMessageFournisseur: result.providerMessageId ?? null });
    count.inc({ canal: d.canal, resultat: 'envoyee' });
  } catch (err) {
    const e = err instanceof ChannelError ? err : new ChannelError((err as Error).message ?? String(err), true);
    if (!e.retryable || d.tentatives >= maxAttempts) {
      await done({ statut: 'ECHEC', derniereErreur: e.message.slice(0, 2000) });
      count.inc({ canal: d.canal, resultat: 'echec' });
      ctx.log.warn({ deliveryId: id, canal: d.canal, tentatives: d.tentatives }, `notification non délivrée : ${e.message}`);
      return;
    }
    const next = new Date(Date.now() + backoffSeconds(d.tentatives, e.retryAfterSeconds) * 1000);
    await db.transaction(async (tx) => {
      await tx
        .update(notificationDeliveries)
        .set({ statut: 'EN_ATTENTE', verrouJusqua: null, envoyerApres: next, derniereErreur: e.message.slice(0, 2000) })
        .where(eq(notificationDeliveries.id, id));
      await enqueueDeliveries(tx, ctx.jobs, [{ id, envoyerApres: next }], new Date());
    });
    count.inc({ canal: d.canal, resultat: 'nouvel_essai' });
  }
}

export const deliverJob: JobDefinition<{ ids: number[] }> = {
  name: DELIVER_JOB,
  retryLimit: 10,
  retryDelay: 5,
  retryBackoff: true,
  batchSize: 4,
  workers: 4,
  handler: async ({ ids }, ctx) => {
    const channels = channelsFor(ctx.config, ctx.log);
    const { maxAttempts } = notificationSettings(ctx.config);
    // A few at a time: a slow provider does not hold the others back, and one SMTP connection is not flooded.
    const queue = [...ids];
    const lane = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await deliverOne(ctx, channels, id, maxAttempts);
    };
    await Promise.all(Array.from({ length: LANES }, lane));
  },
};

export const emailJob: JobDefinition<EmailMessage> = {
  name: EMAIL_JOB,
  retryLimit: 8,
  retryDelay: 30,
  retryBackoff: true,
  handler: async (message, ctx) => {
    await channelsFor(ctx.config, ctx.log).email.send(message);
  },
};

export const smsJob: JobDefinition<SmsMessage> = {
  name: SMS_JOB,
  retryLimit: 5,
  retryDelay: 30,
  retryBackoff: true,
  handler: async (message, ctx) => {
    await channelsFor(ctx.config, ctx.log).sms.send(message);
  },
};
