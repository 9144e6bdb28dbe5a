/**
 * Push to phones and browsers: FCM HTTP v1 for ANDROID and WEB, APNs (HTTP/2, token-based .p8 auth) for IOS,
 * or the log when neither is configured (development). Plain clients on `jose` and Node's `http2`
 * (firebase-admin 14 needs Node 22).
 *
 * FCM: an OAuth2 access token from the service account (a JWT signed RS256 with its private key, exchanged at
 * its token_uri), cached until shortly before expiry and refreshed once on a 401; then, over a few keep-alive
 * connections (node:http, lighter than fetch for thousands of sends),
 * `POST /v1/projects/{id}/messages:send`. UNREGISTERED (404) and INVALID_ARGUMENT (400) mean the token is dead.
 * APNs: a provider JWT (ES256, kid = key id, iss = team id) reused for 50 minutes (Apple refuses one older than
 * an hour and throttles fresher ones), `POST /3/device/{token}` over one HTTP/2 session; 410 Unregistered and
 * 400 BadDeviceToken mean dead; 403 ExpiredProviderToken makes a new JWT. 429/503 are retried after Retry-After.
 */
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { importPKCS8, SignJWT } from 'jose';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../../config.js';
import type { Plateforme } from '../tables.js';
import {
  cachedToken,
  ChannelError,
  fetchWithTimeout,
  keepAlivePool,
  oauthValidityMs,
  postJson,
  retryAfter,
  type SendResult,
} from './types.js';

export interface PushMessage {
  token: string;
  plateforme: Plateforme;
  titre: string;
  corps: string;
  donnees: Record<string, string>;
}

export interface PushChannel {
  send(m: PushMessage): Promise<SendResult>;
  close(): void;
}

interface ServiceAccount {
  client_email: string;
  private_key: string;
  token_uri?: string;
  project_id?: string;
}

export interface FcmSettings {
  baseUrl: string;
  tokenUrl: string | undefined;
  projectId: string;
  serviceAccount: ServiceAccount;
  timeoutMs: number;
  /** Keep-alive connections to FCM at most (the send concurrency of the jobs sharing them). */
  maxSockets: number;
}

export interface ApnsSettings {
  baseUrl: string;
  key: string;
  keyId: string;
  teamId: string;
  topic: string;
  timeoutMs: number;
}

/** A value given inline or as the path of a file holding it (keys are easier to mount as files). */
function inlineOrFile(v: string): string {
  const s = v.trim();
  return s.startsWith('{') || s.startsWith('-----BEGIN') ? s : readFileSync(s, 'utf8');
}

export function fcmSettings(config: Config): FcmSettings | null {
  const env = config.env;
  if (!env.FCM_SERVICE_ACCOUNT) return null;
  const sa = JSON.parse(inlineOrFile(env.FCM_SERVICE_ACCOUNT)) as ServiceAccount;
  return {
    baseUrl: (env.FCM_BASE_URL ?? 'https://fcm.googleapis.com').replace(/\/+$/, ''),
    tokenUrl: env.FCM_TOKEN_URL,
    projectId: env.FCM_PROJECT_ID ?? sa.project_id ?? '',
    serviceAccount: sa,
    timeoutMs: env.NOTIFICATIONS_HTTP_TIMEOUT_MS,
    maxSockets: Math.max(4, env.NOTIFICATIONS_SEND_CONCURRENCY * 2),
  };
}

export function apnsSettings(config: Config): ApnsSettings | null {
  const env = config.env;
  if (!env.APNS_KEY || !env.APNS_KEY_ID || !env.APNS_TEAM_ID || !env.APNS_TOPIC) return null;
  return {
    baseUrl: (env.APNS_BASE_URL ?? 'https://api.push.apple.com').replace(/\/+$/, ''),
    key: inlineOrFile(env.APNS_KEY),
    keyId: env.APNS_KEY_ID,
    teamId: env.APNS_TEAM_ID,
    topic: env.APNS_TOPIC,
    timeoutMs: env.NOTIFICATIONS_HTTP_TIMEOUT_MS,
  };
}

