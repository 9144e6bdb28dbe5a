/**
 * Request latency per route on `/metrics`: a histogram labelled by method, route *pattern*
 * (`/api/events/:id/`, never the raw URL, whose ids and query strings would make one series per request)
 * and status code. Requests that matched no route share one label.
 */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function registerHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  const duration = metrics.histogram(
    'spotvibe_http_request_duration_seconds',
    'Durée des requêtes HTTP, par méthode, route et statut',
    ['method', 'route', 'status_code'],
    BUCKETS,
  );
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'aucune_route';
    duration.observe({ method: request.method, route, status_code: reply.statusCode }, reply.elapsedTime / 1000);
  });
}
