import { lazy } from 'react';
import EventIcon from '@mui/icons-material/Event';
import type { AdminResource } from './types';

/** EventAdmin: every event, filters, search, CSV export (/api/admin/events/). */
export const events: AdminResource = {
  name: 'events',
  list: lazy(() => import('../pages/events/EventList')),
  show: lazy(() => import('../pages/events/EventShow')),
  icon: EventIcon,
  recordRepresentation: 'titre',
  messages: {
    name: 'Événement |||| Événements',
    fields: {
      titre: 'Titre',
      createur: 'Organisateur',
      categorie: 'Catégorie',
      date_debut: 'Début',
      statut: 'Statut',
      participants_count: 'Participants',
      recettes: 'Recettes',
      type_acces: 'Accès',
      date_creation: 'Créé le',
      date_creation_apres: 'Créé à partir du',
      date_creation_avant: "Créé jusqu'au",
      q: 'Rechercher',
    },
  },
};
