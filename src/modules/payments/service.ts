/**
 * Buying tickets with mobile money.
 *
 * initiatePayment: (1) one short transaction holds the seats and stores the payment with the provider
 * reference generated up front; (2) the provider is called with no transaction open; (3) what it answered is
 * stored. A crash between steps leaves a pending payment the provider may never have heard of (no answer
 * stored): a replay of the same Idempotency-Key makes the call then, and reconciliation resumes it (push flow)
 * or releases the seats (redirect flow: nobody holds a page to pay on). The provider reference was stored with
 * the hold, so a call made twice is one payment at the provider (MTN answers 409; the others key on it).
 *
 * Every outcome (callback, reconciliation poll, expiry) goes through confirmPayment, which asks the provider
 * for the truth, checks amount and currency, and moves the payment out of EN_ATTENTE at most once: the
 * guarded transition in states.ts decides the winner of any race, and tickets have a unique (payment, rang).
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import { selectRows, type Db, type DbOrTx, type Tx } from '../../db/client.js';
import type { PaymentDeps } from './deps.js';
import { events } from '../events/tables.js';
import { users } from '../users/tables.js';
import { ticketTypes, tickets } from '../tickets/tables.js';
import { payments, refunds, type Fournisseur, type PaymentStatut } from './tables.js';
import type { TransitionOptions } from '../../core/history.js';
import { commissionRateFor } from '../subscriptions/effective.js';
import './hooks.js';
import {
  EventUnavailableError,
  heldSeatsSql,
  IdempotencyKeyTakenError,
  insertHoldingPayment,
  sellSeats,
  soldOutError,
} from './reservation.js';
import { paymentMachine, refundMachine } from './states.js';
import { ticketMachine } from '../tickets/states.js';
import { statusHistory } from '../../core/history.js';
import { preparedOnce } from '../../db/prepared.js';
import { ConflictError, NotFoundError, ValidationError, AppError, pgErrorCode, PG } from '../../core/errors.js';
import { gatewayFor, ProviderRejectedError, ProviderUnavailableError, type GatewayRegistry } from './gateway.js';
import type { JobQueue } from '../../jobs/queue.js';
import './hooks.js';
import { normalizeTelephone, PHONE_MESSAGE } from '../users/validators.js';
import { generateTicketCode } from '../tickets/render/code.js';
import { formatShortDateTime } from '../../core/french.js';
import { assertAmountAccepted } from './amount-limits.js';

export type Payment = typeof payments.$inferSelect;

export const HOLD_MINUTES_DEFAULT = 15;
export const CONFIRM_JOB = 'payments.confirm';
export const REFUND_JOB = 'payments.refund';

export type { PaymentDeps } from './deps.js';

export interface InitiateInput {
  eventId: number;
  typeBilletId?: number | undefined;
  quantite: number;
  fournisseur: Fournisseur;
  telephone: string;
}

/** Operator prefixes in Côte d'Ivoire: an Orange Money wallet lives on an Orange line, and so on. Wave takes any. */
const PREFIXES: Record<Fournisseur, { prefixes: string[]; label: string } | null> = {
  ORANGE_MONEY: { prefixes: ['07'], label: 'Orange (07…)' },
  MTN_MONEY: { prefixes: ['05'], label: 'MTN (05…)' },
  MOOV_MONEY: { prefixes: ['01'], label: 'Moov (01…)' },
  WAVE: null,
};

export function normalizePayerPhone(raw: string, fournisseur: Fournisseur): string {
  // The same normalisation and message as account phone numbers.
  const t = normalizeTelephone(raw);
  if (!t) throw ValidationError.field('telephone', PHONE_MESSAGE);
  const rule = PREFIXES[fournisseur];
  if (rule && !rule.prefixes.includes(t.slice(4, 6))) {
    throw ValidationError.field('telephone', `Ce numéro n'est pas un numéro ${rule.label}.`);
  }
  return t;
}

function newReference(): string {
  // 80 random bits, Crockford-like alphabet: unguessable, short enough to read over the phone.
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) out += alphabet[bytes[i]! % 32];
  return `SV-${out}`;
}

function fingerprint(userId: number, input: InitiateInput, telephone: string): string {
  return createHash('sha256')
    .update(JSON.stringify([userId, input.eventId, input.typeBilletId ?? null, input.quantite, input.fournisseur, telephone]))
    .digest('hex');
}

export interface InitiateOutcome {
  payment: Payment;
  /** True when an Idempotency-Key replay returned an existing payment. */
  replay: boolean;
}

