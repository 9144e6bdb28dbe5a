/**
 * The in-app inbox (GET/POST/DELETE /api/notifications/…) and the push tokens of a person's devices. Every
 * query is scoped by the owner: another user's notification or token is a 404, never a 403 that would confirm
 * it exists.
 */
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { paginate, type PageRequest, type PageSlice } from '../../core/pagination.js';
import { notificationDeliveries, notificationPreferences, notifications, pushTokens, PLATEFORMES, type Plateforme } from './tables.js';

export const NOTIFICATION_NOT_FOUND = 'Notification introuvable.';
export const PUSH_TOKEN_MAX = 512;

export interface NotificationOut {
  id: number;
  type_notification: string;
  titre: string;
  message: string;
  lue: boolean;
  date_creation: string;
  donnees: Record<string, unknown>;
}

type Row = typeof notifications.$inferSelect;

export function toOut(n: Pick<Row, 'id' | 'typeNotification' | 'titre' | 'message' | 'lue' | 'dateCreation' | 'donnees'>): NotificationOut {
  return {
    id: n.id,
    type_notification: n.typeNotification,
    titre: n.titre,
    message: n.message,
    lue: n.lue,
    date_creation: n.dateCreation.toISOString(),
    donnees: n.donnees,
  };
}

const mine = (userId: number) => and(eq(notifications.utilisateurId, userId), eq(notifications.visible, true));

export async function listInbox(db: DbOrTx, userId: number, page: PageRequest, lue?: boolean): Promise<PageSlice<NotificationOut>> {
  const where = lue === undefined ? mine(userId) : and(mine(userId), eq(notifications.lue, lue));
  return paginate(
    page,
    async () =>
      (
        await db
          .select({ n: sql<number>`count(*)::int` })
          .from(notifications)
          .where(where)
      )[0]!.n,
    async (limit, offset) =>
      (
        await db
          .select()
          .from(notifications)
          .where(where)
          .orderBy(desc(notifications.dateCreation), desc(notifications.id))
          .limit(limit)
          .offset(offset)
      ).map(toOut),
  );
}

export async function unreadCount(db: DbOrTx, userId: number): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(mine(userId), eq(notifications.lue, false)));
  return r!.n;
}

export async function getNotification(db: DbOrTx, userId: number, id: number): Promise<NotificationOut> {
  const [n] = await db
    .select()
    .from(notifications)
    .where(and(mine(userId), eq(notifications.id, id)));
  if (!n) throw new NotFoundError(NOTIFICATION_NOT_FOUND);
  return toOut(n);
}

export async function markRead(db: DbOrTx, userId: number, id: number): Promise<NotificationOut> {
  const [n] = await db
    .update(notifications)
    .set({ lue: true, dateLecture: sql`coalesce(${notifications.dateLecture}, now())` })
    .where(and(mine(userId), eq(notifications.id, id)))
    .returning();
  if (!n) throw new NotFoundError(NOTIFICATION_NOT_FOUND);
  return toOut(n);
}

export async function markAllRead(db: DbOrTx, userId: number): Promise<number> {
  const rows = await db
    .update(notifications)
    .set({ lue: true, dateLecture: sql`now()` })
    .where(and(mine(userId), eq(notifications.lue, false)))
    .returning({ id: notifications.id });
  return rows.length;
}

export async function deleteNotification(db: DbOrTx, userId: number, id: number): Promise<void> {
  const rows = await db
    .delete(notifications)
    .where(and(mine(userId), eq(notifications.id, id)))
    .returning({ id: notifications.id });
  if (!rows.length) throw new NotFoundError(NOTIFICATION_NOT_FOUND);
}

// --- Push tokens ---

export interface PushTokenOut {
  id: number;
  token: string;
  plateforme: Plateforme;
  actif: boolean;
  notifications_envoyees: number;
  date_creation: string;
}

function tokenOut(t: typeof pushTokens.$inferSelect): PushTokenOut {
  return {
    id: t.id,
    token: t.token,
    plateforme: t.plateforme,
    actif: t.actif,
    notifications_envoyees: t.notificationsEnvoyees,
    date_creation: t.dateCreation.toISOString(),
  };
}

/**
 * Registers a device (API.md: 201, or 200 when the token is already known; a token another account registered
 * moves to this one, since a phone has one signed-in person at a time). The device's API token is kept: logging
 * that device out deactivates its push token (a trigger on auth_tokens, migration 0011).
 */
