/**
 * Every section of SpotVibe Administration, in menu order: the one list App.tsx, the data provider and the
 * translations read. A new section (notification templates, subscription plans, subscriptions…) is one file
 * beside these, exporting an AdminResource, added here.
 */
import type { AdminResource } from './types';
import { moderation } from './moderation';
import { revisions } from './revisions';
import { events } from './events';
import { users } from './users';
import { payments } from './payments';
import { refunds } from './refunds';
import { categories } from './categories';
import { journal } from './journal';

export const RESOURCES: AdminResource[] = [
  moderation,
  revisions,
  events,
  users,
  payments,
  refunds,
  categories,
  // notificationTemplates (issue 13: /api/admin/notification-templates/), subscriptionPlans and subscriptions
  // (issue 14: /api/admin/subscription-plans/, /api/admin/subscriptions/) go here.
  journal,
];
