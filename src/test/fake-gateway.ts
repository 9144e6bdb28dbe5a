/**
 * A programmable in-memory provider for tests of the payment service's own rules (holds, races, state
 * machine, refunds). The real provider clients are tested against the provider simulator instead.
 */
import { randomUUID } from 'node:crypto';
import {
  ProviderRejectedError,
  ProviderUnavailableError,
  type CallbackInput,
  type CallbackResult,
  type InitiateRequest,
  type InitiateResult,
  type PaymentProvider,
  type ProviderCapabilities,
  type Fournisseur,
  type RefundRequest,
  type RefundResult,
  type StatusResult,
} from '../modules/payments/providers/types.js';

type Settled = Omit<StatusResult, 'providerStatus'> & { providerStatus?: string };

export class FakeGateway implements PaymentProvider {
  readonly currency = 'XOF';
  /** 'crash': the process dies after the seat hold and before the request leaves (the provider hears nothing). */
  initiateMode: 'ok' | 'reject' | 'unavailable' | 'crash' = 'ok';
  statusMode: 'normal' | 'unavailable' = 'normal';
  statuses = new Map<string, Settled>();
  initiated: InitiateRequest[] = [];
  statusCalls = 0;
  refunds = new Map<string, RefundResult>();
  refundResult: RefundResult = { status: 'succeeded', providerStatus: 'SUCCESSFUL' };
  /** Shared secret a "signed" callback must carry in the x-token header. */
  secret = 'secret-de-test';

  constructor(
    public readonly fournisseur: Fournisseur,
    public readonly capabilities: ProviderCapabilities,
  ) {}

  newProviderReference(reference: string): string {
    return this.fournisseur === 'MTN_MONEY' ? randomUUID() : reference;
  }

  newRefundReference(): string {
    return randomUUID();
  }

  async initiate(req: InitiateRequest): Promise<InitiateResult> {
    if (this.initiateMode === 'crash') throw new Error("processus interrompu avant l'appel au fournisseur");
    this.initiated.push(req);
    if (this.initiateMode === 'reject') throw new ProviderRejectedError(this.fournisseur, 'Numéro inconnu', 400, 'PAYER_NOT_FOUND');
    if (this.initiateMode === 'unavailable') throw new ProviderUnavailableError(this.fournisseur, 'délai dépassé', undefined, true);
    this.statuses.set(req.referenceFournisseur, { status: 'pending' });
    return {
      paymentUrl: this.capabilities.flow === 'redirect' ? `http://fournisseur.test/payer/${req.referenceFournisseur}` : null,
      data: { token: 'tok' },
    };
  }

  /** What the provider will say about this payment from now on. */
  settle(referenceFournisseur: string, status: Settled): void {
    this.statuses.set(referenceFournisseur, status);
  }

  async getStatus(p: { referenceFournisseur: string; montant: number }): Promise<StatusResult> {
    this.statusCalls++;
    if (this.statusMode === 'unavailable') throw new ProviderUnavailableError(this.fournisseur, '5xx', 503);
    const s = this.statuses.get(p.referenceFournisseur) ?? { status: 'pending' };
    const base = { providerStatus: s.status.toUpperCase(), ...s };
    return s.status === 'succeeded' ? { montant: p.montant, devise: 'XOF', ...base } : base;
  }

  async parseCallback(input: CallbackInput): Promise<CallbackResult> {
    let body: { reference?: string; statut?: string };
    try {
      body = JSON.parse(input.rawBody.toString('utf8'));
    } catch {
      return { ok: false, reason: 'corps illisible' };
    }
    if (input.headers['x-token'] !== this.secret) return { ok: false, reason: 'jeton invalide', reference: body.reference };
    return {
      ok: true,
      reference: body.reference,
      providerStatus: body.statut ?? '',
      claimed: 'succeeded',
      transactionId: `tx-${body.reference}`,
      mustConfirm: true,
    };
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    this.refunds.set(req.referenceRemboursement, this.refundResult);
    return this.refundResult;
  }

  async refundStatus(req: RefundRequest): Promise<RefundResult> {
    // A reference the provider never received is unknown to it, as MTN's 404 says (providerStatus NOT_FOUND).
    return this.refunds.get(req.referenceRemboursement) ?? { status: 'pending', providerStatus: 'NOT_FOUND' };
  }
}

export type FakeGateways = Record<Fournisseur, FakeGateway>;

export function fakeGateways(): FakeGateways {
  return {
    ORANGE_MONEY: new FakeGateway('ORANGE_MONEY', { flow: 'redirect', refund: false, callbackAuth: 'notif_token' }),
    MTN_MONEY: new FakeGateway('MTN_MONEY', { flow: 'push', refund: true, callbackAuth: 'none' }),
    MOOV_MONEY: new FakeGateway('MOOV_MONEY', { flow: 'redirect', refund: false, callbackAuth: 'hmac' }),
    WAVE: new FakeGateway('WAVE', { flow: 'redirect', refund: true, callbackAuth: 'hmac' }),
  };
}
