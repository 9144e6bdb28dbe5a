/**
 * Deterministic demonstration data: the same `--seed` (and base date) always gives the same users, events
 * and participations. Written for speed (multi-row inserts in large batches, counters set in one statement
 * at the end) so that 100,000 events take seconds, not minutes. Every demo account has the password
 * DEMO_PASSWORD, hashed once.
 */
import { analyzeTables } from '../modules/maintenance/service.js';
import { sql } from 'drizzle-orm';
import prand from 'pure-rand';
import type { Database } from '../db/client.js';
import { events, eventCategories, eventParticipations, ticketTypes, users } from '../db/schema.js';
import { hashPassword } from '../core/passwords.js';

export const DEMO_PASSWORD = 'demo12345';

export interface SeedDemoOptions {
  /** The demo accounts' password (default DEMO_PASSWORD; a generated one in production, see the CLI). */
  password?: string;
  users: number;
  events: number;
  participations: number;
  seed: number;
  /** Events start between this date and one year later (default: tomorrow 00:00 UTC). */
  baseDate?: Date;
}

export interface SeedDemoResult {
  users: number;
  events: number;
  participations: number;
  prefix: string;
}

export type Progress = (message: string) => void;

const FIRST = [
  'Aya',
  'Adjoua',
  'Akissi',
  'Amenan',
  'Affoué',
  'Fatou',
  'Mariam',
  'Awa',
  'Aminata',
  'Salimata',
  'Koffi',
  'Kouadio',
  'Yao',
  'Konan',
  'Kouakou',
  'Kouamé',
  'Moussa',
  'Seydou',
  'Ibrahim',
  'Drissa',
  'Serge',
  'Didier',
  'Christelle',
  'Grâce',
];
const LAST = [
  'Kouassi',
  'Koné',
  'Traoré',
  'Coulibaly',
  'Ouattara',
  'Bamba',
  'Diabaté',
  'Touré',
  'Aka',
  "N'Guessan",
  'Yao',
  'Kouamé',
  'Doumbia',
  'Cissé',
  'Gnagne',
  'Brou',
  'Assi',
  'Tanoh',
  'Zadi',
  'Gbané',
];
// The same vocabulary as the Django reference's seedbench, so side-by-side benchmarks search the same words.
const WORDS = [
  'concert',
  'festival',
  'zouglou',
  'coupé-décalé',
  'match',
  'conférence',
  'atelier',
  'gala',
  'soirée',
  'exposition',
  'théâtre',
  'maquis',
  'plage',
  'marathon',
  'salon',
  'tech',
  'startup',
  'afro',
];
const PLACES: [string, number, number][] = [
  ['Abidjan', 5.3364, -4.0267],
  ['Cocody', 5.3599, -3.987],
  ['Plateau', 5.323, -4.0176],
  ['Yopougon', 5.3456, -4.0894],
  ['Marcory', 5.3031, -3.987],
  ['Treichville', 5.2947, -4.0092],
  ['Bouaké', 7.6906, -5.0304],
  ['Yamoussoukro', 6.8276, -5.2893],
  ['San-Pédro', 4.7485, -6.6363],
  ['Grand-Bassam', 5.2118, -3.7388],
  ['Korhogo', 9.458, -5.6296],
  ['Daloa', 6.8774, -6.4502],
];
const PRICES = [1000, 2000, 5000, 10000, 25000];

