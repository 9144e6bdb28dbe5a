/** Builders for payment tests: a validated paid event with its ticket types. */
import type { DbOrTx } from '../../db/client.js';
import { events } from '../events/tables.js';
import { ticketTypes } from '../tickets/tables.js';

export async function createPaidEvent(
  db: DbOrTx,
  createurId: number,
  o: {
    capacite?: number;
    prix?: number;
    statut?: 'VALIDE' | 'ANNULE' | 'EN_ATTENTE';
    types?: { nom: string; prix: number; quantite: number; maxParCommande?: number }[];
  } = {},
) {
  const capacite = o.capacite ?? 100;
  const debut = new Date(Date.now() + 7 * 86_400_000);
  const [ev] = await db
    .insert(events)
    .values({
      titre: 'Concert Zouglou au Palais de la Culture',
      description: 'Un grand concert',
      createurId,
      categorieId: 1,
      dateDebut: debut,
      dateFin: new Date(debut.getTime() + 4 * 3_600_000),
      lieu: 'Treichville',
      typeAcces: 'PAYANT',
      prix: o.prix ?? 5000,
      capaciteMax: capacite,
      statut: o.statut ?? 'VALIDE',
    })
    .returning();
  const types = await db
    .insert(ticketTypes)
    .values(
      (o.types ?? [{ nom: 'Standard', prix: o.prix ?? 5000, quantite: capacite }]).map((t) => ({
        evenementId: ev!.id,
        maxParCommande: 10,
        ...t,
      })),
    )
    .returning();
  return { event: ev!, types };
}
