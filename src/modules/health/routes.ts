/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: database reachable, migrations applied). */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

const Health = Type.Object({
  status: Type.String(),
  database: Type.Optional(Type.String()),
  migrations: Type.Optional(Type.String()),
  pending: Type.Optional(Type.Array(Type.String())),
});

export async function healthRoutes(app: FastifyInstance): Promise<void> {
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
      const { database } = app.deps;
      try {
        await database.query('SELECT 1');
      } catch (err) {
        request.log.warn({ err }, 'base de données injoignable');
        return reply.code(503).send({ status: 'unavailable', database: 'injoignable' });
      }
      const pending = await database.pendingMigrations();
      if (pending.length) return reply.code(503).send({ status: 'unavailable', database: 'ok', migrations: 'en retard', pending });
      return { status: 'ready', database: 'ok', migrations: 'ok' };
    },
  );
}
