/**
 * A programmable in-memory gateway for tests of the payment service's own rules (holds, races, state
 * machine, refunds). The real provider clients are tested against the provider simulator instead.
 */
import { randomUUID } from 'node:crypto';
import type { Fournisseur } from '../modules/payments/tables.js';
import {
  ProviderRejectedError,
  ProviderUnavailableError,
  type CallbackInput,
  type CallbackResult,
  type GatewayRegistry,
  type InitiateRequest,
  type InitiateResult,
  type PaymentGateway,
  type RefundResult,
  type StatusResult,
} from '../modules/payments/gateway.js';

export class FakeGateway implements PaymentGateway {
  initiateMode: 'ok' | 'reject' | 'unavailable' = 'ok';
  statusMode: 'normal' | 'unavailable' = 'normal';
  statuses = new Map<string, StatusResult>();
  initiated: InitiateRequest[] = [];
  statusCalls = 0;
  refunds = new Map<string, RefundResult>();
  refundResult: RefundResult = { status: 'succeeded' };
  /** Shared secret a "signed" callback must carry in the x-token header. */
  secret = 'secret-de-test';

  constructor(
    public fournisseur: Fournisseur,
    public capabilities: { flow: 'redirect' | 'push'; refund: boolean },
  ) {}

  newProviderReference(reference: string): string {
    return this.fournisseur === 'MTN_MONEY' ? randomUUID() : reference;
  }

  async initiate(req: InitiateRequest): Promise<InitiateResult> {
    this.initiated.push(req);
    if (this.initiateMode === 'reject') throw new ProviderRejectedError('Numéro inconnu', 'PAYER_NOT_FOUND');
    if (this.initiateMode === 'unavailable') throw new ProviderUnavailableError('délai dépassé');
    this.statuses.set(req.referenceFournisseur, { status: 'pending' });
    return { paymentUrl: this.capabilities.flow === 'redirect' ? `http://fournisseur.test/payer/${req.referenceFournisseur}` : null, data: { token: 'tok' } };
  }

  /** What the provider will say about this payment from now on. */
  settle(referenceFournisseur: string, status: StatusResult): void {
    this.statuses.set(referenceFournisseur, status);
  }

  async getStatus(p: { referenceFournisseur: string; montant: number }): Promise<StatusResult> {
    this.statusCalls++;
    if (this.statusMode === 'unavailable') throw new ProviderUnavailableError('5xx');
    const s = this.statuses.get(p.referenceFournisseur) ?? { status: 'pending' };
    return s.status === 'succeeded' ? { montant: p.montant, devise: 'XOF', ...s } : s;
  }

  async parseCallback(input: CallbackInput): Promise<CallbackResult> {
    let body: { reference?: string; statut?: string };
    try {
      body = JSON.parse(input.rawBody.toString('utf8'));
    } catch {
      return { ok: false, reason: 'corps illisible' };
    }
    if (input.headers['x-token'] !== this.secret) return { ok: false, reason: 'jeton invalide', reference: body.reference };
    return { ok: true, reference: body.reference, statut: body.statut ?? '', transactionId: `tx-${body.reference}` };
  }

  async refund(req: { referenceRemboursement: string }): Promise<RefundResult> {
    this.refunds.set(req.referenceRemboursement, this.refundResult);
    return this.refundResult;
  }

  async refundStatus(ref: string): Promise<RefundResult> {
    return this.refunds.get(ref) ?? { status: 'pending' };
  }
}

export function fakeGateways(): GatewayRegistry & Record<Fournisseur, FakeGateway> {
  return {
    ORANGE_MONEY: new FakeGateway('ORANGE_MONEY', { flow: 'redirect', refund: false }),
    MTN_MONEY: new FakeGateway('MTN_MONEY', { flow: 'push', refund: true }),
    MOOV_MONEY: new FakeGateway('MOOV_MONEY', { flow: 'redirect', refund: false }),
    WAVE: new FakeGateway('WAVE', { flow: 'redirect', refund: true }),
  };
}
