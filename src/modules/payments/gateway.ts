/** The providers as the payment service sees them: one PaymentProvider (providers/types.ts) per fournisseur. */
import { providerLabel, type PaymentProvider, type Fournisseur } from './providers/types.js';
import { ValidationError } from '../../core/errors.js';

/** Only configured providers are present. */
export type GatewayRegistry = Partial<Record<Fournisseur, PaymentProvider>>;
export { ProviderRejectedError, ProviderUnavailableError } from './providers/types.js';
export type {
  PaymentProvider,
  StatusResult,
  RefundResult,
  InitiateRequest,
  InitiateResult,
  CallbackInput,
  CallbackResult,
  RefundRequest,
} from './providers/types.js';

/** The provider for a payment method, or a French 400 when this server does not offer it. */
export function gatewayFor(gateways: GatewayRegistry, fournisseur: Fournisseur): PaymentProvider {
  const g = gateways[fournisseur];
  if (!g) throw ValidationError.field('fournisseur', `${providerLabel(fournisseur)} n'est pas disponible sur ce serveur.`);
  return g;
}
