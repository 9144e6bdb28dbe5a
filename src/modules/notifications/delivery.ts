/**
 * Sending what `notify` recorded. A `notifications.deliver` job carries up to DELIVERY_BATCH delivery ids; it
 * claims the due ones in one statement (EN_ATTENTE → EN_COURS with a lease, SKIP LOCKED), so a duplicated job,
 * two workers or a retried batch never send one twice; a process that dies mid-send leaves a lease that runs
 * out and the delivery is taken again. The provider calls overlap (bounded), then every result is written in
 * one statement. A failure the provider may get over (timeout, 5xx, 429/503 with Retry-After) puts the
 * delivery back to EN_ATTENTE with a backoff (at least the Retry-After) and a new job; once a provider has
 * asked to wait, the job's deliveries not yet sent to it wait too, untried. A final failure (bad number, dead
 * token, attempts used up) is ECHEC with its error, which staff see. An SMS may later be confirmed (DELIVRE) or
 * refused (ECHEC) by the operator's delivery receipt (receipts.ts). The job itself fails only when the
 * database does (pg-boss then retries it whole, harmlessly).
 *
 * `queueEmail` / `queueSms` remain for mail that is not a notification of a person's account (none today).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { selectRows, type DbOrTx } from '../../db/client.js';
import type { Config } from '../../config.js';
import type { JobContext, JobDefinition, JobQueue } from '../../jobs/queue.js';
import { createEmailChannel, type EmailChannel, type EmailMessage } from './channels/email.js';
import { createSmsChannel, type SmsChannel, type SmsMessage } from './channels/sms.js';
import { createPushChannel, type PushChannel } from './channels/push.js';
import { ChannelError, type SendResult } from './channels/types.js';
import { developmentMessagingConfig } from './channels/development.js';
import { notificationDeliveries, notifications, pushTokens, type Canal } from './tables.js';
import { DELIVER_JOB, DELIVERY_BATCH, enqueueDeliveries } from './service.js';
import { notificationSettings } from './settings.js';
import { deliveryCounter } from './metrics.js';

export const EMAIL_JOB = 'notifications.email';
export const SMS_JOB = 'notifications.sms';
/** How long a taken delivery is its sender's before another may take it (the provider calls time out sooner). */
const LEASE_SECONDS = 120;
/** Emails of one job sent at once (each is an SMTP connection): the server is not flooded. */
const EMAIL_LANES = 4;

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

/** A delivery taken by this job (claim), with what its notification says. */
interface Claimed {
  id: number;
  notificationId: number;
  canal: Canal;
  destinataire: string;
  contenu: Record<string, string>;
  /** Attempts so far, this one included: the result is written only if it is still this attempt's row. */
  tentatives: number;
  utilisateurId: number | null;
  donnees: Record<string, unknown> | null;
  visible: boolean | null;
}

/**
 * Takes, in one statement, those of `ids` that are due and free (EN_ATTENTE, or EN_COURS whose lease ran out):
 * EN_COURS with a lease, one more attempt. Rows another worker holds are skipped (SKIP LOCKED), and once it
 * commits they are EN_COURS, so a duplicated job or two workers given the same ids take each delivery once.
 */
