/** The providers as the payment service sees them: one PaymentProvider (providers/types.ts) per fournisseur. */
import type { PaymentProvider, ProviderId } from './providers/types.js';

export type GatewayRegistry = Record<ProviderId, PaymentProvider>;
export { ProviderRejectedError, ProviderUnavailableError } from './providers/types.js';
export type { PaymentProvider, StatusResult, RefundResult, InitiateRequest, InitiateResult, CallbackInput, CallbackResult, RefundRequest } from './providers/types.js';
