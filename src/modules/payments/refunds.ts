/**
 * Refunds: created in the transaction that decides them (event cancelled, late success without seats),
 * then carried out by a job that calls the provider's refund API with no transaction open. A provider without
 * a refund API gets a REMBOURSEMENT_MANUEL refund that staff settle by hand and record.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { payments, refunds } from './tables.js';
import { statusHistory } from '../../core/history.js';
import { tickets, ticketTypes } from '../tickets/tables.js';
import { paymentMachine, refundMachine } from './states.js';
import type { PublicCache } from '../../core/public-cache.js';
import { cancelTickets, ticketMachine } from '../tickets/states.js';
import { createRefund, paymentRef, REFUND_JOB } from './service.js';
import { gatewayFor, ProviderRejectedError, ProviderUnavailableError, type GatewayRegistry } from './gateway.js';
import type { JobQueue } from '../../jobs/queue.js';
import './hooks.js';
import type { DomainHooks } from '../../core/hooks.js';
import { NotFoundError, ConflictError } from '../../core/errors.js';
import { audit, changes, SYSTEM_META, type RequestMeta } from '../../core/audit.js';

export interface RefundDeps {
  db: Db;
  jobs: JobQueue;
  gateways: GatewayRegistry;
  /** Seats given back change public reads (core/public-cache.ts). */
  publicCache?: PublicCache;
  hooks: DomainHooks;
}

function refundRequest(r: typeof refunds.$inferSelect, p: typeof payments.$inferSelect) {
  return {
    referenceRemboursement: r.referenceFournisseur,
    payment: paymentRef(p),
    montant: r.montant,
    motif: r.motif,
    creeLe: r.dateCreation,
  };
}

export type RefundStep = 'done' | 'manual' | 'retry' | 'failed' | 'noop';

export async function processRefund(deps: RefundDeps, refundId: number): Promise<RefundStep> {
  const [r] = await deps.db.select().from(refunds).where(eq(refunds.id, refundId));
  if (!r) return 'noop';
  const [p] = await deps.db.select().from(payments).where(eq(payments.id, r.paymentId));
  if (!p) return 'noop';
  const gateway = gatewayFor(deps.gateways, p.fournisseur);

  if (r.statut === 'EN_ATTENTE' || r.statut === 'ECHOUE') {
    if (!gateway.capabilities.refund) {
      await deps.db.transaction((tx) =>
        refundMachine.transition(tx, r.id, [r.statut], 'REMBOURSEMENT_MANUEL', {
          source: 'remboursement',
          details: { raison: 'Pas d’API de remboursement chez ce fournisseur' },
        }),
      );
      return 'manual';
    }
    // A failed refund is re-sent with the SAME reference (a refund that did arrive answers 409: never paid
    // twice), unless the provider itself said this reference failed (MTN FAILED): that one is spent, a re-send
    // would only be refused again, so the retry gets a new reference.
    let fresh: string | null = null;
    if (r.statut === 'ECHOUE') {
      let last;
      try {
        last = await gateway.refundStatus(refundRequest(r, p));
      } catch (err) {
        if (err instanceof ProviderUnavailableError) return 'retry';
        last = null;
      }
      if (last?.status === 'succeeded') {
        await deps.db.transaction((tx) => refundMachine.transition(tx, r.id, ['ECHOUE'], 'EN_ATTENTE', { source: 'remboursement' }));
        await deps.db.transaction((tx) => refundMachine.transition(tx, r.id, ['EN_ATTENTE'], 'EN_COURS', { source: 'remboursement' }));
        return settle(deps, r.id, 'succeeded');
      }
      if (last?.status === 'pending' && last.providerStatus !== 'NOT_FOUND') {
        // The provider has it and is still working on it: follow it, do not send anything.
        await deps.db.transaction((tx) => refundMachine.transition(tx, r.id, ['ECHOUE'], 'EN_ATTENTE', { source: 'remboursement' }));
        await deps.db.transaction((tx) => refundMachine.transition(tx, r.id, ['EN_ATTENTE'], 'EN_COURS', { source: 'remboursement' }));
        return 'retry';
      }
      if (last?.status === 'failed' && last.referenceSpent) fresh = gateway.newRefundReference();
    }
    const moved = await deps.db.transaction((tx) =>
      refundMachine.transition(tx, r.id, [r.statut], r.statut === 'ECHOUE' ? 'EN_ATTENTE' : 'EN_COURS', {
        source: 'remboursement',
        ...(fresh
          ? { details: { nouvelle_reference: fresh, ancienne_reference: r.referenceFournisseur }, set: { referenceFournisseur: fresh } }
          : {}),
      }),
    );
    if (!moved) return 'noop';
    if (fresh) r.referenceFournisseur = fresh;
    if (r.statut === 'ECHOUE') {
      await deps.db.transaction((tx) => refundMachine.transition(tx, r.id, ['EN_ATTENTE'], 'EN_COURS', { source: 'remboursement' }));
    }
    try {
      // The refund reference was generated when the refund was created: a retried call is the same refund.
      const res = await gateway.refund(refundRequest(r, p));
      return settle(deps, r.id, res.status, res.reason);
    } catch (err) {
      if (err instanceof ProviderUnavailableError) return 'retry'; // stays EN_COURS; the job retries and asks for its status
      if (err instanceof ProviderRejectedError) return settle(deps, r.id, 'failed', err.message);
      throw err;
    }
  }
  if (r.statut === 'EN_COURS') {
    try {
      const res = await gateway.refundStatus(refundRequest(r, p));
      return settle(deps, r.id, res.status, res.reason);
    } catch (err) {
      if (err instanceof ProviderUnavailableError) return 'retry';
      // Refused: an end state (ECHOUE, with the provider's words) that staff can retry or settle by hand.
      if (err instanceof ProviderRejectedError) return settle(deps, r.id, 'failed', err.message);
      throw err;
    }
  }
  return 'noop';
}

