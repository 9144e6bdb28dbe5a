/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: database reachable, migrations applied). */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { readiness } from './service.js';
import type { ProcessServices } from '../../jobs/queue.js';

const Health = Type.Object({
  status: Type.String(),
  database: Type.Optional(Type.String()),
  migrations: Type.Optional(Type.String()),
  pending: Type.Optional(Type.Array(Type.String())),
});

export function healthRoutes(services: Pick<ProcessServices, 'database'>) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/healthz', { schema: { tags: ['santé'], summary: 'Le processus répond', response: { 200: Health } } }, async () => ({
      status: 'ok',
    }));

    app.get(
      '/readyz',
      {
        schema: {
          tags: ['santé'],
          summary: 'Prêt à servir : base joignable et migrations appliquées',
          response: { 200: Health, 503: Health },
        },
      },
      async (request, reply) => {
        const r = await readiness(services.database, request.log);
        return reply.code(r.ready ? 200 : 503).send(r.body);
      },
    );
  };
}
