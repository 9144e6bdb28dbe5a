/** Staff management of plans and the staff list of subscriptions. A plan with subscribers is never deleted. */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { audit, changes, type RequestMeta } from '../../core/audit.js';
import { BadRequestError, ConflictError, NotFoundError, pgErrorCode, PG } from '../../core/errors.js';
import type { PageRequest } from '../../core/pagination.js';
import { FREE_PLAN_CODE, subscriptionPlans, subscriptions, type SubscriptionStatut } from './tables.js';
import { subscriptionsPage, type Plan } from './effective.js';
import { subscriptionMachine } from './states.js';
import { hookSubscription } from './service.js';
import './hooks.js';
import { users } from '../users/tables.js';
import { payments, refunds } from '../payments/tables.js';
import { moneyTotals } from '../payments/money.js';
import { selectRows } from '../../db/client.js';
import type { SubscriptionsDeps } from './deps.js';

export async function getPlan(deps: Pick<SubscriptionsDeps, 'db'>, id: number): Promise<Plan> {
  const [p] = await deps.db.select().from(subscriptionPlans).where(eq(subscriptionPlans.id, id));
  if (!p) throw new NotFoundError('Forfait introuvable.');
  return p;
}

export async function listAllPlans(deps: SubscriptionsDeps): Promise<Plan[]> {
  return deps.db.select().from(subscriptionPlans).orderBy(subscriptionPlans.ordre, subscriptionPlans.id);
}

export type PlanInput = Partial<Omit<typeof subscriptionPlans.$inferInsert, 'id' | 'dateCreation' | 'dateModification'>>;

function checkPrice(code: string | undefined, prix: number | undefined): void {
  if (prix === undefined) return;
  if (code === FREE_PLAN_CODE && prix !== 0) throw new BadRequestError('Le forfait gratuit reste à 0 FCFA.', 'validation_error');
  if (code !== FREE_PLAN_CODE && prix < 100)
    throw new BadRequestError('Un forfait payant coûte au moins 100 FCFA (minimum des fournisseurs).', 'validation_error');
}

export async function createPlan(
  deps: SubscriptionsDeps,
  staffId: number,
  input: PlanInput & { code: string; nom: string; prix: number; dureeJours: number },
  meta: RequestMeta,
): Promise<Plan> {
  checkPrice(input.code, input.prix);
  try {
    const plan = await deps.db.transaction(async (tx) => {
      const [p] = await tx.insert(subscriptionPlans).values(input).returning();
      await audit(tx, { userId: staffId, action: 'plan_cree', staff: true, cible: `forfait:${p!.id}`, meta, details: { code: p!.code } });
      return p!;
    });
    // The public plans list (and nothing else yet: nobody subscribes to it before it exists).
    await deps.publicCache.bump();
    return plan;
  } catch (err) {
    if (pgErrorCode(err) === PG.uniqueViolation)
      throw new ConflictError('Un forfait porte déjà ce code.', 'duplicate', { code: ['Un forfait porte déjà ce code.'] });
    throw err;
  }
}

/** Editing a plan changes it for new subscriptions and renewals; current subscribers keep their paid period. */
export async function updatePlan(deps: SubscriptionsDeps, staffId: number, id: number, patch: PlanInput, meta: RequestMeta): Promise<Plan> {
  const plan = await deps.db.transaction(async (tx) => {
    const [before] = await tx.select().from(subscriptionPlans).where(eq(subscriptionPlans.id, id)).for('no key update');
    if (!before) throw new NotFoundError('Forfait introuvable.');
    if (before.code === FREE_PLAN_CODE && patch.actif === false)
      throw new BadRequestError('Le forfait gratuit ne peut pas être désactivé.', 'free_plan');
    if (patch.code !== undefined && patch.code !== before.code && before.code === FREE_PLAN_CODE)
      throw new BadRequestError('Le code du forfait gratuit ne change pas.', 'free_plan');
    checkPrice(patch.code ?? before.code, patch.prix);
    // Featured listing is what a paid plan sells: everyone featured would feature no one (and the public list reads
    // `en_avant` from subscriptions only, effective.ts).
    if (before.code === FREE_PLAN_CODE && patch.miseEnAvant === true)
      throw new BadRequestError('Le forfait gratuit ne comprend pas la mise en avant.', 'free_plan');
    const [after] = await tx
      .update(subscriptionPlans)
      .set({ ...patch, dateModification: new Date() })
      .where(eq(subscriptionPlans.id, id))
      .returning();
    await audit(tx, {
      userId: staffId,
      action: 'plan_modifie',
      staff: true,
      cible: `forfait:${id}`,
      meta,
      details: changes(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>),
    });
    return after!;
  });
  // The public plans list, and the events of its subscribers when mise_en_avant changed (en_avant is read live).
  await deps.publicCache.bump();
  return plan;
}

