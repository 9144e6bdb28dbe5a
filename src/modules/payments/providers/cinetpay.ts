/**
 * Moov Money (Flooz) through CinetPay's checkout API v2, channel FLOOZ (redirect flow). Our reference is
 * CinetPay's transaction_id, so the check call finds the payment even when the init answer was lost. CinetPay
 * signs its notification (x-token: HMAC-SHA256 of 16 fields) and still asks merchants to confirm with
 * /v2/payment/check; both are done. CinetPay has no refund API for collected payments: refunds are manual.
 */
import { randomUUID } from 'node:crypto';
import { ProviderHttp, field, joinUrl, str, type ProviderDeps } from './http.js';
import { formatCinetPayAmount, parseProviderAmount, safeReference, toMsisdn } from './format.js';
import { CINETPAY_TOKEN_FIELDS, verifyCinetpayToken } from './signatures.js';
import { webhookUrl, withReference, type CinetPaySettings, type CommonSettings } from './settings.js';
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

/** data.status of /v2/payment/check. */
const CINETPAY_STATUS: Record<string, NormalizedStatus> = {
  ACCEPTED: 'succeeded',
  REFUSED: 'failed',
  CANCELED: 'failed',
  CANCELLED: 'failed',
  PENDING: 'pending',
  WAITING_FOR_CUSTOMER: 'pending',
};

/** Answer codes of /v2/payment/check when data.status is missing (unconfirmed: keep both readings). */
const CINETPAY_CODES: Record<string, NormalizedStatus> = {
  '00': 'succeeded',
  '600': 'failed', // PAYMENT_FAILED
  '602': 'failed', // INSUFFICIENT_BALANCE
  '604': 'failed', // OTP_CODE_ERROR
  '606': 'failed', // INCORRECT_SETTINGS
  '627': 'failed', // TRANSACTION_CANCEL
  '623': 'pending', // WAITING_CUSTOMER_TO_VALIDATE
  '662': 'pending', // WAITING_CUSTOMER_PAYMENT
  '663': 'pending', // WAITING_CUSTOMER_OTP_CODE
};

export class CinetPayMoovProvider implements PaymentProvider {
  readonly fournisseur = 'MOOV_MONEY' as const;
  readonly capabilities = { flow: 'redirect', refund: false, callbackAuth: 'hmac' } as const;
  readonly currency: string;
  private readonly http: ProviderHttp;
  private readonly now: () => number;

  constructor(
    private readonly s: CinetPaySettings,
    private readonly common: CommonSettings,
    deps: ProviderDeps = {},
  ) {
    this.currency = s.currency;
    this.now = deps.now ?? Date.now;
    this.http = new ProviderHttp({ provider: this.fournisseur, timeoutMs: common.timeoutMs, fetch: deps.fetch, logger: deps.logger });
  }

  newProviderReference(reference: string): string {
    return safeReference(this.fournisseur, reference);
  }

  newRefundReference(): string {
    return randomUUID();
  }

