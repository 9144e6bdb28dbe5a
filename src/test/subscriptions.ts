/** Test data for plans: an organizer put on a plan without going through a payment (as a staff grant would). */
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { subscriptionPlans, subscriptions } from '../modules/subscriptions/tables.js';

const DAY_MS = 86_400_000;

/** An ACTIF subscription to the plan `code`, in force from now for `days` days (grace: 7 days more). */
export async function putOnPlan(db: DbOrTx, organizerId: number, code: string, days = 30): Promise<number> {
  const [plan] = await db.select().from(subscriptionPlans).where(eq(subscriptionPlans.code, code));
  if (!plan) throw new Error(`forfait ${code} absent`);
  const now = Date.now();
  const [row] = await db
    .insert(subscriptions)
    .values({
      organisateurId: organizerId,
      planId: plan.id,
      statut: 'ACTIF',
      nature: 'OCTROI',
      dureeJours: days,
      dateDebut: new Date(now - 1000),
      dateFin: new Date(now + days * DAY_MS),
      enGraceJusquAu: new Date(now + (days + 7) * DAY_MS),
      motif: 'test',
    })
    .returning({ id: subscriptions.id });
  return row!.id;
}
