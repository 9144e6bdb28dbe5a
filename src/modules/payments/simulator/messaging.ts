/**
 * Stand-ins for the messaging providers the notifications module speaks to, as strict as the real APIs, so
 * its real clients run end to end on loopback (and a new developer sees every SMS and push on the simulator's
 * page, /__simulator/messages):
 *
 * - Orange SMS API: OAuth2 client credentials at /oauth/v3/token (shared with Orange Money, other client id),
 *   `POST /smsmessaging/v1/outbound/{tel:+sender}/requests`: bearer checked (401 code 42 when expired), sender
 *   in the path equal to `senderAddress`, E.164 `tel:` address, `requestError.serviceException` SVC0002/SVC0004.
 *   A message with `receiptRequest: {notifyURL, callbackData}` gets its delivery receipt posted there shortly
 *   after (`deliveryInfoNotification`: DeliveredToTerminal, or DeliveryImpossible for a number made unreachable).
 * - FCM HTTP v1: the service account's signed JWT exchanged at /token (signature, issuer, audience, scope
 *   checked), `POST /v1/projects/{id}/messages:send` (bearer, project): UNREGISTERED for a token made invalid,
 *   INVALID_ARGUMENT for a malformed message.
 * - APNs (apns.ts): HTTP/2 on its own port, ES256 provider tokens.
 *
 * Test hooks: make a device token invalid, inject 429/503 with Retry-After or a hang, expire every bearer.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { SIMULATOR_APNS_PRIVATE_KEY, SIMULATOR_FCM_PRIVATE_KEY } from './messaging-keys.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { jwtVerify } from 'jose';
import { randomId } from './state.js';

export type MessagingService = 'sms' | 'fcm' | 'apns';

export interface MessagingFault {
  service: MessagingService;
  status: number;
  retryAfter?: number;
  /** Never answer (the client's timeout ends the request). */
  hang?: boolean;
  count: number;
}

export interface ReceivedSms {
  id: string;
  to: string;
  sender: string;
  senderName: string | null;
  text: string;
  at: string;
}

export interface SentReceipt {
  url: string;
  callbackData: string;
  address: string;
  deliveryStatus: 'DeliveredToTerminal' | 'DeliveryImpossible';
  /** The HTTP status the application answered, or the error when it could not be reached. */
  answer: number | string | null;
}

export interface ReceivedPush {
  id: string;
  service: 'fcm' | 'apns';
  token: string;
  titre: string;
  corps: string;
  donnees: Record<string, unknown>;
  at: string;
}

export interface MessagingCredentials {
  sms: { clientId: string; clientSecret: string; senderAddress: string };
  fcm: { projectId: string; clientEmail: string; privateKeyPem: string; publicKey: KeyObject };
  apns: { keyId: string; teamId: string; topic: string; privateKeyPem: string; publicKey: KeyObject };
}

/** The stand-ins verify signatures for real, with the simulator's public development keys (messaging-keys.ts). */
let made: MessagingCredentials | null = null;
export function messagingCredentials(): MessagingCredentials {
  made ??= {
    sms: { clientId: 'simulateur-orange-sms', clientSecret: 'secret-simulateur-orange-sms', senderAddress: '+2250000' },
    fcm: {
      projectId: 'spotvibe-simulateur',
      clientEmail: 'simulateur@spotvibe-simulateur.iam.gserviceaccount.com',
      privateKeyPem: SIMULATOR_FCM_PRIVATE_KEY,
      publicKey: createPublicKey(SIMULATOR_FCM_PRIVATE_KEY),
    },
    apns: {
      keyId: 'SIMKEY1234',
      teamId: 'SIMTEAM123',
      topic: 'ci.spotvibe.app',
      privateKeyPem: SIMULATOR_APNS_PRIVATE_KEY,
      publicKey: createPublicKey(SIMULATOR_APNS_PRIVATE_KEY),
    },
  };
  return made;
}

