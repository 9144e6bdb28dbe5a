/**
 * CinetPay's checkout API v2 as the simulator speaks it (Moov Money through channel FLOOZ): /v2/payment,
 * /v2/payment/check, and the form-encoded notification signed with x-token = HMAC-SHA256 of 16 fields.
 * Answer codes are those of CinetPay's code table (contracts/cinetpay/checkout.json); the one undocumented
 * answer (a check for an unknown transaction) comes from unconfirmed.ts.
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { SimulatorCredentials } from './credentials.js';
import { randomId, type SimPayment, type SimulatorState } from './state.js';
import { UNCONFIRMED } from './unconfirmed.js';

/** Written out here rather than imported from the client, so a mistake in one is caught by the other. */
const NOTIFICATION_FIELDS = [
  'cpm_site_id',
  'cpm_trans_id',
  'cpm_trans_date',
  'cpm_amount',
  'cpm_currency',
  'signature',
  'payment_method',
  'cel_phone_num',
  'cpm_phone_prefixe',
  'cpm_language',
  'cpm_version',
  'cpm_payment_config',
  'cpm_page_action',
  'cpm_custom',
  'cpm_designation',
  'cpm_error_message',
];

function checkAnswer(p: SimPayment) {
  const data = {
    amount: String(p.amount),
    currency: p.currency,
    status: '',
    payment_method: p.state === 'succeeded' ? 'FLOOZ' : null,
    description: p.description,
    metadata: p.extra.metadata ?? null,
    operator_id: p.transactionId ?? null,
    payment_date: p.finishedAt ? new Date(p.finishedAt).toISOString().replace('T', ' ').slice(0, 19) : '',
  };
  switch (p.state) {
    case 'succeeded':
      return { code: '00', message: 'SUCCES', data: { ...data, status: 'ACCEPTED' } };
    case 'failed':
    case 'expired':
      return { code: '627', message: 'TRANSACTION_CANCEL', data: { ...data, status: 'REFUSED', description: p.reason ?? 'REFUSED' } };
    default:
      return { code: '662', message: 'WAITING_CUSTOMER_PAYMENT', data: { ...data, status: 'WAITING_FOR_CUSTOMER' } };
  }
}

