import { lazy } from 'react';
import WorkspacePremiumIcon from '@mui/icons-material/WorkspacePremium';
import type { RaRecord } from 'react-admin';
import type { AdminResource } from './types';

/**
 * Subscription plans (/api/admin/subscription-plans/). The API shows `fonctionnalites` nested and takes them
 * flat (PATCH `max_evenements_actifs`…): the record carries them flat too, so the form edits them in place.
 */
export const subscriptionPlans: AdminResource = {
  name: 'subscription-plans',
  wholeList: true,
  fromItem: (json) => {
    const p = json as RaRecord & { fonctionnalites?: Record<string, unknown> };
    return { ...p, ...(p.fonctionnalites ?? {}) } as RaRecord;
  },
  list: lazy(() => import('../pages/subscription-plans/PlanList')),
  edit: lazy(() => import('../pages/subscription-plans/PlanEdit')),
  create: lazy(() => import('../pages/subscription-plans/PlanCreate')),
  icon: WorkspacePremiumIcon,
  recordRepresentation: 'nom',
  messages: {
    name: 'Formule |||| Formules',
    fields: {
      code: 'Code',
      nom: 'Nom',
      description: 'Description',
      prix: 'Prix par période (F CFA)',
      duree_jours: 'Durée (jours)',
      actif: 'Active',
      max_evenements_actifs: 'Événements actifs au plus',
      evenements_payants: 'Événements payants',
      max_types_billet_par_evenement: 'Types de billet par événement au plus',
      commission_pourcentage: 'Commission (%)',
      mise_en_avant: 'Mise en avant',
      statistiques_avancees: 'Statistiques avancées',
      messages_participants: 'Messages aux participants',
      ordre: 'Ordre',
      q: 'Rechercher',
    },
  },
};