/** The settings (environment variables) that point the notifications module's clients at these stand-ins. */
export function messagingEnv(url: string, apnsUrl: string, c: MessagingCredentials = messagingCredentials()): Record<string, string> {
  const base = url.replace(/\/+$/, '');
  return {
    SMS_BACKEND: 'orange',
    ORANGE_SMS_BASE_URL: base,
    ORANGE_SMS_CLIENT_ID: c.sms.clientId,
    ORANGE_SMS_CLIENT_SECRET: c.sms.clientSecret,
    ORANGE_SMS_SENDER_ADDRESS: c.sms.senderAddress,
    ORANGE_SMS_SENDER_NAME: 'SpotVibe',
    FCM_BASE_URL: base,
    FCM_TOKEN_URL: `${base}/token`,
    FCM_PROJECT_ID: c.fcm.projectId,
    FCM_SERVICE_ACCOUNT: JSON.stringify({
      type: 'service_account',
      project_id: c.fcm.projectId,
      client_email: c.fcm.clientEmail,
      private_key: c.fcm.privateKeyPem,
      token_uri: `${base}/token`,
    }),
    APNS_BASE_URL: apnsUrl,
    APNS_KEY: c.apns.privateKeyPem,
    APNS_KEY_ID: c.apns.keyId,
    APNS_TEAM_ID: c.apns.teamId,
    APNS_TOPIC: c.apns.topic,
  };
}

export class MessagingState {
  readonly sms: ReceivedSms[] = [];
  readonly pushes: ReceivedPush[] = [];
  readonly invalidTokens = new Set<string>();
  /** Numbers (E.164) whose SMS are never delivered: their receipt says DeliveryImpossible. */
  readonly unreachableNumbers = new Set<string>();
  readonly receipts: SentReceipt[] = [];
  /** How long after accepting an SMS its delivery receipt is posted. */
  receiptDelayMs = 100;
  faults: MessagingFault[] = [];
  private readonly bearers = new Map<string, { service: 'sms' | 'fcm'; expiresAt: number }>();
  tokensIssued = 0;

  constructor(private readonly ttlSeconds = 3600) {}

  issue(service: 'sms' | 'fcm'): { token: string; expiresIn: number } {
    const token = randomId(24);
    this.bearers.set(token, { service, expiresAt: Date.now() + this.ttlSeconds * 1000 });
    this.tokensIssued += 1;
    return { token, expiresIn: this.ttlSeconds };
  }

  check(auth: string | undefined, service: 'sms' | 'fcm'): 'ok' | 'expired' | 'invalid' {
    const m = /^Bearer (\S+)$/.exec(auth ?? '');
    const b = m ? this.bearers.get(m[1]!) : undefined;
    if (!b || b.service !== service) return 'invalid';
    return b.expiresAt > Date.now() ? 'ok' : 'expired';
  }

  expireAll(): void {
    for (const b of this.bearers.values()) b.expiresAt = 0;
  }

  takeFault(service: MessagingService): MessagingFault | null {
    const f = this.faults.find((x) => x.service === service && x.count > 0);
    if (!f) return null;
    f.count -= 1;
    this.faults = this.faults.filter((x) => x.count > 0);
    return f;
  }
}

