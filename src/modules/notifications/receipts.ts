/**
 * SMS delivery receipts from the Orange SMS API (its "Real time SMS DR"; GSMA OneAPI's delivery notification).
 *
 * With ORANGE_SMS_RECEIPT_SECRET set, every SMS is sent with `receiptRequest: {notifyURL, callbackData}`:
 * notifyURL is ORANGE_SMS_RECEIPT_URL, else `{PUBLIC_BASE_URL}/api/notifications/sms/orange/receipts/`, and
 * callbackData is `{delivery id}.{HMAC-SHA256 of it under the secret}`. Orange then posts
 *
 *   {"deliveryInfoNotification": {"callbackData": "…",
 *     "deliveryInfo": {"address": "tel:+225…", "deliveryStatus": "DeliveredToTerminal"}}}
 *
 * The signature is the authentication (the route has no other): a forged or altered callbackData is a 401, one
 * that names no SMS delivery (pruned since, or another address) a 404, and neither changes anything.
 * `DeliveredToTerminal` makes the delivery DELIVRE; `DeliveryImpossible` makes it ECHEC with the reason;
 * intermediate states (DeliveredToNetwork, MessageWaiting, DeliveryUncertain, DeliveryNotificationNotSupported)
 * are acknowledged and change nothing. A receipt that arrives before the sender wrote its result, or while
 * the delivery waits for a retry, wins: the receipt is the operator's word that the phone got it (or never
 * will), and a DELIVRE delivery is never sent again. A repeated receipt changes nothing.
 */
import { createHmac } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { DbOrTx } from '../../db/client.js';
import { safeEqual } from '../../core/tokens.js';
import { BadRequestError, NotFoundError, UnauthorizedError } from '../../core/errors.js';
import { notificationDeliveries } from './tables.js';

export const RECEIPT_PATH = '/api/notifications/sms/orange/receipts/';

export interface ReceiptSettings {
  secret: string;
  notifyUrl: string;
}

export function receiptSettings(config: Config): ReceiptSettings | null {
  const secret = config.env.ORANGE_SMS_RECEIPT_SECRET;
  if (!secret) return null;
  const base = config.env.ORANGE_SMS_RECEIPT_URL ?? (config.publicBaseUrl ? `${config.publicBaseUrl}${RECEIPT_PATH}` : undefined);
  return base ? { secret, notifyUrl: base } : null;
}

function signature(secret: string, deliveryId: number): string {
  return createHmac('sha256', secret).update(`spotvibe-sms-dr:${deliveryId}`).digest('base64url');
}

export function callbackDataFor(secret: string, deliveryId: number): string {
  return `${deliveryId}.${signature(secret, deliveryId)}`;
}

/** What the Orange client adds to each message (channels/sms.ts), or undefined when receipts are off. */
export function smsReceiptRequest(config: Config): { notifyUrl: string; callbackData(id: number): string } | undefined {
  const s = receiptSettings(config);
  return s ? { notifyUrl: s.notifyUrl, callbackData: (id) => callbackDataFor(s.secret, id) } : undefined;
}

/** The delivery a callbackData names, if its signature holds. */
export function verifyCallbackData(secret: string, value: string): number | null {
  const m = /^(\d{1,18})\.([\w-]{43})$/.exec(value);
  if (!m) return null;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) && safeEqual(m[2]!, signature(secret, id)) ? id : null;
}

export const DELIVERY_STATUSES = {
  DeliveredToTerminal: 'DELIVRE',
  DeliveryImpossible: 'ECHEC',
  DeliveredToNetwork: null,
  MessageWaiting: null,
  DeliveryUncertain: null,
  DeliveryNotificationNotSupported: null,
} as const;
export type OrangeDeliveryStatus = keyof typeof DELIVERY_STATUSES;

export interface DeliveryReceipt {
  deliveryInfoNotification?: {
    callbackData?: unknown;
    deliveryInfo?: { address?: unknown; deliveryStatus?: unknown } | { address?: unknown; deliveryStatus?: unknown }[];
  };
}

const digits = (s: string) => s.replace(/^tel:/, '').replace(/\D/g, '');

/** Applies one receipt; the outcome says what changed (`inchange` for an intermediate or repeated one). */
export async function applyReceipt(
  db: DbOrTx,
  settings: ReceiptSettings | null,
  body: DeliveryReceipt,
): Promise<{ delivery: number; statut: 'DELIVRE' | 'ECHEC' | 'inchange' }> {
  if (!settings) throw new NotFoundError('Les accusés de réception SMS ne sont pas activés.');
  const n = body.deliveryInfoNotification;
  const info = Array.isArray(n?.deliveryInfo) ? n.deliveryInfo[0] : n?.deliveryInfo;
  if (!n || typeof n.callbackData !== 'string' || !info || typeof info.deliveryStatus !== 'string')
    throw new BadRequestError(
      'Accusé de réception illisible : deliveryInfoNotification.callbackData et deliveryInfo.deliveryStatus attendus.',
    );
  const id = verifyCallbackData(settings.secret, n.callbackData);
  if (id === null) throw new UnauthorizedError('Accusé de réception refusé : callbackData non reconnu.', 'invalid_receipt');
  if (!(info.deliveryStatus in DELIVERY_STATUSES))
    throw new BadRequestError(`Accusé de réception : état de remise inconnu « ${info.deliveryStatus.slice(0, 40)} ».`);
  const [d] = await db
    .select({ id: notificationDeliveries.id, destinataire: notificationDeliveries.destinataire })
    .from(notificationDeliveries)
    .where(and(eq(notificationDeliveries.id, id), eq(notificationDeliveries.canal, 'SMS')));
  // The address, when given, must be the one the SMS went to (a receipt is about one message to one phone).
  if (!d || (typeof info.address === 'string' && digits(info.address) !== digits(d.destinataire)))
    throw new NotFoundError('Accusé de réception : aucun envoi SMS correspondant.');
  const target = DELIVERY_STATUSES[info.deliveryStatus as OrangeDeliveryStatus];
  if (!target) return { delivery: id, statut: 'inchange' };
  const reason = `Orange SMS : remise impossible (${info.deliveryStatus})`;
  // DELIVRE is final; ECHEC from a receipt does not undo a DELIVRE (receipts may arrive out of order).
  const [row] = await db
    .update(notificationDeliveries)
    .set({
      statut: target,
      dateRemise: sql`now()`,
      verrouJusqua: null,
      ...(target === 'DELIVRE' ? {} : { derniereErreur: reason }),
    })
    .where(
      and(
        eq(notificationDeliveries.id, id),
        target === 'DELIVRE'
          ? sql`${notificationDeliveries.statut} <> 'DELIVRE'`
          : sql`${notificationDeliveries.statut} NOT IN ('DELIVRE', 'ECHEC')`,
      ),
    )
    .returning({ id: notificationDeliveries.id });
  return { delivery: id, statut: row ? target : 'inchange' };
}
