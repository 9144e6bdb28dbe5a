/**
 * Who hears what, on which channel. Defaults come from the registry (API.md: in-app always; email and push for
 * most; SMS only for tickets and payment results, cancellations and the reminder); a person's rows in
 * notification_preferences override them per type and channel; the account's `notifications_email` and
 * `notifications_push` switches turn a whole channel off. Transactional account messages ignore all of it.
 * A channel is used only where there is somewhere to send: an address, a phone, an active push token, and
 * the type has a text for it.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { ValidationError } from '../../core/errors.js';
import { notificationType, preferenceTypes, type NotificationType } from './registry.js';
import { CANAUX, notificationPreferences, type Canal } from './tables.js';

export interface Recipient {
  id: number;
  email: string;
  telephone: string;
  notificationsEmail: boolean;
  notificationsPush: boolean;
  hasPushToken: boolean;
}

export function defaultActive(def: NotificationType, canal: Canal): boolean {
  return def.canaux.includes(canal);
}

/** The channels a notification of `def` takes to `r`, given the person's own choices (`prefs`: canal → actif). */
export function resolveChannels(def: NotificationType, r: Recipient, prefs: ReadonlyMap<Canal, boolean>): Canal[] {
  const reachable = (c: Canal) =>
    c === 'EMAIL'
      ? !!r.email && def.modeles.sujet_email.trim() !== ''
      : c === 'SMS'
        ? !!r.telephone && def.modeles.contenu_sms.trim() !== ''
        : r.hasPushToken && def.modeles.titre_push.trim() !== '';
  if (def.transactionnel) return def.canaux.filter(reachable);
  return CANAUX.filter((c) => {
    if (!reachable(c)) return false;
    if (c === 'EMAIL' && !r.notificationsEmail) return false;
    if (c === 'PUSH' && !r.notificationsPush) return false;
    return prefs.get(c) ?? defaultActive(def, c);
  });
}

/** Every user's own choices for one type: user id → (canal → actif). */
export async function loadPreferences(db: DbOrTx, type: string, userIds: number[]): Promise<Map<number, Map<Canal, boolean>>> {
  const out = new Map<number, Map<Canal, boolean>>();
  if (!userIds.length) return out;
  const rows = await db
    .select()
    .from(notificationPreferences)
    .where(and(eq(notificationPreferences.typeNotification, type), inArray(notificationPreferences.utilisateurId, userIds)));
  for (const r of rows) {
    const m = out.get(r.utilisateurId) ?? new Map<Canal, boolean>();
    m.set(r.canal, r.actif);
    out.set(r.utilisateurId, m);
  }
  return out;
}

export interface PreferenceItem {
  type_notification: string;
  canal: Canal;
  actif: boolean;
}

/** GET /api/notifications/preferences/: every type × channel, defaults filled in. */
export async function listPreferences(db: DbOrTx, userId: number): Promise<PreferenceItem[]> {
  const rows = await db.select().from(notificationPreferences).where(eq(notificationPreferences.utilisateurId, userId));
  const own = new Map(rows.map((r) => [`${r.typeNotification}:${r.canal}`, r.actif]));
  return preferenceTypes().flatMap((def) =>
    CANAUX.map((canal) => ({
      type_notification: def.type,
      canal,
      actif: own.get(`${def.type}:${canal}`) ?? defaultActive(def, canal),
    })),
  );
}

/** PUT /api/notifications/preferences/: changes the pairs given (unknown type or channel: 400 naming it). */
export async function savePreferences(db: DbOrTx, userId: number, items: { type_notification: string; canal: string; actif: boolean }[]) {
  const details: Record<string, string[]> = {};
  items.forEach((it, i) => {
    const def = notificationType(it.type_notification);
    if (!def || def.transactionnel) details[`${i}.type_notification`] = [`Type de notification inconnu : « ${it.type_notification} ».`];
    if (!(CANAUX as readonly string[]).includes(it.canal))
      details[`${i}.canal`] = [`Canal inconnu : « ${it.canal} » (EMAIL, PUSH ou SMS).`];
  });
  if (Object.keys(details).length) throw new ValidationError(details);
  if (items.length) {
    await db.transaction(async (tx) => {
      for (const it of items) {
        await tx
          .insert(notificationPreferences)
          .values({ utilisateurId: userId, typeNotification: it.type_notification, canal: it.canal as Canal, actif: it.actif })
          .onConflictDoUpdate({
            target: [notificationPreferences.utilisateurId, notificationPreferences.typeNotification, notificationPreferences.canal],
            set: { actif: it.actif },
          });
      }
    });
  }
  return listPreferences(db, userId);
}
