/**
 * Payments in a user's data export, and what account deletion does to them: the payment rows stay (the
 * accounts must balance), but the payer's phone number and the name printed on tickets are erased.
 */
import { desc, eq } from 'drizzle-orm';
import { registerAccountDataHook } from '../users/privacy.js';
import { payments } from './tables.js';
import { tickets } from '../tickets/tables.js';

registerAccountDataHook({
  name: 'paiements',
  export: async (db, userId) => {
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
    };
  },
  erase: async (tx, userId) => {
    await tx.update(payments).set({ telephone: '' }).where(eq(payments.utilisateurId, userId));
    await tx.update(tickets).set({ titulaireNom: '' }).where(eq(tickets.titulaireId, userId));
  },
});
