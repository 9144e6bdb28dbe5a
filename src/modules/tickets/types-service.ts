/**
 * Ticket types of a paid event. Their quantities together never exceed the event's capacity: every change
 * takes the event row's lock first, so two organizers' tabs cannot both add the last seats.
 */
import { and, eq, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { events } from '../events/tables.js';
import { ticketTypes } from './tables.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';

export type TicketType = typeof ticketTypes.$inferSelect;

export interface TicketTypeInput {
  nom: string;
  prix: number;
  quantite: number;
  debutVente?: Date | null;
  finVente?: Date | null;
  maxParCommande?: number;
}

async function lockEvent(tx: DbOrTx, eventId: number) {
  const [ev] = await tx
    .select({ id: events.id, capaciteMax: events.capaciteMax, typeAcces: events.typeAcces, statut: events.statut })
    .from(events)
    .where(eq(events.id, eventId))
    .for('no key update');
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

export async function createTicketType(tx: DbOrTx, eventId: number, input: TicketTypeInput): Promise<TicketType> {
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

export async function updateTicketType(tx: DbOrTx, typeId: number, patch: Partial<TicketTypeInput>): Promise<TicketType> {
  const [current] = await tx.select().from(ticketTypes).where(eq(ticketTypes.id, typeId));
  if (!current) throw new NotFoundError('Type de billet introuvable.');
  const ev = await lockEvent(tx, current.evenementId);
  const [locked] = await tx.select().from(ticketTypes).where(eq(ticketTypes.id, typeId)).for('no key update');
  const next = { ...locked!, ...patch };
  validate({
    nom: next.nom,
    prix: next.prix,
    quantite: next.quantite,
    debutVente: next.debutVente,
    finVente: next.finVente,
    maxParCommande: next.maxParCommande,
  });
  if (next.quantite < locked!.vendus) {
    throw ValidationError.field('quantite', `Impossible de descendre sous le nombre de billets déjà vendus (${locked!.vendus}).`);
  }
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

/** A paid event created with only `prix` gets one "Standard" type holding all its capacity. */
export async function ensureStandardTicketType(tx: DbOrTx, eventId: number): Promise<void> {
  const ev = await lockEvent(tx, eventId);
  if (ev.typeAcces !== 'PAYANT') return;
  const [existing] = await tx.select({ id: ticketTypes.id }).from(ticketTypes).where(eq(ticketTypes.evenementId, eventId)).limit(1);
  if (existing) return;
  const [full] = await tx.select({ prix: events.prix }).from(events).where(eq(events.id, eventId));
  await tx
    .insert(ticketTypes)
    .values({
      evenementId: eventId,
      nom: 'Standard',
      prix: full!.prix,
      quantite: ev.capaciteMax,
      maxParCommande: Math.min(10, ev.capaciteMax),
    });
}

export async function listTicketTypes(db: DbOrTx, eventId: number): Promise<TicketType[]> {
  return db.select().from(ticketTypes).where(eq(ticketTypes.evenementId, eventId)).orderBy(ticketTypes.prix, ticketTypes.id);
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
