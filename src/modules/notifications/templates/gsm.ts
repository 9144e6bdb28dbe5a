/**
 * SMS encoding as the networks count it (3GPP TS 23.038). A message in the GSM 7-bit alphabet takes 160
 * characters in one segment (153 per segment when concatenated; the extension characters ^{}\[~]|€ count
 * twice); one character outside it switches the whole message to UCS-2: 70 characters, 67 per segment.
 * French accents é è à ù ì ò É stay GSM-7; ê ç â î ô û ë ï and typographic quotes do not, so `toGsm7`
 * replaces them by their nearest GSM-7 letter before sending (a feature phone shows "fete" rather than
 * a message cut in three).
 */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION = '^{}\\[~]|€\f';
const BASIC_SET = new Set(BASIC);
const EXT_SET = new Set(EXTENSION);

const REPLACEMENTS: Record<string, string> = {
  ê: 'e',
  ë: 'e',
  ç: 'c',
  â: 'a',
  á: 'a',
  î: 'i',
  ï: 'i',
  í: 'i',
  ô: 'o',
  ó: 'o',
  û: 'u',
  ú: 'u',
  Ê: 'E',
  È: 'E',
  Ë: 'E',
  À: 'A',
  Â: 'A',
  Î: 'I',
  Ô: 'O',
  Û: 'U',
  Ù: 'U',
  œ: 'oe',
  Œ: 'OE',
  '«': '"',
  '»': '"',
  '“': '"',
  '”': '"',
  '’': "'",
  '‘': "'",
  '–': '-',
  '—': '-',
  '…': '...',
  '\u00a0': ' ',
  '\u202f': ' ',
};

export function isGsm7(text: string): boolean {
  for (const c of text) if (!BASIC_SET.has(c) && !EXT_SET.has(c)) return false;
  return true;
}

/** Replaces the characters that would force UCS-2 by GSM-7 ones where a close one exists. */
export function toGsm7(text: string): string {
  let out = '';
  for (const c of text) out += BASIC_SET.has(c) || EXT_SET.has(c) ? c : (REPLACEMENTS[c] ?? c);
  return out;
}

export interface SmsEncoding {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

export function smsSegments(text: string): SmsEncoding {
  if (isGsm7(text)) {
    let units = 0;
    for (const c of text) units += EXT_SET.has(c) ? 2 : 1;
    return { encoding: 'GSM-7', units, segments: units <= 160 ? 1 : Math.ceil(units / 153) };
  }
  const units = text.length; // UTF-16 code units: an emoji counts two
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