export async function initiatePayment(
  deps: PaymentDeps,
  userId: number,
  input: InitiateInput,
  idempotencyKey?: string,
): Promise<InitiateOutcome> {
  const now = deps.now?.() ?? new Date();
  const telephone = normalizePayerPhone(input.telephone, input.fournisseur);
  const print = fingerprint(userId, input, telephone);
  const gateway = gatewayFor(deps.gateways, input.fournisseur);

  if (idempotencyKey) {
    const existing = await findByIdempotencyKey(deps.db, userId, idempotencyKey);
    if (existing) {
      const replay = replayOf(existing, print);
      // The first request died between the hold and the provider call: make the call now.
      if (cutOff(deps, replay.payment, now)) return { payment: await callProvider(deps, replay.payment), replay: true };
      return replay;
    }
  }

  // What is bought. Read without a lock: the hold below is what decides, under the ticket type's lock.
  const rows = await purchaseTargets(deps.db, input.typeBilletId !== undefined).execute({
    eventId: input.eventId,
    typeId: input.typeBilletId,
  });
  const ev = rows[0]?.event;
  if (!ev || ev.statut !== 'VALIDE') throw new NotFoundError('Événement introuvable');
  if (ev.typeAcces !== 'PAYANT')
    throw ValidationError.field('event_id', 'Cet événement est gratuit : inscrivez-vous avec /api/events/participate/.');
  if (ev.dateDebut <= now) throw ValidationError.field('event_id', "La vente est close : l'événement a commencé.");
  const types = rows.flatMap((r) => (r.type ? [r.type] : []));
  if (input.typeBilletId !== undefined && !types.length)
    throw ValidationError.field('type_billet_id', "Ce type de billet n'existe pas pour cet événement.");
  if (!types.length) throw new ConflictError("Aucun billet n'est en vente pour cet événement.", 'sold_out');
  if (types.length > 1)
    throw ValidationError.field('type_billet_id', 'Ce champ est obligatoire : cet événement propose plusieurs types de billets.');
  const type = types[0]!;
  if (type.debutVente && now < type.debutVente)
    throw ValidationError.field('type_billet_id', `La vente de ce billet commence le ${formatShortDateTime(type.debutVente)}.`);
  if (type.finVente && now >= type.finVente) throw ValidationError.field('type_billet_id', 'La vente de ce billet est terminée.');
  if (input.quantite > type.maxParCommande) {
    throw ValidationError.field('quantite', `Au plus ${type.maxParCommande} billet(s) de ce type par commande.`);
  }
  // An amount the provider would refuse (Moov/CinetPay: multiples of 5; each provider's bounds) holds nothing.
  assertAmountAccepted(deps.amountLimits, input.fournisseur, type.prix * input.quantite);
  // Already full when read: say so without queueing on the ticket type's lock (once a sale is sold out,
  // most buyers of a rush end here). The hold below re-checks under the lock; this read only spares it.
  const leftWhenRead = type.quantite - type.vendus - Number(rows.find((r) => r.type?.id === type.id)?.held ?? 0);
  if (leftWhenRead < input.quantite) throw soldOutError(leftWhenRead);

  // The organizer's plan in force now decides the commission on this sale, for good (subscriptions).
  const commission = await commissionRateFor(deps.db, ev.createurId, now);
  let created: Payment;
  try {
    const reference = newReference();
    created = await insertHoldingPayment(
      deps.db,
      {
        reference,
        type: 'BILLET',
        utilisateurId: userId,
        evenementId: ev.id,
        typeBilletId: type.id,
        quantite: input.quantite,
        montant: type.prix * input.quantite,
        fournisseur: input.fournisseur,
        telephone,
        referenceFournisseur: gateway.newProviderReference(reference),
        idempotencyKey: idempotencyKey ?? null,
        empreinteRequete: print,
        expireLe: new Date(now.getTime() + (deps.holdMinutes ?? HOLD_MINUTES_DEFAULT) * 60_000),
        prochaineVerification: new Date(now.getTime() + 30_000),
        commissionPourcentage: commission,
      },
      now,
      { source: 'initiation', details: { quantite: input.quantite, type_billet_id: type.id } },
      holdCapsFor(deps.holdCaps, type.maxParCommande),
    );
  } catch (err) {
    // Two requests with the same Idempotency-Key raced: the first to get the buyer's lock stored its payment, and
    // the hold statement saw it after that lock (IdempotencyKeyTakenError, before any cap could refuse this
    // request), or the unique index let one in; answer with it.
    if (idempotencyKey && (err instanceof IdempotencyKeyTakenError || pgErrorCode(err) === PG.uniqueViolation)) {
      const existing = await findByIdempotencyKey(deps.db, userId, idempotencyKey);
      if (existing) return replayOf(existing, print);
    }
    throw err;
  }

  return { payment: await callProvider(deps, created, ticketDescription(created.quantite, ev.titre)), replay: false };
}

/**
 * The caps on seats held at once for this order: the settings, but never below one full order of this ticket type
 * (an organizer who sells groups of 20 per order lets a buyer hold 20); `max_par_personne` is the organizer's cap.
 */
function holdCapsFor(caps: PaymentDeps['holdCaps'], maxParCommande: number) {
  const atLeastOneOrder = (n: number | null | undefined) => (n ? Math.max(n, maxParCommande) : null);
  return { perUser: atLeastOneOrder(caps?.perUser), perPhone: atLeastOneOrder(caps?.perPhone) };
}

/**
 * A pending payment whose provider call never answered (the process died before or during it, or a push request
 * timed out): the provider data is still the empty object the hold was stored with (an answer always stores
 * `answeredAt`). Only while its hold lasts: past it, the normal expiry applies.
 */
