/**
 * Orange Money Web Payment as the simulator speaks it: OAuth token (Basic client credentials), webpayment,
 * transactionstatus, and the unsigned notification `{status, notif_token, txnid}` to notif_url.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SimulatorCredentials } from './credentials.js';
import { randomId, type SimPayment, type SimulatorState } from './state.js';
import { UNCONFIRMED } from './unconfirmed.js';

const STATUS: Record<SimPayment['state'], string> = {
  awaiting_payer: 'INITIATED',
  processing: 'PENDING',
  succeeded: 'SUCCESS',
  failed: 'FAILED',
  expired: 'EXPIRED',
};

function orangeError(reply: FastifyReply, status: number, code: number, message: string, description: string) {
  return reply.code(status).send({ code, message, description });
}

/** A present but wrong body field: Orange documents no code for it, so it comes from unconfirmed.ts. */
function invalidField(reply: FastifyReply, description: string) {
  const { code, message } = UNCONFIRMED.orangeCodes.invalidBodyField;
  return orangeError(reply, 400, code, message, description);
}

export function orangeRoutes(
  app: FastifyInstance,
  state: SimulatorState,
  creds: SimulatorCredentials['orange'],
  publicUrl: () => string,
  /** The same token endpoint serves Orange's SMS API to its own client (messaging.ts): its token, or null. */
  otherClient: (authorization: string | undefined) => { token: string; expiresIn: number } | null = () => null,
): void {
  const expectedBasic = `Basic ${Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString('base64')}`;

  app.post('/oauth/v3/token', { config: { sim: { provider: 'orange', endpoint: 'token' } } }, async (req, reply) => {
    const other = req.headers.authorization !== expectedBasic ? otherClient(req.headers.authorization) : null;
    if (other) return { token_type: 'Bearer', access_token: other.token, expires_in: other.expiresIn };
    if (req.headers.authorization !== expectedBasic) {
      return reply.code(401).send({
        error: 'invalid_client',
        error_description: 'The requested service needs credentials, but the ones provided were invalid.',
      });
    }
    const body = (req.body ?? {}) as Record<string, string>;
    if (body.grant_type !== 'client_credentials')
      return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    const { token, expiresIn } = state.issueToken('orange');
    return { token_type: 'Bearer', access_token: token, expires_in: expiresIn };
  });

  /** Orange's gateway refuses a missing, unknown or expired bearer token with its own error codes. */
  function authorized(auth: string | undefined, reply: FastifyReply): boolean {
    const check = state.checkToken(auth, 'orange');
    if (check === 'ok') return true;
    if (check === 'expired')
      orangeError(reply, 401, 42, 'Expired credentials', 'The requested service needs credentials, but the ones provided have expired.');
    else orangeError(reply, 401, 41, 'Invalid credentials', 'The requested service needs credentials, but the ones provided were invalid.');
    return false;
  }

  app.post<{ Params: { country: string } }>(
    '/orange-money-webpay/:country/v1/webpayment',
    { config: { sim: { provider: 'orange', endpoint: 'api' } } },
    async (req, reply) => {
      if (!authorized(req.headers.authorization, reply)) return reply;
      const b = (req.body ?? {}) as Record<string, unknown>;
      for (const f of ['merchant_key', 'currency', 'order_id', 'amount', 'return_url', 'cancel_url', 'notif_url', 'lang', 'reference']) {
        if (b[f] === undefined || b[f] === null || b[f] === '')
          return orangeError(reply, 400, 23, 'Missing body field', `The field ${f} is missing.`);
      }
      if (req.params.country !== creds.country)
        return orangeError(reply, 404, 60, 'Resource not found', `Unknown country ${req.params.country}.`);
      if (b.merchant_key !== creds.merchantKey) return invalidField(reply, 'Invalid merchant_key.');
      // The sandbox (country "dev") only takes the play currency OUV; real countries take XOF.
      const currency = creds.country === 'dev' ? 'OUV' : 'XOF';
      if (b.currency !== currency) return invalidField(reply, `Invalid currency ${String(b.currency)}: expected ${currency}.`);
      if (typeof b.amount !== 'number' || !Number.isSafeInteger(b.amount) || b.amount <= 0) {
        return invalidField(reply, 'amount must be a positive integer.');
      }
      const payToken = `v1${randomId(16)}`;
      const notifToken = randomId(16);
      const p = state.create({
        provider: 'orange',
        key: payToken,
        pageToken: payToken,
        amount: b.amount,
        currency,
        description: `Commande ${String(b.order_id)}`,
        successUrl: String(b.return_url),
        failureUrl: String(b.cancel_url),
        extra: { orderId: String(b.order_id), notifUrl: String(b.notif_url), notifToken },
      });
      return reply.code(201).send({
        status: 201,
        message: 'OK',
        pay_token: payToken,
        payment_url: `${publicUrl()}/pay/orange/${p.pageToken}`,
        notif_token: notifToken,
      });
    },
  );

  app.post<{ Params: { country: string } }>(
    '/orange-money-webpay/:country/v1/transactionstatus',
    { config: { sim: { provider: 'orange', endpoint: 'api' } } },
    async (req, reply) => {
      if (!authorized(req.headers.authorization, reply)) return reply;
      const b = (req.body ?? {}) as Record<string, unknown>;
      for (const f of ['order_id', 'amount', 'pay_token']) {
        if (b[f] === undefined || b[f] === null || b[f] === '')
          return orangeError(reply, 400, 23, 'Missing body field', `The field ${f} is missing.`);
      }
      const p = state.find('orange', String(b.pay_token));
      if (!p || p.extra.orderId !== String(b.order_id))
        return orangeError(reply, 404, 60, 'Resource not found', 'No transaction for this order_id and pay_token.');
      if (b.amount !== p.amount) return invalidField(reply, 'amount does not match the transaction.');
      return reply.code(201).send({ status: STATUS[p.state], order_id: p.extra.orderId, txnid: p.transactionId ?? null });
    },
  );

  state.callbackBuilders.orange = (p) => {
    if (p.state !== 'succeeded' && p.state !== 'failed') return null;
    return {
      url: String(p.extra.notifUrl),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        status: p.state === 'succeeded' ? 'SUCCESS' : 'FAILED',
        notif_token: p.extra.notifToken,
        txnid: p.transactionId ?? `MP${randomId(6)}`,
      }),
    };
  };
}