  async initiate(req: InitiateRequest): Promise<InitiateResult> {
    const amount = formatCinetPayAmount(req.montant);
    const res = await this.http.request({
      method: 'POST',
      url: joinUrl(this.s.baseUrl, 'v2/payment'),
      body: {
        apikey: this.s.apiKey,
        site_id: this.s.siteId,
        transaction_id: req.referenceFournisseur,
        amount,
        currency: this.currency,
        description:
          req.description
            .replace(/[^\p{L}\p{N} .,'-]+/gu, ' ')
            .trim()
            .slice(0, 100) || 'Billets SpotVibe',
        notify_url: webhookUrl(this.common, 'moov'),
        return_url: withReference(this.common.returnUrl, req.reference),
        // A documented channel (MOBILE_MONEY); Moov is chosen by the payer's Moov number, locked on the page.
        channels: this.s.channel,
        lang: 'fr',
        customer_phone_number: toMsisdn(req.telephone),
        lock_phone_number: true,
        metadata: req.reference,
      },
    });
    const code = str(field(res.json, 'code'));
    const data = field(res.json, 'data');
    const paymentUrl = str(field(data, 'payment_url'));
    const paymentToken = str(field(data, 'payment_token'));
    // CinetPay can answer HTTP 200 with an error code in the body.
    if (code !== '201' || !paymentUrl || !paymentToken) {
      throw new ProviderRejectedError(
        this.fournisseur,
        `CinetPay a refusé la demande : ${str(field(res.json, 'message')) ?? 'réponse illisible'}.`,
        res.status,
        code,
      );
    }
    return { paymentUrl, data: { paymentToken, paymentUrl, initiatedAt: new Date(this.now()).toISOString(), currency: this.currency } };
  }

  async getStatus(p: PaymentRef): Promise<StatusResult> {
    const res = await this.http.request({
      method: 'POST',
      url: joinUrl(this.s.baseUrl, 'v2/payment/check'),
      body: { transaction_id: p.referenceFournisseur, site_id: this.s.siteId, apikey: this.s.apiKey },
      accept: [400, 404],
    });
    const code = str(field(res.json, 'code')) ?? '';
    const message = str(field(res.json, 'message')) ?? '';
    const data = field(res.json, 'data');
    const dataStatus = str(field(data, 'status')) ?? '';
    const status = CINETPAY_STATUS[dataStatus] ?? CINETPAY_CODES[code];
    if (!status) {
      if (res.status === 404 || /NOT_FOUND|INTROUVABLE/i.test(message)) {
        // Same rule as MTN (issue 12): a transaction CinetPay may have received is pending for the whole
        // configured window (PAYMENT_UNCONFIRMED_WINDOW_HOURS), its age counted from the stored time when the
        // init never answered; only past it is it failed (and a later success still reopens it).
        const startMs = Date.parse(str(p.data.initiatedAt) ?? '') || p.creeLe?.getTime() || NaN;
        const age = Number.isFinite(startMs) ? (this.now() - startMs) / 1000 : 0;
        return !Number.isFinite(startMs) || age < this.s.notFoundGraceSeconds
          ? { status: 'pending', providerStatus: 'NOT_FOUND', reason: 'transaction pas encore visible' }
          : { status: 'failed', providerStatus: 'NOT_FOUND', reason: 'RESOURCE_NOT_FOUND' };
      }
      throw new ProviderRejectedError(
        this.fournisseur,
        `CinetPay : réponse de vérification inattendue (${code} ${message}).`,
        res.status,
        code,
      );
    }
    return {
      status,
      providerStatus: dataStatus || message || code,
      montant: parseProviderAmount(field(data, 'amount')),
      devise: str(field(data, 'currency')),
      reason: status === 'succeeded' ? undefined : (str(field(data, 'description')) ?? message),
      transactionId: str(field(data, 'operator_id')),
    };
  }

  async parseCallback(input: CallbackInput): Promise<CallbackResult> {
    const form = new URLSearchParams(input.rawBody.toString('utf8'));
    const fields: Record<string, string> = {};
    for (const f of CINETPAY_TOKEN_FIELDS) fields[f] = form.get(f) ?? '';
    const referenceFournisseur = fields.cpm_trans_id || undefined;
    const h = input.headers['x-token'];
    const xToken = Array.isArray(h) ? h[0] : h;
    if (!xToken) return { ok: false, reason: 'en-tête x-token absent', referenceFournisseur };
    if (!verifyCinetpayToken(this.s.secretKey, fields, xToken))
      return { ok: false, reason: 'x-token invalide (HMAC)', referenceFournisseur };
    if (fields.cpm_site_id !== this.s.siteId) return { ok: false, reason: 'cpm_site_id inattendu', referenceFournisseur };
    if (!referenceFournisseur) return { ok: false, reason: 'cpm_trans_id absent' };
    const errorMessage = fields.cpm_error_message ?? '';
    const claimed: NormalizedStatus = /^(SUCCES|SUCCESS|00)$/i.test(errorMessage) ? 'succeeded' : errorMessage ? 'failed' : 'pending';
    return {
      ok: true,
      referenceFournisseur,
      providerStatus: errorMessage || 'NOTIFICATION',
      claimed,
      transactionId: fields.cpm_trans_id ?? '',
      montant: parseProviderAmount(fields.cpm_amount),
      devise: fields.cpm_currency || undefined,
      // CinetPay's own integration guide says to call /v2/payment/check on every notification.
      mustConfirm: true,
    };
  }

  async refund(): Promise<RefundResult> {
    throw new ProviderRejectedError(this.fournisseur, "CinetPay n'offre pas de remboursement par API : remboursement manuel.");
  }

  async refundStatus(): Promise<RefundResult> {
    return this.refund();
  }
}
