/**
 * Provider callbacks at /api/payments/webhooks/{orange,mtn,moov,wave}/. The raw bytes are kept (signatures
 * are over bytes), authenticated as the provider allows, recorded (MomoTransaction, authenticated or not),
 * and a confirmation job is queued in the same transaction; the answer goes back at once. The job asks the
 * provider for the payment's status before anything changes: a callback alone never moves money or seats.
 */
import { eq, or } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { momoTransactions, payments, type Fournisseur } from './tables.js';
import type { GatewayRegistry } from './gateway.js';
import type { CallbackResult } from './providers/types.js';
import type { JobQueue } from '../../jobs/queue.js';
import { queueConfirmation } from './jobs.js';

export const WEBHOOK_PATHS: Record<string, Fournisseur> = {
  orange: 'ORANGE_MONEY',
  mtn: 'MTN_MONEY',
  moov: 'MOOV_MONEY',
  wave: 'WAVE',
};

/** Bytes of a refused callback's body that are kept (evidence for staff, bounded). */
export const FORGED_BODY_SAMPLE = 1_000;

const KEPT_HEADERS = ['content-type', 'user-agent', 'x-token', 'wave-signature', 'x-callback-url', 'x-reference-id'];

export interface CallbackOutcome {
  authenticated: boolean;
  paymentId: number | null;
  reason?: string;
}

export async function receiveCallback(
  deps: { db: Db; jobs: JobQueue; gateways: GatewayRegistry },
  fournisseur: Fournisseur,
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
  ip: string,
  query: Record<string, string | string[] | undefined> = {},
): Promise<CallbackOutcome> {
  const gateway = deps.gateways[fournisseur];
  if (!gateway) return { authenticated: false, paymentId: null, reason: 'fournisseur non configuré' };
  const findPayment = async (ref: { reference?: string | undefined; referenceFournisseur?: string | undefined }) => {
    const conds = [];
    if (ref.reference) conds.push(eq(payments.reference, ref.reference));
    if (ref.referenceFournisseur) conds.push(eq(payments.referenceFournisseur, ref.referenceFournisseur));
    if (!conds.length) return undefined;
    const [p] = await deps.db
      .select()
      .from(payments)
      .where(conds.length === 1 ? conds[0] : or(...conds));
    return p && p.fournisseur === fournisseur ? p : undefined;
  };
  // A callback the client cannot read (an unknown state, a malformed field) is refused and recorded like a
  // forged one, never a 500 that would leave no trace.
  const parsed: CallbackResult = await gateway
    .parseCallback({
      rawBody,
      headers,
      query,
      lookup: async (ref) => {
        const p = await findPayment(ref);
        return p ? { data: p.donneesFournisseur as Record<string, unknown> } : null;
      },
    })
    .catch((err: unknown) => ({ ok: false as const, reason: `rappel illisible : ${err instanceof Error ? err.message : String(err)}` }));
  const payment = await findPayment(parsed);
  const keptHeaders = Object.fromEntries(KEPT_HEADERS.filter((h) => headers[h] !== undefined).map((h) => [h, String(headers[h])]));
  await deps.db.transaction(async (tx) => {
    await tx.insert(momoTransactions).values({
      paymentId: payment?.id ?? null,
      fournisseur,
      transactionId: parsed.ok ? parsed.transactionId.slice(0, 100) : '',
      statutFournisseur: parsed.ok ? parsed.providerStatus.slice(0, 50) : '',
      authentifie: parsed.ok,
      motifRejet: parsed.ok ? '' : parsed.reason.slice(0, 200),
      // Authentic callbacks are kept whole enough for support (20 KB); a refused one only as a short sample, so a
      // flood of forged calls cannot fill the table (they are also pruned, see FORGED_CALLBACKS_RETENTION_DAYS).
      corps: rawBody.toString('utf8').slice(0, parsed.ok ? 20_000 : FORGED_BODY_SAMPLE),
      entetes: keptHeaders,
      ip: ip.slice(0, 64),
    });
    // ECHOUE too: a closed payment the provider never called failed may still succeed late (confirmPayment
    // only reopens those, on the provider's confirmed word).
    if (parsed.ok && payment && (payment.statut === 'EN_ATTENTE' || payment.statut === 'EXPIRE' || payment.statut === 'ECHOUE')) {
      await queueConfirmation(deps.jobs, payment.id, `rappel_${fournisseur.toLowerCase()}`, tx);
    }
  });
  return parsed.ok
    ? { authenticated: true, paymentId: payment?.id ?? null }
    : { authenticated: false, paymentId: payment?.id ?? null, reason: parsed.reason };
}
