/** Ticket rendering without a database: signed QR payloads, manual codes, QR images and the PDF ticket. */
export { generateTicketCode, normalizeTicketCode, formatTicketCode, TICKET_CODE_LENGTH } from './code.js';
export { ticketSigningKey, parseTicketSigningKey, deriveTicketSigningKey, keyFromSeed, type TicketSigningKey } from './keys.js';
export {
  signTicketPayload,
  verifyTicketPayload,
  keyRing,
  PAYLOAD_PREFIX,
  type TicketClaims,
  type VerifyResult,
  type PublicKeyRing,
} from './payload.js';
export { qrSvg, qrPng } from './qr.js';
export { renderTicketPdf, toWinAnsi, formatEventDate, type TicketPdfInput } from './pdf.js';
