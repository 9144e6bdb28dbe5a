/**
 * Check-in at the door, always for one event (issue 12): online scans, the attendee search, the offline export
 * and the sync of scans made offline.
 *
 * - Who: the event's creator, its door staff (team module, any role), platform staff, or a scanner token of
 *   that event (its event is implied; another event is a 403).
 * - One ticket is scanned once: its row is locked (FOR NO KEY UPDATE) before the guarded VALIDE → UTILISE.
 * - Offline: scans come later with their time and a device nonce. The unique (event, nonce) makes a re-sent
 *   scan answer what it answered first; the earliest scan of a ticket wins (the ticket's use moves to it and
 *   the later scan is reported as the conflict, « déjà scanné à 20:14 à l'entrée B »).
 * - Unknown and forged codes are counted per scanner (checkin-limits.ts): a code-guesser gets 429s.
 */
import { createHash } from 'node:crypto';
import { and, asc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { AuthUser, ScannerCredential } from '../../core/auth.js';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.js';
import { formatShortDateTime, formatTime } from '../../core/french.js';
import { paginate, type PageRequest } from '../../core/pagination.js';
import { assertEventRole, eventRole } from '../team/access.js';
import { checkinScans, tickets, ticketTypes, type CheckinScanStatut, type TicketStatut } from './tables.js';
import { formatTicketCode, normalizeTicketCode } from './render/code.js';
import { PAYLOAD_PREFIX } from './render/payload.js';
import { resolveScannedCode } from './service.js';
import { ticketMachine } from './states.js';
import { scannerKey } from './checkin-limits.js';
import type { TicketsDeps } from './deps.js';

/** Who scans: the user, and the scanner token when the request came with one. */
export interface Controller {
  user: AuthUser;
  scanner: ScannerCredential | null;
}

export interface CheckInResult {
  ticket: {
    id: number;
    code: string;
    statut: string;
    titulaire: string;
    type_billet: string;
    evenement_id: number;
    date_utilisation: string;
    entree: string | null;
  };
}

/** The event a scan is for: given by the scanner, implied by a scanner token; never "any of mine". */
export function scanEvent(c: Controller, evenementId: number | undefined): number {
  if (c.scanner) {
    if (evenementId !== undefined && evenementId !== c.scanner.eventId) {
      throw new ForbiddenError('Ce jeton de contrôle ne vaut que pour son propre événement.', 'scanner_token_scope');
    }
    return c.scanner.eventId;
  }
  if (evenementId === undefined) {
    throw ValidationError.field('evenement_id', "Indiquez l'événement contrôlé (evenement_id) : un contrôle vaut pour un seul événement.");
  }
  return evenementId;
}

/** An unknown code (or one of an event the scanner may not know of): counted against the scanner. */
class UnknownTicketError extends NotFoundError {
  constructor() {
    super('Billet introuvable pour cet événement.');
  }
}

const STATUT_WORDS: Record<TicketStatut, string> = {
  VALIDE: 'valide',
  UTILISE: 'utilisé',
  ANNULE: 'annulé',
  REMBOURSE: 'remboursé',
};

/** « à 20:14 à l'entrée B » (the time alone when it is within 12 hours of `near`, else the date too). */
function whenWhere(at: Date, entree: string | null, near: Date): string {
  const when = Math.abs(near.getTime() - at.getTime()) < 12 * 3600_000 ? `à ${formatTime(at)}` : `le ${formatShortDateTime(at)}`;
  return entree ? `${when} à l'entrée ${entree}` : when;
}

const lockedTicket = (tx: DbOrTx, code: string) =>
  tx
    .select({
      id: tickets.id,
      statut: tickets.statut,
      evenementId: tickets.evenementId,
      dateUtilisation: tickets.dateUtilisation,
      dateEmission: tickets.dateEmission,
      entree: tickets.entree,
      titulaireNom: tickets.titulaireNom,
      typeNom: ticketTypes.nom,
      code: tickets.code,
    })
    .from(tickets)
    .innerJoin(ticketTypes, eq(ticketTypes.id, tickets.typeBilletId))
    .where(eq(tickets.code, code))
    .for('no key update', { of: tickets });

/** Resolves what was scanned, counting a forged or misread code against the scanner. */
async function resolveCounted(deps: TicketsDeps, key: string, scanned: string) {
  try {
    return resolveScannedCode(scanned, deps.keys);
  } catch (err) {
    await deps.unknownCodes.record(key);
    throw err;
  }
}

export async function checkIn(
  deps: TicketsDeps,
  c: Controller,
  scanned: string,
  opts: { evenementId?: number; entree?: string } = {},
): Promise<CheckInResult> {
  const eventId = scanEvent(c, opts.evenementId);
  const key = scannerKey(c);
  await deps.unknownCodes.assertAllowed(key);
  const { code: normalized, eventId: signedEvent } = await resolveCounted(deps, key, scanned);
  const entree = opts.entree?.trim() || null;
  try {
    return await deps.db.transaction(async (tx) => {
      await assertEventRole(tx, eventId, c.user, 'SCANNER', c.scanner);
      const [t] = await lockedTicket(tx, normalized);
      if (!t) throw new UnknownTicketError();
      if (signedEvent !== undefined && signedEvent !== t.evenementId)
        throw ValidationError.field('code', 'QR code invalide (événement incohérent).');
      if (t.evenementId !== eventId) {
        // Say so only to someone who runs that other event too; anyone else learns nothing.
        const other = await eventRole(tx, t.evenementId, c.user, c.scanner);
        if (!other.role) throw new UnknownTicketError();
        throw new ConflictError(`Ce billet est pour un autre événement : « ${other.titre} ». Entrée refusée.`, 'wrong_event', {
          evenement_id: [String(t.evenementId)],
        });
      }
      if (t.statut === 'UTILISE') {
        throw new ConflictError(
          `Billet déjà utilisé le ${formatShortDateTime(t.dateUtilisation!)}${t.entree ? ` à l'entrée ${t.entree}` : ''}.`,
          'already_checked_in',
          { date_utilisation: [t.dateUtilisation!.toISOString()] },
        );
      }
      if (t.statut !== 'VALIDE') throw new ConflictError(`Billet non valable (${STATUT_WORDS[t.statut]}).`, 'ticket_not_valid');
      const now = new Date();
      await ticketMachine.transition(tx, t.id, ['VALIDE'], 'UTILISE', {
        source: 'controle',
        details: { controleur_id: c.user.id, ...(c.scanner ? { jeton_id: c.scanner.tokenId } : {}), ...(entree ? { entree } : {}) },
        set: { dateUtilisation: now, controleurId: c.user.id, entree },
      });
      return {
        ticket: {
          id: t.id,
          code: formatTicketCode(t.code),
          statut: 'UTILISE',
          titulaire: t.titulaireNom,
          type_billet: t.typeNom,
          evenement_id: t.evenementId,
          date_utilisation: now.toISOString(),
          entree,
        },
      };
    });
  } catch (err) {
    if (err instanceof UnknownTicketError) await deps.unknownCodes.record(key);
    throw err;
  }
}

/** Ticket holders of the event by name, or by their short code, for the door (any team role, scanner tokens). */
export async function searchAttendees(deps: TicketsDeps, c: Controller, eventId: number, q: string, page: PageRequest) {
  const id = scanEvent(c, eventId);
  await assertEventRole(deps.db, id, c.user, 'SCANNER', c.scanner);
  const key = scannerKey(c);
  const text = q.trim();
  const code = normalizeTicketCode(text);
  if (code) await deps.unknownCodes.assertAllowed(key);
  const pattern = `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const where = and(eq(tickets.evenementId, id), or(ilike(tickets.titulaireNom, pattern), code ? eq(tickets.code, code) : undefined));
  const result = await paginate(
    page,
    async () =>
      (
        await deps.db
          .select({ n: sql<number>`count(*)::int` })
          .from(tickets)
          .where(where)
      )[0]!.n,
    (limit, offset) =>
      deps.db
        .select({
          id: tickets.id,
          code: tickets.code,
          statut: tickets.statut,
          titulaireNom: tickets.titulaireNom,
          typeNom: ticketTypes.nom,
          dateUtilisation: tickets.dateUtilisation,
          entree: tickets.entree,
        })
        .from(tickets)
        .innerJoin(ticketTypes, eq(ticketTypes.id, tickets.typeBilletId))
        .where(where)
        .orderBy(asc(tickets.titulaireNom), asc(tickets.id))
        .limit(limit)
        .offset(offset),
  );
  // A code-shaped query that finds nothing is a guess like any other.
  if (code && result.count === 0) await deps.unknownCodes.record(key);
  return result;
}

/** How the export hashes a ticket code: SHA-256 (hex) of « <event id>:<12-character code> ». */
export function offlineCodeHash(eventId: number, code: string): string {
  return createHash('sha256').update(`${eventId}:${code}`, 'utf8').digest('hex');
}

/**
 * What a door app needs to check tickets with no network: the public key that verifies QR signatures, the
 * hashed codes of valid tickets (for typed codes), those already used, and the revoked ones.
 */
export async function exportForOffline(deps: TicketsDeps, c: Controller, eventId: number) {
  const id = scanEvent(c, eventId);
  await assertEventRole(deps.db, id, c.user, 'SCANNER', c.scanner);
  const generatedAt = new Date();
  const rows = await deps.db
    .select({ code: tickets.code, statut: tickets.statut, dateUtilisation: tickets.dateUtilisation, entree: tickets.entree })
    .from(tickets)
    .where(eq(tickets.evenementId, id))
    .orderBy(asc(tickets.id));
  return {
    evenement_id: id,
    genere_le: generatedAt.toISOString(),
    cle_publique: {
      algorithme: 'Ed25519' as const,
      id: deps.signingKey.keyId,
      raw: deps.signingKey.publicKeyRaw,
      pem: deps.signingKey.publicKeyPem,
    },
    format_qr: `${PAYLOAD_PREFIX}.<base64url(JSON {k: id de clé, t: id du billet, e: id de l'événement, c: code})>.<signature Ed25519 base64url de « ${PAYLOAD_PREFIX}.<contenu> »>`,
    hachage: 'sha256 hexadécimal de « <evenement_id>:<code> », code en 12 caractères sans tirets, majuscules',
    codes_valides: rows.filter((r) => r.statut === 'VALIDE').map((r) => offlineCodeHash(id, r.code)),
    deja_utilises: rows
      .filter((r) => r.statut === 'UTILISE')
      .map((r) => ({ empreinte: offlineCodeHash(id, r.code), date_utilisation: r.dateUtilisation!.toISOString(), entree: r.entree })),
    revoques: rows.filter((r) => r.statut === 'ANNULE' || r.statut === 'REMBOURSE').map((r) => offlineCodeHash(id, r.code)),
  };
}

export interface OfflineScan {
  code: string;
  scannedAt: Date;
  nonce: string;
  entree?: string | undefined;
}

export type SyncStatut = CheckinScanStatut | 'NON_TRAITE';

export interface SyncResult {
  nonce: string;
  statut: SyncStatut;
  message: string;
  billet_id: number | null;
}

/** How far ahead of the server's clock a device's scan time may be. */
const CLOCK_SKEW_MS = 5 * 60_000;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Scans made offline, in order. Each is its own transaction (a long batch holds no lock for long). A scan
 * not processed because the scanner hit the unknown-code limit is `NON_TRAITE` and not recorded: send it again.
 */
export async function syncOfflineScans(
  deps: TicketsDeps,
  c: Controller,
  evenementId: number | undefined,
  scans: OfflineScan[],
): Promise<{ evenement_id: number; resultats: SyncResult[] }> {
  const eventId = scanEvent(c, evenementId);
  await assertEventRole(deps.db, eventId, c.user, 'SCANNER', c.scanner);
  const key = scannerKey(c);
  await deps.unknownCodes.assertAllowed(key);
  const results: SyncResult[] = [];
  // Scans already received (a device re-sending its batch) are answered from one read, without a transaction
  // each; a nonce not seen here goes through syncOne, whose insert settles any race.
  const known = new Map(
    (
      await deps.db
        .select()
        .from(checkinScans)
        .where(and(eq(checkinScans.evenementId, eventId), inArray(checkinScans.nonce, [...new Set(scans.map((x) => x.nonce))])))
    ).map((r) => [r.nonce, r]),
  );
  let blocked = false;
  for (const scan of scans) {
    const prior = known.get(scan.nonce);
    if (prior) {
      results.push(replay(prior, scan));
      continue;
    }
    if (blocked) {
      results.push({ nonce: scan.nonce, statut: 'NON_TRAITE', message: deps.unknownCodes.refusal().message, billet_id: null });
      continue;
    }
    const r = await syncOne(deps, c, eventId, scan);
    if (r.counted && (await deps.unknownCodes.record(key))) blocked = true;
    results.push(r.result);
  }
  return { evenement_id: eventId, resultats: results };
}

/** The recorded answer of a scan sent again; a nonce reused for another code is refused, not replayed. */
function replay(prior: typeof checkinScans.$inferSelect, scan: OfflineScan): SyncResult {
  if (prior.saisieHash !== sha256(scan.code.trim())) {
    return { nonce: scan.nonce, statut: 'INVALIDE', message: 'Ce nonce a déjà servi pour un autre billet : scan ignoré.', billet_id: null };
  }
  return { nonce: scan.nonce, statut: prior.statut, message: prior.message, billet_id: prior.ticketId };
}

async function syncOne(
  deps: TicketsDeps,
  c: Controller,
  eventId: number,
  scan: OfflineScan,
): Promise<{ result: SyncResult; counted: boolean }> {
  const saisieHash = sha256(scan.code.trim());
  const entree = scan.entree?.trim() || null;
  return deps.db.transaction(async (tx) => {
    // Claim the nonce first: a concurrent sync of the same scan waits here, then reads what this one decided.
    const [row] = await tx
      .insert(checkinScans)
      .values({
        evenementId: eventId,
        nonce: scan.nonce,
        saisieHash,
        scanneLe: scan.scannedAt,
        entree,
        controleurId: c.user.id,
        jetonId: c.scanner?.tokenId ?? null,
        statut: 'INVALIDE',
        message: '',
      })
      .onConflictDoNothing()
      .returning({ id: checkinScans.id });
    if (!row) {
      const [prior] = await tx
        .select()
        .from(checkinScans)
        .where(and(eq(checkinScans.evenementId, eventId), eq(checkinScans.nonce, scan.nonce)));
      return { result: replay(prior!, scan), counted: false };
    }
    const decide = async (): Promise<{ statut: CheckinScanStatut; message: string; ticketId: number | null; counted: boolean }> => {
      if (scan.scannedAt.getTime() > Date.now() + CLOCK_SKEW_MS) {
        return {
          statut: 'INVALIDE',
          message: "Heure de scan dans le futur : vérifiez l'horloge de l'appareil.",
          ticketId: null,
          counted: false,
        };
      }
      let resolved: { code: string; eventId?: number };
      try {
        resolved = resolveScannedCode(scan.code, deps.keys);
      } catch (err) {
        const msg = err instanceof AppError && err.details ? Object.values(err.details)[0]![0]! : 'Code de billet invalide.';
        return { statut: 'INVALIDE', message: msg, ticketId: null, counted: true };
      }
      const [t] = await lockedTicket(tx, resolved.code);
      if (!t) return { statut: 'INCONNU', message: 'Billet introuvable pour cet événement.', ticketId: null, counted: true };
      if ((resolved.eventId !== undefined && resolved.eventId !== t.evenementId) || t.evenementId !== eventId) {
        return {
          statut: 'AUTRE_EVENEMENT',
          message: 'Ce billet est pour un autre événement : entrée refusée.',
          ticketId: null,
          counted: true,
        };
      }
      // A device whose clock is far behind must not "win" the first entry with a time before the ticket existed.
      if (scan.scannedAt.getTime() < t.dateEmission.getTime() - CLOCK_SKEW_MS) {
        return {
          statut: 'INVALIDE',
          message: "Heure de scan antérieure à l'émission du billet : vérifiez l'horloge de l'appareil.",
          ticketId: t.id,
          counted: false,
        };
      }
      if (t.statut === 'ANNULE' || t.statut === 'REMBOURSE') {
        return { statut: 'NON_VALABLE', message: `Billet non valable (${STATUT_WORDS[t.statut]}).`, ticketId: t.id, counted: false };
      }
      const details = {
        controleur_id: c.user.id,
        hors_ligne: true,
        scanne_le: scan.scannedAt.toISOString(),
        ...(c.scanner ? { jeton_id: c.scanner.tokenId } : {}),
        ...(entree ? { entree } : {}),
      };
      if (t.statut === 'VALIDE') {
        await ticketMachine.transition(tx, t.id, ['VALIDE'], 'UTILISE', {
          source: 'controle',
          details,
          set: { dateUtilisation: scan.scannedAt, controleurId: c.user.id, entree },
        });
        return { statut: 'ACCEPTE', message: 'Entrée autorisée.', ticketId: t.id, counted: false };
      }
      // Already used: the earliest scan wins.
      if (scan.scannedAt < t.dateUtilisation!) {
        await tx.update(tickets).set({ dateUtilisation: scan.scannedAt, controleurId: c.user.id, entree }).where(eq(tickets.id, t.id));
        // The scans that had been accepted for it were in fact the second entry.
        await tx
          .update(checkinScans)
          .set({ statut: 'DEJA_UTILISE', message: `Billet déjà scanné ${whenWhere(scan.scannedAt, entree, t.dateUtilisation!)}.` })
          .where(and(eq(checkinScans.ticketId, t.id), inArray(checkinScans.statut, ['ACCEPTE'])));
        return { statut: 'ACCEPTE', message: 'Entrée autorisée (premier passage).', ticketId: t.id, counted: false };
      }
      return {
        statut: 'DEJA_UTILISE',
        message: `Billet déjà scanné ${whenWhere(t.dateUtilisation!, t.entree, scan.scannedAt)}.`,
        ticketId: t.id,
        counted: false,
      };
    };
    const d = await decide();
    await tx
      .update(checkinScans)
      .set({ statut: d.statut, message: d.message.slice(0, 300), ticketId: d.ticketId })
      .where(eq(checkinScans.id, row.id));
    return { result: { nonce: scan.nonce, statut: d.statut, message: d.message, billet_id: d.ticketId }, counted: d.counted };
  });
}