/** DELETE: a plan anyone ever subscribed to is deactivated (kept for their history); an unused one is deleted. */
export async function removePlan(deps: SubscriptionsDeps, staffId: number, id: number, meta: RequestMeta): Promise<Plan | null> {
  const kept = await deps.db.transaction(async (tx) => {
    const [plan] = await tx.select().from(subscriptionPlans).where(eq(subscriptionPlans.id, id)).for('update');
    if (!plan) throw new NotFoundError('Forfait introuvable.');
    if (plan.code === FREE_PLAN_CODE) throw new BadRequestError('Le forfait gratuit ne peut être ni supprimé ni désactivé.', 'free_plan');
    const [used] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(subscriptions)
      .where(eq(subscriptions.planId, id));
    if (used!.n > 0) {
      const [after] = await tx
        .update(subscriptionPlans)
        .set({ actif: false, dateModification: new Date() })
        .where(eq(subscriptionPlans.id, id))
        .returning();
      await audit(tx, {
        userId: staffId,
        action: 'plan_desactive',
        staff: true,
        cible: `forfait:${id}`,
        meta,
        details: { abonnements: used!.n },
      });
      return after!;
    }
    await tx.delete(subscriptionPlans).where(eq(subscriptionPlans.id, id));
    await audit(tx, { userId: staffId, action: 'plan_supprime', staff: true, cible: `forfait:${id}`, meta, details: { code: plan.code } });
    return null;
  });
  await deps.publicCache.bump();
  return kept;
}

export async function listSubscriptionsForStaff(
  deps: SubscriptionsDeps,
  q: { statut?: SubscriptionStatut | undefined; plan?: number | undefined; organisateur?: number | undefined },
  page: PageRequest,
) {
  const conds: SQL[] = [];
  if (q.statut) conds.push(eq(subscriptions.statut, q.statut));
  if (q.plan) conds.push(eq(subscriptions.planId, q.plan));
  if (q.organisateur) conds.push(eq(subscriptions.organisateurId, q.organisateur));
  return subscriptionsPage(deps, conds.length ? and(...conds) : undefined, page);
}

/** One subscription for staff: with its plan, its organizer's username and the reason of a grant or extension. */
export async function getSubscriptionForStaff(deps: Pick<SubscriptionsDeps, 'db'>, id: number) {
  const [r] = await deps.db
    .select({ sub: subscriptions, plan: subscriptionPlans, username: users.username })
    .from(subscriptions)
    .innerJoin(subscriptionPlans, eq(subscriptionPlans.id, subscriptions.planId))
    .innerJoin(users, eq(users.id, subscriptions.organisateurId))
    .where(eq(subscriptions.id, id));
  if (!r) throw new NotFoundError('Abonnement introuvable.');
  return r;
}

/**
 * Staff grant (a new ACTIF subscription of `jours` days, from the end of the organizer's current period or now)
 * or extension (an ACTIF subscription's end and grace pushed by `jours`), always with a reason, audited.
 */
export async function grantSubscription(
  deps: SubscriptionsDeps,
  staffId: number,
  input: { organisateurId: number; planId: number; jours: number; motif: string },
  meta: RequestMeta,
) {
  const now = deps.now?.() ?? new Date();
  const granted = await deps.db.transaction(async (tx) => {
    const [org] = await tx.select({ id: users.id }).from(users).where(eq(users.id, input.organisateurId)).for('no key update');
    if (!org) throw new NotFoundError('Organisateur introuvable.');
    const [plan] = await tx.select().from(subscriptionPlans).where(eq(subscriptionPlans.id, input.planId));
    if (!plan) throw new NotFoundError('Forfait introuvable.');
    if (plan.code === FREE_PLAN_CODE)
      throw new BadRequestError('Le forfait gratuit ne s’octroie pas : il est celui de tout organisateur.', 'free_plan');
    const [last] = await tx
      .select()
      .from(subscriptions)
      .where(
        and(
          eq(subscriptions.organisateurId, input.organisateurId),
          eq(subscriptions.statut, 'ACTIF'),
          sql`coalesce(${subscriptions.enGraceJusquAu}, ${subscriptions.dateFin}) > ${now.toISOString()}::timestamptz`,
        ),
      )
      .orderBy(desc(subscriptions.dateFin))
      .limit(1);
    const start = last?.dateFin ?? now;
    const end = new Date(start.getTime() + input.jours * 86_400_000);
    const [row] = await tx
      .insert(subscriptions)
      .values({
        organisateurId: input.organisateurId,
        planId: plan.id,
        statut: 'ACTIF',
        nature: 'OCTROI',
        montant: 0,
        dureeJours: input.jours,
        precedentId: last?.id ?? null,
        dateDebut: start,
        dateFin: end,
        enGraceJusquAu: new Date(end.getTime() + deps.graceDays * 86_400_000),
        motif: input.motif,
      })
      .returning();
    await subscriptionMachine.recordCreation(tx, [row!.id], 'ACTIF', 'personnel', { motif: input.motif, par: staffId });
    await audit(tx, {
      userId: staffId,
      action: 'abonnement_octroye',
      staff: true,
      cible: `abonnement:${row!.id}`,
      meta,
      details: { organisateur: input.organisateurId, forfait: plan.code, jours: input.jours, motif: input.motif },
    });
    // The organizer hears of it as of a paid one (ABONNEMENT_ACTIVE, notifications module).
    await deps.hooks.run('subscription.activated', { tx, jobs: deps.jobs, subscription: hookSubscription(row!, plan) });
    return { sub: row!, plan };
  });
  // Its plan may feature the organizer's events (en_avant).
  await deps.publicCache.bump();
  return granted;
}

