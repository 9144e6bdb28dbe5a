/**
 * Wave Checkout (redirect flow): a checkout session per payment, the buyer pays in the Wave app through
 * `wave_launch_url`, Wave sends signed webhooks (Wave-Signature: HMAC over t + raw body, 5-minute window) and
 * the session itself tells the truth. Wave sessions can be refunded through the API.
 */
import { randomUUID } from 'node:crypto';
import { ProviderHttp, field, joinUrl, str, type ProviderDeps } from './http.js';
import { formatWaveAmount, parseProviderAmount, safeReference } from './format.js';
import { verifyWaveSignature } from './signatures.js';
import { withReference, type CommonSettings, type WaveSettings } from './settings.js';
import {
  ProviderRejectedError,
  type CallbackInput,
  type CallbackResult,
  type InitiateRequest,
  type InitiateResult,
  type PaymentProvider,
  type PaymentRef,
  type RefundRequest,
  type RefundResult,
  type StatusResult,
} from './types.js';

export class WaveCheckoutProvider implements PaymentProvider {
  readonly fournisseur = 'WAVE' as const;
  readonly capabilities = { flow: 'redirect', refund: true, callbackAuth: 'hmac' } as const;
  readonly currency: string;
  private readonly http: ProviderHttp;
  private readonly now: () => number;

  constructor(
    private readonly s: WaveSettings,
    private readonly common: CommonSettings,
    deps: ProviderDeps = {},
  ) {
    this.currency = s.currency;
    this.now = deps.now ?? Date.now;
    this.http = new ProviderHttp({ provider: this.fournisseur, timeoutMs: common.timeoutMs, fetch: deps.fetch, logger: deps.logger });
  }

  private get auth() {
    return { authorization: `Bearer ${this.s.apiKey}` };
  }

  newProviderReference(reference: string): string {
    // client_reference is ours; the session id comes back from Wave and is stored in data.
    return safeReference(this.fournisseur, reference);
  }

  newRefundReference(): string {
    return randomUUID();
  }

  async initiate(req: InitiateRequest): Promise<InitiateResult> {
    const res = await this.http.request({
      method: 'POST',
      url: joinUrl(this.s.baseUrl, 'v1/checkout/sessions'),
      headers: this.auth,
      body: {
        amount: formatWaveAmount(req.montant),
        currency: this.currency,
        success_url: withReference(this.common.returnUrl, req.reference),
        error_url: withReference(this.common.cancelUrl, req.reference),
        client_reference: req.referenceFournisseur,
      },
    });
    const sessionId = str(field(res.json, 'id'));
    const paymentUrl = str(field(res.json, 'wave_launch_url'));
    if (!sessionId || !paymentUrl)
      throw new ProviderRejectedError(
        this.fournisseur,
        'Wave : session de paiement incomplète (id ou wave_launch_url absent).',
        res.status,
      );
    return { paymentUrl, data: { sessionId, paymentUrl, whenExpires: str(field(res.json, 'when_expires')), currency: this.currency } };
  }

  private sessionId(p: PaymentRef): string {
    const id = str(p.data.sessionId);
    if (!id)
      throw new ProviderRejectedError(
        this.fournisseur,
        'Wave : identifiant de session inconnu pour ce paiement (initiation jamais aboutie).',
      );
    return id;
  }

  async getStatus(p: PaymentRef): Promise<StatusResult> {
    const id = this.sessionId(p);
    const res = await this.http.request({
      method: 'GET',
      url: joinUrl(this.s.baseUrl, `v1/checkout/sessions/${encodeURIComponent(id)}`),
      headers: this.auth,
    });
    let session = res.json;
    if (str(field(session, 'checkout_status')) === 'open' && field(session, 'last_payment_error')) {
      // The payer's attempt failed but an open session could still be paid later, after we released the
      // seats. Expire it at Wave first so that "failed" is final on both sides; if it got paid meanwhile,
      // the re-read below says so.
      await this.http.request({
        method: 'POST',
        url: joinUrl(this.s.baseUrl, `v1/checkout/sessions/${encodeURIComponent(id)}/expire`),
        headers: this.auth,
        accept: [400, 409],
      });
      session = (
        await this.http.request({
          method: 'GET',
          url: joinUrl(this.s.baseUrl, `v1/checkout/sessions/${encodeURIComponent(id)}`),
          headers: this.auth,
        })
      ).json;
    }
    return this.readSession(session, field(res.json, 'last_payment_error'));
  }

