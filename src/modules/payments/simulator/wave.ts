/**
 * Wave's Checkout API as the simulator speaks it: sessions (create, read, expire, refund) behind a bearer API
 * key, and webhooks signed `Wave-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + body)>`. Wave sends
 * webhooks to the URL set once in its business portal, not per session: here, the `waveWebhookUrl` option.
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorCredentials } from './credentials.js';
import { randomId, type SimPayment, type SimulatorState } from './state.js';
import { UNCONFIRMED } from './unconfirmed.js';

/**
 * `last_payment_error.code` values are only those of Wave's documentation (contracts/wave/checkout.json):
 * a refused approval has no code of its own there, so it is the generic `payment-failed`.
 */
const WAVE_ERRORS: Record<string, { code: string; message: string }> = {
  NOT_ENOUGH_FUNDS: { code: 'insufficient-funds', message: 'Solde insuffisant.' },
};
const PAYMENT_FAILED = { code: 'payment-failed', message: 'Paiement échoué.' };
const SESSION_NOT_FOUND = { code: 'checkout-session-not-found', message: 'Checkout session not found.' };

export function session(p: SimPayment) {
  const checkoutStatus = p.state === 'succeeded' ? 'complete' : p.state === 'expired' ? 'expired' : 'open';
  // Wave documents exactly processing, cancelled and succeeded (a refunded session stays succeeded).
  const paymentStatus = p.state === 'succeeded' ? 'succeeded' : p.state === 'failed' || p.state === 'expired' ? 'cancelled' : 'processing';
  return {
    id: p.key,
    amount: String(p.amount),
    checkout_status: checkoutStatus,
    client_reference: p.extra.clientReference ?? null,
    currency: p.currency,
    error_url: p.failureUrl,
    success_url: p.successUrl,
    last_payment_error:
      p.state === 'failed' || (p.state === 'expired' && p.extra.failedReason)
        ? (WAVE_ERRORS[String(p.extra.failedReason ?? p.reason)] ?? PAYMENT_FAILED)
        : null,
    business_name: 'SpotVibe',
    payment_status: paymentStatus,
    transaction_id: p.transactionId ?? null,
    wave_launch_url: p.extra.launchUrl,
    when_completed: p.state === 'succeeded' && p.finishedAt ? new Date(p.finishedAt).toISOString() : null,
    when_created: new Date(p.createdAt).toISOString(),
    when_expires: new Date(p.expiresAt).toISOString(),
  };
}

export function waveRoutes(
  app: FastifyInstance,
  state: SimulatorState,
  creds: SimulatorCredentials['wave'],
  publicUrl: () => string,
  webhookUrl: () => string | undefined,
): void {
  const cfg = { config: { sim: { provider: 'wave' as const, endpoint: 'api' as const } } };

  function authorized(req: FastifyRequest, reply: FastifyReply): boolean {
    if (req.headers.authorization !== `Bearer ${creds.apiKey}`) {
      reply
        .code(401)
        .send({ code: req.headers.authorization ? 'invalid-auth' : 'missing-auth-header', message: 'Clé API invalide ou absente.' });
      return false;
    }
    return true;
  }

  app.post('/v1/checkout/sessions', cfg, async (req, reply) => {
    if (!authorized(req, reply)) return reply;
    const b = (req.body ?? {}) as Record<string, unknown>;
    const problems: string[] = [];
    if (typeof b.amount !== 'string' || !/^\d+$/.test(b.amount) || Number(b.amount) <= 0)
      problems.push('amount: chaîne de chiffres attendue (XOF sans décimales)');
    if (b.currency !== 'XOF') problems.push('currency: XOF attendu');
    for (const f of ['success_url', 'error_url'])
      if (typeof b[f] !== 'string' || !/^https?:\/\//.test(b[f] as string)) problems.push(`${f}: URL attendue`);
    if (problems.length)
      return reply.code(400).send({
        code: 'request-validation-error',
        message: 'Requête invalide.',
        details: problems.map((m) => ({ loc: [m.split(':')[0]], msg: m })),
      });
    const id = `cos-${randomId(10)}`;
    const p = state.create({
      provider: 'wave',
      key: id,
      pageToken: id,
      amount: Number(b.amount),
      currency: 'XOF',
      description: `Paiement ${String(b.client_reference ?? '')}`,
      successUrl: String(b.success_url),
      failureUrl: String(b.error_url),
      extra: { clientReference: typeof b.client_reference === 'string' ? b.client_reference : null },
    });
    p.extra.launchUrl = `${publicUrl()}/pay/wave/${id}`;
    return session(p);
  });

  app.get<{ Params: { id: string } }>('/v1/checkout/sessions/:id', cfg, async (req, reply) => {
    if (!authorized(req, reply)) return reply;
    const p = state.find('wave', req.params.id);
    return p ? session(p) : reply.code(404).send(SESSION_NOT_FOUND);
  });

  app.post<{ Params: { id: string } }>('/v1/checkout/sessions/:id/expire', cfg, async (req, reply) => {
    if (!authorized(req, reply)) return reply;
    const p = state.find('wave', req.params.id);
    if (!p) return reply.code(404).send(SESSION_NOT_FOUND);
    if (p.state === 'succeeded' || p.state === 'processing')
      return reply.code(UNCONFIRMED.waveExpireRefused.status).send(UNCONFIRMED.waveExpireRefused.body);
    if (p.state === 'failed') p.extra.failedReason = p.reason;
    p.state = 'expired';
    p.finishedAt ??= state.now();
    return session(p);
  });

  app.post<{ Params: { id: string } }>('/v1/checkout/sessions/:id/refund', cfg, async (req, reply) => {
    if (!authorized(req, reply)) return reply;
    const p = state.find('wave', req.params.id);
    if (!p) return reply.code(404).send(SESSION_NOT_FOUND);
    // Wave's documented Idempotency-Key: the same key replays the first answer.
    const key = req.headers['idempotency-key'];
    const replays = (p.extra.refundReplays ??= {}) as Record<string, { status: number; body: unknown }>;
    if (typeof key === 'string' && replays[key]) return reply.code(replays[key].status).send(replays[key].body);
    const answer =
      p.state !== 'succeeded' || p.refunds > 0
        ? { status: 400, body: { code: 'checkout-refund-failed', message: 'The refund could not be processed.' } }
        : { status: 200, body: {} };
    if (answer.status === 200) p.refunds = p.amount;
    if (typeof key === 'string') replays[key] = answer;
    return reply.code(answer.status).send(answer.body);
  });

  state.callbackBuilders.wave = (p) => {
    const url = webhookUrl();
    if (!url || (p.state !== 'succeeded' && p.state !== 'failed')) return null;
    // A redelivery is the same event (same id), freshly signed: that is how a receiver recognises a duplicate.
    p.extra.eventId ??= `AE_${randomId(8)}`;
    const body = JSON.stringify({
      id: p.extra.eventId,
      type: p.state === 'succeeded' ? 'checkout.session.completed' : 'checkout.session.payment_failed',
      data: session(p),
    });
    const t = Math.floor(state.now() / 1000);
    const v1 = createHmac('sha256', creds.webhookSecret).update(`${t}${body}`).digest('hex');
    return { url, method: 'POST', headers: { 'content-type': 'application/json', 'wave-signature': `t=${t},v1=${v1}` }, body };
  };
}
