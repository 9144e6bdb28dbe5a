/**
 * SMS: the Orange SMS API for Côte d'Ivoire (`SMS_BACKEND=orange`), or the log (`console`, development only:
 * the production configuration check refuses it, since codes would end up in logs and nobody would get them).
 *
 * Orange: OAuth2 client credentials (`POST /oauth/v3/token`, Basic client_id:client_secret), token cached until
 * shortly before `expires_in`, refreshed once on a 401; then
 * `POST /smsmessaging/v1/outbound/tel%3A%2B{sender}/requests` with `outboundSMSMessageRequest`. The message id
 * is the last segment of the answer's `resourceURL`. 429/503 (with Retry-After) and 5xx are retried; a
 * `requestError` (bad number: SVC0004; no credit: POL0001…) is final. With ORANGE_SMS_RECEIPT_SECRET set,
 * each message asks for a delivery receipt (`receiptRequest: {notifyURL, callbackData}`, receipts.ts).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../../config.js';
import { cachedToken, ChannelError, fetchWithTimeout, oauthValidityMs, retryAfter, type SendResult } from './types.js';
import { smsReceiptRequest } from '../receipts.js';

export interface SmsMessage {
  to: string;
  text: string;
  /** The delivery it sends: with receipts configured, Orange reports back on it (receiptRequest.callbackData). */
  deliveryId?: number | undefined;
}

export interface SmsChannel {
  readonly name: 'console' | 'orange';
  send(message: SmsMessage): Promise<SendResult>;
}

export interface OrangeSmsSettings {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The sender's number as Orange registered it (+2250000…). */
  senderAddress: string;
  senderName?: string | undefined;
  timeoutMs: number;
  /** Delivery receipts: where Orange posts them and the signed callbackData of a delivery (receipts.ts). */
  receipts?: { notifyUrl: string; callbackData(deliveryId: number): string } | undefined;
}

export function smsBackend(config: Config): 'console' | 'orange' {
  return config.env.SMS_BACKEND ?? (config.env.ORANGE_SMS_CLIENT_ID ? 'orange' : 'console');
}

export function orangeSmsSettings(config: Config): OrangeSmsSettings {
  const env = config.env;
  return {
    baseUrl: (env.ORANGE_SMS_BASE_URL ?? 'https://api.orange.com').replace(/\/+$/, ''),
    clientId: env.ORANGE_SMS_CLIENT_ID ?? '',
    clientSecret: env.ORANGE_SMS_CLIENT_SECRET ?? '',
    senderAddress: env.ORANGE_SMS_SENDER_ADDRESS ?? '',
    senderName: env.ORANGE_SMS_SENDER_NAME,
    timeoutMs: env.NOTIFICATIONS_HTTP_TIMEOUT_MS,
    receipts: smsReceiptRequest(config),
  };
}

export function consoleSms(log: FastifyBaseLogger): SmsChannel {
  return {
    name: 'console',
    send: async (m) => {
      log.info({ sms: { to: m.to }, body: m.text }, `SMS (console) à ${m.to}`);
      return {};
    },
  };
}

export function orangeSms(s: OrangeSmsSettings): SmsChannel {
  const sender = s.senderAddress.replace(/^\+/, '');

  const accessToken = cachedToken(async () => {
    const res = await fetchWithTimeout(
      `${s.baseUrl}/oauth/v3/token`,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${s.clientId}:${s.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
      },
      s.timeoutMs,
      'Orange SMS (jeton)',
    );
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (!res.ok || !body.access_token) {
      throw new ChannelError(
        `Orange SMS : jeton refusé (HTTP ${res.status})`,
        res.status >= 500 || res.status === 429,
        retryAfter(res.headers.get('retry-after')),
      );
    }
    return { value: body.access_token, validForMs: oauthValidityMs(body.expires_in) };
  });

  async function post(m: SmsMessage, bearer: string): Promise<Response> {
    const receipt = s.receipts && m.deliveryId !== undefined ? s.receipts : null;
    return fetchWithTimeout(
      `${s.baseUrl}/smsmessaging/v1/outbound/tel%3A%2B${sender}/requests`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          outboundSMSMessageRequest: {
            address: `tel:${m.to}`,
            senderAddress: `tel:+${sender}`,
            ...(s.senderName ? { senderName: s.senderName } : {}),
            outboundSMSTextMessage: { message: m.text },
            ...(receipt ? { receiptRequest: { notifyURL: receipt.notifyUrl, callbackData: receipt.callbackData(m.deliveryId!) } } : {}),
          },
        }),
      },
      s.timeoutMs,
      'Orange SMS',
    );
  }

  return {
    name: 'orange',
    send: async (m) => {
      let res = await post(m, await accessToken(false));
      if (res.status === 401) res = await post(m, await accessToken(true)); // expired before its time
      const body = (await res.json().catch(() => ({}))) as {
        outboundSMSMessageRequest?: { resourceURL?: string };
        requestError?: Record<string, { messageId?: string; text?: string; variables?: string[] }>;
      };
      if (res.status === 201 || res.status === 200) {
        const url = body.outboundSMSMessageRequest?.resourceURL ?? '';
        return { providerMessageId: url.split('/').pop() || undefined };
      }
      const e = body.requestError ? Object.values(body.requestError)[0] : undefined;
      const detail = e ? `${e.messageId ?? ''} ${(e.text ?? '').replace('%1', e.variables?.[0] ?? '')}`.trim() : `HTTP ${res.status}`;
      const retryable = res.status === 429 || res.status >= 500 || res.status === 401;
      throw new ChannelError(`Orange SMS : ${detail}`, retryable, retryAfter(res.headers.get('retry-after')));
    },
  };
}

export function createSmsChannel(config: Config, log: FastifyBaseLogger): SmsChannel {
  return smsBackend(config) === 'orange' ? orangeSms(orangeSmsSettings(config)) : consoleSms(log);
}
