import { lazy } from 'react';
import MailIcon from '@mui/icons-material/Mail';
import type { AdminResource } from './types';

/** One template per notification type, edited with a preview of each channel (/api/admin/notification-templates/). */
export const notificationTemplates: AdminResource = {
  name: 'notification-templates',
  wholeList: true,
  list: lazy(() => import('../pages/notification-templates/TemplateList')),
  edit: lazy(() => import('../pages/notification-templates/TemplateEdit')),
  icon: MailIcon,
  recordRepresentation: 'type_notification',
  messages: {
    name: 'Modèle de notification |||| Modèles de notification',
    fields: {
      type_notification: 'Type',
      description: 'Description',
      categorie: 'Catégorie',
      critique: 'Critique',
      canaux_par_defaut: 'Canaux par défaut',
      actif: 'Modèle actif',
      titre_push: 'Titre de la notification push',
      contenu_push: 'Texte de la notification push',
      sujet_email: 'Sujet de l’e-mail',
      contenu_email: 'Corps de l’e-mail',
      contenu_sms: 'Texte du SMS',
      echecs_modele_7j: 'Textes de secours (7 j)',
      date_modification: 'Modifié le',
      q: 'Rechercher',
    },
  },
};
