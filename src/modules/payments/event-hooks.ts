/**
 * What the payments module does when an event's life changes (hooks of events/lifecycle-hooks.ts), inside
 * the event's own transaction: a cancelled event refunds every paid ticket; an event with payments cannot be
 * deleted (cancel it instead, which refunds).
 */
import { eq, sql } from 'drizzle-orm';
import { beforeEventDeleted, onEventCancelled } from '../events/lifecycle-hooks.js';
import { refundEventPayments } from './refunds.js';
import { payments } from './tables.js';
import { ConflictError } from '../../core/errors.js';

// Whatever the event's access type now: tickets sold while it was PAYANT are refunded all the same.
onEventCancelled(async (ctx) => {
  await refundEventPayments(ctx.tx, ctx.jobs, ctx.jobs.services.gateways ?? {}, ctx.event.id);
});

beforeEventDeleted(async (ctx) => {
  const [row] = await ctx.tx
    .select({ n: sql<number>`count(*)::int` })
    .from(payments)
    .where(eq(payments.evenementId, ctx.event.id));
  if (row!.n > 0)
    throw new ConflictError(
      'Des paiements existent pour cet événement : annulez-le plutôt (les billets payés seront remboursés).',
      'event_has_payments',
    );
});