function neverAnswered(p: Payment, now: Date): boolean {
  const data = p.donneesFournisseur as Record<string, unknown> | null;
  return p.statut === 'EN_ATTENTE' && p.paymentUrl === null && (data === null || Object.keys(data).length === 0) && p.expireLe > now;
}

/**
 * Never answered, and older than a provider call can last: the call was cut off (a call still in flight, in this
 * or another process, is left alone, so one request never races its own replay at the provider).
 */
function cutOff(deps: PaymentDeps, p: Payment, now: Date): boolean {
  return neverAnswered(p, now) && now.getTime() - p.dateCreation.getTime() >= (deps.providerTimeoutMs ?? 15_000);
}

/**
 * The provider call of an initiation, with no transaction open. Also the resumption of one that never answered:
 * the references are those stored with the hold, so the provider sees one payment however often it is asked.
 */
async function callProvider(deps: PaymentDeps, created: Payment, description?: string): Promise<Payment> {
  const gateway = gatewayFor(deps.gateways, created.fournisseur);
  if (description === undefined) {
    if (created.evenementId !== null) {
      const [ev] = await deps.db.select({ titre: events.titre }).from(events).where(eq(events.id, created.evenementId));
      description = ticketDescription(created.quantite, ev?.titre ?? '');
    } else {
      description = created.type === 'ABONNEMENT' ? 'SpotVibe abonnement organisateur' : 'SpotVibe';
    }
  }
  try {
    const result = await gateway.initiate({
      reference: created.reference,
      referenceFournisseur: created.referenceFournisseur,
      montant: created.montant,
      telephone: created.telephone,
      description: description.slice(0, 100),
    });
    const [updated] = await preparedOnce(deps.db, 'payment_provider_answer', (d, name) =>
      d
        .update(payments)
        .set({ donneesFournisseur: sql.placeholder('data'), paymentUrl: sql<string | null>`${sql.placeholder('url')}` })
        .where(eq(payments.id, sql.placeholder('id')))
        .returning()
        .prepare(name),
    ).execute({ id: created.id, data: { ...result.data, answeredAt: new Date().toISOString() }, url: result.paymentUrl });
    return updated!;
  } catch (err) {
    if (err instanceof ProviderRejectedError || (err instanceof ProviderUnavailableError && gateway.capabilities.flow === 'redirect')) {
      // Refused, or a redirect flow with no page to send the buyer to: nothing can be paid, release the seats now.
      await deps.db.transaction((tx) =>
        failPayment(deps, tx, created.id, ['EN_ATTENTE'], 'ECHOUE', {
          source: 'initiation',
          details: { erreur: err.message },
          set: {
            raisonEchec: err instanceof ProviderRejectedError ? 'REFUS_FOURNISSEUR' : 'FOURNISSEUR_INDISPONIBLE',
            dateFinalisation: new Date(),
          },
        }),
      );
      if (err instanceof ProviderRejectedError) {
        throw new AppError(502, 'provider_rejected', `Le fournisseur de paiement a refusé la demande : ${err.message}`);
      }
      throw new AppError(
        503,
        'provider_unavailable',
        'Le fournisseur de paiement est momentanément indisponible. Réessayez dans quelques instants.',
        undefined,
        { 'Retry-After': '30' },
      );
    }
    if (err instanceof ProviderUnavailableError) {
      // Push flow: the request may have reached the payer's phone. Keep it pending; reconciliation will ask.
      const [p] = await deps.db.select().from(payments).where(eq(payments.id, created.id));
      return p!;
    }
    throw err;
  }
}

/** The event and its ticket type (the one asked for, else all of them: the caller wants exactly one). */
function purchaseTargets(db: Db, byType: boolean) {
  return preparedOnce(db, byType ? 'purchase_event_type' : 'purchase_event_types', (d, name) =>
    d
      .select({
        event: {
          id: events.id,
          titre: events.titre,
          statut: events.statut,
          typeAcces: events.typeAcces,
          dateDebut: events.dateDebut,
          createurId: events.createurId,
        },
        type: getTableColumns(ticketTypes),
        // Seats held by unexpired pending payments, read without a lock (see initiatePayment).
        held: heldSeatsSql(ticketTypes.id, sql`now()`),
      })
      .from(events)
      .leftJoin(
        ticketTypes,
        and(eq(ticketTypes.evenementId, events.id), byType ? eq(ticketTypes.id, sql.placeholder('typeId')) : undefined),
      )
      .where(eq(events.id, sql.placeholder('eventId')))
      .limit(2)
      .prepare(name),
  );
}

async function findByIdempotencyKey(db: Db, userId: number, key: string): Promise<Payment | undefined> {
  const [p] = await preparedOnce(db, 'payment_by_idempotency_key', (d, name) =>
    d
      .select()
      .from(payments)
      .where(and(eq(payments.utilisateurId, sql.placeholder('userId')), eq(payments.idempotencyKey, sql.placeholder('key'))))
      .prepare(name),
  ).execute({ userId, key });
  return p;
}

function replayOf(existing: Payment, print: string): InitiateOutcome {
  if (existing.empreinteRequete !== print) {
    throw new ConflictError("Cette clé d'idempotence a déjà servi pour un autre achat.", 'idempotency_key_reused');
  }
  return { payment: existing, replay: true };
}

