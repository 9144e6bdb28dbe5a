/**
 * What the payment service needs from a mobile-money provider, whatever its API. Each provider file speaks its
 * real HTTP API and answers in these normalised terms, so the service never branches on a provider's
 * vocabulary (Orange's SUCCESS, MTN's SUCCESSFUL, CinetPay's ACCEPTED, Wave's complete).
 */

import type { Fournisseur } from '../fournisseurs.js';

export type { Fournisseur };

export type NormalizedStatus = 'pending' | 'succeeded' | 'failed';

export interface ProviderCapabilities {
  /** redirect: the buyer pays on the provider's page (payment_url); push: the buyer approves on the phone. */
  flow: 'redirect' | 'push';
  /** The provider offers a refund API; without one, refunds are settled by hand (REMBOURSEMENT_MANUEL). */
  refund: boolean;
  /** How a callback is authenticated: a per-payment token, an HMAC over the raw body, or not at all. */
  callbackAuth: 'notif_token' | 'hmac' | 'none';
}

export interface InitiateRequest {
  /** Our public payment reference. */
  reference: string;
  /**
   * The provider-side reference from `newProviderReference()`, stored with the payment BEFORE this call so
   * that a retry after a timeout reuses it (MTN answers 409 to a second request with the same reference).
   */
  referenceFournisseur: string;
  /** Whole XOF francs. */
  montant: number;
  /** The payer's number, E.164 (+2250701020304). */
  telephone: string;
  /** Shown to the payer (MTN's payerMessage, CinetPay's description). */
  description: string;
}

export interface InitiateResult {
  /** Redirect flows: where to send the buyer. Push flow (MTN): null, the buyer approves on the phone. */
  paymentUrl: string | null;
  /** Provider data to store with the payment and hand back to getStatus / parseCallback / refund. */
  data: Record<string, unknown>;
}

export interface PaymentRef {
  reference: string;
  referenceFournisseur: string;
  montant: number;
  /** What initiate() returned in `data`. */
  data: Record<string, unknown>;
  /**
   * When the payment was stored (before the provider call): the age of a request whose call timed out, so
   * `data.initiatedAt` was never written, still counts from a real time.
   */
  creeLe?: Date | undefined;
}

export interface StatusResult {
  status: NormalizedStatus;
  /** The provider's own status word, for the payment's history. */
  providerStatus: string;
  /** Amount and currency as the provider reports them: compare with the stored payment before acting. */
  montant?: number | undefined;
  devise?: string | undefined;
  /** Why it failed (NOT_ENOUGH_FUNDS, APPROVAL_REJECTED, EXPIRED…) or why it is still pending. */
  reason?: string | undefined;
  /** The provider's transaction id once it exists (Orange txnid, MTN financialTransactionId…). */
  transactionId?: string | undefined;
}

