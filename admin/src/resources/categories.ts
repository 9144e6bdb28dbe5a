import { lazy } from 'react';
import CategoryIcon from '@mui/icons-material/Category';
import type { AdminResource } from './types';

/** Event categories: created, edited, deactivated when used, deleted otherwise (/api/admin/categories/). */
export const categories: AdminResource = {
  name: 'categories',
  list: lazy(() => import('../pages/categories/CategoryList')),
  edit: lazy(() => import('../pages/categories/CategoryEdit')),
  create: lazy(() => import('../pages/categories/CategoryCreate')),
  icon: CategoryIcon,
  recordRepresentation: 'nom',
  messages: {
    name: 'Catégorie |||| Catégories',
    fields: {
      nom: 'Nom',
      slug: 'Identifiant',
      description: 'Description',
      icone: 'Icône',
      couleur: 'Couleur',
      actif: 'Active',
      ordre: 'Ordre',
      nombre_evenements: 'Événements',
      q: 'Rechercher',
    },
  },
};