/**
 * Asks the provider where a payment stands and acts on the answer. Safe to run any number of times,
 * concurrently: callbacks, reconciliation and expiry all end here.
 */
export async function confirmPayment(deps: PaymentDeps, paymentId: number, source: string): Promise<Payment['statut'] | null> {
  const now = deps.now?.() ?? new Date();
  const [p] = await deps.db.select().from(payments).where(eq(payments.id, paymentId));
  if (!p) return null;
  // A closed payment (ECHOUE) is asked again only when a success may still come for it: the provider never
  // said "failed" (our window ran out, or our call was refused after it may have arrived). Only a confirmed
  // success moves it (late success: tickets if seats remain, else a refund); any other answer leaves it.
  if (p.statut === 'ECHOUE') return lateSuccessOfClosed(deps, p, source);
  if (p.statut !== 'EN_ATTENTE' && p.statut !== 'EXPIRE') return p.statut;

  const gateway = gatewayFor(deps.gateways, p.fournisseur);
  if (cutOff(deps, p, now)) {
    if (gateway.capabilities.flow === 'redirect') {
      // The buyer was never given a page to pay on (the answer that carries it was lost with the process), so
      // nothing can be paid: give the seats back now rather than at the end of the hold.
      await deps.db.transaction(async (tx) => {
        const moved = await failPayment(deps, tx, p.id, ['EN_ATTENTE'], 'ECHOUE', {
          source,
          details: { raison: "la demande n'a jamais reçu de réponse du fournisseur (interrompue)" },
          set: { raisonEchec: 'NON_TRANSMIS', dateFinalisation: now },
        });
        // The buyer left with no page to pay on: tell them the purchase did not go through.
        if (moved) await deps.hooks.run('payment.failed', { tx, jobs: deps.jobs, paymentId: p.id });
      });
      return 'ECHOUE';
    }
    // Push flow: send the request now (same reference: MTN answers 409 if the first one did arrive), so the
    // payer gets the prompt while the hold lasts.
    try {
      const resumed = await callProvider(deps, p);
      await scheduleNextCheck(deps.db, p, now);
      return resumed.statut;
    } catch (err) {
      if (err instanceof AppError) return 'ECHOUE';
      throw err;
    }
  }
  let status;
  try {
    status = await gateway.getStatus(paymentRef(p));
  } catch (err) {
    if (err instanceof ProviderUnavailableError || err instanceof ProviderRejectedError) {
      await scheduleNextCheck(deps.db, p, now);
      if (p.statut === 'EN_ATTENTE' && p.expireLe <= now) await expirePayment(deps, p.id, source);
      return p.statut;
    }
    throw err;
  }

  if (status.status === 'succeeded') {
    // The provider reports in its configured currency (XOF in production, a test currency in its sandbox).
    // An omitted amount or currency is compared as "same", which is safe only where the provider cannot take
    // another amount: Orange's transactionstatus answer carries no amount, but its pay_token is bound to the
    // amount we sent at init (Orange's payment page cannot charge another); MTN, CinetPay and Wave send both in
    // their status answers (a client that loses them is caught by its tests against the simulator's shapes).
    if (
      (status.montant !== undefined && status.montant !== p.montant) ||
      (status.devise !== undefined && status.devise !== gateway.currency)
    ) {
      await failForAmountMismatch(deps, p, status, source, now, ['EN_ATTENTE', 'EXPIRE']);
      return 'ECHOUE';
    }
    return finalizeSuccess(deps, p.id, source);
  }
  if (status.status === 'failed') {
    await deps.db.transaction(async (tx) => {
      const moved = await failPayment(deps, tx, p.id, ['EN_ATTENTE', 'EXPIRE'], 'ECHOUE', {
        source,
        details: { raison: status.reason ?? null },
        set: { raisonEchec: (status.reason ?? 'ECHEC').slice(0, 100), dateFinalisation: now },
      });
      if (moved) await deps.hooks.run('payment.failed', { tx, jobs: deps.jobs, paymentId: p.id });
    });
    return 'ECHOUE';
  }
  // Still pending at the provider. A payer who shows no sign of paying (no approval on the phone, the payment
  // page never opened) gives the seats back before the end of the hold; the payment stays open (EXPIRE is still
  // polled), so a success that comes later is honoured: tickets if seats remain, else a refund.
  const releaseAt = earlyReleaseAt(deps, gateway.capabilities.flow, p);
  await scheduleNextCheck(deps.db, p, now, releaseAt);
  if (p.statut === 'EN_ATTENTE' && p.expireLe > now && releaseAt && releaseAt <= now) {
    const push = gateway.capabilities.flow === 'push';
    const released = await deps.db.transaction(async (tx) => {
      if (!push) {
        // `p` was read before the provider call: the buyer may have opened the page meanwhile. The opening
        // (openPaymentPage, an UPDATE of this row) and this release queue on the row lock: either the opening is
        // seen here and the hold lasts, or it comes after the release and no longer leads to the provider's page.
        const [row] = await tx
          .select({ dateOuverture: payments.dateOuverture })
          .from(payments)
          .where(eq(payments.id, p.id))
          .for('no key update');
        if (row?.dateOuverture) return false;
      }
      const left = await failPayment(deps, tx, p.id, ['EN_ATTENTE'], 'EXPIRE', {
        source,
        details: {
          liberation_anticipee: push ? 'paiement non approuvé sur le téléphone' : 'page de paiement jamais ouverte',
          statut_fournisseur: status.providerStatus,
          expire_le_initial: p.expireLe.toISOString(),
        },
        set: { raisonEchec: push ? 'NON_APPROUVE' : 'PAGE_NON_OUVERTE', expireLe: now },
      });
      return left !== null;
    });
    if (released) return 'EXPIRE';
    const [current] = await deps.db.select({ statut: payments.statut }).from(payments).where(eq(payments.id, p.id));
    return current?.statut ?? p.statut;
  }
  if (p.statut === 'EN_ATTENTE' && p.expireLe <= now) {
    await expirePayment(deps, p.id, source);
    return 'EXPIRE';
  }
  return p.statut;
}

