/**
 * What the payments module does when other modules' domain events happen (core/hooks.ts), each inside the
 * transaction of the decision: a cancelled event refunds every paid ticket; an event or a ticket type that was
 * ever paid for cannot be deleted; an account's export lists its payments and tickets, and its erasure keeps
 * the payment rows (the accounts must balance) but erases the payer's phone and the name printed on tickets.
 */
import { desc, eq, sql } from 'drizzle-orm';
import { ConflictError } from '../../core/errors.js';
import type { HookHandlers } from '../../core/hooks.js';
import type { ProcessServices } from '../../jobs/queue.js';
import { tickets } from '../tickets/tables.js';
import { payments } from './tables.js';
import { refundEventPayments } from './refunds.js';
import '../events/hooks.js';
import '../tickets/hooks.js';
import '../users/hooks.js';

export function paymentReactions(services: Pick<ProcessServices, 'gateways'>): HookHandlers {
  return {
    // Whatever the event's access type now: tickets sold while it was PAYANT are refunded all the same.
    'event.cancelled': async ({ tx, jobs, event }) => {
      await refundEventPayments(tx, jobs, services.gateways, event.id);
    },
    'event.beforeDelete': async ({ tx, event }) => {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(payments)
        .where(eq(payments.evenementId, event.id));
      if (row!.n > 0)
        throw new ConflictError(
          'Des paiements existent pour cet événement : annulez-le plutôt (les billets payés seront remboursés).',
          'event_has_payments',
        );
    },
    'ticketType.beforeDelete': async ({ tx, ticketTypeId }) => {
      const [used] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(payments)
        .where(eq(payments.typeBilletId, ticketTypeId));
      if (used!.n > 0)
        throw new ConflictError(
          'Des paiements concernent ce type de billet : il ne peut plus être supprimé (réduisez sa quantité).',
          'ticket_type_in_use',
        );
    },
    'account.export': async ({ db, userId }) => {
      const rows = await db.select().from(payments).where(eq(payments.utilisateurId, userId)).orderBy(desc(payments.dateCreation));
      const own = await db
        .select({
          id: tickets.id,
          code: tickets.code,
          statut: tickets.statut,
          evenementId: tickets.evenementId,
          dateEmission: tickets.dateEmission,
        })
        .from(tickets)
        .where(eq(tickets.titulaireId, userId));
      return {
        paiements: {
          paiements: rows.map((p) => ({
            reference: p.reference,
            statut: p.statut,
            montant: p.montant,
            devise: p.devise,
            fournisseur: p.fournisseur,
            telephone: p.telephone,
            evenement_id: p.evenementId,
            quantite: p.quantite,
            date_creation: p.dateCreation.toISOString(),
          })),
          billets: own.map((t) => ({
            id: t.id,
            code: t.code,
            statut: t.statut,
            evenement_id: t.evenementId,
            date_emission: t.dateEmission.toISOString(),
          })),
        },
      };
    },
    'account.erase': async ({ tx, userId }) => {
      await tx.update(payments).set({ telephone: '' }).where(eq(payments.utilisateurId, userId));
      await tx.update(tickets).set({ titulaireNom: '' }).where(eq(tickets.titulaireId, userId));
    },
  };
}
