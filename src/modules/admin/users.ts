/** One account's staff page: its profile (masked as in the list), its events, its payments and its journal. */
import { desc, eq, sql } from 'drizzle-orm';
import { events } from '../events/tables.js';
import { payments } from '../payments/tables.js';
import { getUserForStaff } from '../users/admin.js';
import { recentJournal } from './journal.js';
import type { AdminDeps } from './deps.js';

const LIMIT = 20;

export async function userForStaff(deps: Pick<AdminDeps, 'db'>, id: number) {
  const profile = await getUserForStaff(deps, id);
  const evs = await deps.db
    .select({
      id: events.id,
      titre: events.titre,
      statut: events.statut,
      date_debut: events.dateDebut,
      participants_count: events.participantsCount,
    })
    .from(events)
    .where(eq(events.createurId, id))
    .orderBy(desc(events.dateCreation), desc(events.id))
    .limit(LIMIT);
  const pays = await deps.db
    .select({
      id: payments.id,
      reference: payments.reference,
      type: payments.type,
      montant: payments.montant,
      statut: payments.statut,
      fournisseur: payments.fournisseur,
      event_id: payments.evenementId,
      evenement: events.titre,
      date_creation: payments.dateCreation,
    })
    .from(payments)
    .leftJoin(events, eq(events.id, payments.evenementId))
    .where(eq(payments.utilisateurId, id))
    .orderBy(desc(payments.dateCreation), desc(payments.id))
    .limit(LIMIT);
  const [totals] = await deps.db
    .select({
      evenements: sql<number>`(SELECT count(*)::int FROM ${events} WHERE ${events.createurId} = ${id})`,
      paiements: sql<number>`(SELECT count(*)::int FROM ${payments} WHERE ${payments.utilisateurId} = ${id})`,
      depense: sql<number>`(SELECT coalesce(sum(${payments.montant}), 0)::bigint FROM ${payments} WHERE ${payments.utilisateurId} = ${id} AND ${payments.statut} = 'REUSSI')`,
    })
    .from(sql`(SELECT 1) AS one`);
  return {
    ...profile,
    nombre_evenements: totals!.evenements,
    nombre_paiements: totals!.paiements,
    total_paye: Number(totals!.depense),
    evenements: evs.map((e) => ({ ...e, date_debut: e.date_debut.toISOString() })),
    paiements: pays.map((p) => ({ ...p, date_creation: p.date_creation.toISOString() })),
    journal: await recentJournal(deps, { concernant: id }),
  };
}