/** Raisons of an ECHOUE payment that a provider success may still overturn (no "failed" from the provider). */
const REOPENABLE = ['RESOURCE_NOT_FOUND', 'NON_TRANSMIS', 'FOURNISSEUR_INDISPONIBLE', 'DELAI_DEPASSE'];

async function lateSuccessOfClosed(deps: PaymentDeps, p: Payment, source: string): Promise<Payment['statut']> {
  if (!REOPENABLE.includes(p.raisonEchec)) return p.statut;
  const now = deps.now?.() ?? new Date();
  const gateway = gatewayFor(deps.gateways, p.fournisseur);
  let status;
  try {
    status = await gateway.getStatus(paymentRef(p));
  } catch (err) {
    if (err instanceof ProviderUnavailableError || err instanceof ProviderRejectedError) return p.statut;
    throw err;
  }
  if (status.status !== 'succeeded') return p.statut;
  if (
    (status.montant !== undefined && status.montant !== p.montant) ||
    (status.devise !== undefined && status.devise !== gateway.currency)
  ) {
    await failForAmountMismatch(deps, p, status, source, now, ['ECHOUE']);
    return 'ECHOUE';
  }
  return finalizeSuccess(deps, p.id, source);
}

/**
 * The provider reports a success for another amount or currency than we asked: never tickets for it. The
 * payment ends ECHOUE (MONTANT_INCOHERENT) with both amounts in its history, the money received is refunded
 * automatically (the amount the provider reports, in one refund per payment), and staff are alerted by e-mail.
 */
async function failForAmountMismatch(
  deps: PaymentDeps,
  p: Payment,
  status: { montant?: number | undefined; devise?: string | undefined; providerStatus: string },
  source: string,
  now: Date,
  from: Payment['statut'][],
): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const attendu = { montant: p.montant, devise: p.devise };
    const recu = { montant: status.montant ?? null, devise: status.devise ?? null };
    const details = { attendu, recu, statut_fournisseur: status.providerStatus };
    let moved: boolean;
    if (p.statut === 'ECHOUE') {
      // Already closed by us: the guarded update on the old raison decides the one actor that refunds.
      const rows = await tx
        .update(payments)
        .set({ raisonEchec: 'MONTANT_INCOHERENT' })
        .where(and(eq(payments.id, p.id), eq(payments.statut, 'ECHOUE'), eq(payments.raisonEchec, p.raisonEchec)))
        .returning({ id: payments.id });
      moved = rows.length > 0;
      if (moved) {
        await tx
          .insert(statusHistory)
          .values({ entite: 'PAIEMENT', entiteId: p.id, ancienStatut: 'ECHOUE', nouveauStatut: 'ECHOUE', source, details });
      }
    } else {
      moved =
        (await failPayment(deps, tx, p.id, from, 'ECHOUE', {
          source,
          details,
          set: { raisonEchec: 'MONTANT_INCOHERENT', dateFinalisation: now },
        })) !== null;
    }
    if (!moved) return;
    const montant = status.montant !== undefined && status.montant > 0 ? status.montant : p.montant;
    const motif = `Montant incohérent : ${montant} ${status.devise ?? p.devise} reçu pour ${p.montant} ${p.devise} demandés (${p.reference}).`;
    const refundId = await createRefund(tx, deps.jobs, deps.gateways, p, motif, montant);
    // After the refund exists, so that the buyer's message says the money received comes back.
    await deps.hooks.run('payment.failed', { tx, jobs: deps.jobs, paymentId: p.id });
    await deps.hooks.run('payment.anomaly', {
      tx,
      jobs: deps.jobs,
      paymentId: p.id,
      refundId,
      recu: `${recu.montant ?? '?'} ${recu.devise ?? '?'}`,
      attendu: `${p.montant} ${p.devise}`,
    });
  });
}

async function expirePayment(deps: PaymentDeps, paymentId: number, source: string): Promise<void> {
  await deps.db.transaction((tx) =>
    failPayment(deps, tx, paymentId, ['EN_ATTENTE'], 'EXPIRE', { source, set: { raisonEchec: 'DELAI_DEPASSE' } }),
  );
}

function ticketDescription(quantite: number, titre: string): string {
  return `SpotVibe ${quantite} billet(s) ${titre}`;
}