  private readSession(session: unknown, lastError?: unknown): StatusResult {
    const checkoutStatus = str(field(session, 'checkout_status')) ?? '';
    const paymentStatus = str(field(session, 'payment_status')) ?? '';
    const error = field(session, 'last_payment_error') ?? lastError;
    const common = {
      providerStatus: `${checkoutStatus}/${paymentStatus}`,
      montant: parseProviderAmount(field(session, 'amount')),
      devise: str(field(session, 'currency')),
      transactionId: str(field(session, 'transaction_id')),
    };
    if (checkoutStatus === 'complete' && paymentStatus === 'succeeded') return { status: 'succeeded', ...common };
    if (checkoutStatus === 'expired') {
      return { status: 'failed', ...common, reason: str(field(error, 'code')) ?? 'EXPIRED' };
    }
    if (checkoutStatus === 'open' || checkoutStatus === 'complete')
      return { status: 'pending', ...common, reason: str(field(error, 'code')) };
    throw new ProviderRejectedError(this.fournisseur, `Wave : état de session inconnu « ${checkoutStatus} ».`);
  }

  async parseCallback(input: CallbackInput): Promise<CallbackResult> {
    const h = input.headers['wave-signature'];
    const header = Array.isArray(h) ? h[0] : h;
    const nowSeconds = input.nowSeconds ?? Math.floor(this.now() / 1000);
    // The signature covers the exact bytes received: verify before parsing anything.
    const v = verifyWaveSignature(this.s.webhookSecret, header, input.rawBody, nowSeconds);
    if (!v.ok) return { ok: false, reason: v.reason };
    let event: unknown;
    try {
      event = JSON.parse(input.rawBody.toString('utf8'));
    } catch {
      return { ok: false, reason: 'corps JSON illisible' };
    }
    const type = str(field(event, 'type')) ?? '';
    const data = field(event, 'data');
    const referenceFournisseur = str(field(data, 'client_reference'));
    if (type !== 'checkout.session.completed' && type !== 'checkout.session.payment_failed') {
      return { ok: false, reason: `événement Wave non géré « ${type} »`, referenceFournisseur };
    }
    if (!referenceFournisseur) return { ok: false, reason: 'client_reference absent' };
    const s = this.readSession(data);
    return {
      ok: true,
      referenceFournisseur,
      providerStatus: type,
      claimed: type === 'checkout.session.completed' ? 'succeeded' : 'failed',
      transactionId: s.transactionId ?? str(field(data, 'id')) ?? '',
      eventId: str(field(event, 'id')),
      montant: s.montant,
      devise: s.devise,
      // Signed and fresh, and it carries amount and currency: it may be acted on, after the amount check.
      // A payment_failed event is not final for the session (see getStatus), so only success skips the call.
      mustConfirm: type !== 'checkout.session.completed',
    };
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    const id = this.sessionId(req.payment);
    if (req.montant !== req.payment.montant) {
      throw new ProviderRejectedError(this.fournisseur, 'Wave ne rembourse une session que pour son montant entier.');
    }
    // Wave refunds the whole session. The refund reference goes out as Wave's documented Idempotency-Key: a
    // re-send (after a timeout, or to learn the outcome) is answered like the first call, never a second refund.
    try {
      const res = await this.http.request({
        method: 'POST',
        url: joinUrl(this.s.baseUrl, `v1/checkout/sessions/${encodeURIComponent(id)}/refund`),
        headers: { ...this.auth, 'idempotency-key': req.referenceRemboursement },
      });
      return { status: 'succeeded', providerStatus: `HTTP ${res.status}` };
    } catch (err) {
      // A documented refusal (checkout-refund-failed, checkout-session-not-found…) is an end state staff can act
      // on (retry, or settle by hand), not an error thrown for ever with the refund left in progress.
      if (err instanceof ProviderRejectedError) {
        return { status: 'failed', providerStatus: err.providerCode ?? `HTTP ${err.httpStatus ?? '?'}`, reason: err.message };
      }
      throw err;
    }
  }

  async refundStatus(req: RefundRequest): Promise<RefundResult> {
    // Wave's refund is synchronous and has no status endpoint: re-sending it with the same Idempotency-Key is
    // how to learn its outcome (Wave replays the first answer).
    return this.refund(req);
  }
}
