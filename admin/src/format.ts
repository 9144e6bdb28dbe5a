/** Amounts and dates as staff read them: "15 000 F CFA", dates in Abidjan's time (UTC+0), in French. */
const nf = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });

/** "15 000 F CFA": fr-FR groups with U+202F (narrow no-break space); U+00A0 keeps the unit on the same line. */
export const formatFcfa = (amount: number | null | undefined) => (amount == null ? '' : `${nf.format(amount)}\u00a0F\u00a0CFA`);

export const TIME_ZONE = 'Africa/Abidjan';
const dateTime = new Intl.DateTimeFormat('fr-FR', { timeZone: TIME_ZONE, dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('fr-FR', { timeZone: TIME_ZONE, dateStyle: 'medium' });

export const formatDateTime = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '');
export const formatDate = (iso: string | null | undefined) => (iso ? dateOnly.format(new Date(iso)) : '');