export async function registerPushToken(
  db: DbOrTx,
  userId: number,
  authTokenId: number | null,
  input: { token: unknown; plateforme: unknown },
): Promise<{ created: boolean; token: PushTokenOut }> {
  const details: Record<string, string[]> = {};
  const token = typeof input.token === 'string' ? input.token.trim() : '';
  if (!token) details.token = ['Ce champ est obligatoire.'];
  else if (token.length > PUSH_TOKEN_MAX) details.token = [`Jeton trop long (${PUSH_TOKEN_MAX} caractères au plus).`];
  else if (!/^[\x21-\x7e]+$/.test(token)) details.token = ['Jeton invalide : caractères imprimables sans espace attendus.'];
  if (!(PLATEFORMES as readonly unknown[]).includes(input.plateforme)) {
    details.plateforme = [`Plateforme inconnue : « ${String(input.plateforme ?? '')} » (ANDROID, IOS ou WEB).`];
  }
  if (Object.keys(details).length) throw new ValidationError(details);
  const plateforme = input.plateforme as Plateforme;
  return db.transaction(async (tx) => {
    const [existing] = await tx.select().from(pushTokens).where(eq(pushTokens.token, token)).for('update');
    if (existing) {
      const [t] = await tx
        .update(pushTokens)
        .set({ utilisateurId: userId, plateforme, actif: true, authTokenId, derniereErreur: null, dateModification: new Date() })
        .where(eq(pushTokens.id, existing.id))
        .returning();
      return { created: false, token: tokenOut(t!) };
    }
    const [t] = await tx
      .insert(pushTokens)
      .values({ utilisateurId: userId, token, plateforme, authTokenId })
      .onConflictDoUpdate({ target: pushTokens.token, set: { utilisateurId: userId, plateforme, actif: true, authTokenId } })
      .returning();
    return { created: true, token: tokenOut(t!) };
  });
}

export async function listPushTokens(db: DbOrTx, userId: number): Promise<PushTokenOut[]> {
  const rows = await db.select().from(pushTokens).where(eq(pushTokens.utilisateurId, userId)).orderBy(desc(pushTokens.dateCreation));
  return rows.map(tokenOut);
}

export async function deletePushToken(db: DbOrTx, userId: number, id: number): Promise<void> {
  const rows = await db
    .delete(pushTokens)
    .where(and(eq(pushTokens.utilisateurId, userId), eq(pushTokens.id, id)))
    .returning({ id: pushTokens.id });
  if (!rows.length) throw new NotFoundError('Appareil introuvable.');
}

// --- Privacy and retention ---

export async function eraseNotifications(tx: DbOrTx, userId: number): Promise<void> {
  await tx.delete(notifications).where(eq(notifications.utilisateurId, userId));
  await tx.delete(pushTokens).where(eq(pushTokens.utilisateurId, userId));
  await tx.delete(notificationPreferences).where(eq(notificationPreferences.utilisateurId, userId));
}

export async function exportNotifications(db: DbOrTx, userId: number) {
  const inbox = await db.select().from(notifications).where(mine(userId)).orderBy(desc(notifications.dateCreation)).limit(1000);
  const prefs = await db.select().from(notificationPreferences).where(eq(notificationPreferences.utilisateurId, userId));
  return {
    boite: inbox.map(toOut),
    preferences: prefs.map((p) => ({ type_notification: p.typeNotification, canal: p.canal, actif: p.actif })),
    appareils: (await listPushTokens(db, userId)).map(({ plateforme, actif, date_creation }) => ({ plateforme, actif, date_creation })),
  };
}

/** The daily prune: read notifications and finished deliveries past their retention (settings). */
export async function pruneNotifications(
  db: DbOrTx,
  readDays: number,
  deliveryDays: number,
): Promise<{ notifications: number; deliveries: number }> {
  const deliveries = await db
    .delete(notificationDeliveries)
    .where(
      and(
        sql`${notificationDeliveries.statut} IN ('ENVOYEE', 'DELIVRE', 'ECHEC', 'IGNOREE')`,
        lt(notificationDeliveries.dateCreation, sql`now() - make_interval(days => ${deliveryDays})`),
      ),
    )
    .returning({ id: notificationDeliveries.id });
  // Read inbox entries, and account messages (never shown) once their deliveries are gone.
  const gone = await db
    .delete(notifications)
    .where(
      sql`(${notifications.lue} AND ${notifications.dateLecture} < now() - make_interval(days => ${readDays}))
          OR (NOT ${notifications.visible} AND ${notifications.dateCreation} < now() - make_interval(days => ${deliveryDays}))`,
    )
    .returning({ id: notifications.id });
  return { notifications: gone.length, deliveries: deliveries.length };
}