class Rng {
  private g: prand.RandomGenerator;
  constructor(seed: number) {
    this.g = prand.xoroshiro128plus(seed);
  }
  int(min: number, max: number): number {
    return prand.unsafeUniformIntDistribution(min, max, this.g);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  chance(p: number): boolean {
    return this.int(0, 999_999) < p * 1_000_000;
  }
}

function tomorrowUtc(): Date {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export async function seedDemo(database: Database, opts: SeedDemoOptions, progress: Progress = () => undefined): Promise<SeedDemoResult> {
  const { db } = database;
  const rng = new Rng(opts.seed);
  const prefix = `demo${opts.seed}`;
  const base = opts.baseDate ?? tomorrowUtc();

  const existing = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`${users.username} LIKE ${`${prefix}\\_%`}`)
    .limit(1);
  if (existing.length) {
    throw new Error(
      `Des données de démonstration existent déjà pour la graine ${opts.seed} (utilisateurs ${prefix}_…). Choisissez une autre graine (--seed) ou une base vide.`,
    );
  }
  const categories = await db.select({ id: eventCategories.id }).from(eventCategories);
  if (!categories.length) throw new Error("Aucune catégorie d'événement : lancez d'abord `migrate`.");

  const password = await hashPassword(opts.password ?? DEMO_PASSWORD);
  // Phone numbers: +225 07 + 8 digits made from the seed and index, unique per (seed, index).
  const phoneBase = (opts.seed % 100) * 1_000_000;
  if (opts.users > 999_999) throw new Error('Au plus 999 999 utilisateurs de démonstration par graine.');

  const BATCH = 1000;
  const userIds: number[] = [];
  const t0 = Date.now();
  const made = await db.transaction(async (tx) => {
    for (let start = 0; start < opts.users; start += BATCH) {
      const rows = [];
      for (let i = start; i < Math.min(opts.users, start + BATCH); i++) {
        const first = rng.pick(FIRST);
        const last = rng.pick(LAST);
        rows.push({
          username: `${prefix}_${i + 1}`,
          email: `${prefix}.${i + 1}@demo.spotvibe.ci`,
          password,
          firstName: first,
          lastName: last,
          telephone: `+22507${String(phoneBase + i + 1).padStart(8, '0')}`,
          isStaff: i === 0,
          estVerifie: rng.chance(0.6),
          bio: rng.chance(0.3) ? `Passionné(e) de ${rng.pick(WORDS)} à ${rng.pick(PLACES)[0]}.` : '',
        });
      }
      const inserted = await tx.insert(users).values(rows).returning({ id: users.id });
      userIds.push(...inserted.map((r) => r.id));
      progress(`Utilisateurs : ${userIds.length}/${opts.users}`);
    }

    const moderator = userIds[0] ?? null;
    const eventRows: { id: number; gratuit: boolean; capacite: number; valide: boolean }[] = [];
    for (let start = 0; start < opts.events; start += BATCH) {
      const rows = [];
      const meta: { gratuit: boolean; capacite: number; valide: boolean; prix: number }[] = [];
      for (let i = start; i < Math.min(opts.events, start + BATCH); i++) {
        const words = [rng.pick(WORDS), rng.pick(WORDS), rng.pick(WORDS)];
        const [lieu, lat, lng] = rng.pick(PLACES);
        const debut = new Date(base.getTime() + rng.int(0, 24 * 365) * 3_600_000);
        const gratuit = rng.chance(0.5);
        const capacite = rng.int(50, 5000);
        const valide = rng.chance(0.9);
        const titre = `${words.map(capitalize).join(' ')} ${i + 1}`;
        rows.push({
          titre,
          description: `${capitalize(words.join(' '))} à ${lieu}. `.repeat(4).trim(),
          descriptionCourte: words.join(' '),
          createurId: userIds.length ? rng.pick(userIds) : moderator!,
          categorieId: rng.pick(categories).id,
          dateDebut: debut,
          dateFin: new Date(debut.getTime() + 4 * 3_600_000),
          lieu,
          adresse: `Rue ${rng.int(1, 300)}, ${lieu}`,
          // Within ~2 km of the district's centre.
          latitude: lat + rng.int(-200, 200) / 10_000,
          longitude: lng + rng.int(-200, 200) / 10_000,
          typeAcces: gratuit ? ('GRATUIT' as const) : ('PAYANT' as const),
          prix: gratuit ? 0 : rng.pick(PRICES),
          capaciteMax: capacite,
          statut: valide ? ('VALIDE' as const) : ('EN_ATTENTE' as const),
          validateurId: valide ? moderator : null,
          dateValidation: valide ? base : null,
          nombreVues: rng.int(0, 10_000),
        });
        meta.push({ gratuit, capacite, valide, prix: rows[rows.length - 1]!.prix });
      }
      const inserted = await tx.insert(events).values(rows).returning({ id: events.id });
      inserted.forEach((r, k) =>
        eventRows.push({ id: r.id, gratuit: meta[k]!.gratuit, capacite: meta[k]!.capacite, valide: meta[k]!.valide }),
      );
      // A paid event sells through ticket types: each gets the "Standard" one the API gives an event created with
      // only `prix` (its whole capacity, 10 per order at most), so demo users can buy tickets.
      const standard = inserted.flatMap((r, k) =>
        meta[k]!.gratuit
          ? []
          : [
              {
                evenementId: r.id,
                nom: 'Standard',
                prix: meta[k]!.prix,
                quantite: meta[k]!.capacite,
                maxParCommande: Math.min(10, meta[k]!.capacite),
              },
            ],
      );
      if (standard.length) await tx.insert(ticketTypes).values(standard);
      progress(`Événements : ${eventRows.length}/${opts.events}`);
    }

    // Free participation only exists for validated free events; stay within each event's capacity.
    const joinable = eventRows.filter((e) => e.gratuit && e.valide);
    const wanted = Math.min(
      opts.participations,
      joinable.reduce((n, e) => n + Math.min(e.capacite, userIds.length), 0),
    );
    const seen = new Set<string>();
    const counts = new Map<number, number>();
    let made = 0;
    let batch: { utilisateurId: number; evenementId: number }[] = [];
    let guard = 0;
    while (made < wanted && guard++ < wanted * 20) {
      const e = rng.pick(joinable);
      const u = rng.pick(userIds);
      const key = `${u}:${e.id}`;
      const c = counts.get(e.id) ?? 0;
      if (seen.has(key) || c >= e.capacite) continue;
      seen.add(key);
      counts.set(e.id, c + 1);
      batch.push({ utilisateurId: u, evenementId: e.id });
      made++;
      if (batch.length === 5000) {
        await tx.insert(eventParticipations).values(batch);
        batch = [];
        progress(`Participations : ${made}/${wanted}`);
      }
    }
    if (batch.length) await tx.insert(eventParticipations).values(batch);
    progress(`Participations : ${made}/${wanted}`);
    // The denormalised counters, in one statement, for the events this run's users joined.
    if (made) {
      await tx.execute(sql`
        UPDATE events SET participants_count = c.n
        FROM (SELECT p.evenement_id, count(*)::int AS n
              FROM event_participations p
              WHERE p.statut = 'CONFIRME'
                AND p.evenement_id IN (SELECT p2.evenement_id FROM event_participations p2
                                       JOIN users u ON u.id = p2.utilisateur_id
                                       WHERE u.username LIKE ${`${prefix}\\_%`})
              GROUP BY p.evenement_id) c
        WHERE events.id = c.evenement_id`);
    }
    return made;
  });
  // Statistics for the tables just filled: without them the planner guessed (the list ran 4.7 times slower
  // right after a seed on PostgreSQL, until autovacuum came by; the embedded database has no autovacuum).
  progress('Statistiques (ANALYZE)…');
  await analyzeTables(database.db);
  progress(`Terminé en ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { users: userIds.length, events: opts.events, participations: made, prefix };
}
