/** `/paiement/retour/` and `/paiement/annule/`: where a redirect provider sends the payer back (return-pages.ts). */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { renderReturnPage, returnPageFor, type ReturnPage } from './return-pages.js';
import type { PaymentDeps } from './deps.js';

export function returnPageRoutes(deps: PaymentDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const send = (reply: FastifyReply, page: ReturnPage) =>
      reply.code(page.status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderReturnPage(page));
    const schema = { hide: true, querystring: Type.Object({ reference: Type.Optional(Type.String({ maxLength: 100 })) }) };
    app.get('/paiement/retour/', { schema }, async (request, reply) =>
      send(reply, await returnPageFor(deps, request.query.reference, false)),
    );
    app.get('/paiement/annule/', { schema }, async (request, reply) =>
      send(reply, await returnPageFor(deps, request.query.reference, true)),
    );
  };
}
