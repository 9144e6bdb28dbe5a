/** The event categories every installation starts with; seeding is idempotent (run at every start). */
import type { DbOrTx } from '../../db/client.js';
import { eventCategories } from './tables.js';

export const DEFAULT_CATEGORIES = [
  {
    slug: 'concerts',
    nom: 'Concerts & musique',
    icone: 'music',
    couleur: '#e91e63',
    description: 'Concerts, showcases, zouglou, coupé-décalé, rap ivoire…',
  },
  {
    slug: 'festivals',
    nom: 'Festivals',
    icone: 'festival',
    couleur: '#9c27b0',
    description: 'Festivals culturels et musicaux (FEMUA, MASA…)',
  },
  {
    slug: 'soirees',
    nom: 'Soirées & clubbing',
    icone: 'nightlife',
    couleur: '#673ab7',
    description: 'Soirées, maquis, clubs et afterworks',
  },
  { slug: 'sport', nom: 'Sport', icone: 'sports', couleur: '#4caf50', description: 'Matchs, tournois, courses et activités sportives' },
  {
    slug: 'conferences',
    nom: 'Conférences & business',
    icone: 'business',
    couleur: '#2196f3',
    description: 'Conférences, salons, networking et entrepreneuriat',
  },
  {
    slug: 'formations',
    nom: 'Formations & ateliers',
    icone: 'school',
    couleur: '#00bcd4',
    description: 'Ateliers, formations, masterclass',
  },
  {
    slug: 'theatre',
    nom: 'Théâtre & humour',
    icone: 'theater',
    couleur: '#ff9800',
    description: 'Pièces de théâtre, stand-up et spectacles',
  },
  {
    slug: 'expositions',
    nom: 'Arts & expositions',
    icone: 'palette',
    couleur: '#795548',
    description: "Expositions, vernissages, galeries d'art",
  },
  {
    slug: 'gastronomie',
    nom: 'Gastronomie',
    icone: 'restaurant',
    couleur: '#ff5722',
    description: 'Dégustations, festivals culinaires, garba parties',
  },
  {
    slug: 'famille',
    nom: 'Famille & enfants',
    icone: 'family',
    couleur: '#8bc34a',
    description: 'Sorties en famille et activités pour enfants',
  },
  {
    slug: 'religion',
    nom: 'Religion & spiritualité',
    icone: 'church',
    couleur: '#607d8b',
    description: 'Cultes, veillées, conventions et pèlerinages',
  },
  { slug: 'mode', nom: 'Mode & beauté', icone: 'style', couleur: '#f06292', description: 'Défilés, salons de beauté et lancements' },
] as const;

/**
 * Only into an empty table (the first start): afterwards the categories are the staff's (SpotVibe
 * Administration), and a category they deleted must not come back at the next start.
 */
export async function seedCategories(db: DbOrTx): Promise<number> {
  if ((await db.select({ id: eventCategories.id }).from(eventCategories).limit(1)).length) return 0;
  const inserted = await db
    .insert(eventCategories)
    .values(DEFAULT_CATEGORIES.map((c, i) => ({ ...c, ordre: i + 1 })))
    .onConflictDoNothing({ target: eventCategories.slug })
    .returning({ id: eventCategories.id });
  return inserted.length;
}