/** A payment leaves EN_ATTENTE (or EXPIRE) without the money: a non-ticket payment is handed to its owner. */
async function failPayment(
  deps: PaymentDeps,
  tx: Tx,
  id: number,
  from: readonly PaymentStatut[],
  to: 'ECHOUE' | 'EXPIRE',
  opts: TransitionOptions,
): Promise<PaymentStatut | null> {
  const left = await paymentMachine.transition(tx, id, from, to, opts);
  if (left) await handOver(deps, tx, id, to, false, opts.source);
  return left;
}

/** Raises `payment.settled` (payments/hooks.ts) for a payment that is not a ticket sale, in the settling transaction. */
async function handOver(deps: PaymentDeps, tx: Tx, id: number, outcome: 'REUSSI' | 'ECHOUE' | 'EXPIRE', late: boolean, source: string) {
  const [p] = await tx.select().from(payments).where(eq(payments.id, id));
  if (!p || p.type === 'BILLET') return;
  await deps.hooks.run('payment.settled', {
    tx,
    jobs: deps.jobs,
    payment: p,
    outcome,
    late,
    source,
    now: deps.now?.() ?? new Date(),
    refund: async (motif) => {
      await createRefund(tx, deps.jobs, deps.gateways, p, motif);
    },
  });
}

/** A non-ticket payment succeeded: REUSSI once, then its owner module decides (activate, or refund). */
async function finalizeService(deps: PaymentDeps, paymentId: number, source: string, now: Date): Promise<PaymentStatut> {
  let settled = false;
  const statut = await deps.db.transaction(async (tx) => {
    const [p] = await tx.select().from(payments).where(eq(payments.id, paymentId));
    // As for tickets, a payment we closed without the provider saying "failed" is reopened by its success: the
    // owner module then activates, or refunds what can no longer apply; the money is never left unaccounted.
    const reopenable = p?.statut === 'ECHOUE' && REOPENABLE.includes(p.raisonEchec);
    if (!p || (p.statut !== 'EN_ATTENTE' && p.statut !== 'EXPIRE' && !reopenable)) return p?.statut ?? 'ECHOUE';
    const late = p.statut !== 'EN_ATTENTE' || p.expireLe <= now;
    const moved = await paymentMachine.transition(tx, p.id, [p.statut], 'REUSSI', {
      source,
      details: { tardif: late, ...(p.statut === 'ECHOUE' ? { rouvert: p.raisonEchec } : {}) },
      set: { dateFinalisation: now, raisonEchec: '' },
    });
    if (!moved) {
      const [current] = await tx.select({ statut: payments.statut }).from(payments).where(eq(payments.id, p.id));
      return current!.statut;
    }
    await handOver(deps, tx, p.id, 'REUSSI', late, source);
    settled = true;
    return 'REUSSI' as const;
  });
  // What the payment bought may show in public reads (a subscription's featured listing): after the commit.
  if (settled) await deps.publicCache?.bump();
  return statut;
}

export interface ServicePaymentInput {
  type: Exclude<(typeof payments.$inferInsert)['type'], 'BILLET' | undefined>;
  montant: number;
  fournisseur: Fournisseur;
  telephone: string;
  /** What the payer sees at the provider. */
  description: string;
  /** What makes two requests "the same" for an Idempotency-Key (the caller's own input). */
  fingerprint: unknown[];
}

/**
 * A payment for something other than tickets (a subscription): the same providers, Idempotency-Key, webhooks,
 * reconciliation and late-success rules as a ticket purchase, with no seat hold. `attach` runs in the
 * transaction that stores the pending payment (the owner's row that the payment pays for); when it throws,
 * nothing is stored. On an Idempotency-Key replay the existing payment is answered and `attach` is not called.
 */
export async function initiateServicePayment(
  deps: PaymentDeps,
  userId: number,
  input: ServicePaymentInput,
  idempotencyKey: string | undefined,
  attach: (tx: Tx, payment: Payment) => Promise<void>,
): Promise<InitiateOutcome> {
  const now = deps.now?.() ?? new Date();
  const telephone = normalizePayerPhone(input.telephone, input.fournisseur);
  const print = createHash('sha256')
    .update(JSON.stringify([userId, input.type, ...input.fingerprint, input.montant, input.fournisseur, telephone]))
    .digest('hex');
  const gateway = gatewayFor(deps.gateways, input.fournisseur);
  assertAmountAccepted(deps.amountLimits, input.fournisseur, input.montant, 'fournisseur', 'service');
  if (idempotencyKey) {
    const existing = await findByIdempotencyKey(deps.db, userId, idempotencyKey);
    if (existing) {
      const replay = replayOf(existing, print);
      if (cutOff(deps, replay.payment, now)) return { payment: await callProvider(deps, replay.payment, input.description), replay: true };
      return replay;
    }
  }
  let created: Payment;
  try {
    created = await deps.db.transaction(async (tx) => {
      const reference = newReference();
      const [row] = await tx
        .insert(payments)
        .values({
          reference,
          type: input.type,
          utilisateurId: userId,
          montant: input.montant,
          fournisseur: input.fournisseur,
          telephone,
          referenceFournisseur: gateway.newProviderReference(reference),
          idempotencyKey: idempotencyKey ?? null,
          empreinteRequete: print,
          expireLe: new Date(now.getTime() + (deps.holdMinutes ?? HOLD_MINUTES_DEFAULT) * 60_000),
          prochaineVerification: new Date(now.getTime() + 30_000),
        })
        .returning();
      await paymentMachine.recordCreation(tx, [row!.id], 'EN_ATTENTE', 'initiation', { type: input.type });
      await attach(tx, row!);
      return row!;
    });
  } catch (err) {
    if (idempotencyKey && pgErrorCode(err) === PG.uniqueViolation) {
      const existing = await findByIdempotencyKey(deps.db, userId, idempotencyKey);
      if (existing) return replayOf(existing, print);
    }
    throw err;
  }
  return { payment: await callProvider(deps, created, input.description), replay: false };
}

