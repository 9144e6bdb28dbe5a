import { lazy } from 'react';
import GavelIcon from '@mui/icons-material/Gavel';
import type { AdminResource } from './types';

/** The moderation queue: pending events, oldest first (the events module's /api/admin/events/pending/). */
export const moderation: AdminResource = {
  name: 'moderation',
  listPath: '/events/pending/',
  itemPath: (id) => `/events/${id}/`,
  list: lazy(() => import('../pages/moderation/ModerationList')),
  show: lazy(() => import('../pages/moderation/ModerationShow')),
  icon: GavelIcon,
  recordRepresentation: 'titre',
  messages: {
    name: 'Modération |||| Modération',
    fields: {
      titre: 'Titre',
      createur: 'Organisateur',
      categorie: 'Catégorie',
      date_debut: 'Début',
      date_creation: 'Soumis le',
      lieu: 'Lieu',
    },
  },
};
