/** Database pool usage on `/metrics`: connections open, idle and waited for, per pool of this process. */
import type { Database } from './client.js';
import type { Metrics } from '../core/metrics.js';

export function registerDatabaseMetrics(metrics: Metrics, database: Database): void {
  metrics.gauge('spotvibe_db_pool_connections', 'Connexions des pools PostgreSQL de ce processus, par état', {
    labelNames: ['pool', 'etat'],
    collect(g) {
      g.reset();
      for (const s of database.poolStats()) {
        g.set({ pool: s.pool, etat: 'ouvertes' }, s.total);
        g.set({ pool: s.pool, etat: 'libres' }, s.idle);
        g.set({ pool: s.pool, etat: 'en_service' }, s.total - s.idle);
        g.set({ pool: s.pool, etat: 'requetes_en_attente' }, s.waiting);
        g.set({ pool: s.pool, etat: 'maximum' }, s.max);
      }
    },
  });
}
