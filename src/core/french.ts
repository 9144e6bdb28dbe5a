/**
 * French for people: amounts ("15 000 F CFA"), dates and times in Abidjan's time zone, and elision ("l'annuler",
 * "d'annuler"). One writer of each, so every message reads the same way.
 */
const ABIDJAN = 'Africa/Abidjan';

const francsFormat = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
const dateTimeFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeStyle: 'short', timeZone: ABIDJAN });
const shortDateTimeFormat = new Intl.DateTimeFormat('fr-FR', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: ABIDJAN,
});
const timeFormat = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: ABIDJAN });

/**
 * Whole francs CFA, grouped by thousands with a plain space: "15 000 F CFA". (fr-FR groups with a narrow
 * no-break space, which SMS encodings and many fonts of feature phones do not have.)
 */
export function formatFrancs(amount: number): string {
  return `${francsFormat.format(amount).replace(/[\u202f\u00a0]/g, ' ')} F CFA`;
}

/** "lundi 1 décembre 2026 à 21:39 (heure d'Abidjan)". */
export function formatDateTime(d: Date): string {
  return `${dateTimeFormat.format(d)} (heure d'Abidjan)`;
}

/** "1 décembre 2026 à 21:39" (Abidjan), for messages where the full form is too long. */
export function formatShortDateTime(d: Date): string {
  return shortDateTimeFormat.format(d).replace(',', ' à');
}

/** "21:39" (Abidjan). */
export function formatTime(d: Date): string {
  return timeFormat.format(d);
}

/** French elision before a vowel or a mute h: `elide('de', 'annuler')` → "d'annuler", `elide('le', 'valider')` → "le valider". */
export function elide(word: 'de' | 'le' | 'la' | 'que' | 'ne' | 'se', next: string): string {
  return /^[aeiouyéèêëàâîïôöûüœh]/i.test(next) ? `${word.slice(0, -1)}'${next}` : `${word} ${next}`;
}
