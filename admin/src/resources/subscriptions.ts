import { lazy } from 'react';
import CardMembershipIcon from '@mui/icons-material/CardMembership';
import type { AdminResource } from './types';

/** Organizers' subscriptions: filters, a subscription's page, grant and extend with a reason (/api/admin/subscriptions/). */
export const subscriptions: AdminResource = {
  name: 'subscriptions',
  list: lazy(() => import('../pages/subscriptions/SubscriptionList')),
  show: lazy(() => import('../pages/subscriptions/SubscriptionShow')),
  icon: CardMembershipIcon,
  messages: {
    name: 'Abonnement |||| Abonnements',
    fields: {
      organisateur_id: 'Organisateur',
      organisateur: 'Organisateur',
      plan: 'Formule',
      statut: 'Statut',
      nature: 'Nature',
      montant: 'Montant',
      date_debut: 'Début',
      date_fin: 'Fin',
      en_grace_jusqu_au: 'Délai de grâce jusqu’au',
      annule_le: 'Renouvellement annulé le',
      date_creation: 'Créé le',
      motif: 'Motif',
      payment_id: 'Paiement',
    },
  },
};