/** Exponential backoff: 15 s, 30 s, 1 min … up to 30 min between polls. */
export function nextCheckDelayMs(checks: number): number {
  return Math.min(15_000 * 2 ** Math.min(checks, 20), 30 * 60_000);
}

/** The next poll, by backoff, but never after `releaseAt` (the early release must not wait for the backoff). */
async function scheduleNextCheck(db: Db, p: Payment, now: Date, releaseAt: Date | null = null): Promise<void> {
  let next = now.getTime() + nextCheckDelayMs(p.verifications);
  if (releaseAt && releaseAt.getTime() > now.getTime()) next = Math.min(next, releaseAt.getTime());
  await db
    .update(payments)
    .set({ verifications: sql`${payments.verifications} + 1`, prochaineVerification: new Date(next) })
    .where(eq(payments.id, p.id));
}

/**
 * When a pending ticket payment gives its seats back early (issue 11, seat griefing), or null: a push payment
 * (MTN) the provider still reports pending MTN_PENDING_HOLD_MINUTES after it was made; a redirect payment whose
 * link (GET /paiement/ouvrir/{reference}/) was never followed REDIRECT_UNOPENED_HOLD_MINUTES after. Never
 * later than the hold's own end.
 */
function earlyReleaseAt(deps: PaymentDeps, flow: 'push' | 'redirect', p: Payment): Date | null {
  if (!deps.earlyRelease || p.type !== 'BILLET' || p.statut !== 'EN_ATTENTE') return null;
  if (flow === 'redirect' && p.dateOuverture) return null;
  const minutes = flow === 'push' ? deps.earlyRelease.pushPendingMinutes : deps.earlyRelease.redirectUnopenedMinutes;
  const at = new Date(p.dateCreation.getTime() + minutes * 60_000);
  return at < p.expireLe ? at : null;
}

/** Raised inside the ticket-issuing transaction when the seats are gone: it rolls back, then the refund path runs. */
class SeatsGone extends Error {}

/**
 * The provider says the money is ours. If the seats are there (the hold is still valid, or a late success
 * finds free seats) and the event still stands, sell them and issue the tickets; otherwise keep the payment
 * as received and refund it. The ticket type's lock is taken by the last statement, so buyers wait on it only
 * for that statement and the COMMIT.
 */
export async function finalizeSuccess(deps: PaymentDeps, paymentId: number, source: string): Promise<Payment['statut']> {
  const now = deps.now?.() ?? new Date();
  const [head] = await deps.db.select({ type: payments.type }).from(payments).where(eq(payments.id, paymentId));
  if (head && head.type !== 'BILLET') return finalizeService(deps, paymentId, source, now);
  let motif: string | null = null;
  try {
    const statut = await deps.db.transaction(async (tx) => {
      const moved = await moveToSuccess(tx, paymentId, source, now);
      if (typeof moved === 'string') return moved;
      const { p, ev, buyer, late } = moved;
      if (ev.statut !== 'VALIDE') throw new SeatsGone("L'événement n'est plus disponible.");
      // A late success (its hold had ended, so nothing reserved its place in the buyer's max_par_personne) is
      // counted now, under the buyer's lock of sv_hold_seats_capped: over the limit, it is refunded.
      if (late && ev.maxParPersonne !== null && p.utilisateurId !== null) {
        const already = await boughtOrHeldBy(tx, p, now);
        if (already + p.quantite > ev.maxParPersonne) {
          throw new SeatsGone(
            `Limite de ${ev.maxParPersonne} billets par personne atteinte pour cet événement (${already} déjà achetés ou réservés).`,
          );
        }
      }
      const holder = buyer ? `${buyer.firstName} ${buyer.lastName}`.trim() || buyer.username : '';
      const issued = await tx
        .insert(tickets)
        .values(
          Array.from({ length: p.quantite }, (_, i) => ({
            code: generateTicketCode(),
            paymentId: p.id,
            rang: i + 1,
            typeBilletId: p.typeBilletId!,
            evenementId: p.evenementId!,
            titulaireId: p.utilisateurId,
            titulaireNom: holder,
          })),
        )
        .returning({ id: tickets.id, code: tickets.code });
      await ticketMachine.recordCreation(
        tx,
        issued.map((t) => t.id),
        'VALIDE',
        source,
        { payment_id: p.id },
      );
      // The buyer hears of it (ticket code by SMS, email, push) from the notifications module, in this transaction.
      await deps.hooks.run('payment.succeeded', { tx, jobs: deps.jobs, paymentId: p.id });
      // Last: the ticket type's lock, held from here to the COMMIT only.
      try {
        await sellSeats(tx, p.typeBilletId!, p.quantite, now, p.id);
      } catch (err) {
        if (err instanceof EventUnavailableError) throw new SeatsGone("L'événement n'est plus disponible.");
        if (err instanceof ConflictError) throw new SeatsGone('Plus de places disponibles au moment de la confirmation du paiement.');
        throw err;
      }
      return 'REUSSI' as const;
    });
    // Seats sold: participants_count and places_restantes of public reads changed (after the commit).
    if (statut === 'REUSSI') await deps.publicCache?.bump();
    return statut;
  } catch (err) {
    if (!(err instanceof SeatsGone)) throw err;
    motif = err.message;
  }
  // Money received but no seat to give: accept the payment and refund it, in one transaction.
  return deps.db.transaction(async (tx) => {
    const moved = await moveToSuccess(tx, paymentId, source, now);
    if (typeof moved === 'string') return moved;
    const { p } = moved;
    const refundId = await createRefund(tx, deps.jobs, deps.gateways, p, motif!);
    if (refundId) await deps.hooks.run('refund.updated', { tx, jobs: deps.jobs, refundId, completed: false });
    return 'REUSSI';
  });
}

