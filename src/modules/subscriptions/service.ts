/**
 * Subscribing, paying, renewing, changing plan, cancelling: the organizer's use cases. A subscription is paid
 * through the payments module (`type` ABONNEMENT: same providers, Idempotency-Key, webhooks, reconciliation);
 * when the payment settles, payments raise `payment.settled` and onPaymentSettled moves the subscription, in
 * the same transaction, once (the guarded transitions of states.ts).
 *
 * Dates: a renewal (same plan, or a cheaper one: a downgrade) starts at the end of the current period, never
 * losing paid days, including late within grace (it starts at the old end date); after expiry it starts when
 * paid. An upgrade starts when paid and ends with the current period, charging only the difference for the days
 * left (integer francs, at least the provider minimum).
 */
import { and, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { ConflictError, NotFoundError, ValidationError, BadRequestError, pgErrorCode, PG } from '../../core/errors.js';
import type { PageRequest } from '../../core/pagination.js';
import { users } from '../users/tables.js';
import { initiateServicePayment, type Payment } from '../payments/service.js';
import type { Fournisseur } from '../payments/tables.js';
import type { PaymentSettledPayload } from '../payments/hooks.js';
import { subscriptionPlans, subscriptions, type SubscriptionNature } from './tables.js';
import { subscriptionMachine } from './states.js';
import { activeEventCount, currentSubscription, effectivePlan, subscriptionsPage, type Plan, type Subscription } from './effective.js';
import type { SubscriptionsDeps } from './deps.js';
import type { SubscriptionHookPayload } from './hooks.js';
import './hooks.js';
import '../payments/hooks.js';

export const DAY_MS = 86_400_000;
/** Smallest amount each provider takes for one payment (XOF): an upgrade's difference is never below it. */
export const PROVIDER_MINIMUM: Record<Fournisseur, number> = { ORANGE_MONEY: 100, MTN_MONEY: 100, MOOV_MONEY: 100, WAVE: 100 };

const clock = (deps: SubscriptionsDeps) => deps.now?.() ?? new Date();

export async function listActivePlans(deps: SubscriptionsDeps): Promise<Plan[]> {
  return deps.db
    .select()
    .from(subscriptionPlans)
    .where(eq(subscriptionPlans.actif, true))
    .orderBy(subscriptionPlans.ordre, subscriptionPlans.id);
}

export interface SubscribeInput {
  planId: number;
  fournisseur: Fournisseur;
  telephone: string;
}

export interface Quote {
  nature: SubscriptionNature;
  montant: number;
  precedent: Subscription | null;
}

/**
 * The daily rate the current period is credited at on an upgrade, as `prix` per `jours`: the price actually paid
 * for its days (a first subscription, a renewal, a downgrade: `montant` over `duree_jours`, whatever the plan costs
 * today); an upgrade row paid only a difference and a staff grant nothing (for any number of days), so those are
 * credited at their plan's current rate.
 */
export function creditRate(sub: Subscription, plan: Plan): { prix: number; jours: number } {
  const paidInFull =
    sub.paymentId !== null && (sub.nature === 'NOUVEAU' || sub.nature === 'RENOUVELLEMENT' || sub.nature === 'DECLASSEMENT');
  return paidInFull ? { prix: sub.montant, jours: sub.dureeJours } : { prix: plan.prix, jours: plan.dureeJours };
}

/** What subscribing to `plan` means now for this organizer: a first subscription, a renewal, an up/downgrade. */
export function quote(plan: Plan, current: { subscription: Subscription; plan: Plan } | null, fournisseur: Fournisseur, now: Date): Quote {
  if (!current) return { nature: 'NOUVEAU', montant: plan.prix, precedent: null };
  const { subscription: sub, plan: old } = current;
  if (old.id === plan.id) return { nature: 'RENOUVELLEMENT', montant: plan.prix, precedent: sub };
  const left = sub.dateFin!.getTime() - now.getTime();
  const c = creditRate(sub, old);
  // Daily prices compared as cross products (integers): new.prix / new.duree > c.prix / c.jours.
  const upgrade = plan.prix * c.jours > c.prix * plan.dureeJours;
  if (!upgrade) return { nature: 'DECLASSEMENT', montant: plan.prix, precedent: sub };
  if (left <= 0 || old.prix === 0) return { nature: 'NOUVEAU', montant: plan.prix, precedent: null };
  // The difference for the days left (a started day counts), rounded up to the franc.
  const days = Math.ceil(left / DAY_MS);
  const diff = Math.ceil((days * (plan.prix * c.jours - c.prix * plan.dureeJours)) / (plan.dureeJours * c.jours));
  return { nature: 'SURCLASSEMENT', montant: Math.max(diff, PROVIDER_MINIMUM[fournisseur]), precedent: sub };
}

export async function subscribe(deps: SubscriptionsDeps, userId: number, input: SubscribeInput, idempotencyKey?: string) {
  const now = clock(deps);
  const [plan] = await deps.db.select().from(subscriptionPlans).where(eq(subscriptionPlans.id, input.planId));
  if (!plan) throw new NotFoundError('Forfait introuvable.');
  if (!plan.actif) throw ValidationError.field('plan_id', "Ce forfait n'est plus proposé.");
  if (plan.prix === 0)
    throw ValidationError.field('plan_id', "Le forfait gratuit ne s'achète pas : c'est celui de tout organisateur sans abonnement.");
  const current = await currentSubscription(deps.db, userId, now);
  const q = quote(plan, current, input.fournisseur, now);
  let subscriptionId = 0;
  try {
    const { payment, replay } = await initiateServicePayment(
      deps.payments,
      userId,
      {
        type: 'ABONNEMENT',
        montant: q.montant,
        fournisseur: input.fournisseur,
        telephone: input.telephone,
        description: `SpotVibe abonnement ${plan.nom}`,
        fingerprint: [plan.id],
      },
      idempotencyKey,
      async (tx, p) => {
        const [row] = await tx
          .insert(subscriptions)
          .values({
            organisateurId: userId,
            planId: plan.id,
            nature: q.nature,
            paymentId: p.id,
            montant: q.montant,
            dureeJours: plan.dureeJours,
            precedentId: q.precedent?.id ?? null,
          })
          .returning({ id: subscriptions.id });
        await subscriptionMachine.recordCreation(tx, [row!.id], 'EN_ATTENTE', 'souscription', { nature: q.nature, payment_id: p.id });
        subscriptionId = row!.id;
      },
    );
    const [sub] = replay
      ? await deps.db.select().from(subscriptions).where(eq(subscriptions.paymentId, payment.id))
      : await deps.db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId));
    if (!sub) throw new ConflictError("Cette clé d'idempotence a déjà servi pour un autre achat.", 'idempotency_key_reused');
    return { subscription: sub, plan, payment, replay };
  } catch (err) {
    if (pgErrorCode(err) === PG.uniqueViolation) {
      throw new ConflictError(
        `Un abonnement au forfait « ${plan.nom} » attend déjà son paiement : payez-le ou annulez-le avant d'en demander un autre.`,
        'subscription_pending',
      );
    }
    throw err;
  }
}