async function settle(
  deps: RefundDeps,
  refundId: number,
  status: 'pending' | 'succeeded' | 'failed',
  reason?: string,
): Promise<RefundStep> {
  if (status === 'pending') return 'retry';
  if (status === 'failed') {
    await deps.db.transaction((tx) =>
      refundMachine.transition(tx, refundId, ['EN_COURS'], 'ECHOUE', {
        source: 'fournisseur',
        details: { raison: reason ?? null },
        set: { raisonEchec: (reason ?? '').slice(0, 200) },
      }),
    );
    return 'failed';
  }
  await completeRefund(deps, refundId, ['EN_COURS'], 'fournisseur', null);
  return 'done';
}

/** Refund done (by the provider, or settled by staff): payment REMBOURSE, its tickets too, buyer told. */
async function completeRefund(
  deps: RefundDeps,
  refundId: number,
  from: ('EN_COURS' | 'REMBOURSEMENT_MANUEL')[],
  source: string,
  staffId: number | null,
  staffMeta: RequestMeta = SYSTEM_META,
): Promise<boolean> {
  const done = await deps.db.transaction(async (tx) => {
    const moved = await refundMachine.transition(tx, refundId, from, 'REUSSI', {
      source,
      set: { dateFinalisation: new Date(), reglePar: staffId },
    });
    if (!moved) return false;
    const [r] = await tx.select().from(refunds).where(eq(refunds.id, refundId));
    if (staffId !== null) {
      await audit(tx, {
        userId: staffId,
        action: 'refund.settle',
        meta: staffMeta,
        cible: `refund:${refundId}`,
        staff: true,
        details: { paiement: r!.paymentId, montant: r!.montant, ...changes({ statut: from[0] }, { statut: 'REUSSI' }) },
      });
    }
    const [p] = await tx.select().from(payments).where(eq(payments.id, r!.paymentId));
    await paymentMachine.transition(tx, p!.id, ['REUSSI'], 'REMBOURSE', { source, details: { remboursement_id: refundId } });
    const ts = await tx
      .select({ id: tickets.id, statut: tickets.statut })
      .from(tickets)
      .where(and(eq(tickets.paymentId, p!.id), inArray(tickets.statut, ['VALIDE', 'ANNULE'])));
    // Still-valid tickets are cancelled first (their seats come back), then every ticket of the payment is refunded.
    await cancelTickets(
      tx,
      ts.filter((t) => t.statut === 'VALIDE').map((t) => t.id),
      { source },
    );
    for (const t of ts) await ticketMachine.transition(tx, t.id, ['ANNULE'], 'REMBOURSE', { source });
    await deps.hooks.run('refund.updated', { tx, jobs: deps.jobs, refundId, completed: true });
    return true;
  });
  // Tickets cancelled: their seats are back on sale (after the commit).
  if (done) await deps.publicCache?.bump();
  return done;
}

