/**
 * The PDF ticket: event title, date and place, holder, ticket type, the QR code and the manual-entry code.
 * pdfkit's built-in Helvetica needs no font file and no network; it covers WinAnsi (all of French), so text
 * is folded into that set first: a character it cannot draw (an emoji in a title) must not print as garbage.
 */
import PDFDocument from 'pdfkit';
import { formatTicketCode } from './code.js';
import { qrPng } from './qr.js';

export interface TicketPdfInput {
  payload: string;
  code: string;
  eventTitle: string;
  eventStart: Date;
  eventEnd?: Date | null;
  place: string;
  holderName: string;
  ticketType: string;
  price?: number | null;
  reference?: string | null;
}

/** Windows-1252 characters above 0x7F that are not Latin-1. */
const CP1252_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

export function toWinAnsi(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x09 || cp === 0x0a) out += ' ';
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
    else if (cp < 0x7f || (cp >= 0xa0 && cp <= 0xff) || CP1252_EXTRA.has(ch)) out += ch;
    else if (/\p{Extended_Pictographic}|\p{M}/u.test(ch) || ch === '\u200d' || ch === '\ufe0f') continue;
    else {
      const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += [...base].every((c) => c.codePointAt(0)! < 0x7f) && base ? base : '?';
    }
  }
  return out.replace(/ {2,}/g, ' ').trim();
}

const dateFmt = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Africa/Abidjan',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const timeFmt = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Africa/Abidjan', hour: '2-digit', minute: '2-digit' });

export function formatEventDate(start: Date, end?: Date | null): string {
  const day = dateFmt.format(start);
  const from = timeFmt.format(start);
  if (!end) return `${day} à ${from}`;
  return end.toDateString() === start.toDateString() || end.getTime() - start.getTime() < 86_400_000
    ? `${day}, ${from} – ${timeFmt.format(end)}`
    : `${day} à ${from} → ${dateFmt.format(end)}`;
}

export async function renderTicketPdf(t: TicketPdfInput): Promise<Buffer> {
  const png = await qrPng(t.payload, 600);
  const title = toWinAnsi(t.eventTitle) || 'Événement';
  const doc = new PDFDocument({
    size: 'A6',
    margin: 24,
    info: { Title: `Billet – ${title}`, Author: 'SpotVibe', Subject: toWinAnsi(`${t.ticketType} – ${t.holderName}`) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 48;
  doc.rect(0, 0, doc.page.width, 34).fill('#6c2bd9');
  doc.fillColor('#ffffff').font('Helvetica-Bold').fontSize(13).text('SpotVibe · Billet', 24, 11, { width });
  // Long titles and places are cut (with an ellipsis) to a fixed height, so the QR code always keeps its room.
  doc.fillColor('#111111').font('Helvetica-Bold').fontSize(14).text(title, 24, 46, { width, height: 54, ellipsis: true });
  doc.moveDown(0.3).font('Helvetica').fontSize(9).fillColor('#333333');
  doc.text(toWinAnsi(formatEventDate(t.eventStart, t.eventEnd)), { width });
  doc.text(toWinAnsi(t.place), { width, height: 22, ellipsis: true });
  doc.moveDown(0.5);
  const line = (label: string, value: string) => {
    doc.font('Helvetica-Bold').text(`${label} : `, { continued: true, width }).font('Helvetica').text(toWinAnsi(value).slice(0, 60));
  };
  line('Titulaire', t.holderName);
  line('Type de billet', t.ticketType);
  if (t.price != null) line('Prix', `${new Intl.NumberFormat('fr-FR').format(t.price).replace(/\u202f/g, ' ')} F CFA`);
  if (t.reference) line('Commande', t.reference);

  const qrSize = Math.min(150, doc.page.height - doc.y - 70);
  const qrX = (doc.page.width - qrSize) / 2;
  const qrY = doc.y + 8;
  doc.image(png, qrX, qrY, { width: qrSize, height: qrSize });
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor('#555555')
    .text('Code manuel', 24, qrY + qrSize + 6, { width, align: 'center' });
  doc.font('Courier-Bold').fontSize(14).fillColor('#111111').text(formatTicketCode(t.code), { width, align: 'center' });
  doc.end();
  return done;
}