function faultReply(reply: FastifyReply, f: MessagingFault): FastifyReply | undefined {
  if (f.hang) {
    reply.hijack();
    return reply;
  }
  if (f.retryAfter !== undefined) reply.header('retry-after', String(f.retryAfter));
  return reply
    .code(f.status)
    .send({ error: { code: f.status, message: 'Panne simulée', status: f.status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE' } });
}

const E164 = /^\+[1-9]\d{6,14}$/;

export function messagingRoutes(app: FastifyInstance, state: MessagingState, creds: MessagingCredentials, publicUrl: () => string): void {
  const smsSender = creds.sms.senderAddress.replace(/^\+/, '');

  app.post<{ Params: { sender: string } }>('/smsmessaging/v1/outbound/:sender/requests', async (req, reply) => {
    const f = state.takeFault('sms');
    if (f) return faultReply(reply, f);
    const auth = state.check(req.headers.authorization, 'sms');
    if (auth !== 'ok') {
      return auth === 'expired'
        ? reply.code(401).send({
            code: 42,
            message: 'Expired credentials',
            description: 'The requested service needs credentials, but the ones provided have expired.',
          })
        : reply.code(401).send({
            code: 41,
            message: 'Invalid credentials',
            description: 'The requested service needs credentials, but the ones provided were invalid.',
          });
    }
    const svc = (messageId: string, text: string, variables: string[]) =>
      reply.code(400).send({ requestError: { serviceException: { messageId, text, variables } } });
    if (req.params.sender !== `tel:+${smsSender}`) return svc('SVC0002', 'Invalid input value for message part %1', ['senderAddress']);
    const r = (req.body as { outboundSMSMessageRequest?: Record<string, unknown> } | null)?.outboundSMSMessageRequest;
    if (!r) return svc('SVC0002', 'Invalid input value for message part %1', ['outboundSMSMessageRequest']);
    const address = typeof r.address === 'string' ? r.address : '';
    if (r.senderAddress !== `tel:+${smsSender}`) return svc('SVC0002', 'Invalid input value for message part %1', ['senderAddress']);
    if (!address.startsWith('tel:') || !E164.test(address.slice(4)))
      return svc('SVC0004', 'No valid addresses provided in message part %1', ['address']);
    const text = (r.outboundSMSTextMessage as { message?: unknown } | undefined)?.message;
    if (typeof text !== 'string' || !text)
      return svc('SVC0002', 'Invalid input value for message part %1', ['outboundSMSTextMessage.message']);
    const receipt = r.receiptRequest as { notifyURL?: unknown; callbackData?: unknown } | undefined;
    if (receipt !== undefined) {
      let ok = typeof receipt?.notifyURL === 'string';
      try {
        ok &&= ['http:', 'https:'].includes(new URL(receipt.notifyURL as string).protocol);
      } catch {
        ok = false;
      }
      if (!ok) return svc('SVC0002', 'Invalid input value for message part %1', ['receiptRequest.notifyURL']);
      if (receipt.callbackData !== undefined && typeof receipt.callbackData !== 'string')
        return svc('SVC0002', 'Invalid input value for message part %1', ['receiptRequest.callbackData']);
    }
    const id = randomId(12);
    if (receipt) sendReceipt(state, receipt.notifyURL as string, (receipt.callbackData as string | undefined) ?? '', address);
    state.sms.push({
      id,
      to: address.slice(4),
      sender: `+${smsSender}`,
      senderName: typeof r.senderName === 'string' ? r.senderName : null,
      text,
      at: new Date().toISOString(),
    });
    return reply.code(201).send({
      outboundSMSMessageRequest: { ...r, resourceURL: `${publicUrl()}/smsmessaging/v1/outbound/tel%3A%2B${smsSender}/requests/${id}` },
    });
  });

  // Google's token endpoint for service accounts: the JWT bearer grant (RFC 7523).
  app.post('/token', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, string>;
    if (body.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || !body.assertion) {
      return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'Invalid grant_type.' });
    }
    try {
      const { payload } = await jwtVerify(body.assertion, creds.fcm.publicKey, {
        issuer: creds.fcm.clientEmail,
        audience: `${publicUrl()}/token`,
        algorithms: ['RS256'],
      });
      if (
        !String(payload.scope ?? '')
          .split(' ')
          .includes('https://www.googleapis.com/auth/firebase.messaging')
      )
        throw new Error('scope');
    } catch {
      return reply.code(400).send({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    }
    const { token, expiresIn } = state.issue('fcm');
    return { access_token: token, expires_in: expiresIn, token_type: 'Bearer' };
  });

  const fcmError = (reply: FastifyReply, code: number, status: string, message: string, errorCode?: string) =>
    reply.code(code).send({
      error: {
        code,
        message,
        status,
        ...(errorCode ? { details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] } : {}),
      },
    });

  app.post<{ Params: { project: string } }>('/v1/projects/:project/messages::send', async (req, reply) => {
    const f = state.takeFault('fcm');
    if (f) return faultReply(reply, f);
    const auth = state.check(req.headers.authorization, 'fcm');
    if (auth !== 'ok') return fcmError(reply, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    if (req.params.project !== creds.fcm.projectId)
      return fcmError(reply, 403, 'PERMISSION_DENIED', 'Permission denied on project.', 'SENDER_ID_MISMATCH');
    const m = (
      req.body as {
        message?: { token?: unknown; notification?: { title?: unknown; body?: unknown }; data?: Record<string, unknown> };
      } | null
    )?.message;
    if (!m || typeof m.token !== 'string' || !m.token)
      return fcmError(reply, 400, 'INVALID_ARGUMENT', 'Recipient of the message is not set.', 'INVALID_ARGUMENT');
    if (m.data && Object.values(m.data).some((v) => typeof v !== 'string')) {
      return fcmError(reply, 400, 'INVALID_ARGUMENT', 'Invalid value at message.data: values must be strings.', 'INVALID_ARGUMENT');
    }
    if (!/^[\w:-]{8,}$/.test(m.token))
      return fcmError(reply, 400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', 'INVALID_ARGUMENT');
    if (state.invalidTokens.has(m.token)) return fcmError(reply, 404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED');
    const id = randomId(10);
    state.pushes.push({
      id,
      service: 'fcm',
      token: m.token,
      titre: String(m.notification?.title ?? ''),
      corps: String(m.notification?.body ?? ''),
      donnees: m.data ?? {},
      at: new Date().toISOString(),
    });
    return { name: `projects/${creds.fcm.projectId}/messages/${id}` };
  });

  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  app.get('/__simulator/messages', async (_req, reply) => {
    const sms = [...state.sms]
      .reverse()
      .map((s) => `<tr><td>${esc(s.at)}</td><td>${esc(s.to)}</td><td>${esc(s.senderName ?? s.sender)}</td><td>${esc(s.text)}</td></tr>`);
    const push = [...state.pushes]
      .reverse()
      .map(
        (p) =>
          `<tr><td>${esc(p.at)}</td><td>${p.service.toUpperCase()}</td><td>${esc(p.token.slice(0, 16))}…</td><td><b>${esc(p.titre)}</b><br>${esc(p.corps)}</td></tr>`,
      );
    reply.type('text/html; charset=utf-8');
    return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Messages reçus — simulateur SpotVibe</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;width:100%;margin-bottom:2rem}td,th{border:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}th{background:#f4f4f4}</style></head>
<body><h1>Messages reçus par le simulateur</h1><p>SMS (Orange) et notifications push (FCM, APNs) envoyés par SpotVibe en développement ; la page se recharge toutes les 5 secondes.</p>
<h2>SMS (${state.sms.length})</h2><table><tr><th>Reçu le</th><th>Destinataire</th><th>Expéditeur</th><th>Texte</th></tr>${sms.join('') || '<tr><td colspan="4">Aucun SMS pour le moment.</td></tr>'}</table>
<h2>Notifications push (${state.pushes.length})</h2><table><tr><th>Reçue le</th><th>Service</th><th>Appareil</th><th>Contenu</th></tr>${push.join('') || '<tr><td colspan="4">Aucune notification push pour le moment.</td></tr>'}</table></body></html>`;
  });
  app.get('/__simulator/messages.json', async () => ({ sms: state.sms, pushes: state.pushes, receipts: state.receipts }));
  app.post<{ Body: { token?: string } }>('/__simulator/push-tokens/invalidate', async (req, reply) => {
    if (!req.body?.token) return reply.code(400).send({ error: 'token attendu' });
    state.invalidTokens.add(req.body.token);
    return reply.code(201).send({ invalides: state.invalidTokens.size });
  });
  app.post<{ Body: Partial<MessagingFault> }>('/__simulator/messaging-faults', async (req, reply) => {
    const b = req.body ?? {};
    if (!b.service || !['sms', 'fcm', 'apns'].includes(b.service)) return reply.code(400).send({ error: 'service : sms, fcm ou apns' });
    state.faults.push({
      service: b.service,
      status: b.status ?? 503,
      count: b.count ?? 1,
      ...(b.retryAfter !== undefined ? { retryAfter: b.retryAfter } : {}),
      ...(b.hang ? { hang: true } : {}),
    });
    return reply.code(201).send({ faults: state.faults });
  });
}

/** Posts a delivery receipt as Orange does, after state.receiptDelayMs; the answer is recorded in state.receipts. */
function sendReceipt(state: MessagingState, url: string, callbackData: string, address: string): void {
  const deliveryStatus = state.unreachableNumbers.has(address.slice(4)) ? 'DeliveryImpossible' : 'DeliveredToTerminal';
  const sent: SentReceipt = { url, callbackData, address, deliveryStatus, answer: null };
  state.receipts.push(sent);
  setTimeout(() => {
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deliveryInfoNotification: { callbackData, deliveryInfo: { address, deliveryStatus } } }),
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        sent.answer = res.status;
      })
      .catch((err: Error) => (sent.answer = err.message));
  }, state.receiptDelayMs).unref();
}

/** The Basic header Orange's token endpoint accepts for the SMS API's client. */
export function smsBasic(creds: MessagingCredentials): string {
  return `Basic ${Buffer.from(`${creds.sms.clientId}:${creds.sms.clientSecret}`).toString('base64')}`;
}
