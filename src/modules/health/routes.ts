/**
 * Liveness (`/healthz`: the process answers), readiness (`/readyz`: database reachable, migrations applied,
 * not shutting down; with the job queue's health in its details) and the Prometheus metrics (`/metrics`,
 * behind `Authorization: Bearer <METRICS_TOKEN>` when that is set).
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { readiness, type ReadinessDeps } from './service.js';
import { metricsAccess } from './metrics-access.js';
import type { Metrics } from '../../core/metrics.js';

const Health = Type.Object({
  status: Type.String(),
  database: Type.Optional(Type.String()),
  migrations: Type.Optional(Type.String()),
  pending: Type.Optional(Type.Array(Type.String())),
  jobs: Type.Optional(
    Type.Object({
      en_attente: Type.Integer(),
      attente_max_secondes: Type.Union([Type.Integer(), Type.Null()]),
      worker: Type.String(),
    }),
  ),
  replique: Type.Optional(Type.String()),
});

export function healthRoutes(services: ReadinessDeps & { metrics: Metrics; metricsToken: string | undefined }) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/healthz', { schema: { tags: ['santé'], summary: 'Le processus répond', response: { 200: Health } } }, async () => ({
      status: 'ok',
    }));

    app.get(
      '/readyz',
      {
        schema: {
          tags: ['santé'],
          summary: 'Prêt à servir : base joignable, migrations appliquées, pas en cours d’arrêt',
          description:
            'Les détails `jobs` disent si des tâches attendent sans worker pour les exécuter (paiements en attente, emails non envoyés).',
          response: { 200: Health, 503: Health },
        },
      },
      async (request, reply) => {
        const r = await readiness(services, request.log);
        return reply.code(r.ready ? 200 : 503).send(r.body);
      },
    );

    app.get(
      '/metrics',
      {
        schema: {
          tags: ['santé'],
          summary: 'Métriques Prometheus (format texte)',
          description: 'Avec METRICS_TOKEN : `Authorization: Bearer <METRICS_TOKEN>` obligatoire.',
          produces: ['text/plain'],
        },
        config: { authentication: false },
        preValidation: metricsAccess(services.metricsToken),
      },
      async (_request, reply) => {
        const { contentType, body } = await services.metrics.render();
        return reply.type(contentType).send(body);
      },
    );
  };
}
