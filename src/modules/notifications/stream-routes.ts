/**
 * The live stream (GET /api/notifications/stream/, Server-Sent Events) and its browser tickets
 * (stream-tickets.ts): with the API token in the Authorization header, or with `?ticket=` for EventSource.
 * Outside the inbox routes' "authenticated" hook: a ticket request has no header, the handler authorizes.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { UnauthorizedError } from '../../core/errors.js';
import { errors, tokenAuth } from '../../core/schemas.js';
import { SHUTDOWN_RETRY_MS } from '../../core/lifecycle.js';
import { getNotification, unreadCount } from './inbox.js';
import { createStreamTicket, spendStreamTicket, STREAM_TICKET_SECONDS } from './stream-tickets.js';
import type { NotificationsDeps } from './deps.js';

const tags = ['notifications'];
const HEARTBEAT_MS = 25_000;

export function streamRoutes(deps: NotificationsDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/stream/ticket/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags,
          summary: 'Un ticket pour ouvrir le flux depuis un navigateur (EventSource)',
          description: `À passer en \`?ticket=\` à GET /api/notifications/stream/ : valable une fois, ${STREAM_TICKET_SECONDS} secondes.`,
          security: tokenAuth,
          response: { 201: Type.Object({ ticket: Type.String(), expire_dans: Type.Integer() }), ...errors(401) },
        },
      },
      async (request, reply) => {
        const r = await createStreamTicket(deps.db, currentUser(request).id, request.authTokenId);
        reply.code(201);
        return r;
      },
    );

    app.get(
      '/stream/',
      {
        schema: {
          tags,
          summary: 'Flux en direct (Server-Sent Events) : `notification` à chaque nouvelle, `unread` avec le nombre de non lues',
          description:
            'Avec le jeton d’API (en-tête Authorization), ou depuis un navigateur (EventSource) avec `?ticket=` obtenu par ' +
            '`POST /api/notifications/stream/ticket/` : valable une fois et 60 secondes. Jamais le jeton d’API dans l’URL.',
          security: [...tokenAuth, {}],
          querystring: Type.Object({ ticket: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }),
          produces: ['text/event-stream'],
          response: { ...errors(400, 401) },
        },
      },
      async (request, reply) => {
        const ticket = request.query.ticket;
        const userId = ticket === undefined ? currentUser(request).id : await spendStreamTicket(deps.db, ticket);
        if (userId === null)
          throw new UnauthorizedError('Ticket de flux invalide, expiré ou déjà utilisé : demandez-en un nouveau.', 'invalid_ticket');
        const stream = deps.stream;
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
          'x-request-id': request.id,
        });
        const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        raw.write('retry: 3000\n\n');
        let closed = false;
        const cleanups: (() => void)[] = [];
        const end = () => {
          if (closed) return;
          closed = true;
          for (const c of cleanups) c();
        };
        request.raw.on('close', end);
        cleanups.push(
          deps.lifecycle.onShutdown(() => {
            raw.end(`retry: ${SHUTDOWN_RETRY_MS}\n\n`);
            end();
          }),
        );
        const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
        heartbeat.unref();
        cleanups.push(() => clearInterval(heartbeat));
        try {
          const off = await stream.subscribe(userId, (e) => {
            void (async () => {
              const n = await getNotification(deps.db, userId, e.id).catch(() => null);
              if (!n || closed) return;
              send('notification', n);
              send('unread', { count: await unreadCount(deps.db, userId) });
            })().catch((err) => request.log.warn({ err }, 'flux des notifications'));
          });
          if (closed) off();
          else cleanups.push(off);
          send('unread', { count: await unreadCount(deps.db, userId) });
        } catch (err) {
          request.log.error({ err }, 'flux des notifications indisponible');
          raw.end(`event: erreur\ndata: ${JSON.stringify({ error: 'Flux indisponible, nouvel essai bientôt.' })}\n\n`);
          end();
        }
      },
    );
  };
}
