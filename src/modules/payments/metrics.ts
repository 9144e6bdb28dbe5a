/**
 * Payments and refunds by provider and status on `/metrics`, read from the database at each scrape: the
 * same figures in every process (whichever confirmed a payment), exact after restarts, never counting a
 * transaction that rolled back. A provider whose failures climb, or pending payments that pile up, show here.
 */
import { sql } from 'drizzle-orm';
import { selectRows } from '../../db/client.js';
import type { ProcessServices } from '../../jobs/queue.js';
import { payments, refunds } from './tables.js';

export function paymentMetrics(s: Pick<ProcessServices, 'metrics' | 'database'>): void {
  const db = s.database.db;
  s.metrics.gauge('spotvibe_payments', 'Paiements par fournisseur et statut (lu dans la base)', {
    labelNames: ['fournisseur', 'statut'],
    fromDatabase: true,
    async collect(g) {
      const rows = await selectRows<{ fournisseur: string; statut: string; n: number }>(
        db,
        sql`SELECT ${payments.fournisseur} AS fournisseur, ${payments.statut} AS statut, count(*)::int AS n FROM ${payments} GROUP BY 1, 2`,
      );
      g.reset();
      for (const r of rows) g.set({ fournisseur: r.fournisseur, statut: r.statut }, Number(r.n));
    },
  });
  s.metrics.gauge('spotvibe_refunds', 'Remboursements par fournisseur et statut (lu dans la base)', {
    labelNames: ['fournisseur', 'statut'],
    fromDatabase: true,
    async collect(g) {
      const rows = await selectRows<{ fournisseur: string; statut: string; n: number }>(
        db,
        sql`SELECT p.fournisseur, r.statut, count(*)::int AS n FROM ${refunds} r JOIN ${payments} p ON p.id = r.payment_id GROUP BY 1, 2`,
      );
      g.reset();
      for (const r of rows) g.set({ fournisseur: r.fournisseur, statut: r.statut }, Number(r.n));
    },
  });
}