/** Problems with the push settings (checkConfig): unreadable key files, half-configured APNs. */
export function checkPushConfig(config: Config): string[] {
  const problems: string[] = [];
  try {
    const s = fcmSettings(config);
    if (s && (!s.serviceAccount.client_email || !s.serviceAccount.private_key))
      problems.push('FCM_SERVICE_ACCOUNT: client_email et private_key attendus');
    if (s && !s.projectId) problems.push('FCM_PROJECT_ID: obligatoire (absent du compte de service)');
  } catch (err) {
    problems.push(`FCM_SERVICE_ACCOUNT: illisible (${(err as Error).message})`);
  }
  const env = config.env;
  const apns = [env.APNS_KEY, env.APNS_KEY_ID, env.APNS_TEAM_ID, env.APNS_TOPIC];
  if (apns.some(Boolean) && !apns.every(Boolean)) problems.push('APNS_KEY, APNS_KEY_ID, APNS_TEAM_ID, APNS_TOPIC: tous ou aucun');
  try {
    apnsSettings(config);
  } catch (err) {
    problems.push(`APNS_KEY: illisible (${(err as Error).message})`);
  }
  return problems;
}

export function fcmClient(s: FcmSettings): ((m: PushMessage) => Promise<SendResult>) & { close(): void } {
  const tokenUrl = s.tokenUrl ?? s.serviceAccount.token_uri ?? 'https://oauth2.googleapis.com/token';
  let key: CryptoKey | null = null;

  const accessToken = cachedToken(async () => {
    key ??= (await importPKCS8(s.serviceAccount.private_key, 'RS256')) as CryptoKey;
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ scope: 'https://www.googleapis.com/auth/firebase.messaging' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(s.serviceAccount.client_email)
      .setAudience(tokenUrl)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(key);
    const res = await fetchWithTimeout(
      tokenUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      },
      s.timeoutMs,
      'FCM (jeton)',
    );
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (!res.ok || !body.access_token)
      throw new ChannelError(`FCM : jeton OAuth2 refusé (HTTP ${res.status})`, res.status >= 500 || res.status === 429);
    return { value: body.access_token, validForMs: oauthValidityMs(body.expires_in) };
  });

  // The sends reuse a few keep-alive connections (the token exchange, once an hour, uses fetch).
  const pool = keepAlivePool(s.baseUrl, s.maxSockets);
  const send = async (m: PushMessage, bearer: string) =>
    postJson(
      pool.agent,
      `${s.baseUrl}/v1/projects/${encodeURIComponent(s.projectId)}/messages:send`,
      { authorization: `Bearer ${bearer}` },
      {
        message: {
          token: m.token,
          notification: { title: m.titre, body: m.corps },
          data: m.donnees,
          ...(m.plateforme === 'ANDROID' ? { android: { priority: 'high' } } : {}),
        },
      },
      s.timeoutMs,
      'FCM',
    );

  const client = async (m: PushMessage): Promise<SendResult> => {
    let res = await send(m, await accessToken(false));
    if (res.status === 401) res = await send(m, await accessToken(true));
    const body = res.json() as {
      name?: string;
      error?: { status?: string; message?: string; details?: { errorCode?: string }[] };
    };
    if (res.status >= 200 && res.status < 300) return { providerMessageId: body.name };
    const code = body.error?.details?.find((d) => d.errorCode)?.errorCode ?? body.error?.status ?? `HTTP ${res.status}`;
    const dead = code === 'UNREGISTERED' || code === 'INVALID_ARGUMENT';
    const retryable = !dead && (res.status === 429 || res.status >= 500 || res.status === 401);
    throw new ChannelError(
      `FCM : ${code}${body.error?.message ? ` (${body.error.message})` : ''}`,
      retryable,
      retryAfter(res.header('retry-after')),
      dead,
    );
  };
  return Object.assign(client, { close: pool.close });
}

