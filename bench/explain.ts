/**
 * `npx tsx bench/explain.ts [DATABASE_URL]`: prints PostgreSQL's plan (EXPLAIN ANALYZE) for the queries the
 * benchmark exercises, as the application builds them. For checking that each uses its index.
 */
import { openDatabase } from '../src/db/client.js';
import { explainable } from '../src/modules/events/queries.js';
import { publicListFilters } from '../src/modules/events/filters.js';
import { SearchTermExpander } from '../src/modules/events/search-terms.js';
import type { ListEventsQueryT } from '../src/modules/events/schemas.js';

const url = process.argv[2] ?? process.env.DATABASE_URL;
if (!url) {
  console.error('Usage : npx tsx bench/explain.ts postgresql://…');
  process.exit(2);
}
const CASES: Record<string, ListEventsQueryT> = {
  liste: {},
  'recherche+filtre+tri': { search: 'concert', categorie: 3, ordering: '-date_debut' },
  'recherche (pertinence)': { search: 'zouglo' },
  'recherche (faute)': { search: 'concrt yopugon' },
  proximite: { near: '5.3364,-4.0267', radius_km: 5 },
  categorie: { categorie: 3 },
  'tri vues': { ordering: '-nombre_vues' },
};
const db = await openDatabase({ kind: 'postgres', url });
const expander = new SearchTermExpander();
try {
  for (const [name, query] of Object.entries(CASES)) {
    const f = await publicListFilters(query, (terms) => expander.expand(db.db, terms));
    for (const label of ['page', 'count'] as const) {
      const s = explainable(db.db, f, label);
      const r = await db.query<Record<string, string>>(`EXPLAIN (ANALYZE, COSTS OFF) ${s.sql}`, s.params as unknown[]);
      console.log(`\n=== ${name} (${label})\n${r.rows.map((x) => x['QUERY PLAN']).join('\n')}`);
    }
  }
} finally {
  await db.close();
}
