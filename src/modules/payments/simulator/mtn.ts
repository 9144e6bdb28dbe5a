/**
 * MTN MoMo Open API as the simulator speaks it: Collection (token, requesttopay, status, account check) and
 * Disbursement (token, refund, refund status), with the subscription key, API user, target environment,
 * X-Reference-Id (409 when reused) and unsigned callbacks (PUT) to X-Callback-Url.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorCredentials } from './credentials.js';
import type { SimPayment, SimulatorState } from './state.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const STATUS: Record<SimPayment['state'], string> = {
  awaiting_payer: 'PENDING',
  processing: 'PENDING',
  succeeded: 'SUCCESSFUL',
  failed: 'FAILED',
  expired: 'FAILED',
};
/** The messages of MTN's definition for the reasons it gives an example of; others get a generic one. */
const REASON_MESSAGES: Record<string, string> = {
  PAYER_NOT_FOUND: 'Payee does not exist',
  NOT_ENOUGH_FUNDS: 'The payer does not have enough funds.',
  PAYER_LIMIT_REACHED: "The payer's limit has been breached.",
  RESOURCE_NOT_FOUND: 'Requested resource was not found.',
  INTERNAL_PROCESSING_ERROR: 'An internal error occurred while processing.',
};
/** MTN silently fails requests whose messages carry these characters. */
const FORBIDDEN_IN_MESSAGES = /[&<>#%"\\]/;

type Product = 'collection' | 'disbursement';

export function mtnRoutes(app: FastifyInstance, state: SimulatorState, creds: SimulatorCredentials['mtn']): void {
  const cfg = (endpoint: 'api' | 'token') => ({ config: { sim: { provider: 'mtn' as const, endpoint } } });
  const currency = creds.targetEnvironment === 'sandbox' ? 'EUR' : 'XOF';

  function subscriptionOk(req: FastifyRequest, reply: FastifyReply, product: Product): boolean {
    if (req.headers['ocp-apim-subscription-key'] !== creds[product].subscriptionKey) {
      reply.code(401).send({
        statusCode: 401,
        message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
      });
      return false;
    }
    return true;
  }

  function authorized(req: FastifyRequest, reply: FastifyReply, product: Product): boolean {
    if (!subscriptionOk(req, reply, product)) return false;
    const check = state.checkToken(req.headers.authorization, `mtn-${product}`);
    if (check !== 'ok') {
      reply
        .code(401)
        .send({ statusCode: 401, message: check === 'expired' ? 'Access token expired.' : 'Access denied due to invalid access token.' });
      return false;
    }
    if (req.headers['x-target-environment'] !== creds.targetEnvironment) {
      reply.code(400).send({ code: 'NOT_ALLOWED_TARGET_ENVIRONMENT', message: 'Access to target environment is forbidden.' });
      return false;
    }
    return true;
  }

  for (const product of ['collection', 'disbursement'] as const) {
    app.post(`/${product}/token/`, cfg('token'), async (req, reply) => {
      if (!subscriptionOk(req, reply, product)) return reply;
      const expected = `Basic ${Buffer.from(`${creds[product].apiUser}:${creds[product].apiKey}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return reply.code(401).send({ error: 'login_failed' });
      const { token, expiresIn } = state.issueToken(`mtn-${product}`);
      return { access_token: token, token_type: 'access_token', expires_in: expiresIn };
    });
  }

  /**
   * Validates the body shared by requesttopay and refund; answers 400 and returns null when wrong. MTN's
   * definition gives its 400 no body ("Bad request, e.g. invalid data was sent"), so neither does this one
   * (the simulator's log says what was wrong); a wrong currency is its documented INVALID_CURRENCY.
   */
  function readTransfer(req: FastifyRequest, reply: FastifyReply): { amount: number; ref: string; b: Record<string, unknown> } | null {
    const ref = String(req.headers['x-reference-id'] ?? '');
    if (!UUID_V4.test(ref)) return badRequest(req, reply, 'X-Reference-Id must be a UUID version 4.');
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b.amount !== 'string' || !/^\d+$/.test(b.amount) || Number(b.amount) <= 0)
      return badRequest(req, reply, 'amount must be a string of digits.');
    if (b.currency !== currency) {
      reply.code(400).send({ code: 'INVALID_CURRENCY', message: `Currency not supported: expected ${currency}.` });
      return null;
    }
    return { amount: Number(b.amount), ref, b };
  }

  function badRequest(req: FastifyRequest, reply: FastifyReply, why: string): null {
    req.log.info({ why }, 'simulateur MTN : 400 (corps vide, comme dans la définition)');
    void reply.code(400).send();
    return null;
  }

  app.post('/collection/v1_0/requesttopay', cfg('api'), async (req, reply) => {
    if (!authorized(req, reply, 'collection')) return reply;
    const t = readTransfer(req, reply);
    if (!t) return reply;
    const payer = t.b.payer as { partyIdType?: unknown; partyId?: unknown } | undefined;
    if (payer?.partyIdType !== 'MSISDN' || typeof payer.partyId !== 'string' || !/^\d{8,15}$/.test(payer.partyId)) {
      return badRequest(req, reply, 'payer must be {partyIdType: "MSISDN", partyId: digits}.') ?? reply;
    }
    if (state.find('mtn', t.ref))
      return reply.code(409).send({ code: 'RESOURCE_ALREADY_EXIST', message: 'Duplicated reference id. Creation of resource failed.' });
    const callbackUrl = req.headers['x-callback-url'];
    const p = state.create({
      provider: 'mtn',
      key: t.ref,
      amount: t.amount,
      currency,
      description: String(t.b.payerMessage ?? ''),
      state: 'processing',
      extra: {
        externalId: String(t.b.externalId ?? ''),
        payerMessage: String(t.b.payerMessage ?? ''),
        payeeNote: String(t.b.payeeNote ?? ''),
        callbackUrl: typeof callbackUrl === 'string' ? callbackUrl : undefined,
        visibleAt: state.now() + state.delays.mtnVisibilityMs,
      },
    });
    if (FORBIDDEN_IN_MESSAGES.test(`${p.extra.payerMessage}${p.extra.payeeNote}`)) {
      // The real API accepts the request (202) and then fails it without a useful reason.
      p.outcome = { final: 'failed', delay: 'normal', callbacks: 1, label: 'message refusé' };
      state.later(state.delays.normalMs, () => state.finish(p, 'failed', 'INTERNAL_PROCESSING_ERROR'));
    } else {
      state.submit(p, payer.partyId);
    }
    return reply.code(202).send();
  });

  /**
   * RequestToPayResult / RefundResult. `amount` and `financialTransactionId` are JSON numbers, as in the
   * definition's own examples (its schema says string: the client reads both); `reason` is an ErrorReason
   * object {code, message}.
   */
  function transactionBody(p: SimPayment, party: 'payer' | 'payee') {
    const failed = p.state === 'failed' || p.state === 'expired';
    const code = p.reason ?? (p.state === 'expired' ? 'EXPIRED' : 'INTERNAL_PROCESSING_ERROR');
    return {
      amount: p.amount,
      currency: p.currency,
      ...(p.transactionId ? { financialTransactionId: Number(p.transactionId) } : {}),
      externalId: p.extra.externalId,
      [party]: { partyIdType: 'MSISDN', partyId: p.payer ?? '' },
      payerMessage: p.extra.payerMessage,
      payeeNote: p.extra.payeeNote,
      status: STATUS[p.state],
      ...(failed ? { reason: { code, message: REASON_MESSAGES[code] ?? code.toLowerCase().replace(/_/g, ' ') } } : {}),
    };
  }

  function visible(p: SimPayment | undefined): p is SimPayment {
    return !!p && state.now() >= Number(p.extra.visibleAt ?? 0);
  }

  const notFound = (reply: FastifyReply) =>
    reply.code(404).send({ code: 'RESOURCE_NOT_FOUND', message: 'Requested resource was not found.' });

  app.get<{ Params: { ref: string } }>('/collection/v1_0/requesttopay/:ref', cfg('api'), async (req, reply) => {
    if (!authorized(req, reply, 'collection')) return reply;
    const p = state.find('mtn', req.params.ref);
    return visible(p) ? transactionBody(p, 'payer') : notFound(reply);
  });

  app.get<{ Params: { msisdn: string } }>('/collection/v1_0/accountholder/msisdn/:msisdn/active', cfg('api'), async (req, reply) => {
    if (!authorized(req, reply, 'collection')) return reply;
    // Numbers ending in 00 have no MoMo account in the simulator.
    return { result: /^\d{8,15}$/.test(req.params.msisdn) && !req.params.msisdn.endsWith('00') };
  });

  app.post('/disbursement/v1_0/refund', cfg('api'), async (req, reply) => {
    if (!authorized(req, reply, 'disbursement')) return reply;
    const t = readTransfer(req, reply);
    if (!t) return reply;
    if (state.find('mtn-refund', t.ref))
      return reply.code(409).send({ code: 'RESOURCE_ALREADY_EXIST', message: 'Duplicated reference id. Creation of resource failed.' });
    const original = state.find('mtn', String(t.b.referenceIdToRefund ?? ''));
    const r = state.create({
      provider: 'mtn-refund',
      key: t.ref,
      amount: t.amount,
      currency,
      description: String(t.b.payerMessage ?? ''),
      state: 'processing',
      extra: {
        externalId: String(t.b.externalId ?? ''),
        payerMessage: String(t.b.payerMessage ?? ''),
        payeeNote: String(t.b.payeeNote ?? ''),
        visibleAt: state.now() + state.delays.mtnVisibilityMs,
      },
    });
    r.payer = original?.payer;
    // A refund is paid out only for a successful request-to-pay, and never beyond what it collected.
    const refundable = original && original.state === 'succeeded' ? original.amount - original.refunds : 0;
    state.later(state.delays.normalMs, () => {
      if (!original) return state.finish(r, 'failed', 'RESOURCE_NOT_FOUND');
      if (t.amount > refundable) return state.finish(r, 'failed', 'NOT_ALLOWED');
      original.refunds += t.amount;
      state.finish(r, 'succeeded');
    });
    r.outcome = { final: 'succeeded', delay: 'normal', callbacks: 0, label: 'remboursement' };
    return reply.code(202).send();
  });

  app.get<{ Params: { ref: string } }>('/disbursement/v1_0/refund/:ref', cfg('api'), async (req, reply) => {
    if (!authorized(req, reply, 'disbursement')) return reply;
    const r = state.find('mtn-refund', req.params.ref);
    return visible(r) ? transactionBody(r, 'payee') : notFound(reply);
  });

  state.callbackBuilders.mtn = (p) => {
    const url = p.extra.callbackUrl;
    if (typeof url !== 'string' || !url) return null;
    return { url, method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(transactionBody(p, 'payer')) };
  };
}
