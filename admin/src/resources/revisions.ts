import { lazy } from 'react';
import RateReviewIcon from '@mui/icons-material/RateReview';
import type { AdminResource } from './types';

/**
 * Changes of published events waiting for staff (the events module's /api/admin/events/revisions/): the queue
 * oldest first, each with its diff, to approve or refuse with a reason.
 */
export const revisions: AdminResource = {
  name: 'revisions',
  listPath: '/events/revisions/',
  itemPath: (id) => `/events/revisions/${id}/`,
  list: lazy(() => import('../pages/revisions/RevisionList')),
  show: lazy(() => import('../pages/revisions/RevisionShow')),
  icon: RateReviewIcon,
  recordRepresentation: (r) => `Modification de « ${r.evenement?.titre ?? ''} »`,
  messages: {
    name: 'Révision |||| Révisions',
    fields: {
      evenement: 'Événement',
      auteur: 'Organisateur',
      date_creation: 'Proposée le',
      modifications: 'Champs modifiés',
      statut: 'Statut',
    },
  },
};
