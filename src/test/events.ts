/** Test builders for events: request payloads, and rows written straight to the database (any status, any date). */
import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { eventCategories, events, type EventStatut } from '../modules/events/tables.js';
import { ticketTypes } from '../modules/tickets/tables.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const inDays = (n: number, hour = 20) => {
  const d = new Date(Date.now() + n * DAY);
  d.setUTCHours(hour, 0, 0, 0);
  return d;
};

/** The seeded categories' ids, in display order. */
export async function categoryIds(db: DbOrTx): Promise<number[]> {
  const rows = await db.select({ id: eventCategories.id }).from(eventCategories).orderBy(asc(eventCategories.ordre));
  return rows.map((r) => r.id);
}

/** A valid creation payload (the manual's EventIntegrationTest fields), with a start `days` from now. */
export function eventPayload(categorie: number, overrides: Record<string, unknown> = {}, days = 30): Record<string, unknown> {
  const debut = inDays(days);
  return {
    titre: 'Test Event',
    description: 'Test description',
    description_courte: 'Short desc',
    categorie,
    date_debut: debut.toISOString(),
    date_fin: new Date(debut.getTime() + 3 * HOUR).toISOString(),
    lieu: 'Test Venue',
    adresse: 'Test Address',
    type_acces: 'GRATUIT',
    prix: 0,
    capacite_max: 100,
    ...overrides,
  };
}

export interface EventRowOverrides {
  titre?: string;
  description?: string;
  lieu?: string;
  categorieId?: number;
  statut?: EventStatut;
  dateDebut?: Date;
  dateFin?: Date;
  typeAcces?: 'GRATUIT' | 'PAYANT';
  prix?: number;
  capaciteMax?: number;
  latitude?: number | null;
  longitude?: number | null;
  nombreVues?: number;
  dateCreation?: Date;
  /** When staff validated it; by default set for the statuses only a validated event reaches (VALIDE, TERMINE). */
  dateValidation?: Date | null;
}

/** Inserts an event directly (any status, any date: the API would refuse a past one); returns its id. */
export async function insertEvent(db: DbOrTx, createurId: number, o: EventRowOverrides = {}): Promise<number> {
  const categorieId = o.categorieId ?? (await categoryIds(db))[0]!;
  const dateDebut = o.dateDebut ?? inDays(10);
  const typeAcces = o.typeAcces ?? 'GRATUIT';
  const [row] = await db
    .insert(events)
    .values({
      titre: o.titre ?? 'Événement de test',
      description: o.description ?? 'Une description.',
      descriptionCourte: 'Court',
      createurId,
      categorieId,
      dateDebut,
      dateFin: o.dateFin ?? new Date(dateDebut.getTime() + 3 * HOUR),
      lieu: o.lieu ?? 'Abidjan',
      adresse: 'Rue 1',
      latitude: o.latitude ?? null,
      longitude: o.longitude ?? null,
      typeAcces,
      prix: o.prix ?? (typeAcces === 'PAYANT' ? 5000 : 0),
      capaciteMax: o.capaciteMax ?? 100,
      statut: o.statut ?? 'VALIDE',
      nombreVues: o.nombreVues ?? 0,
      dateValidation:
        o.dateValidation !== undefined ? o.dateValidation : ['VALIDE', 'TERMINE'].includes(o.statut ?? 'VALIDE') ? new Date() : null,
      ...(o.dateCreation ? { dateCreation: o.dateCreation } : {}),
    })
    .returning({ id: events.id });
  return row!.id;
}

export async function eventRow(db: DbOrTx, id: number) {
  const [row] = await db.select().from(events).where(eq(events.id, id));
  return row;
}

/** A validated paid event a week from now, in a real (seeded) category, with its ticket types. */
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
  const debut = new Date(Date.now() + 7 * DAY);
  const [ev] = await db
    .insert(events)
    .values({
      titre: 'Concert Zouglou au Palais de la Culture',
      description: 'Un grand concert',
      createurId,
      categorieId: (await categoryIds(db))[0]!,
      dateDebut: debut,
      dateFin: new Date(debut.getTime() + 4 * HOUR),
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
