/**
 * Tickets: the buyer's list and detail, and check-in at the door. A ticket is scanned once: the guarded
 * UPDATE (… WHERE statut = 'VALIDE') lets exactly one of two simultaneous scans through.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { tickets, ticketTypes } from './tables.js';
import { events } from '../events/tables.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { paginate, type PageRequest, type PageSlice } from '../../core/pagination.js';
import { normalizeTicketCode } from './render/code.js';
import { PAYLOAD_PREFIX, verifyTicketPayload, type PublicKeyRing } from './render/payload.js';
import type { TicketsDeps } from './deps.js';

const ticketColumns = {
  id: tickets.id,
  code: tickets.code,
  statut: tickets.statut,
  paymentId: tickets.paymentId,
  evenementId: tickets.evenementId,
  typeBilletId: tickets.typeBilletId,
  typeBilletNom: ticketTypes.nom,
  prix: ticketTypes.prix,
  titulaireId: tickets.titulaireId,
  titulaireNom: tickets.titulaireNom,
  dateEmission: tickets.dateEmission,
  dateUtilisation: tickets.dateUtilisation,
  evenementTitre: events.titre,
  evenementDateDebut: events.dateDebut,
  evenementLieu: events.lieu,
  evenementAdresse: events.adresse,
};

export type TicketView = Awaited<ReturnType<typeof getMyTicket>>;

/** The caller's tickets, newest first. */
export async function listMyTickets(deps: TicketsDeps, userId: number, page: PageRequest): Promise<PageSlice<TicketView>> {
  return paginate(
    page,
    () => countMyTickets(deps.db, userId),
    (limit, offset) => myTickets(deps.db, userId, limit, offset),
  );
}

async function countMyTickets(db: Db, userId: number): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(tickets)
    .where(eq(tickets.titulaireId, userId));
  return r?.n ?? 0;
}

async function myTickets(db: Db, userId: number, limit: number, offset: number) {
  return db
    .select(ticketColumns)
    .from(tickets)
    .innerJoin(ticketTypes, eq(ticketTypes.id, tickets.typeBilletId))
    .innerJoin(events, eq(events.id, tickets.evenementId))
    .where(eq(tickets.titulaireId, userId))
    .orderBy(desc(tickets.dateEmission), desc(tickets.id))
    .limit(limit)
    .offset(offset);
}

/** Another person's ticket is "not found": its existence is none of the caller's business. */
export async function getMyTicket({ db }: Pick<TicketsDeps, 'db'>, userId: number, ticketId: number) {
  const [t] = await db
    .select(ticketColumns)
    .from(tickets)
    .innerJoin(ticketTypes, eq(ticketTypes.id, tickets.typeBilletId))
    .innerJoin(events, eq(events.id, tickets.evenementId))
    .where(and(eq(tickets.id, ticketId), eq(tickets.titulaireId, userId)));
  if (!t) throw new NotFoundError('Billet introuvable.');
  return t;
}

/**
 * What was scanned or typed: the signed QR payload (verified against our public keys) or the short code
 * (its check character catches typos). Anything else is a forgery or a misread: 400.
 */
export function resolveScannedCode(scanned: string, keys: PublicKeyRing): { code: string; eventId?: number } {
  const text = scanned.trim();
  if (text.startsWith(`${PAYLOAD_PREFIX}.`)) {
    const v = verifyTicketPayload(text, keys);
    if (!v.ok) throw ValidationError.field('code', `QR code invalide (${v.reason}).`);
    return { code: v.claims.code, eventId: v.claims.eventId };
  }
  const code = normalizeTicketCode(text);
  if (!code) throw ValidationError.field('code', 'Code de billet invalide.');
  return { code };
}