export interface CallbackInput {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** The query string of the callback URL (Orange's notif_url carries our reference there). */
  query?: Record<string, string | string[] | undefined> | undefined;
  /** Finds what initiate() stored for a payment (Orange's notif_token), or null when unknown. */
  lookup: (ref: {
    reference?: string | undefined;
    referenceFournisseur?: string | undefined;
  }) => Promise<{ data: Record<string, unknown> } | null>;
  /** Seconds since the epoch; injectable for tests of the staleness window. */
  nowSeconds?: number;
}

export type CallbackResult =
  | {
      ok: true;
      reference?: string | undefined;
      referenceFournisseur?: string | undefined;
      /** The provider's status word in the callback. */
      providerStatus: string;
      /** What the callback claims; never act on it when `mustConfirm` is true. */
      claimed: NormalizedStatus;
      transactionId: string;
      /** Provider event id when there is one (Wave), to recognise a duplicate delivery. */
      eventId?: string | undefined;
      montant?: number | undefined;
      devise?: string | undefined;
      /**
       * True when the callback's origin cannot be proven well enough to move money on its word alone
       * (MTN: no authentication at all; Orange: a token, no signature; CinetPay: its own documentation asks
       * for a check call): the service must confirm with getStatus(), and check amount and currency.
       */
      mustConfirm: boolean;
    }
  | { ok: false; reason: string; reference?: string | undefined; referenceFournisseur?: string | undefined };

export interface RefundRequest {
  /** From `newRefundReference()`, stored with the refund before the call (MTN: X-Reference-Id). */
  referenceRemboursement: string;
  payment: PaymentRef;
  montant: number;
  /** Shown to the payee where the provider carries a message. */
  motif: string;
  /** When the refund was stored (before its first call): the start of its "not found" window. */
  creeLe?: Date | undefined;
}

export interface RefundResult {
  status: NormalizedStatus;
  providerStatus: string;
  reason?: string | undefined;
  /**
   * The provider itself declared this refund reference failed (MTN FAILED): re-sending it can never pay, so a
   * retry needs a new reference. Absent when the failure is ours (a "not found" window that ran out): then a
   * retry MUST reuse the reference, or a refund that did arrive could be paid twice.
   */
  referenceSpent?: boolean | undefined;
}

export interface PaymentProvider {
  readonly fournisseur: Fournisseur;
  readonly capabilities: ProviderCapabilities;
  /** The currency this provider is configured to charge in (XOF; OUV or EUR in the providers' sandboxes). */
  readonly currency: string;
  /** The provider-side reference for a new payment (MTN wants a UUID v4; the others take ours). */
  newProviderReference(reference: string): string;
  newRefundReference(): string;
  initiate(req: InitiateRequest): Promise<InitiateResult>;
  getStatus(payment: PaymentRef): Promise<StatusResult>;
  /** Authenticates a callback from its raw bytes and headers, then parses it. Never throws on bad input. */
  parseCallback(input: CallbackInput): Promise<CallbackResult>;
  /** Only when `capabilities.refund`; otherwise throws ProviderRejectedError. */
  refund(req: RefundRequest): Promise<RefundResult>;
  /** The refund's state after a `pending` answer or an unknown outcome (timeout). */
  refundStatus(req: RefundRequest): Promise<RefundResult>;
}

const PROVIDER_LABELS: Record<Fournisseur, string> = {
  ORANGE_MONEY: 'Orange Money',
  MTN_MONEY: 'MTN MoMo',
  MOOV_MONEY: 'Moov Money',
  WAVE: 'Wave',
};

export function providerLabel(id: Fournisseur): string {
  return PROVIDER_LABELS[id];
}

/** Base of every provider failure. `retryable` tells the caller whether the same request may succeed later. */
export class ProviderError extends Error {
  readonly retryable: boolean = false;
  constructor(
    public readonly provider: Fournisseur,
    message: string,
    public readonly httpStatus?: number,
    public readonly providerCode?: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/**
 * The provider did not answer in time, answered 5xx or 429, or could not be reached: the outcome of the call
 * is UNKNOWN (the payment may exist). Retry with the same provider reference, or ask for the status.
 */
export class ProviderUnavailableError extends ProviderError {
  override readonly retryable = true;
  constructor(
    provider: Fournisseur,
    message: string,
    httpStatus?: number,
    public readonly timedOut = false,
  ) {
    super(provider, message, httpStatus);
    this.name = 'ProviderUnavailableError';
  }
}

/** The provider refused the request (4xx, bad credentials, bad amount): sending it again will not help. */
export class ProviderRejectedError extends ProviderError {
  override readonly retryable = false;
  constructor(provider: Fournisseur, message: string, httpStatus?: number, providerCode?: string) {
    super(provider, message, httpStatus, providerCode);
    this.name = 'ProviderRejectedError';
  }
}

/** The amount cannot be sent to this provider as it is (not whole francs, not a multiple of 5 for CinetPay…). */
export class InvalidAmountError extends ProviderRejectedError {
  constructor(provider: Fournisseur, message: string) {
    super(provider, message, undefined, 'invalid_amount');
    this.name = 'InvalidAmountError';
  }
}

/** The provider is not configured on this server (missing credentials). */
export class ProviderNotConfiguredError extends Error {
  constructor(public readonly provider: Fournisseur) {
    super(`${providerLabel(provider)} n'est pas configuré sur ce serveur.`);
    this.name = 'ProviderNotConfiguredError';
  }
}
