/** Test helpers for what the notifications module recorded to send (its deliveries), on both databases. */
import type { Database } from '../db/client.js';

export interface QueuedMessage {
  type: string;
  userId: number;
  to: string;
  subject: string;
  text: string;
  statut: string;
}

/** Every email or SMS recorded for sending (the notification's deliveries), oldest first. */
export async function queuedMessages(database: Database, canal: 'EMAIL' | 'SMS' | 'PUSH' = 'EMAIL'): Promise<QueuedMessage[]> {
  const r = await database.query<QueuedMessage>(
    `SELECT n.type_notification AS type, n.utilisateur_id AS "userId", d.destinataire AS to, coalesce(d.contenu->>'sujet', d.contenu->>'titre', '') AS subject,
            coalesce(d.contenu->>'texte', d.contenu->>'corps', '') AS text, d.statut
       FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
      WHERE d.canal = $1 ORDER BY d.id`,
    [canal],
  );
  return r.rows;
}

/** The inbox entries of one type (every user), oldest first. */
export async function notificationsOfType(
  database: Database,
  type: string,
): Promise<{ userId: number; titre: string; message: string; donnees: Record<string, unknown> }[]> {
  const r = await database.query<{ userId: number; titre: string; message: string; donnees: Record<string, unknown> }>(
    `SELECT utilisateur_id AS "userId", titre, message, donnees FROM notifications WHERE type_notification = $1 ORDER BY id`,
    [type],
  );
  return r.rows;
}
