/**
 * The manual's EventAdmin: every event, whatever its status, with its organizer, category, participants and
 * net revenue; filters (status, category, access type, creation date), search over title, description and
 * place (accents and case ignored, through the events' search document and its trigram index), ordering,
 * a CSV export of the same selection, and one event's full staff view.
 */
import { Readable } from 'node:stream';
import { and, asc, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { paginate, type PageRequest } from '../../core/pagination.js';
import { eventCategories, events, type EventStatut, type TypeAcces } from '../events/tables.js';
import { users } from '../users/tables.js';
import { payments, refunds } from '../payments/tables.js';
import { ticketTypes } from '../tickets/tables.js';
import { maskEmail, maskTelephone } from '../users/admin.js';
import type { AdminDeps } from './deps.js';

export interface AdminEventFilters {
  statut?: EventStatut | undefined;
  categorie?: number | undefined;
  type_acces?: TypeAcces | undefined;
  /** AAAA-MM-JJ, inclusive (UTC days). */
  date_creation_apres?: string | undefined;
  date_creation_avant?: string | undefined;
  createur?: number | undefined;
  search?: string | undefined;
  ordering?: string | undefined;
}

/**
 * Successful payments of the event less their refunds, done or under way (XOF): payments/money.ts's `net`, a
 * payment whose refund is pending is not cashed.
 */
const revenueOf = sql<number>`(
  coalesce((SELECT sum(p.montant) FROM ${payments} p WHERE p.evenement_id = ${events.id} AND p.statut IN ('REUSSI', 'REMBOURSE')), 0)
  - coalesce((SELECT sum(r.montant) FROM ${refunds} r JOIN ${payments} p ON p.id = r.payment_id
      WHERE p.evenement_id = ${events.id} AND p.statut IN ('REUSSI', 'REMBOURSE')), 0))::bigint`;

const ORDERINGS: Record<string, AnyPgColumn> = {
  date_debut: events.dateDebut,
  date_creation: events.dateCreation,
  titre: events.titre,
  statut: events.statut,
  participants_count: events.participantsCount,
  nombre_vues: events.nombreVues,
};
export const ADMIN_EVENT_ORDERINGS = Object.keys(ORDERINGS).flatMap((k) => [k, `-${k}`]);

function dayStart(field: string, v: string): Date {
  const d = new Date(`${v}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw ValidationError.field(field, 'Date invalide (AAAA-MM-JJ).');
  return d;
}

function whereOf(f: AdminEventFilters): SQL | undefined {
  const conds: SQL[] = [];
  if (f.statut) conds.push(eq(events.statut, f.statut));
  if (f.categorie) conds.push(eq(events.categorieId, f.categorie));
  if (f.type_acces) conds.push(eq(events.typeAcces, f.type_acces));
  if (f.createur) conds.push(eq(events.createurId, f.createur));
  if (f.date_creation_apres) conds.push(gte(events.dateCreation, dayStart('date_creation_apres', f.date_creation_apres)));
  if (f.date_creation_avant) {
    conds.push(lt(events.dateCreation, new Date(dayStart('date_creation_avant', f.date_creation_avant).getTime() + 86_400_000)));
  }
  if (f.date_creation_apres && f.date_creation_avant && f.date_creation_avant < f.date_creation_apres) {
    throw ValidationError.field('date_creation_avant', 'La date de fin doit suivre la date de début.');
  }
  const search = f.search?.trim();
  if (search) {
    // search_document is titre + lieu + description, without accents, lower case (sv_search_norm).
    const like = search.replace(/[\\%_]/g, (c) => `\\${c}`);
    conds.push(sql`${events.searchDocument} LIKE '%' || sv_search_norm(${like}) || '%'`);
  }
  return conds.length ? and(...conds) : undefined;
}

function orderOf(ordering: string | undefined) {
  const o = ordering ?? '-date_creation';
  const key = o.replace(/^-/, '');
  const col = ORDERINGS[key];
  if (!col) throw ValidationError.field('ordering', `Tri inconnu ; possibles : ${ADMIN_EVENT_ORDERINGS.join(', ')}.`);
  return o.startsWith('-') ? [desc(col), desc(events.id)] : [asc(col), asc(events.id)];
}

function selection() {
  return {
    id: events.id,
    titre: events.titre,
    statut: events.statut,
    typeAcces: events.typeAcces,
    prix: events.prix,
    dateDebut: events.dateDebut,
    dateFin: events.dateFin,
    dateCreation: events.dateCreation,
    lieu: events.lieu,
    capaciteMax: events.capaciteMax,
    participantsCount: events.participantsCount,
    nombreVues: events.nombreVues,
    revenue: revenueOf,
    createurId: users.id,
    createurUsername: users.username,
    createurNom: sql<string>`trim(${users.firstName} || ' ' || ${users.lastName})`,
    categorieId: eventCategories.id,
    categorieNom: eventCategories.nom,
  };
}

type Row = { [K in keyof ReturnType<typeof selection>]: unknown } & {
  id: number;
  titre: string;
  statut: EventStatut;
  typeAcces: TypeAcces;
  prix: number;
  dateDebut: Date;
  dateFin: Date;
  dateCreation: Date;
  lieu: string;
  capaciteMax: number;
  participantsCount: number;
  nombreVues: number;
  createurId: number;
  createurUsername: string;
  createurNom: string;
  categorieId: number;
  categorieNom: string;
};

function view(r: Row) {
  return {
    id: r.id,
    titre: r.titre,
    statut: r.statut,
    type_acces: r.typeAcces,
    prix: r.prix,
    date_debut: r.dateDebut.toISOString(),
    date_fin: r.dateFin.toISOString(),
    date_creation: r.dateCreation.toISOString(),
    lieu: r.lieu,
    capacite_max: r.capaciteMax,
    participants_count: r.participantsCount,
    nombre_vues: r.nombreVues,
    recettes: Number(r.revenue ?? 0),
    createur: { id: r.createurId, username: r.createurUsername, nom: r.createurNom },
    categorie: { id: r.categorieId, nom: r.categorieNom },
  };
}
export type AdminEventView = ReturnType<typeof view>;

function baseQuery(deps: Pick<AdminDeps, 'db'>, where: SQL | undefined) {
  return deps.db
    .select(selection())
    .from(events)
    .innerJoin(users, eq(users.id, events.createurId))
    .innerJoin(eventCategories, eq(eventCategories.id, events.categorieId))
    .where(where);
}

export async function listEventsForStaff(deps: Pick<AdminDeps, 'db'>, f: AdminEventFilters, page: PageRequest) {
  const where = whereOf(f);
  const order = orderOf(f.ordering);
  return paginate(
    page,
    async () =>
      (
        await deps.db
          .select({ n: sql<number>`count(*)::int` })
          .from(events)
          .where(where)
      )[0]!.n,
    async (limit, offset) =>
      (
        (await baseQuery(deps, where)
          .orderBy(...order)
          .limit(limit)
          .offset(offset)) as Row[]
      ).map(view),
  );
}

const CSV_COLUMNS: [string, (e: AdminEventView) => string | number][] = [
  ['id', (e) => e.id],
  ['titre', (e) => e.titre],
  ['organisateur', (e) => e.createur.username],
  ['categorie', (e) => e.categorie.nom],
  ['date_debut', (e) => e.date_debut],
  ['date_fin', (e) => e.date_fin],
  ['statut', (e) => e.statut],
  ['type_acces', (e) => e.type_acces],
  ['prix_xof', (e) => e.prix],
  ['participants', (e) => e.participants_count],
  ['capacite', (e) => e.capacite_max],
  ['recettes_xof', (e) => e.recettes],
  ['lieu', (e) => e.lieu],
  ['date_creation', (e) => e.date_creation],
];

/**
 * One CSV field: quoted when needed (RFC 4180), and a text that a spreadsheet would run as a formula
 * (=, +, -, @, tab, CR at the start) is prefixed with a quote (OWASP's CSV-injection advice).
 */
export function csvField(v: string | number): string {
  if (typeof v === 'number') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[";\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const CSV_BATCH = 500;

/**
 * The same selection as the list, every page, as CSV: `;`-separated with a UTF-8 byte-order mark, which is what
 * a spreadsheet set to French opens correctly; amounts in whole francs; dates in ISO 8601 (UTC). Streamed in
 * batches, so a large export never sits in memory whole.
 */
export function exportEventsCsv(deps: Pick<AdminDeps, 'db'>, f: AdminEventFilters): Readable {
  const where = whereOf(f);
  const order = orderOf(f.ordering);
  async function* lines() {
    yield `\ufeff${CSV_COLUMNS.map(([h]) => h).join(';')}\r\n`;
    for (let offset = 0; ; offset += CSV_BATCH) {
      const rows = (
        (await baseQuery(deps, where)
          .orderBy(...order)
          .limit(CSV_BATCH)
          .offset(offset)) as Row[]
      ).map(view);
      if (rows.length) yield rows.map((e) => CSV_COLUMNS.map(([, get]) => csvField(get(e))).join(';')).join('\r\n') + '\r\n';
      if (rows.length < CSV_BATCH) return;
    }
  }
  return Readable.from(lines());
}

/** One event as staff see it: the list's figures, its whole content, its organizer, its ticket types. */
export async function eventForStaff(deps: Pick<AdminDeps, 'db' | 'media'>, id: number, origin: string) {
  const [row] = await deps.db
    .select({
      ...selection(),
      e: events,
      organizer: users,
      categorieSlug: eventCategories.slug,
      organizerEvents: sql<number>`(SELECT count(*)::int FROM ${events} e2 WHERE e2.createur_id = ${users.id})`,
      organizerValidated: sql<number>`(SELECT count(*)::int FROM ${events} e2 WHERE e2.createur_id = ${users.id} AND e2.statut = 'VALIDE')`,
      organizerRejected: sql<number>`(SELECT count(*)::int FROM ${events} e2 WHERE e2.createur_id = ${users.id} AND e2.statut = 'REJETE')`,
    })
    .from(events)
    .innerJoin(users, eq(users.id, events.createurId))
    .innerJoin(eventCategories, eq(eventCategories.id, events.categorieId))
    .where(eq(events.id, id));
  if (!row) throw new NotFoundError('Événement introuvable');
  const e = row.e;
  const o = row.organizer;
  const types = await deps.db
    .select({
      id: ticketTypes.id,
      nom: ticketTypes.nom,
      prix: ticketTypes.prix,
      quantite: ticketTypes.quantite,
      vendus: ticketTypes.vendus,
    })
    .from(ticketTypes)
    .where(eq(ticketTypes.evenementId, id))
    .orderBy(asc(ticketTypes.id));
  return {
    ...view(row as unknown as Row),
    description: e.description,
    description_courte: e.descriptionCourte,
    adresse: e.adresse,
    latitude: e.latitude,
    longitude: e.longitude,
    image: deps.media.url(e.image, origin),
    image_miniature: deps.media.url(e.imageMiniature, origin),
    motif_rejet: e.motifRejet,
    validateur: e.validateurId,
    date_validation: e.dateValidation?.toISOString() ?? null,
    date_modification: e.dateModification.toISOString(),
    organisateur: {
      id: o.id,
      username: o.username,
      first_name: o.firstName,
      last_name: o.lastName,
      email_masque: maskEmail(o.email),
      telephone_masque: maskTelephone(o.telephone),
      est_verifie: o.estVerifie,
      is_active: o.isActive,
      date_creation: o.dateCreation.toISOString(),
      nombre_evenements: row.organizerEvents,
      evenements_valides: row.organizerValidated,
      evenements_rejetes: row.organizerRejected,
    },
    types_billets: types,
  };
}
