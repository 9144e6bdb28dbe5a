/**
 * APNs as the simulator speaks it: HTTP/2 (cleartext on loopback; Apple's is TLS), `POST /3/device/{token}`
 * with a provider token (ES256 JWT, `kid` = key id, `iss` = team id, at most an hour old: 403
 * ExpiredProviderToken past that, 403 InvalidProviderToken when the signature or ids are wrong), `apns-topic`
 * required (400 MissingTopic), a device token of 64 hex characters (400 BadDeviceToken), 410 Unregistered for a
 * token made invalid, and the injected faults (429 TooManyRequests, 503 ServiceUnavailable with Retry-After).
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { randomUUID } from 'node:crypto';
import type { MessagingCredentials, MessagingState } from './messaging.js';

export interface ApnsStandIn {
  url: string;
  close(): Promise<void>;
}

export async function startApnsStandIn(
  state: MessagingState,
  creds: MessagingCredentials['apns'],
  host: string,
  port: number,
): Promise<ApnsStandIn> {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => (body += c));
    stream.on('end', () => void answer());
    const send = (status: number, reason?: string, extra: Record<string, string> = {}) => {
      stream.respond({ ':status': status, 'apns-id': randomUUID(), ...extra, ...(reason ? { 'content-type': 'application/json' } : {}) });
      stream.end(reason ? JSON.stringify({ reason, ...(status === 410 ? { timestamp: Date.now() } : {}) }) : undefined);
    };
    const answer = async () => {
      const m = /^\/3\/device\/([^/?]+)$/.exec(String(headers[':path'] ?? ''));
      if (headers[':method'] !== 'POST' || !m) return send(404, 'BadPath');
      const fault = state.takeFault('apns');
      if (fault) {
        if (fault.hang) return; // never answered
        return send(
          fault.status,
          fault.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable',
          fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {},
        );
      }
      const auth = /^bearer (\S+)$/i.exec(String(headers.authorization ?? ''));
      if (!auth) return send(403, 'MissingProviderToken');
      try {
        if (decodeProtectedHeader(auth[1]!).kid !== creds.keyId) return send(403, 'InvalidProviderToken');
        const { payload } = await jwtVerify(auth[1]!, creds.publicKey, { issuer: creds.teamId, algorithms: ['ES256'] });
        if (!payload.iat || Date.now() / 1000 - payload.iat > 3600) return send(403, 'ExpiredProviderToken');
      } catch {
        return send(403, 'InvalidProviderToken');
      }
      if (!headers['apns-topic']) return send(400, 'MissingTopic');
      if (headers['apns-topic'] !== creds.topic) return send(400, 'TopicDisallowed');
      const token = decodeURIComponent(m[1]!);
      if (!/^[0-9a-fA-F]{64}$/.test(token)) return send(400, 'BadDeviceToken');
      if (state.invalidTokens.has(token)) return send(410, 'Unregistered');
      let payload: { aps?: { alert?: { title?: string; body?: string } } } & Record<string, unknown>;
      try {
        payload = JSON.parse(body) as typeof payload;
      } catch {
        return send(400, 'PayloadEmpty');
      }
      const { aps, ...donnees } = payload;
      state.pushes.push({
        id: randomUUID(),
        service: 'apns',
        token,
        titre: aps?.alert?.title ?? '',
        corps: aps?.alert?.body ?? '',
        donnees,
        at: new Date().toISOString(),
      });
      send(200);
    };
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}
