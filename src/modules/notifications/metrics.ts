/** The notifications module's metrics (core/metrics.ts): deliveries by channel and outcome, per process. */
import type { Metrics } from '../../core/metrics.js';
import type { ProcessServices } from '../../jobs/queue.js';

export function deliveryCounter(metrics: Metrics) {
  return metrics.counter('spotvibe_notifications_deliveries_total', 'Envois de notifications par ce processus, par canal et résultat', [
    'canal',
    'resultat',
  ]);
}

export function notificationMetrics(services: ProcessServices): void {
  deliveryCounter(services.metrics);
  const { database } = services;
  services.metrics.gauge('spotvibe_notifications_pending', 'Envois de notifications en attente, par canal (lu dans la base)', {
    labelNames: ['canal'],
    fromDatabase: true,
    async collect(g) {
      const { rows } = await database.query<{ canal: string; n: number }>(
        `SELECT canal, count(*)::int AS n FROM notification_deliveries WHERE statut IN ('EN_ATTENTE', 'EN_COURS') GROUP BY 1`,
      );
      g.reset();
      for (const r of rows) g.set({ canal: r.canal }, Number(r.n));
    },
  });
}