export function hookSubscription(s: Subscription, plan: Pick<Plan, 'nom' | 'prix'>): SubscriptionHookPayload['subscription'] {
  return {
    id: s.id,
    organisateurId: s.organisateurId,
    planId: s.planId,
    planNom: plan.nom,
    planPrix: plan.prix,
    dateDebut: s.dateDebut,
    dateFin: s.dateFin,
    enGraceJusquAu: s.enGraceJusquAu,
  };
}

/** The latest ACTIF subscription of the organizer still in force at `now` (grace included), other than `except`. */
async function chainEnd(tx: Tx, organizerId: number, now: Date, except: number): Promise<Subscription | null> {
  const [row] = await tx
    .select()
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.organisateurId, organizerId),
        eq(subscriptions.statut, 'ACTIF'),
        gt(sql`coalesce(${subscriptions.enGraceJusquAu}, ${subscriptions.dateFin})`, now),
        sql`${subscriptions.id} <> ${except}`,
      ),
    )
    .orderBy(desc(subscriptions.dateFin))
    .limit(1);
  return row ?? null;
}

/** payments' `payment.settled` for an ABONNEMENT payment, inside the settling transaction. */
export async function onPaymentSettled(deps: Pick<SubscriptionsDeps, 'graceDays' | 'hooks'>, e: PaymentSettledPayload): Promise<void> {
  if (e.payment.type !== 'ABONNEMENT') return;
  const { tx, now } = e;
  const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.paymentId, e.payment.id));
  if (!sub) {
    if (e.outcome === 'REUSSI') await e.refund('Paiement d’abonnement sans abonnement correspondant.');
    return;
  }
  if (e.outcome !== 'REUSSI') {
    await subscriptionMachine.transition(tx, sub.id, ['EN_ATTENTE'], 'ECHOUE', {
      source: e.source,
      details: { paiement: e.outcome, payment_id: e.payment.id },
    });
    return;
  }
  // One activation at a time per organizer: dates are computed from the chain the previous one left.
  await tx.select({ id: users.id }).from(users).where(eq(users.id, sub.organisateurId)).for('no key update');
  const [locked] = await tx.select().from(subscriptions).where(eq(subscriptions.id, sub.id)).for('no key update');
  if (!locked || (locked.statut !== 'EN_ATTENTE' && locked.statut !== 'ECHOUE')) {
    await e.refund(
      locked?.statut === 'ANNULE' ? 'Abonnement annulé avant la confirmation du paiement.' : 'Abonnement déjà réglé par un autre paiement.',
    );
    return;
  }
  if (locked.statut === 'ECHOUE') {
    // A late success: refund it when the organizer has meanwhile paid the same plan again (a retry).
    const [retry] = await tx
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(
        and(
          eq(subscriptions.organisateurId, locked.organisateurId),
          eq(subscriptions.planId, locked.planId),
          gt(subscriptions.id, locked.id),
          inArray(subscriptions.statut, ['ACTIF', 'EN_ATTENTE']),
        ),
      )
      .limit(1);
    if (retry) {
      await e.refund('Paiement reçu en retard : un autre paiement a déjà réglé cet abonnement.');
      return;
    }
  }
  let start: Date;
  let end: Date;
  if (locked.nature === 'SURCLASSEMENT') {
    const [prev] = locked.precedentId ? await tx.select().from(subscriptions).where(eq(subscriptions.id, locked.precedentId)) : [];
    if (!prev || prev.statut !== 'ACTIF' || !prev.dateFin || prev.dateFin <= now) {
      // Only the difference was paid, for a period that is over: it can no longer apply.
      await e.refund("Paiement reçu après la fin de la période à surclasser : le surclassement ne peut plus s'appliquer.");
      return;
    }
    start = now;
    end = prev.dateFin;
    await subscriptionMachine.transition(tx, prev.id, ['ACTIF'], 'EXPIRE', {
      source: 'surclassement',
      details: { remplace_par: locked.id },
      set: { enGraceJusquAu: now, dateFin: now },
    });
  } else {
    const last = await chainEnd(tx, locked.organisateurId, now, locked.id);
    // Early renewal: from the end of the current period; late within grace: from the old end; else now.
    // (chainEnd only returns a subscription whose grace is not over, so its end is either ahead or within grace.)
    start = last?.dateFin ?? now;
    end = new Date(start.getTime() + locked.dureeJours * DAY_MS);
  }
  const grace = new Date(end.getTime() + deps.graceDays * DAY_MS);
  await subscriptionMachine.transition(tx, locked.id, ['EN_ATTENTE', 'ECHOUE'], 'ACTIF', {
    source: e.source,
    details: { tardif: e.late || locked.statut === 'ECHOUE', payment_id: e.payment.id },
    set: { dateDebut: start, dateFin: end, enGraceJusquAu: grace },
  });
  const [plan] = await tx.select().from(subscriptionPlans).where(eq(subscriptionPlans.id, locked.planId));
  const activated = { ...locked, statut: 'ACTIF' as const, dateDebut: start, dateFin: end, enGraceJusquAu: grace };
  await deps.hooks.run('subscription.activated', { tx, jobs: e.jobs, subscription: hookSubscription(activated, plan!) });
}

