/**
 * Ticket types of a paid event. Their quantities together never exceed the event's capacity: every change
 * takes the event row's lock first, so two organizers' tabs cannot both add the last seats.
 */
import { and, eq, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { events } from '../events/tables.js';
import { canSee, lockEvent as lockEventRow, lockVisibleEvent, visibleEvent } from '../events/access.js';
import { heldSeats } from '../payments/reservation.js';
import { ticketTypes } from './tables.js';
import { assertOwner, type AuthUser } from '../../core/auth.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { HookHandler } from '../../core/hooks.js';
import type { TicketsDeps } from './deps.js';
import { paginate, type PageRequest } from '../../core/pagination.js';
import { assertWithinPlan } from '../subscriptions/effective.js';
import { eventRole } from '../team/access.js';
import './hooks.js';
import '../events/hooks.js';

export type TicketType = typeof ticketTypes.$inferSelect;

export interface TicketTypeInput {
  nom: string;
  prix: number;
  quantite: number;
  debutVente?: Date | null;
  finVente?: Date | null;
  maxParCommande?: number;
}

/** The event's lock (events/access.ts), taken before any change to its ticket types. */
async function lockEvent(tx: DbOrTx, eventId: number) {
  const ev = await lockEventRow(tx, eventId);
  if (!ev) throw new NotFoundError('Événement introuvable');
  return ev;
}

async function otherQuantities(tx: DbOrTx, eventId: number, exceptId?: number): Promise<number> {
  const [row] = await tx
    .select({ total: sql<number>`coalesce(sum(${ticketTypes.quantite}), 0)::int` })
    .from(ticketTypes)
    .where(exceptId ? and(eq(ticketTypes.evenementId, eventId), ne(ticketTypes.id, exceptId)) : eq(ticketTypes.evenementId, eventId));
  return row?.total ?? 0;
}

function validate(input: TicketTypeInput): void {
  const details: Record<string, string[]> = {};
  if (input.debutVente && input.finVente && input.finVente <= input.debutVente) {
    details.fin_vente = ['La fin de la vente doit être postérieure à son début.'];
  }
  if (input.maxParCommande !== undefined && input.maxParCommande > input.quantite) {
    details.max_par_commande = ['Le maximum par commande ne peut dépasser la quantité du type de billet.'];
  }
  if (Object.keys(details).length) throw new ValidationError(details);
}

async function insertTicketType(tx: DbOrTx, eventId: number, input: TicketTypeInput): Promise<TicketType> {
  validate(input);
  const ev = await lockEvent(tx, eventId);
  if (ev.typeAcces !== 'PAYANT') throw ValidationError.field('type_acces', 'Seul un événement payant a des types de billets.');
  const used = await otherQuantities(tx, eventId);
  if (used + input.quantite > ev.capaciteMax) {
    throw ValidationError.field(
      'quantite',
      `Les types de billets dépasseraient la capacité de l'événement (${used} + ${input.quantite} > ${ev.capaciteMax}).`,
    );
  }
  const [row] = await tx
    .insert(ticketTypes)
    .values({
      evenementId: eventId,
      nom: input.nom,
      prix: input.prix,
      quantite: input.quantite,
      debutVente: input.debutVente ?? null,
      finVente: input.finVente ?? null,
      maxParCommande: input.maxParCommande ?? 10,
    })
    .onConflictDoNothing()
    .returning();
  if (!row)
    throw new ConflictError('Un type de billet porte déjà ce nom pour cet événement.', 'duplicate', {
      nom: ['Un type de billet porte déjà ce nom pour cet événement.'],
    });
  return row;
}

async function applyTicketTypePatch(tx: DbOrTx, typeId: number, patch: Partial<TicketTypeInput>): Promise<TicketType> {
  const [current] = await tx.select().from(ticketTypes).where(eq(ticketTypes.id, typeId));
  if (!current) throw new NotFoundError('Type de billet introuvable.');
  const ev = await lockEvent(tx, current.evenementId);
  const [locked] = await tx.select().from(ticketTypes).where(eq(ticketTypes.id, typeId)).for('no key update');
  // The floor set by sales first: it is what the organizer must know, whatever else the patch gets wrong.
  if (patch.quantite !== undefined) await assertQuantityCoversSales(tx, locked!, patch.quantite);
  const next = { ...locked!, ...patch };
  validate({
    nom: next.nom,
    prix: next.prix,
    quantite: next.quantite,
    debutVente: next.debutVente,
    finVente: next.finVente,
    maxParCommande: next.maxParCommande,
  });
  const used = await otherQuantities(tx, current.evenementId, typeId);
  if (used + next.quantite > ev.capaciteMax) {
    throw ValidationError.field(
      'quantite',
      `Les types de billets dépasseraient la capacité de l'événement (${used} + ${next.quantite} > ${ev.capaciteMax}).`,
    );
  }
  const [row] = await tx
    .update(ticketTypes)
    .set({
      nom: next.nom,
      prix: next.prix,
      quantite: next.quantite,
      debutVente: next.debutVente,
      finVente: next.finVente,
      maxParCommande: next.maxParCommande,
    })
    .where(eq(ticketTypes.id, typeId))
    .returning();
  return row!;
}

/**
 * A type's quantity may not go below its seats sold plus the seats held by unexpired pending payments: those
 * buyers may still pay, and `vendus` may never pass `quantite`. Called under the type's row lock (taken above
 * with FOR NO KEY UPDATE, the lock sv_hold_seats and sv_sell_seats take): the holds are counted by a statement
 * that starts after the lock was granted, so under READ COMMITTED it sees every hold committed before, and a
 * hold that queued behind this transaction re-reads the lowered quantity and is refused. A purchase and a
 * lowering cannot both pass.
 */
async function assertQuantityCoversSales(tx: DbOrTx, locked: TicketType, quantite: number): Promise<void> {
  if (quantite >= locked.quantite) return; // raising (or keeping) the quantity takes no seat from anyone
  const held = await heldSeats(tx, locked.id, new Date());
  const minimum = locked.vendus + held;
  if (quantite >= minimum) return;
  const why =
    held > 0
      ? `${locked.vendus} billet(s) vendu(s) et ${held} place(s) réservée(s) par des paiements en cours`
      : `${locked.vendus} billet(s) vendu(s)`;
  const message = `La quantité ne peut descendre sous ${minimum} (${why}).`;
  throw new ConflictError(message, 'invalid_quantity', { quantite: [message] });
}

/**
 * The event, locked, for its creator or one of its GESTIONNAIRE (team module): they manage its ticket types.
 * Someone who may not even see the event gets the same 404 as for an unknown one.
 */
async function lockManagedEvent(tx: DbOrTx, eventId: number, user: AuthUser) {
  const ev = await lockEvent(tx, eventId);
  const { role } = await eventRole(tx, ev.id, user);
  if (role !== 'CREATEUR' && role !== 'GESTIONNAIRE') {
    if (!canSee(ev, user)) throw new NotFoundError('Événement introuvable');
    throw new ForbiddenError("Action réservée à l'organisateur de l'événement et à ses gestionnaires.", 'not_owner');
  }
  return ev;
}

/** A paid event created with only `prix` gets one "Standard" type holding all its capacity. */
export async function ensureStandardTicketType(tx: DbOrTx, eventId: number): Promise<void> {
  const ev = await lockEvent(tx, eventId);
  if (ev.typeAcces !== 'PAYANT') return;
  const [existing] = await tx.select({ id: ticketTypes.id }).from(ticketTypes).where(eq(ticketTypes.evenementId, eventId)).limit(1);
  if (existing) return;
  const [full] = await tx.select({ prix: events.prix }).from(events).where(eq(events.id, eventId));
  await tx.insert(ticketTypes).values({
    evenementId: eventId,
    nom: 'Standard',
    prix: full!.prix,
    quantite: ev.capaciteMax,
    maxParCommande: Math.min(10, ev.capaciteMax),
  });
}

async function listTicketTypes(db: DbOrTx, eventId: number, limit: number, offset: number): Promise<TicketType[]> {
  return db
    .select()
    .from(ticketTypes)
    .where(eq(ticketTypes.evenementId, eventId))
    .orderBy(ticketTypes.prix, ticketTypes.id)
    .limit(limit)
    .offset(offset);
}

/** After an edit of a paid event: its ticket types must still fit in its capacity. */
export async function assertTicketTypesFit(tx: DbOrTx, eventId: number): Promise<void> {
  const ev = await lockEvent(tx, eventId);
  if (ev.typeAcces !== 'PAYANT') return;
  const used = await otherQuantities(tx, eventId);
  if (used > ev.capaciteMax) {
    throw ValidationError.field(
      'capacite_max',
      `La capacité ne peut être inférieure aux billets proposés (${used}) : réduisez d'abord les types de billets.`,
    );
  }
}

/** After an event is created or edited (`event.saved`, in its transaction): its first type, and capacity checks. */
export const onEventSaved: HookHandler<'event.saved'> = async ({ tx, eventId }) => {
  await ensureStandardTicketType(tx, eventId);
  await assertTicketTypesFit(tx, eventId);
};

export interface TicketTypeView extends TicketType {
  /** quantite − vendus − seats held by pending payments now. */
  disponibles: number;
}

async function withAvailability(db: DbOrTx, t: TicketType): Promise<TicketTypeView> {
  const held = await heldSeats(db, t.id, new Date());
  return { ...t, disponibles: Math.max(0, t.quantite - t.vendus - held) };
}

/**
 * The ticket types of an event the caller may see (events' visibility rule, plus its GESTIONNAIRE), cheapest
 * first, paginated.
 */
export async function ticketTypesOf(deps: TicketsDeps, user: AuthUser | null, eventId: number, page: PageRequest) {
  try {
    await visibleEvent(deps.db, eventId, user);
  } catch (err) {
    // A GESTIONNAIRE manages the types of an event not yet published: they read them too.
    if (!(err instanceof NotFoundError) || !user) throw err;
    const { role } = await eventRole(deps.db, eventId, user).catch(() => ({ role: null }));
    if (role !== 'GESTIONNAIRE') throw err;
  }
  return paginate(
    page,
    async () =>
      (
        await deps.db
          .select({ n: sql<number>`count(*)::int` })
          .from(ticketTypes)
          .where(eq(ticketTypes.evenementId, eventId))
      )[0]!.n,
    async (limit, offset) => Promise.all((await listTicketTypes(deps.db, eventId, limit, offset)).map((t) => withAvailability(deps.db, t))),
  );
}

export async function createTicketType(
  deps: TicketsDeps,
  user: AuthUser,
  eventId: number,
  input: TicketTypeInput,
): Promise<TicketTypeView> {
  const created = await deps.db.transaction(async (tx) => {
    const ev = await lockManagedEvent(tx, eventId, user);
    // The organizer's plan may cap ticket types per event (subscriptions); counted under the event's lock.
    await assertWithinPlan(tx, ev.createurId, { kind: 'type_billet', eventId: ev.id });
    return insertTicketType(tx, ev.id, input);
  });
  return withAvailability(deps.db, created);
}

export async function updateTicketType(
  deps: TicketsDeps,
  user: AuthUser,
  eventId: number,
  typeId: number,
  patch: Partial<TicketTypeInput>,
): Promise<TicketTypeView> {
  const updated = await deps.db.transaction(async (tx) => {
    const ev = await lockManagedEvent(tx, eventId, user);
    const [t] = await tx
      .select({ id: ticketTypes.id })
      .from(ticketTypes)
      .where(and(eq(ticketTypes.id, typeId), eq(ticketTypes.evenementId, ev.id)));
    if (!t) throw new NotFoundError('Type de billet introuvable.');
    return applyTicketTypePatch(tx, t.id, patch);
  });
  return withAvailability(deps.db, updated);
}

/** Only a type nobody ever paid for can go (payments refuse through `ticketType.beforeDelete`). */
export async function deleteTicketType(deps: TicketsDeps, user: AuthUser, eventId: number, typeId: number): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const ev = await lockVisibleEvent(tx, eventId, user);
    assertOwner(user, ev.createurId);
    const [t] = await tx
      .select()
      .from(ticketTypes)
      .where(and(eq(ticketTypes.id, typeId), eq(ticketTypes.evenementId, ev.id)))
      .for('update');
    if (!t) throw new NotFoundError('Type de billet introuvable.');
    await deps.hooks.run('ticketType.beforeDelete', { tx, ticketTypeId: t.id, eventId: ev.id });
    await tx.delete(ticketTypes).where(eq(ticketTypes.id, t.id));
  });
}
