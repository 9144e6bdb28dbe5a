/**
 * The business rules of an event's data, beyond what the request schema checks (types, ranges, lengths):
 * they look at several fields together, at the clock, or at the event's current participants. Every broken
 * rule is reported at once, per field, in French (DRF's behaviour). The table's CHECK constraints repeat the
 * invariants that must never break, whatever code writes.
 */
import type { FieldErrors } from '../../core/errors.js';
import type { TypeAcces } from './tables.js';

/** An event's writable state, after merging a change into the stored row. */
export interface EventState {
  titre: string;
  description: string;
  descriptionCourte: string;
  categorieId: number;
  dateDebut: Date;
  dateFin: Date;
  lieu: string;
  adresse: string;
  latitude: number | null;
  longitude: number | null;
  typeAcces: TypeAcces;
  prix: number;
  capaciteMax: number;
}

export interface RuleContext {
  now: Date;
  /** Require a start in the future: on creation, and when the start date changes. */
  checkStartInFuture: boolean;
  /** Confirmed participants today (0 on creation). */
  participantsCount: number;
  /** The stored access type, when updating. */
  previousTypeAcces?: TypeAcces;
}

const MAX_DURATION_MS = 366 * 86_400_000;

export function checkEventRules(s: EventState, ctx: RuleContext): FieldErrors {
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);

  if (s.titre.trim().length < 3) add('titre', 'Le titre doit comporter au moins 3 caractères.');
  if (!s.description.trim()) add('description', 'La description ne peut pas être vide.');
  if (!s.descriptionCourte.trim()) add('description_courte', 'La description courte ne peut pas être vide.');
  if (!s.lieu.trim()) add('lieu', 'Le lieu ne peut pas être vide.');
  if (!s.adresse.trim()) add('adresse', "L'adresse ne peut pas être vide.");

  // A string the date-time format accepts but no date matches (a leap second, 23:59:60).
  const badDebut = Number.isNaN(s.dateDebut.getTime());
  const badFin = Number.isNaN(s.dateFin.getTime());
  if (badDebut) add('date_debut', 'Date invalide.');
  if (badFin) add('date_fin', 'Date invalide.');
  if (!badDebut && !badFin) {
    if (s.dateFin.getTime() <= s.dateDebut.getTime()) {
      add('date_fin', 'La date de fin doit être postérieure à la date de début.');
    } else if (s.dateFin.getTime() - s.dateDebut.getTime() > MAX_DURATION_MS) {
      add('date_fin', "Un événement ne peut pas durer plus d'un an.");
    }
  }
  if (ctx.checkStartInFuture && !badDebut && s.dateDebut.getTime() <= ctx.now.getTime()) {
    add('date_debut', 'La date de début ne peut pas être dans le passé.');
  }

  if ((s.latitude === null) !== (s.longitude === null)) {
    add(s.latitude === null ? 'latitude' : 'longitude', 'Indiquez la latitude et la longitude ensemble, ou aucune des deux.');
  }

  if (s.typeAcces === 'GRATUIT' && s.prix !== 0) add('prix', 'Un événement gratuit doit avoir un prix de 0.');
  if (s.typeAcces === 'PAYANT' && s.prix <= 0) add('prix', "Le prix d'un événement payant doit être supérieur à 0.");

  if (ctx.participantsCount > 0) {
    if (s.capaciteMax < ctx.participantsCount) {
      add('capacite_max', `La capacité ne peut pas être inférieure au nombre de participants (${ctx.participantsCount}).`);
    }
    if (ctx.previousTypeAcces && ctx.previousTypeAcces !== s.typeAcces) {
      add('type_acces', "Impossible de changer le type d'accès : des personnes participent déjà à cet événement.");
    }
  }
  return errors;
}

/** Query dates: `AAAA-MM-JJ` (a whole day, UTC) or an ISO 8601 date-time with its offset. */
export function parseQueryDate(raw: string, endOfDay: boolean): Date | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  if (day) {
    const d = new Date(0);
    // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0–99 as 1900–1999.
    d.setUTCFullYear(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    // Reject 2026-02-31 and the like, which Date would roll over.
    if (d.getUTCMonth() !== Number(day[2]) - 1 || d.getUTCDate() !== Number(day[3])) return null;
    return endOfDay ? new Date(d.getTime() + 86_400_000 - 1) : d;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/i.test(raw)) return null;
  const t = Date.parse(raw);
  return Number.isNaN(t) ? null : new Date(t);
}
