/** Where the routes find the payment gateways made at start (runtime.ts → services). */
import type { FastifyInstance } from 'fastify';
import type { GatewayRegistry } from './gateway.js';
import { AppError } from '../../core/errors.js';

export function paymentGateways(app: FastifyInstance): GatewayRegistry {
  const g = app.deps.services.gateways;
  if (!g) throw new AppError(503, 'payments_unavailable', 'Le paiement en ligne est indisponible sur ce serveur.');
  return g;
}
