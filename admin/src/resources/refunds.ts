import { lazy } from 'react';
import UndoIcon from '@mui/icons-material/Undo';
import type { AdminResource } from './types';

/** Refunds: retry a failed one, settle a manual one (payments module, /api/admin/refunds/). */
export const refunds: AdminResource = {
  name: 'refunds',
  list: lazy(() => import('../pages/refunds/RefundList')),
  icon: UndoIcon,
  messages: {
    name: 'Remboursement |||| Remboursements',
    fields: {
      payment_id: 'Paiement',
      montant: 'Montant',
      statut: 'Statut',
      motif: 'Motif',
      raison_echec: "Raison de l'échec",
      date_creation: 'Créé le',
      date_finalisation: 'Effectué le',
    },
  },
};
