/**
 * Seat holds. A pending payment holds `quantite` seats of its ticket type until `expire_le`.
 * availability = quantite − vendus − seats held by unexpired pending payments, computed while holding the
 * ticket type's row lock: concurrent buyers queue on that lock, so two of them can never both take the last
 * seat. No provider call ever happens while the lock is held.
 *
 * A new hold is one statement (insertHoldingPayment): the lock is taken and released inside PostgreSQL, so
 * buyers of one ticket type pass at the database's speed, not at the pace of round trips to a busy server.
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { selectRows, type Db, type DbOrTx } from '../../db/client.js';
import { ConflictError, pgErrorCode } from '../../core/errors.js';
import { payments } from './tables.js';
import { statusHistory } from '../../core/history.js';
import { preparedOnce } from '../../db/prepared.js';

/** What a new pending payment is made of (the rest takes its defaults); `quantite` is checked by sv_hold_seats. */
export type NewHold = Required<
  Pick<
    typeof payments.$inferInsert,
    | 'reference'
    | 'type'
    | 'utilisateurId'
    | 'evenementId'
    | 'montant'
    | 'fournisseur'
    | 'telephone'
    | 'referenceFournisseur'
    | 'idempotencyKey'
    | 'empreinteRequete'
    | 'expireLe'
    | 'prochaineVerification'
  >
> & { typeBilletId: number; quantite: number; commissionPourcentage: number };

/** Seats one buyer, and one payer phone, may hold at once on one event (MAX_HELD_SEATS_PER_*; null = no cap). */
export interface HoldCaps {
  perUser: number | null;
  perPhone: number | null;
}

/** Raised by sv_hold_seats (migration 0006) when the seats asked for are not left; DETAIL holds the seats left. */
const SOLD_OUT = 'SV409';
/** Raised by sv_hold_seats_capped (migration 0012); DETAIL "count,max". */
const USER_HOLDS = 'SV429';
const PHONE_HOLDS = 'SV430';
const PER_PERSON = 'SV431';
/** Raised by sv_hold_seats_capped when the buyer already has a payment with this Idempotency-Key. */
const KEY_TAKEN = 'SV412';

/**
 * A request with the same Idempotency-Key as one that got the buyer's lock first: the hold is not made, and the
 * caller answers with the payment already stored under the key (a replay), never with a cap it would have met.
 */
export class IdempotencyKeyTakenError extends ConflictError {
  constructor() {
    super("Cette clé d'idempotence a déjà servi pour un autre achat.", 'idempotency_key_reused');
  }
}

const places = (n: number) => `${n} place${n > 1 ? 's' : ''}`;
const billets = (n: number) => `${n} billet${n > 1 ? 's' : ''}`;

/** The buyer already holds `held` seats of this event in pending payments, and may hold `max` at once. */
export function tooManyHeldError(held: number, max: number, byPhone: boolean): ConflictError {
  const who = byPhone ? 'Ce numéro de téléphone a déjà' : 'Vous avez déjà';
  return new ConflictError(
    `${who} ${places(held)} réservée${held > 1 ? 's' : ''} en attente de paiement pour cet événement, ` +
      `et ${places(max)} au plus peuvent l'être à la fois. Terminez ou attendez la fin de ces paiements avant d'en lancer un autre.`,
    'trop_de_places_reservees',
  );
}

/** The event's max_par_personne: `already` seats bought or held by this buyer. */
export function perPersonLimitError(already: number, max: number): ConflictError {
  const left = Math.max(0, max - already);
  return new ConflictError(
    `${billets(max)} au plus par personne pour cet événement : vous en avez déjà ${already} (achetés ou réservés)` +
      (left > 0 ? `, vous pouvez encore en prendre ${left}.` : '.'),
    'limite_par_personne',
  );
}

function detailPair(err: unknown): [number, number] {
  const e = err as { detail?: string; cause?: { detail?: string } };
  const [a, b] = String(e.cause?.detail ?? e.detail ?? '0,0').split(',');
  return [Number(a ?? 0), Number(b ?? 0)];
}

export function soldOutError(left: number): ConflictError {
  const message =
    left <= 0
      ? 'Plus aucune place disponible pour ce billet.'
      : left === 1
        ? "Il ne reste qu'une place pour ce billet."
        : `Il ne reste que ${left} places pour ce billet.`;
  return new ConflictError(message, 'sold_out');
}

/**
 * Inserts a pending payment holding its seats, and its creation history row, in one statement run on its own
 * (never inside a transaction, whose end would keep the lock for another round trip). The payment's
 * `quantite` is computed by sv_hold_seats, which locks the ticket type, counts the holds with a fresh
 * snapshot and refuses (409 in French) when the seats do not fit; either everything is written or nothing.
 */
