import { lazy } from 'react';
import PeopleIcon from '@mui/icons-material/People';
import type { AdminResource } from './types';

/** Accounts: search, a person's page, activation, staff access, data requests (/api/admin/users/). */
export const users: AdminResource = {
  name: 'users',
  list: lazy(() => import('../pages/users/UserList')),
  show: lazy(() => import('../pages/users/UserShow')),
  icon: PeopleIcon,
  recordRepresentation: 'username',
  messages: {
    name: 'Utilisateur |||| Utilisateurs',
    fields: {
      username: "Nom d'utilisateur",
      first_name: 'Prénom',
      last_name: 'Nom',
      email_masque: 'E-mail',
      telephone_masque: 'Téléphone',
      is_active: 'Actif',
      is_staff: 'Personnel',
      est_verifie: 'Vérifié',
      date_creation: 'Inscrit le',
      last_login: 'Dernière connexion',
      q: 'Rechercher',
    },
  },
};
