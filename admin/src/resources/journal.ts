import { lazy } from 'react';
import HistoryIcon from '@mui/icons-material/History';
import type { AdminResource } from './types';

/** Every staff action: who, what, when, before/after (/api/admin/journal/). */
export const journal: AdminResource = {
  name: 'journal',
  list: lazy(() => import('../pages/journal/JournalList')),
  icon: HistoryIcon,
  messages: {
    name: 'Journal |||| Journal',
    fields: {
      date: 'Quand',
      utilisateur: 'Qui',
      libelle: 'Action',
      cible: 'Objet',
      details: 'Changements',
      personnel: 'Actions du personnel seulement',
      date_debut: 'À partir du',
      date_fin: "Jusqu'au",
    },
  },
};