async function claim(db: DbOrTx, ids: readonly number[]): Promise<Claimed[]> {
  const rows = await selectRows<Record<string, unknown>>(
    db,
    sql`WITH picked AS (
          SELECT d.id FROM ${notificationDeliveries} d
           WHERE d.id IN (SELECT x::bigint FROM json_array_elements_text(${JSON.stringify([...new Set(ids)])}::json) x)
             AND d.envoyer_apres <= now() + interval '2 seconds'
             AND (d.statut = 'EN_ATTENTE' OR (d.statut = 'EN_COURS' AND d.verrou_jusqua < now()))
           ORDER BY d.id
           LIMIT ${DELIVERY_BATCH * 2}
           FOR UPDATE SKIP LOCKED
        ), claimed AS (
          UPDATE ${notificationDeliveries} d
             SET statut = 'EN_COURS', tentatives = d.tentatives + 1, verrou_jusqua = now() + make_interval(secs => ${LEASE_SECONDS})
            FROM picked WHERE d.id = picked.id
          RETURNING d.id, d.notification_id, d.canal, d.destinataire, d.contenu, d.tentatives
        )
        SELECT c.id, c.notification_id, c.canal, c.destinataire, c.contenu, c.tentatives,
               n.utilisateur_id, n.donnees, n.visible
          FROM claimed c LEFT JOIN ${notifications} n ON n.id = c.notification_id
         ORDER BY c.id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    notificationId: Number(r.notification_id),
    canal: r.canal as Canal,
    destinataire: String(r.destinataire),
    contenu: (typeof r.contenu === 'string' ? JSON.parse(r.contenu) : r.contenu) as Record<string, string>,
    tentatives: Number(r.tentatives),
    utilisateurId: r.utilisateur_id === null ? null : Number(r.utilisateur_id),
    donnees: (typeof r.donnees === 'string' ? JSON.parse(r.donnees) : r.donnees) as Record<string, unknown> | null,
    visible: r.visible === null ? null : Boolean(r.visible),
  }));
}

type Outcome =
  | { kind: 'sent'; providerMessageId: string | undefined }
  | { kind: 'none'; reason: string }
  | { kind: 'retry'; error: string; at: Date }
  | { kind: 'failed'; error: string }
  /** Not tried: its provider asked to wait (Retry-After) earlier in this job; the attempt is not counted. */
  | { kind: 'deferred'; error: string; at: Date };

type Token = typeof pushTokens.$inferSelect;
/** Who answers a send: a provider that says "wait" (429/503 + Retry-After) is left alone for the rest of the job. */
type Provider = 'smtp' | 'sms' | 'fcm' | 'apns';
const providerOf = (t: Pick<Token, 'plateforme'>): Provider => (t.plateforme === 'IOS' ? 'apns' : 'fcm');

/** At most `n` of these at once. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (running >= n) await new Promise<void>((r) => waiting.push(r));
    running += 1;
    try {
      return await fn();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

const asChannelError = (err: unknown) =>
  err instanceof ChannelError ? err : new ChannelError((err as Error)?.message ?? String(err), true);

interface PushResult {
  result: SendResult | 'none';
  sent: number[];
  dead: { id: number; error: string }[];
}

async function sendPush(
  channels: Channels,
  d: Claimed,
  tokens: Token[],
  onError: (p: Provider, e: ChannelError) => void,
): Promise<PushResult> {
  const out: PushResult = { result: 'none', sent: [], dead: [] };
  if (!tokens.length) return out;
  const data = Object.fromEntries(Object.entries({ ...d.donnees, notification_id: d.notificationId }).map(([k, v]) => [k, String(v)]));
  const ids: string[] = [];
  let lastError: ChannelError | null = null;
  await Promise.all(
    tokens.map(async (t) => {
      try {
        const r = await channels.push.send({
          token: t.token,
          plateforme: t.plateforme,
          titre: d.contenu.titre ?? '',
          corps: d.contenu.corps ?? '',
          donnees: data,
        });
        if (r.providerMessageId) ids.push(r.providerMessageId);
        out.sent.push(t.id);
      } catch (err) {
        const e = asChannelError(err);
        onError(providerOf(t), e);
        if (e.deadToken) out.dead.push({ id: t.id, error: e.message });
        if (!lastError || (e.retryable && !lastError.retryable)) lastError = e;
      }
    }),
  );
  if (out.sent.length || !lastError) out.result = { providerMessageId: ids.join(',').slice(0, 500) || undefined };
  else if ((lastError as ChannelError).deadToken && !(lastError as ChannelError).retryable) out.result = 'none';
  else throw Object.assign(lastError, { pushResult: out });
  return out;
}

/**
 * One job: claim its deliveries (one statement), read the push tokens they need (one), send them with at most
 * NOTIFICATIONS_SEND_CONCURRENCY provider calls in flight (FCM over a pool of keep-alive connections, APNs over
 * one HTTP/2 session, SMTP at most EMAIL_LANES at once), then write every result, the push tokens' counters and
 * dead tokens, and the retries' jobs in one transaction (a handful of statements, whatever the batch size). A
 * result is written only if the row is still this attempt's (its lease may have run out and been taken over),
 * and never over a status an SMS delivery receipt set meanwhile (receipts.ts).
 */
async function deliverBatch(ctx: JobContext, channels: Channels, ids: readonly number[]): Promise<void> {
  const db = ctx.database.db;
  const { maxAttempts, sendConcurrency } = notificationSettings(ctx.config);
  const claimed = await claim(db, ids);
  if (!claimed.length) return; // sent, failed for good, not due yet, or another worker has them
  const pushUsers = [...new Set(claimed.filter((d) => d.canal === 'PUSH' && d.utilisateurId !== null).map((d) => d.utilisateurId!))];
  const tokensByUser = new Map<number, Token[]>();
  if (pushUsers.length) {
    const rows = await db
      .select()
      .from(pushTokens)
      .where(and(inArray(pushTokens.utilisateurId, pushUsers), eq(pushTokens.actif, true)));
    for (const t of rows) tokensByUser.set(t.utilisateurId, [...(tokensByUser.get(t.utilisateurId) ?? []), t]);
  }

  const pausedUntil = new Map<Provider, number>();
  const onError = (p: Provider, e: ChannelError) => {
    if (e.retryable && e.retryAfterSeconds !== undefined)
      pausedUntil.set(p, Math.max(pausedUntil.get(p) ?? 0, Date.now() + e.retryAfterSeconds * 1000));
  };
  const paused = (providers: Provider[]) => {
    const until = Math.max(0, ...providers.map((p) => pausedUntil.get(p) ?? 0));
    return until > Date.now() ? new Date(until) : null;
  };
  const failure = (d: Claimed, e: ChannelError): Outcome =>
    !e.retryable || d.tentatives >= maxAttempts
      ? { kind: 'failed', error: e.message.slice(0, 2000) }
      : {
          kind: 'retry',
          error: e.message.slice(0, 2000),
          at: new Date(Date.now() + backoffSeconds(d.tentatives, e.retryAfterSeconds) * 1000),
        };

  const anyCall = limiter(sendConcurrency);
  const smtpCall = limiter(Math.min(sendConcurrency, EMAIL_LANES));
  const sentTokens: number[] = [];
  const deadTokens: { id: number; error: string }[] = [];
  const outcomes = await Promise.all(
    claimed.map((d) =>
      (d.canal === 'EMAIL' ? (fn: () => Promise<Outcome>) => smtpCall(() => anyCall(fn)) : anyCall)(async (): Promise<Outcome> => {
        if (d.utilisateurId === null) return { kind: 'none', reason: 'notification supprimée' };
        const tokens = d.canal === 'PUSH' ? (tokensByUser.get(d.utilisateurId) ?? []) : [];
        const providers: Provider[] = d.canal === 'EMAIL' ? ['smtp'] : d.canal === 'SMS' ? ['sms'] : tokens.map(providerOf);
        const wait = paused(providers);
        if (wait) return { kind: 'deferred', error: 'fournisseur en pause (Retry-After), pas encore essayé', at: wait };
        try {
          if (d.canal === 'EMAIL') {
            const r = await channels.email.send({
              to: d.destinataire,
              subject: d.contenu.sujet ?? '',
              text: d.contenu.texte ?? '',
              html: d.contenu.html,
            });
            return { kind: 'sent', providerMessageId: r.providerMessageId };
          }
          if (d.canal === 'SMS') {
            const r = await channels.sms.send({ to: d.destinataire, text: d.contenu.texte ?? '', deliveryId: d.id });
            return { kind: 'sent', providerMessageId: r.providerMessageId };
          }
          try {
            const p = await sendPush(channels, d, tokens, onError);
            sentTokens.push(...p.sent);
            deadTokens.push(...p.dead);
            return p.result === 'none'
              ? { kind: 'none', reason: 'aucun appareil actif' }
              : { kind: 'sent', providerMessageId: p.result.providerMessageId };
          } catch (err) {
            const p = (err as { pushResult?: PushResult }).pushResult;
            if (p) deadTokens.push(...p.dead);
            throw err;
          }
        } catch (err) {
          const e = asChannelError(err);
          if (d.canal !== 'PUSH') onError(d.canal === 'EMAIL' ? 'smtp' : 'sms', e);
          return failure(d, e);
        }
      }),
    ),
  );

  // An account message's link or code is not kept once it has left (or failed for good): only its subject stays.
  const rows = claimed.map((d, i) => {
    const o = outcomes[i]!;
    const final = o.kind === 'sent' || o.kind === 'none' || o.kind === 'failed';
    const statut = o.kind === 'sent' ? 'ENVOYEE' : o.kind === 'none' ? 'IGNOREE' : o.kind === 'failed' ? 'ECHEC' : 'EN_ATTENTE';
    return {
      id: d.id,
      tentatives: d.tentatives,
      statut,
      erreur: o.kind === 'sent' ? null : o.kind === 'none' ? o.reason : o.error,
      fournisseur: o.kind === 'sent' ? (o.providerMessageId ?? null) : null,
      envoyer_apres: o.kind === 'retry' || o.kind === 'deferred' ? o.at.toISOString() : null,
      contenu: final && d.visible === false ? (d.contenu.sujet ? { sujet: d.contenu.sujet } : {}) : null,
      delta: o.kind === 'deferred' ? -1 : 0,
    };
  });
  const again = claimed.flatMap((d, i) => {
    const o = outcomes[i]!;
    return o.kind === 'retry' || o.kind === 'deferred' ? [{ id: d.id, envoyerApres: o.at }] : [];
  });
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      UPDATE ${notificationDeliveries} d SET
        statut = CASE WHEN d.date_remise IS NOT NULL THEN d.statut ELSE v.statut END,
        verrou_jusqua = NULL,
        tentatives = d.tentatives + v.delta,
        derniere_erreur = CASE WHEN d.date_remise IS NOT NULL THEN d.derniere_erreur
                               WHEN v.statut = 'ENVOYEE' THEN NULL ELSE coalesce(v.erreur, d.derniere_erreur) END,
        id_message_fournisseur = coalesce(v.fournisseur, d.id_message_fournisseur),
        date_envoi = CASE WHEN v.statut = 'ENVOYEE' THEN now() ELSE d.date_envoi END,
        envoyer_apres = coalesce(v.envoyer_apres, d.envoyer_apres),
        contenu = coalesce(v.contenu, d.contenu)
      FROM json_to_recordset(${JSON.stringify(rows)}::json)
        AS v(id bigint, tentatives int, statut text, erreur text, fournisseur text, envoyer_apres timestamptz, contenu jsonb, delta int)
      WHERE d.id = v.id AND d.tentatives = v.tentatives AND (d.statut = 'EN_COURS' OR d.date_remise IS NOT NULL)`);
    const counts = new Map<number, number>();
    for (const id of sentTokens) counts.set(id, (counts.get(id) ?? 0) + 1);
    if (counts.size) {
      await tx.execute(sql`
        UPDATE ${pushTokens} t SET notifications_envoyees = t.notifications_envoyees + v.n, date_modification = now()
          FROM json_to_recordset(${JSON.stringify([...counts].map(([id, n]) => ({ id, n })))}::json) AS v(id int, n int)
         WHERE t.id = v.id`);
    }
    if (deadTokens.length) {
      await tx.execute(sql`
        UPDATE ${pushTokens} t SET actif = false, derniere_erreur = v.error, date_modification = now()
          FROM json_to_recordset(${JSON.stringify(deadTokens)}::json) AS v(id int, error text)
         WHERE t.id = v.id`);
    }
    if (again.length) await enqueueDeliveries(tx, ctx.jobs, again, new Date());
  });

  const count = deliveryCounter(ctx.metrics);
  for (const [i, d] of claimed.entries()) {
    const o = outcomes[i]!;
    const resultat = { sent: 'envoyee', none: 'ignoree', failed: 'echec', retry: 'nouvel_essai', deferred: 'differee' }[o.kind];
    count.inc({ canal: d.canal, resultat });
    if (o.kind === 'failed')
      ctx.log.warn({ deliveryId: d.id, canal: d.canal, tentatives: d.tentatives }, `notification non délivrée : ${o.error}`);
  }
  for (const t of deadTokens) ctx.log.info({ pushTokenId: t.id }, `jeton push désactivé : ${t.error}`);
}

export const deliverJob: JobDefinition<{ ids: number[] }> = {
  name: DELIVER_JOB,
  retryLimit: 10,
  retryDelay: 5,
  retryBackoff: true,
  // One job per fetch: a worker never sits on fetched jobs, one after the other, while the others wait for
  // their next poll (the calls inside a job already overlap).
  batchSize: 1,
  workers: 4,
  handler: async ({ ids }, ctx) => {
    await deliverBatch(ctx, channelsFor(ctx.config, ctx.log), ids);
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