/** Cancel: a pending one at once (ANNULE); an active one stays ACTIF until date_fin, with no reminder nor grace. */
export async function cancelSubscription(deps: SubscriptionsDeps, userId: number, id: number): Promise<Subscription> {
  const now = clock(deps);
  const out = await deps.db.transaction(async (tx) => {
    const [sub] = await tx
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.id, id), eq(subscriptions.organisateurId, userId)))
      .for('no key update');
    if (!sub) throw new NotFoundError('Abonnement introuvable.');
    if (sub.statut === 'EN_ATTENTE') {
      await subscriptionMachine.transition(tx, sub.id, ['EN_ATTENTE'], 'ANNULE', { source: 'organisateur', set: { annuleLe: now } });
    } else if (sub.statut === 'ACTIF') {
      if (!sub.annuleLe) {
        await tx.update(subscriptions).set({ annuleLe: now, enGraceJusquAu: sub.dateFin }).where(eq(subscriptions.id, sub.id));
      }
    } else {
      throw new BadRequestError("Cet abonnement n'est plus en cours : il n'y a rien à annuler.", 'not_cancellable');
    }
    const [after] = await tx.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    return { after: after!, shortened: sub.statut === 'ACTIF' && !sub.annuleLe };
  });
  // No grace any more: the featured listing ends with the period (public pages were kept until the old grace end).
  if (out.shortened) await deps.publicCache.bump();
  return out.after;
}

export async function mySubscriptionStatus(deps: SubscriptionsDeps, userId: number) {
  const now = clock(deps);
  const current = await currentSubscription(deps.db, userId, now);
  const plan = current?.plan ?? (await effectivePlan(deps.db, userId, now));
  const [next] = current?.subscription.dateFin
    ? await deps.db
        .select()
        .from(subscriptions)
        .where(and(eq(subscriptions.organisateurId, userId), eq(subscriptions.statut, 'ACTIF'), gt(subscriptions.dateDebut, now)))
        .orderBy(subscriptions.dateDebut)
        .limit(1)
    : [];
  const [nextPlan] = next ? await deps.db.select().from(subscriptionPlans).where(eq(subscriptionPlans.id, next.planId)) : [];
  return {
    subscription: current ? { sub: current.subscription, plan: current.plan } : null,
    plan,
    usage: { evenements_actifs: await activeEventCount(deps.db, userId, now), max_evenements_actifs: plan.maxEvenementsActifs },
    en_grace: !!current && !!current.subscription.dateFin && current.subscription.dateFin <= now,
    a_venir: next && nextPlan ? { sub: next, plan: nextPlan } : null,
  };
}

export async function listMySubscriptions(deps: SubscriptionsDeps, userId: number, page: PageRequest) {
  return subscriptionsPage(deps, eq(subscriptions.organisateurId, userId), page);
}

export type { Payment };
