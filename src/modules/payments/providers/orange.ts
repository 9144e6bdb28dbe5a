/**
 * Orange Money Web Payment (redirect flow). OAuth client-credentials token, `webpayment` to start, the buyer
 * pays on Orange's page, Orange POSTs `{status, notif_token, txnid}` to notif_url, `transactionstatus` tells
 * the truth. Orange signs nothing: a notification is only as good as its notif_token (a per-payment secret
 * Orange gave us at initiation), and is confirmed with the status call before anything changes.
 */
import { randomUUID } from 'node:crypto';
import { ProviderHttp, field, joinUrl, str, type ProviderDeps } from './http.js';
import { TokenCache } from './token-cache.js';
import { formatOrangeAmount, safeReference } from './format.js';
import { safeEqual } from '../../../core/tokens.js';
import { webhookUrl, withReference, type CommonSettings, type OrangeSettings } from './settings.js';
import {
  ProviderRejectedError,
  type CallbackInput,
  type CallbackResult,
  type InitiateRequest,
  type InitiateResult,
  type NormalizedStatus,
  type PaymentProvider,
  type PaymentRef,
  type RefundResult,
  type StatusResult,
} from './types.js';

const ORANGE_STATUS: Record<string, NormalizedStatus> = {
  INITIATED: 'pending',
  PENDING: 'pending',
  SUCCESS: 'succeeded',
  FAILED: 'failed',
  EXPIRED: 'failed',
};

export class OrangeMoneyProvider implements PaymentProvider {
  readonly fournisseur = 'ORANGE_MONEY' as const;
  readonly capabilities = { flow: 'redirect', refund: false, callbackAuth: 'notif_token' } as const;
  readonly currency: string;
  private readonly http: ProviderHttp;
  readonly token: TokenCache;

  constructor(
    private readonly s: OrangeSettings,
    private readonly common: CommonSettings,
    deps: ProviderDeps = {},
  ) {
    this.currency = s.currency;
    this.http = new ProviderHttp({ provider: this.fournisseur, timeoutMs: common.timeoutMs, fetch: deps.fetch, logger: deps.logger });
    this.token = new TokenCache(() => this.fetchToken(), { now: deps.now });
  }

  private async fetchToken() {
    const res = await this.http.request({
      method: 'POST',
      url: this.s.tokenUrl,
      headers: { authorization: this.s.tokenAuthorization },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const token = str(field(res.json, 'access_token'));
    const expiresIn = Number(field(res.json, 'expires_in'));
    if (!token || !Number.isFinite(expiresIn))
      throw new ProviderRejectedError(this.fournisseur, 'Orange Money : réponse de jeton illisible.', res.status);
    return { token, expiresIn };
  }

  private api(path: string): string {
    return joinUrl(this.s.baseUrl, `orange-money-webpay/${this.s.country}/v1/${path}`);
  }

  newProviderReference(reference: string): string {
    // order_id is ours: a retry of the same payment sends the same order_id.
    return safeReference(this.fournisseur, reference);
  }

  newRefundReference(): string {
    return randomUUID();
  }

  async initiate(req: InitiateRequest): Promise<InitiateResult> {
    const amount = formatOrangeAmount(req.montant);
    // notif_url carries our reference: Orange's notification body names neither our order nor its own.
    const notifUrl = withReference(webhookUrl(this.common, 'orange'), req.reference);
    const res = await this.http.request({
      method: 'POST',
      url: this.api('webpayment'),
      token: this.token,
      body: {
        merchant_key: this.s.merchantKey,
        currency: this.currency,
        order_id: req.referenceFournisseur,
        amount,
        return_url: withReference(this.common.returnUrl, req.reference),
        cancel_url: withReference(this.common.cancelUrl, req.reference),
        notif_url: notifUrl,
        lang: 'fr',
        // Shown to the payer on Orange's page; the manual's format.
        reference: `SPOTVIBE-${req.reference}`,
      },
    });
    const payToken = str(field(res.json, 'pay_token'));
    const paymentUrl = str(field(res.json, 'payment_url'));
    const notifToken = str(field(res.json, 'notif_token'));
    if (!payToken || !paymentUrl || !notifToken) {
      throw new ProviderRejectedError(
        this.fournisseur,
        'Orange Money : réponse de paiement incomplète (pay_token, payment_url ou notif_token absent).',
        res.status,
      );
    }
    return { paymentUrl, data: { payToken, notifToken, paymentUrl, orderId: req.referenceFournisseur, currency: this.currency } };
  }

  async getStatus(p: PaymentRef): Promise<StatusResult> {
    const payToken = str(p.data.payToken);
    if (!payToken)
      throw new ProviderRejectedError(this.fournisseur, 'Orange Money : pay_token inconnu pour ce paiement (initiation jamais aboutie).');
    const res = await this.http.request({
      method: 'POST',
      url: this.api('transactionstatus'),
      token: this.token,
      body: { order_id: p.referenceFournisseur, amount: formatOrangeAmount(p.montant), pay_token: payToken },
    });
    const providerStatus = str(field(res.json, 'status')) ?? '';
    const status = ORANGE_STATUS[providerStatus];
    if (!status) throw new ProviderRejectedError(this.fournisseur, `Orange Money : statut inconnu « ${providerStatus} ».`, res.status);
    // Orange's status answer carries no amount: the amount we asked about is part of the query (order_id,
    // amount, pay_token), so a SUCCESS is a SUCCESS for exactly that amount in the currency we initiated.
    return {
      status,
      providerStatus,
      montant: p.montant,
      devise: str(p.data.currency) ?? this.currency,
      reason: providerStatus === 'EXPIRED' ? 'EXPIRED' : undefined,
      transactionId: str(field(res.json, 'txnid')),
    };
  }

  async parseCallback(input: CallbackInput): Promise<CallbackResult> {
    let body: unknown;
    try {
      body = JSON.parse(input.rawBody.toString('utf8'));
    } catch {
      return { ok: false, reason: 'corps JSON illisible' };
    }
    const q = input.query?.reference;
    const reference = typeof q === 'string' ? q : undefined;
    const notifToken = str(field(body, 'notif_token'));
    const providerStatus = str(field(body, 'status')) ?? '';
    const txnid = str(field(body, 'txnid')) ?? '';
    if (!reference) return { ok: false, reason: 'référence absente de l’URL de notification' };
    if (!notifToken) return { ok: false, reason: 'notif_token absent', reference };
    const stored = await input.lookup({ reference });
    const expected = stored ? str(stored.data.notifToken) : undefined;
    // Compared in constant time: the token is the only thing that proves the notification came from Orange.
    if (!expected || !safeEqual(expected, notifToken)) return { ok: false, reason: 'notif_token invalide', reference };
    const claimed = ORANGE_STATUS[providerStatus];
    if (!claimed) return { ok: false, reason: `statut inconnu « ${providerStatus} »`, reference };
    return { ok: true, reference, providerStatus, claimed, transactionId: txnid, mustConfirm: true };
  }

  async refund(): Promise<RefundResult> {
    throw new ProviderRejectedError(
      this.fournisseur,
      "Orange Money Web Payment n'offre pas de remboursement par API : remboursement manuel.",
    );
  }

  async refundStatus(): Promise<RefundResult> {
    return this.refund();
  }
}
