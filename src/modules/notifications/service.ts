/**
 * The manual's NotificationService: one call, `notify`, made inside the transaction of the domain change it
 * reports. It writes the in-app notification (one per user and domain event: the dedupe key), one delivery per
 * channel the person's preferences allow (rendered now, from the staff template or the seeded default), and
 * the pg-boss jobs that send them once the transaction commits. Nothing here talks to a provider: a channel
 * that is down slows or fails no user action, its deliveries wait and are retried (delivery.ts).
 *
 * Live updates: a `pg_notify` per new inbox entry, in the same transaction (PostgreSQL delivers it at commit,
 * to every process listening: stream.ts), so an SSE client on any app process hears of it.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { selectRows, type DbOrTx } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import { users } from '../users/tables.js';
import { requireType } from './registry.js';
import { renderNotification, type Rendered } from './render.js';
import { loadPreferences, resolveChannels, type Recipient } from './preferences.js';
import { afterQuietHours, type NotificationSettings } from './settings.js';
import { notificationDeliveries, notifications, notificationTemplates, pushTokens, type Canal } from './tables.js';
import type { TemplateTexts } from './templates/defaults.js';

export const DELIVER_JOB = 'notifications.deliver';
export const STREAM_CHANNEL = 'sv_notifications';
/** Deliveries sent by one job (a fan-out to 10,000 people is 10,000 / this many jobs per channel). */
export const DELIVERY_BATCH = 100;

export interface NotifyDeps {
  jobs: JobQueue;
  settings: Pick<NotificationSettings, 'quiet' | 'timeZone'>;
  now?: () => Date;
}

export interface NotifyRequest {
  type: string;
  userIds: readonly number[];
  /** Names the domain event ("event:42:valide"); with the user, a notification's identity (never twice). */
  dedupKey: string;
  /** Template values shared by every recipient (`{ 'event.titre': … }`). */
  data?: Record<string, unknown>;
  /** Ids the apps use (`event_id`, `payment_id`), in `donnees`. */
  donnees?: Record<string, unknown>;
  /** Transactional messages: the address or phone to use instead of the account's (an account being erased). */
  to?: { email?: string; telephone?: string };
}

async function storedTemplate(db: DbOrTx, type: string): Promise<TemplateTexts | null> {
  const [row] = await db.select().from(notificationTemplates).where(eq(notificationTemplates.typeNotification, type));
  if (!row || !row.actif) return null;
  return {
    titre_push: row.titrePush,
    contenu_push: row.contenuPush,
    sujet_email: row.sujetEmail,
    contenu_email: row.contenuEmail,
    contenu_sms: row.contenuSms,
  };
}

function contentFor(canal: Canal, r: Rendered): Record<string, string> {
  if (canal === 'EMAIL') return { sujet: r.email!.sujet, texte: r.email!.texte, html: r.email!.html };
  if (canal === 'PUSH') return { titre: r.push!.titre, corps: r.push!.corps };
  return { texte: r.sms!.texte };
}