/** Staff record a manual refund as paid (cash, transfer…). */
export async function settleManualRefund(
  deps: RefundDeps,
  refundId: number,
  staffId: number,
  meta: RequestMeta = SYSTEM_META,
): Promise<void> {
  const [r] = await deps.db.select({ statut: refunds.statut }).from(refunds).where(eq(refunds.id, refundId));
  if (!r) throw new NotFoundError('Remboursement introuvable.');
  if (r.statut !== 'REMBOURSEMENT_MANUEL')
    throw new ConflictError(`Ce remboursement n'est pas à régler manuellement (statut ${r.statut}).`, 'invalid_transition');
  await completeRefund(deps, refundId, ['REMBOURSEMENT_MANUEL'], 'personnel', staffId, meta);
}

/**
 * Staff send a failed refund again (the provider refused it, or never confirmed it): queued as a refund job,
 * which re-sends it with the same provider reference (ECHOUE → EN_ATTENTE → EN_COURS), or hands it to staff
 * as a manual refund where the provider has no refund API.
 */
export async function retryFailedRefund(
  deps: RefundDeps,
  refundId: number,
  staffId: number,
  meta: RequestMeta = SYSTEM_META,
): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const [r] = await tx
      .select({ statut: refunds.statut, paymentId: refunds.paymentId, montant: refunds.montant })
      .from(refunds)
      .where(eq(refunds.id, refundId))
      .for('update');
    if (!r) throw new NotFoundError('Remboursement introuvable.');
    if (r.statut !== 'ECHOUE')
      throw new ConflictError(`Seul un remboursement échoué peut être relancé (statut ${r.statut}).`, 'invalid_transition');
    await tx.insert(statusHistory).values({
      entite: 'REMBOURSEMENT',
      entiteId: refundId,
      ancienStatut: 'ECHOUE',
      nouveauStatut: 'ECHOUE',
      source: 'personnel',
      details: { relance_par: staffId },
    });
    await audit(tx, {
      userId: staffId,
      action: 'refund.retry',
      meta,
      cible: `refund:${refundId}`,
      staff: true,
      details: { paiement: r.paymentId, montant: r.montant, statut: r.statut },
    });
    await deps.jobs.send(REFUND_JOB, { refundId }, { tx });
  });
}

/**
 * The organizer cancelled a paid event (called inside the cancellation's transaction): every valid ticket
 * is cancelled and every successful payment gets its refund, queued with the same commit. Pending payments
 * need nothing here: if they later succeed, finalizeSuccess sees the event cancelled and refunds them.
 */
export async function refundEventPayments(tx: DbOrTx, jobs: JobQueue, gateways: GatewayRegistry, eventId: number): Promise<number> {
  // The ticket types' locks first: a confirmation selling seats right now (sv_sell_seats holds one) commits
  // before the payments are read below, and one that comes after finds the event cancelled and refunds.
  await tx
    .select({ id: ticketTypes.id })
    .from(ticketTypes)
    .where(eq(ticketTypes.evenementId, eventId))
    .orderBy(ticketTypes.id)
    .for('no key update');
  const paid = await tx
    .select()
    .from(payments)
    .where(and(eq(payments.evenementId, eventId), eq(payments.statut, 'REUSSI')));
  const valid = await tx
    .select({ id: tickets.id })
    .from(tickets)
    .where(and(eq(tickets.evenementId, eventId), eq(tickets.statut, 'VALIDE')));
  await cancelTickets(
    tx,
    valid.map((t) => t.id),
    { source: 'annulation_evenement' },
  );
  let created = 0;
  for (const p of paid) {
    if (await createRefund(tx, jobs, gateways, p, "Annulation de l'événement par l'organisateur")) created++;
  }
  return created;
}