export async function extendSubscription(
  deps: SubscriptionsDeps,
  staffId: number,
  id: number,
  jours: number,
  motif: string,
  meta: RequestMeta,
) {
  const extended = await deps.db.transaction(async (tx) => {
    const [s] = await tx.select().from(subscriptions).where(eq(subscriptions.id, id)).for('no key update');
    if (!s) throw new NotFoundError('Abonnement introuvable.');
    if (s.statut !== 'ACTIF') throw new BadRequestError('Seul un abonnement actif peut être prolongé.', 'not_active');
    const ms = jours * 86_400_000;
    const [after] = await tx
      .update(subscriptions)
      .set({
        dateFin: new Date(s.dateFin!.getTime() + ms),
        enGraceJusquAu: new Date((s.enGraceJusquAu ?? s.dateFin!).getTime() + ms),
        motif: motif.slice(0, 300),
      })
      .where(eq(subscriptions.id, id))
      .returning();
    await audit(tx, {
      userId: staffId,
      action: 'abonnement_prolonge',
      staff: true,
      cible: `abonnement:${id}`,
      meta,
      details: { jours, motif, avant: { date_fin: s.dateFin!.toISOString() }, apres: { date_fin: after!.dateFin!.toISOString() } },
    });
    const [plan] = await tx.select().from(subscriptionPlans).where(eq(subscriptionPlans.id, s.planId));
    return { sub: after!, plan: plan! };
  });
  // A later end of grace: cached public pages were kept until the old one (en_avant).
  await deps.publicCache.bump();
  return extended;
}

/**
 * Subscription revenue, apart from ticket sales, by payments/money.ts's rule: successful payments (`brut`) less
 * their refunds done (`rembourse`) and under way (`rembourse_en_cours`, not cashed); `total` is the `net`.
 */
export async function subscriptionRevenue(deps: SubscriptionsDeps) {
  const rows = await selectRows<{ plan: string; nombre: number; montant: string; rembourse: string; en_cours: string }>(
    deps.db,
    sql`SELECT pl.code AS plan, count(*)::int AS nombre, coalesce(sum(p.montant), 0)::bigint AS montant,
               coalesce(sum(r.montant) FILTER (WHERE r.statut = 'REUSSI'), 0)::bigint AS rembourse,
               coalesce(sum(r.montant) FILTER (WHERE r.statut <> 'REUSSI' AND p.statut = 'REUSSI'), 0)::bigint AS en_cours
          FROM ${subscriptions} s JOIN ${payments} p ON p.id = s.payment_id JOIN ${subscriptionPlans} pl ON pl.id = s.plan_id
          LEFT JOIN ${refunds} r ON r.payment_id = p.id
         WHERE p.type = 'ABONNEMENT' AND p.statut IN ('REUSSI', 'REMBOURSE')
         GROUP BY pl.code ORDER BY pl.code`,
  );
  const parPlan = rows.map((r) => ({
    plan: r.plan,
    nombre: r.nombre,
    montant: Number(r.montant),
    rembourse: Number(r.rembourse),
    rembourse_en_cours: Number(r.en_cours),
  }));
  const sum = (k: 'montant' | 'rembourse' | 'rembourse_en_cours') => parPlan.reduce((a, r) => a + r[k], 0);
  const abonnements = { brut: sum('montant'), rembourse: sum('rembourse'), rembourse_en_cours: sum('rembourse_en_cours') };
  const net = abonnements.brut - abonnements.rembourse - abonnements.rembourse_en_cours;
  const billets = await moneyTotals(deps.db, eq(payments.type, 'BILLET'));
  return {
    abonnements: { total: net, ...abonnements, net, par_forfait: parPlan },
    billets: { total: billets.net, ...billets },
  };
}
