import { lazy } from 'react';
import PaymentsIcon from '@mui/icons-material/Payments';
import type { RaRecord } from 'react-admin';
import type { AdminResource } from './types';

/** Payments with filters and totals, one payment's whole provider history (payments module, /api/admin/payments/). */
export const payments: AdminResource = {
  name: 'payments',
  // The detail wraps the payment: {payment, historique, rappels, remboursement, …}.
  fromItem: (json) => {
    const j = json as { payment: RaRecord } & Record<string, unknown>;
    return { ...j, ...j.payment, id: j.payment.id };
  },
  list: lazy(() => import('../pages/payments/PaymentList')),
  show: lazy(() => import('../pages/payments/PaymentShow')),
  icon: PaymentsIcon,
  recordRepresentation: 'reference',
  messages: {
    name: 'Paiement |||| Paiements',
    fields: {
      reference: 'Référence',
      montant: 'Montant',
      statut: 'Statut',
      fournisseur: 'Fournisseur',
      event_id: 'Événement',
      evenement: 'Événement (n°)',
      date_creation: 'Créé le',
      date_finalisation: 'Finalisé le',
      date_debut: 'À partir du',
      date_fin: "Jusqu'au",
      quantite: 'Billets',
      telephone: 'Téléphone',
      raison_echec: "Raison de l'échec",
    },
  },
};
