/** `/paiement/retour/` and `/paiement/annule/`: where a redirect provider sends the payer back (return-pages.ts). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { sendPage } from '../../core/pages.js';
import { openPaymentPage, returnPageFor } from './return-pages.js';
import type { PaymentDeps } from './deps.js';

export function returnPageRoutes(deps: PaymentDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const schema = { hide: true, querystring: Type.Object({ reference: Type.Optional(Type.String({ maxLength: 100 })) }) };
    app.get('/paiement/retour/', { schema }, async (request, reply) =>
      sendPage(reply, await returnPageFor(deps, request.query.reference, false)),
    );
    app.get('/paiement/annule/', { schema }, async (request, reply) =>
      sendPage(reply, await returnPageFor(deps, request.query.reference, true)),
    );
    // The payment_url of a ticket payment: records that the buyer opened it, then on to the provider's page.
    app.get(
      '/paiement/ouvrir/:reference/',
      { schema: { hide: true, params: Type.Object({ reference: Type.String({ maxLength: 100 }) }) } },
      async (request, reply) => {
        const out = await openPaymentPage(deps, request.params.reference);
        if (out.redirect !== undefined) return reply.header('cache-control', 'no-store').redirect(out.redirect, 302);
        return sendPage(reply, out.page);
      },
    );
  };
}