export function apnsClient(s: ApnsSettings): { send: (m: PushMessage) => Promise<SendResult>; close(): void } {
  let session: http2.ClientHttp2Session | null = null;
  let key: CryptoKey | null = null;

  // APNs accepts a provider token for an hour and throttles fresher ones: one every 50 minutes.
  const providerToken = cachedToken(async () => {
    key ??= (await importPKCS8(s.key, 'ES256')) as CryptoKey;
    const value = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: s.keyId }).setIssuer(s.teamId).setIssuedAt().sign(key);
    return { value, validForMs: 50 * 60_000 };
  });

  function connect(): http2.ClientHttp2Session {
    if (session && !session.closed && !session.destroyed) return session;
    const sess = http2.connect(s.baseUrl);
    sess.on('error', () => undefined); // reported through the request that was using it
    sess.on('close', () => {
      if (session === sess) session = null;
    });
    sess.unref();
    session = sess;
    return sess;
  }

  function request(m: PushMessage, bearer: string): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      let req: http2.ClientHttp2Stream;
      try {
        req = connect().request({
          ':method': 'POST',
          ':path': `/3/device/${encodeURIComponent(m.token)}`,
          authorization: `bearer ${bearer}`,
          'apns-topic': s.topic,
          'apns-push-type': 'alert',
          'apns-priority': '10',
          'content-type': 'application/json',
        });
      } catch (err) {
        reject(new ChannelError(`APNs injoignable : ${(err as Error).message}`, true));
        return;
      }
      const timer = setTimeout(() => {
        req.close(http2.constants.NGHTTP2_CANCEL);
        reject(new ChannelError(`APNs : pas de réponse en ${s.timeoutMs} ms`, true));
      }, s.timeoutMs);
      let headers: http2.IncomingHttpHeaders = {};
      let body = '';
      req.setEncoding('utf8');
      req.on('response', (h) => (headers = h));
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        clearTimeout(timer);
        resolve({ status: Number(headers[':status'] ?? 0), headers, body });
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(new ChannelError(`APNs injoignable : ${err.message}`, true));
      });
      req.end(JSON.stringify({ aps: { alert: { title: m.titre, body: m.corps }, sound: 'default' }, ...m.donnees }));
    });
  }

  return {
    send: async (m) => {
      let res = await request(m, await providerToken(false));
      let reason = res.body ? ((JSON.parse(res.body) as { reason?: string }).reason ?? '') : '';
      if (res.status === 403 && reason === 'ExpiredProviderToken') {
        res = await request(m, await providerToken(true));
        reason = res.body ? ((JSON.parse(res.body) as { reason?: string }).reason ?? '') : '';
      }
      if (res.status === 200) return { providerMessageId: String(res.headers['apns-id'] ?? '') || undefined };
      const dead = res.status === 410 || reason === 'BadDeviceToken' || reason === 'Unregistered';
      const retryable = !dead && (res.status === 429 || res.status >= 500);
      const ra = res.headers['retry-after'];
      throw new ChannelError(`APNs : ${reason || `HTTP ${res.status}`}`, retryable, retryAfter(Array.isArray(ra) ? ra[0] : ra), dead);
    },
    close: () => session?.close(),
  };
}

export function createPushChannel(config: Config, log: FastifyBaseLogger): PushChannel {
  const fcmS = fcmSettings(config);
  const apnsS = apnsSettings(config);
  const fcm = fcmS ? fcmClient(fcmS) : null;
  const apns = apnsS ? apnsClient(apnsS) : null;
  return {
    send: async (m) => {
      if (m.plateforme === 'IOS' && apns) return apns.send(m);
      if (m.plateforme !== 'IOS' && fcm) return fcm(m);
      log.info({ push: { plateforme: m.plateforme }, titre: m.titre, corps: m.corps }, `push (console) : ${m.titre}`);
      return {};
    },
    close: () => {
      apns?.close();
      fcm?.close();
    },
  };
}