/** Moves the payment to REUSSI (once); returns its current status instead when someone else finalized it. */
async function moveToSuccess(tx: DbOrTx, paymentId: number, source: string, now: Date) {
  const [p] = await tx.select().from(payments).where(eq(payments.id, paymentId));
  const reopenable = p?.statut === 'ECHOUE' && REOPENABLE.includes(p.raisonEchec);
  if (!p || (p.statut !== 'EN_ATTENTE' && p.statut !== 'EXPIRE' && !reopenable)) return p?.statut ?? 'ECHOUE';
  const moved = await paymentMachine.transition(tx, p.id, [p.statut], 'REUSSI', {
    source,
    // tardif: the success came after our hold ended (or after we had closed it): staff see it in the history.
    details: { tardif: p.statut !== 'EN_ATTENTE' || p.expireLe <= now, ...(p.statut === 'ECHOUE' ? { rouvert: p.raisonEchec } : {}) },
    set: { dateFinalisation: now, raisonEchec: '' },
  });
  if (!moved) {
    const [current] = await tx.select({ statut: payments.statut }).from(payments).where(eq(payments.id, p.id));
    return current!.statut;
  }
  const [ev] = await tx
    .select({ statut: events.statut, titre: events.titre, maxParPersonne: events.maxParPersonne })
    .from(events)
    .where(eq(events.id, p.evenementId!));
  const buyer = p.utilisateurId ? (await tx.select().from(users).where(eq(users.id, p.utilisateurId)))[0] : undefined;
  return { p, ev: ev!, buyer, late: p.statut !== 'EN_ATTENTE' || p.expireLe <= now };
}

/**
 * Seats of this event the payment's buyer has bought (live tickets of successful payments: one refunded or being
 * refunded has none) or holds (pending, unexpired payments), by sv_buyer_seats, the rule sv_hold_seats_capped
 * applies too (migration 0012), counted after taking the same (event, buyer) advisory lock. This payment counts for
 * nothing: it is REUSSI in this transaction and its tickets are not issued yet.
 */
async function boughtOrHeldBy(tx: Tx, p: Payment, now: Date): Promise<number> {
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(hashtextextended('sv_hold_user:' || ${p.evenementId}::integer || ':' || ${p.utilisateurId}::integer, 0))`,
  );
  const [row] = await selectRows<{ n: number }>(
    tx,
    sql`SELECT (s.held + s.bought)::int AS n FROM sv_buyer_seats(${p.evenementId}::integer, ${p.utilisateurId}::integer, ${now.toISOString()}::timestamptz) s`,
  );
  return Number(row?.n ?? 0);
}

export function paymentRef(p: Payment) {
  return {
    reference: p.reference,
    referenceFournisseur: p.referenceFournisseur,
    montant: p.montant,
    data: p.donneesFournisseur as Record<string, unknown>,
    creeLe: p.dateCreation,
  };
}

/**
 * One refund per payment (unique index): a second call for the same payment does nothing. Its provider
 * reference is made now and stored, so a retried refund call is the same refund.
 */
export async function createRefund(
  tx: DbOrTx,
  jobs: JobQueue,
  gateways: GatewayRegistry,
  p: Payment,
  motif: string,
  montant: number = p.montant,
): Promise<number | null> {
  const [r] = await tx
    .insert(refunds)
    .values({ paymentId: p.id, montant, motif, referenceFournisseur: gatewayFor(gateways, p.fournisseur).newRefundReference() })
    .onConflictDoNothing({ target: refunds.paymentId })
    .returning({ id: refunds.id });
  if (!r) return null;
  await refundMachine.recordCreation(tx, [r.id], 'EN_ATTENTE', 'creation', { motif });
  await jobs.send(REFUND_JOB, { refundId: r.id }, { tx });
  return r.id;
}