export function cinetpayRoutes(
  app: FastifyInstance,
  state: SimulatorState,
  creds: SimulatorCredentials['cinetpay'],
  publicUrl: () => string,
): void {
  const cfg = { config: { sim: { provider: 'cinetpay' as const, endpoint: 'api' as const } } };
  const apiResponseId = () => `${Date.now()}.${randomId(4)}`;

  app.post('/v2/payment', cfg, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    for (const f of ['apikey', 'site_id', 'transaction_id', 'amount', 'currency', 'description', 'notify_url', 'return_url', 'channels']) {
      if (b[f] === undefined || b[f] === null || b[f] === '') {
        return reply.code(400).send({
          code: '608',
          message: 'MINIMUM_REQUIRED_FIELDS',
          description: `Le champ ${f} est obligatoire.`,
          api_response_id: apiResponseId(),
        });
      }
    }
    // Only CinetPay's documented channels (FLOOZ, OM, MOMO are payment-method codes, refused by the real API).
    if (!['ALL', 'MOBILE_MONEY', 'CREDIT_CARD', 'WALLET'].includes(String(b.channels))) {
      return reply.code(400).send({
        code: '608',
        message: 'MINIMUM_REQUIRED_FIELDS',
        description: `channels « ${String(b.channels)} » invalide (ALL, MOBILE_MONEY, CREDIT_CARD, WALLET).`,
        api_response_id: apiResponseId(),
      });
    }
    if (b.apikey !== creds.apiKey || String(b.site_id) !== creds.siteId) {
      return reply
        .code(401)
        .send({ code: '609', message: 'AUTH_NOT_FOUND', description: 'apikey ou site_id invalide.', api_response_id: apiResponseId() });
    }
    if (typeof b.amount !== 'number' || !Number.isSafeInteger(b.amount) || b.amount <= 0 || b.amount % 5 !== 0) {
      return reply.code(400).send({
        code: '624',
        message: 'INVALID_AMOUNT',
        description: 'Le montant doit être un entier multiple de 5.',
        api_response_id: apiResponseId(),
      });
    }
    if (b.currency !== 'XOF')
      return reply.code(400).send({ code: '624', message: 'INVALID_CURRENCY', description: 'Devise non prise en charge.' });
    const transactionId = String(b.transaction_id);
    if (state.find('cinetpay', transactionId)) {
      return reply.code(400).send({
        code: '624',
        message: 'TRANSACTION_ID_ALREADY_USED',
        description: 'Cet identifiant de transaction existe déjà.',
        api_response_id: apiResponseId(),
      });
    }
    const paymentToken = randomId(20);
    const phone = typeof b.customer_phone_number === 'string' ? b.customer_phone_number : undefined;
    state.create({
      provider: 'cinetpay',
      key: transactionId,
      pageToken: paymentToken,
      amount: b.amount,
      currency: 'XOF',
      description: String(b.description),
      successUrl: String(b.return_url),
      failureUrl: String(b.return_url),
      extra: { notifyUrl: String(b.notify_url), channel: String(b.channels), metadata: b.metadata, suggestedPhone: phone },
    });
    return {
      code: '201',
      message: 'CREATED',
      description: 'Transaction created with success',
      data: { payment_token: paymentToken, payment_url: `${publicUrl()}/pay/cinetpay/${paymentToken}` },
      api_response_id: apiResponseId(),
    };
  });

  app.post('/v2/payment/check', cfg, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (b.apikey !== creds.apiKey || String(b.site_id) !== creds.siteId) {
      return reply.code(401).send({ code: '609', message: 'AUTH_NOT_FOUND', description: 'apikey ou site_id invalide.' });
    }
    const p = state.find('cinetpay', String(b.transaction_id ?? ''));
    // CinetPay documents no answer for a transaction it never received: the stand-in is in unconfirmed.ts.
    if (!p)
      return reply
        .code(UNCONFIRMED.cinetpayNotFound.status)
        .send({ ...UNCONFIRMED.cinetpayNotFound.body, api_response_id: apiResponseId() });
    return { ...checkAnswer(p), api_response_id: apiResponseId() };
  });

  state.callbackBuilders.cinetpay = (p) => {
    if (p.state !== 'succeeded' && p.state !== 'failed') return null;
    const payer = (p.payer ?? '').replace(/\D/g, '');
    const local = payer.startsWith('225') && payer.length > 10 ? payer.slice(3) : payer;
    const values: Record<string, string> = {
      cpm_site_id: creds.siteId,
      cpm_trans_id: p.key,
      cpm_trans_date: new Date(p.finishedAt ?? state.now()).toISOString().replace('T', ' ').slice(0, 19),
      cpm_amount: String(p.amount),
      cpm_currency: p.currency,
      signature: randomId(16),
      payment_method: 'FLOOZ',
      cel_phone_num: local,
      cpm_phone_prefixe: '225',
      cpm_language: 'fr',
      cpm_version: 'V4',
      cpm_payment_config: 'SINGLE',
      cpm_page_action: 'PAYMENT',
      cpm_custom: typeof p.extra.metadata === 'string' ? p.extra.metadata : '',
      cpm_designation: p.description,
      cpm_error_message: p.state === 'succeeded' ? 'SUCCES' : (p.reason ?? 'REFUSED'),
    };
    const xToken = createHmac('sha256', creds.secretKey)
      .update(NOTIFICATION_FIELDS.map((f) => values[f]).join(''))
      .digest('hex');
    return {
      url: String(p.extra.notifyUrl),
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-token': xToken },
      body: new URLSearchParams(values).toString(),
    };
  };
}
