/**
 * What the payment service needs from a mobile-money provider. Each provider client (providers/) is adapted
 * to this shape; statuses are normalised so the service never branches on a provider's vocabulary.
 */
import type { Fournisseur } from './tables.js';

export type NormalizedStatus = 'pending' | 'succeeded' | 'failed';

export interface InitiateRequest {
  reference: string;
  referenceFournisseur: string;
  montant: number;
  telephone: string;
  description: string;
}

export interface InitiateResult {
  /** Redirect flows: where the buyer pays. Push flows (MTN): none, the buyer approves on the phone. */
  paymentUrl: string | null;
  /** Provider data to keep with the payment (pay_token, notif_token, session id…). */
  data: Record<string, unknown>;
}

export interface StatusResult {
  status: NormalizedStatus;
  /** Amount and currency as the provider reports them, checked against the stored payment before acting. */
  montant?: number | undefined;
  devise?: string | undefined;
  reason?: string | undefined;
}

export interface CallbackInput {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** Looks up the provider data stored at initiation (Orange's notif_token) by the callback's reference. */
  lookup: (ref: { reference?: string; referenceFournisseur?: string }) => Promise<{ data: Record<string, unknown> } | null>;
}

export type CallbackResult =
  | { ok: true; reference?: string | undefined; referenceFournisseur?: string | undefined; statut: string; transactionId: string }
  | { ok: false; reason: string; reference?: string | undefined; referenceFournisseur?: string | undefined };

export interface RefundResult {
  status: NormalizedStatus;
  reason?: string | undefined;
}

export interface PaymentGateway {
  fournisseur: Fournisseur;
  capabilities: { flow: 'redirect' | 'push'; refund: boolean };
  /** The provider's reference for a new payment (MTN wants a UUID; others take ours). */
  newProviderReference(reference: string): string;
  initiate(req: InitiateRequest): Promise<InitiateResult>;
  getStatus(payment: { reference: string; referenceFournisseur: string; montant: number; data: Record<string, unknown> }): Promise<StatusResult>;
  parseCallback(input: CallbackInput): Promise<CallbackResult>;
  refund(req: { referenceRemboursement: string; referenceFournisseur: string; montant: number; reference: string }): Promise<RefundResult>;
  refundStatus(referenceRemboursement: string): Promise<RefundResult>;
}

/** A provider error we may retry (timeout, 5xx): the outcome of the call is unknown. */
export class ProviderUnavailableError extends Error {
  readonly retryable = true;
}

/** The provider refused the request (4xx): retrying the same request will not help. */
export class ProviderRejectedError extends Error {
  readonly retryable = false;
  constructor(message: string, public readonly providerCode?: string) {
    super(message);
  }
}

export type GatewayRegistry = Record<Fournisseur, PaymentGateway>;