/** Writes the notifications and deliveries of one domain event; returns how many people it notified (new ones). */
export async function notify(tx: DbOrTx, deps: NotifyDeps, req: NotifyRequest): Promise<number> {
  const def = requireType(req.type);
  const ids = [...new Set(req.userIds)];
  if (!ids.length) return 0;
  const now = deps.now?.() ?? new Date();
  const template = await storedTemplate(tx, def.type);
  const people = await tx
    .select({
      id: users.id,
      email: users.email,
      telephone: users.telephone,
      firstName: users.firstName,
      username: users.username,
      notificationsEmail: users.notificationsEmail,
      notificationsPush: users.notificationsPush,
      isActive: users.isActive,
    })
    .from(users)
    // An erased account is told once more (its deletion, at the address given in `to`), nothing else.
    .where(def.transactionnel ? inArray(users.id, ids) : and(inArray(users.id, ids), isNull(users.dateSuppression)));
  const recipients = def.transactionnel ? people : people.filter((p) => p.isActive);
  if (!recipients.length) return 0;
  const withTokens = new Set(
    (
      await tx
        .selectDistinct({ u: pushTokens.utilisateurId })
        .from(pushTokens)
        .where(
          and(
            inArray(
              pushTokens.utilisateurId,
              recipients.map((r) => r.id),
            ),
            eq(pushTokens.actif, true),
          ),
        )
    ).map((r) => r.u),
  );
  const prefs = await loadPreferences(
    tx,
    def.type,
    recipients.map((r) => r.id),
  );

  const plans = recipients.map((p) => {
    const data = { 'utilisateur.prenom': p.firstName || p.username, 'utilisateur.nom_utilisateur': p.username, ...req.data };
    const rendered = renderNotification(def, template, data);
    const recipient: Recipient = {
      id: p.id,
      email: req.to?.email ?? p.email,
      telephone: req.to?.telephone ?? p.telephone,
      notificationsEmail: p.notificationsEmail,
      notificationsPush: p.notificationsPush,
      hasPushToken: withTokens.has(p.id),
    };
    return { p, recipient, rendered, canaux: resolveChannels(def, recipient, prefs.get(p.id) ?? new Map()) };
  });

  // Rows go as one JSON parameter (INSERT … SELECT FROM json_to_recordset): a page of 1,000 people is one
  // statement with a handful of parameters, not thousands for the query builder to assemble.
  const inserted = (
    await selectRows<{ id: string | number; utilisateur_id: number }>(
      tx,
      sql`INSERT INTO ${notifications} (utilisateur_id, type_notification, titre, message, donnees, visible, cle_dedup, date_creation)
          SELECT v.u, ${def.type}, v.t, v.m, ${JSON.stringify(req.donnees ?? {})}::jsonb, ${!def.transactionnel}, ${req.dedupKey}, ${now.toISOString()}::timestamptz
            FROM json_to_recordset(${JSON.stringify(
              plans.map(({ p, rendered }) => ({
                u: p.id,
                t: rendered.titre.slice(0, 300),
                // Account messages carry links and codes: their text stays in the delivery only (blanked once sent).
                m: def.transactionnel ? '' : rendered.message,
              })),
            )}::json) AS v(u int, t text, m text)
          ON CONFLICT (utilisateur_id, cle_dedup) DO NOTHING
          RETURNING id, utilisateur_id`,
    )
  ).map((r) => ({ id: Number(r.id), utilisateurId: Number(r.utilisateur_id) }));
  if (!inserted.length) return 0;
  const byUser = new Map(inserted.map((r) => [r.utilisateurId, r.id]));

  const quietEnd = afterQuietHours(now, deps.settings);
  const rows = plans.flatMap(({ p, recipient, rendered, canaux }) => {
    const notificationId = byUser.get(p.id);
    if (notificationId === undefined) return []; // already notified of this domain event
    return canaux.map((canal) => ({
      n: notificationId,
      c: canal,
      d: canal === 'EMAIL' ? recipient.email : canal === 'SMS' ? recipient.telephone : `utilisateur:${p.id}`,
      x: contentFor(canal, rendered),
      s: rendered.secours[canal] !== undefined,
      e: rendered.secours[canal] ?? null,
      g: canal === 'SMS' ? rendered.sms!.segments : null,
      // Email is silent: only push and SMS wait for the end of the quiet hours, and critical ones never do.
      a: (canal !== 'EMAIL' && !def.critique ? quietEnd : now).toISOString(),
    }));
  });
  if (rows.length) {
    const deliveries: { id: number; envoyerApres: Date }[] = [];
    for (let i = 0; i < rows.length; i += 2000) {
      const part = await selectRows<{ id: string | number; envoyer_apres: Date | string }>(
        tx,
        sql`INSERT INTO ${notificationDeliveries}
              (notification_id, canal, destinataire, contenu, modele_de_secours, erreur_modele, segments_sms, envoyer_apres, date_creation)
            SELECT v.n, v.c, v.d, v.x, v.s, v.e, v.g, v.a, ${now.toISOString()}::timestamptz
              FROM json_to_recordset(${JSON.stringify(rows.slice(i, i + 2000))}::json)
                AS v(n bigint, c text, d text, x jsonb, s boolean, e text, g int, a timestamptz)
            RETURNING id, envoyer_apres`,
      );
      deliveries.push(...part.map((r) => ({ id: Number(r.id), envoyerApres: new Date(r.envoyer_apres) })));
    }
    await enqueueDeliveries(tx, deps.jobs, deliveries, now);
  }
  if (!def.transactionnel) {
    const payloads = inserted.map((r) => JSON.stringify({ u: r.utilisateurId, id: r.id }));
    for (let i = 0; i < payloads.length; i += 1000) {
      await tx.execute(
        sql`SELECT pg_notify(${STREAM_CHANNEL}, x) FROM json_array_elements_text(${JSON.stringify(payloads.slice(i, i + 1000))}::json) x`,
      );
    }
  }
  return inserted.length;
}

/** One job per batch of deliveries due at the same time, in the caller's transaction. */
export async function enqueueDeliveries(
  tx: DbOrTx | undefined,
  jobs: JobQueue,
  deliveries: { id: number; envoyerApres: Date }[],
  now: Date,
) {
  const groups = new Map<number, number[]>();
  for (const d of deliveries) {
    const delay = Math.max(0, Math.ceil((d.envoyerApres.getTime() - now.getTime()) / 1000));
    const g = groups.get(delay) ?? [];
    g.push(d.id);
    groups.set(delay, g);
  }
  const batches: { data: { ids: number[] }; startAfterSeconds?: number }[] = [];
  for (const [delay, ids] of groups) {
    for (let i = 0; i < ids.length; i += DELIVERY_BATCH) {
      batches.push({ data: { ids: ids.slice(i, i + DELIVERY_BATCH) }, ...(delay ? { startAfterSeconds: delay } : {}) });
    }
  }
  // One statement for them all (a fan-out page makes 20).
  await jobs.sendMany(DELIVER_JOB, batches, tx ? { tx } : {});
}