export async function insertHoldingPayment(
  db: Db,
  values: NewHold,
  now: Date,
  history: { source: string; details: Record<string, unknown> },
  caps: HoldCaps,
): Promise<typeof payments.$inferSelect> {
  try {
    const [row] = await holdingInsert(db).execute({
      ...values,
      now,
      maxUser: caps.perUser,
      maxPhone: caps.perPhone,
      source: history.source,
      details: JSON.stringify(history.details),
    });
    return row!;
  } catch (err) {
    const code = pgErrorCode(err);
    if (code === SOLD_OUT) throw soldOutError(seatsLeft(err));
    if (code === USER_HOLDS || code === PHONE_HOLDS) throw tooManyHeldError(...detailPair(err), code === PHONE_HOLDS);
    if (code === PER_PERSON) throw perPersonLimitError(...detailPair(err));
    if (code === KEY_TAKEN) throw new IdempotencyKeyTakenError();
    throw err;
  }
}

/** The statement of insertHoldingPayment, built once (it runs for every buyer of a sale). */
function holdingInsert(db: Db) {
  return preparedOnce(db, 'payment_hold_insert_capped', (d, name) => {
    const ph = sql.placeholder;
    const p = d.$with('p').as(
      d
        .insert(payments)
        .values({
          reference: ph('reference'),
          type: ph('type'),
          utilisateurId: ph('utilisateurId'),
          evenementId: ph('evenementId'),
          typeBilletId: ph('typeBilletId'),
          // The Idempotency-Key, caps per buyer and per phone, the event's max_par_personne, then the seats
          // (migrations 0012, 0006).
          quantite: sql`sv_hold_seats_capped(${ph('typeBilletId')}::integer, ${ph('quantite')}::integer, ${ph('now')}::timestamptz,
            ${ph('utilisateurId')}::integer, ${ph('telephone')}::varchar, ${ph('maxUser')}::integer, ${ph('maxPhone')}::integer,
            ${ph('idempotencyKey')}::varchar)`,
          montant: ph('montant'),
          fournisseur: ph('fournisseur'),
          telephone: ph('telephone'),
          referenceFournisseur: ph('referenceFournisseur'),
          idempotencyKey: ph('idempotencyKey'),
          empreinteRequete: ph('empreinteRequete'),
          expireLe: ph('expireLe'),
          prochaineVerification: ph('prochaineVerification'),
          commissionPourcentage: ph('commissionPourcentage'),
        })
        .returning(),
    );
    const h = d.$with('h', { id: sql<number>`id` }).as(
      sql`INSERT INTO ${statusHistory} (entite, entite_id, ancien_statut, nouveau_statut, source, details)
          SELECT 'PAIEMENT', p.id, NULL, p.statut, ${ph('source')}, ${ph('details')}::jsonb FROM ${p} RETURNING id`,
    );
    return d.with(p, h).select().from(p).prepare(name);
  });
}

/**
 * Seats held by pending, unexpired payments of a ticket type, as an SQL expression: `typeId` may be a value or
 * a column of the enclosing query (the purchase reads it per type). The same rule as sv_hold_seats.
 */
export function heldSeatsSql(typeId: SQLWrapper | number, now: SQLWrapper | Date): SQL<number> {
  return sql<number>`(SELECT coalesce(sum(h.quantite), 0)::int FROM ${payments} h
                       WHERE h.type_billet_id = ${typeId} AND h.statut = 'EN_ATTENTE' AND h.expire_le > ${now}::timestamptz)`;
}

/** Seats held by pending, unexpired payments of this type. */
export async function heldSeats(db: DbOrTx, typeId: number, now: Date): Promise<number> {
  const [row] = await selectRows<{ n: number }>(db, sql`SELECT ${heldSeatsSql(typeId, now)} AS n`);
  return row?.n ?? 0;
}

/**
 * Turns a confirmed payment's seats into sold ones (sv_sell_seats, migration 0006): locks the ticket type,
 * checks under that lock that the event is still VALIDE and the seats are still there, adds them to `vendus`.
 * A cancellation takes the same lock before it looks for paid tickets, so the two cannot miss each other.
 * Run it as the last statement of the confirming transaction: buyers then wait on the lock for this statement
 * and the COMMIT only. Throws soldOutError when the seats are gone (a late success can meet it),
 * EventUnavailableError when the event was cancelled or closed meanwhile.
 */
export async function sellSeats(tx: DbOrTx, typeId: number, quantite: number, now: Date, paymentId: number): Promise<void> {
  try {
    await tx.execute(
      sql`SELECT sv_sell_seats(${typeId}::integer, ${quantite}::integer, ${now.toISOString()}::timestamptz, ${paymentId}::integer)`,
    );
  } catch (err) {
    if (pgErrorCode(err) === SOLD_OUT) throw soldOutError(seatsLeft(err));
    if (pgErrorCode(err) === EVENT_GONE) throw new EventUnavailableError();
    throw err;
  }
}

/** Raised by sv_sell_seats when the event is no longer VALIDE (cancelled, closed). */
const EVENT_GONE = 'SV410';

export class EventUnavailableError extends ConflictError {
  constructor() {
    super("L'événement n'est plus disponible.", 'event_unavailable');
  }
}

function seatsLeft(err: unknown): number {
  const e = err as { detail?: string; cause?: { detail?: string } };
  return Number(e.cause?.detail ?? e.detail ?? 0);
}
