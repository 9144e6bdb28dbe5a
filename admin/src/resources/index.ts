/**
 * Every section of SpotVibe Administration, in menu order: the one list App.tsx, the data provider and the
 * translations read. A new section is one file beside these, exporting an AdminResource, added here.
 */
import type { AdminResource } from './types';
import { moderation } from './moderation';
import { revisions } from './revisions';
import { events } from './events';
import { users } from './users';
import { payments } from './payments';
import { refunds } from './refunds';
import { categories } from './categories';
import { notificationTemplates } from './notificationTemplates';
import { subscriptionPlans } from './subscriptionPlans';
import { subscriptions } from './subscriptions';
import { journal } from './journal';

export const RESOURCES: AdminResource[] = [
  moderation,
  revisions,
  events,
  users,
  payments,
  refunds,
  categories,
  subscriptions,
  subscriptionPlans,
  notificationTemplates,
  journal,
];
