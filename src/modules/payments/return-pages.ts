/**
 * The pages a payer's browser comes back to after a redirect provider's payment page (Orange Web Payment,
 * Wave Checkout, CinetPay): PAYMENT_RETURN_URL and PAYMENT_CANCEL_URL default to /paiement/retour/ and
 * /paiement/annule/ here, and the providers' clients add `?reference=` (the payment's public reference).
 *
 * The page tells the payment's state in French: confirmed (with the tickets), still being confirmed (it reloads
 * itself every few seconds), failed, expired, refunded. Coming back is also a sign that the provider has an
 * answer, so a pending payment gets a status check queued at once (one per payment at a time, like callbacks):
 * a lost callback does not keep the buyer waiting for the reconciliation sweep. The reference is unguessable
 * (80 random bits) and the page shows nothing personal: the event, the amount, the status.
 */
import { and, count, eq, gt, sql } from 'drizzle-orm';
import type { PageContent } from '../../core/pages.js';
import { formatFrancs } from '../../core/french.js';
import { events } from '../events/tables.js';
import { tickets } from '../tickets/tables.js';
import { payments, refunds } from './tables.js';
import { queueConfirmation } from './jobs.js';
import type { PaymentDeps } from './deps.js';

const REFERENCE = /^SV-[0-9A-Z]{16}$/;

export type ReturnPage = PageContent;

/** The page for a payment reference: its state in words (and a status check queued while it is pending). */
export async function returnPageFor(deps: PaymentDeps, reference: string | undefined, cancelled: boolean): Promise<ReturnPage> {
  const notFound: ReturnPage = {
    status: 404,
    title: 'Paiement introuvable',
    tone: 'neutral',
    paragraphs: ["Ce lien de paiement n'est pas valide. Retrouvez vos paiements et vos billets dans l'application SpotVibe."],
  };
  if (!reference || !REFERENCE.test(reference)) return notFound;
  const db = deps.db;
  const [row] = await db
    .select({ id: payments.id, statut: payments.statut, montant: payments.montant, quantite: payments.quantite, titre: events.titre })
    .from(payments)
    .leftJoin(events, eq(events.id, payments.evenementId))
    .where(eq(payments.reference, reference));
  if (!row) return notFound;
  const tickets_ = (n: number) => (n === 1 ? '1 billet' : `${n} billets`);
  const what = `${tickets_(row.quantite)} pour « ${row.titre ?? 'un événement'} »`;
  const amount = formatFrancs(row.montant);
  switch (row.statut) {
    case 'EN_ATTENTE':
      await queueConfirmation(deps.jobs, row.id, cancelled ? 'retour_annulation' : 'retour_client');
      return {
        status: 200,
        title: cancelled ? 'Paiement annulé ?' : 'Paiement en cours de confirmation',
        tone: 'info',
        reload: true,
        paragraphs: [
          cancelled
            ? `Vous avez quitté la page de paiement. Nous vérifions auprès du fournisseur : si rien n'a été payé, les places réservées (${what}) sont libérées.`
            : `Nous attendons la confirmation du fournisseur pour votre paiement de ${amount} (${what}).`,
          'Cette page se met à jour toute seule ; vous pouvez aussi la fermer : vous serez prévenu(e) par e-mail.',
        ],
      };
    case 'REUSSI': {
      const [issued] = await db.select({ n: count() }).from(tickets).where(eq(tickets.paymentId, row.id));
      if (issued!.n > 0) {
        return {
          status: 200,
          title: 'Paiement confirmé',
          tone: 'success',
          paragraphs: [
            `Merci ! Votre paiement de ${amount} est confirmé : ${tickets_(issued!.n)} pour « ${row.titre ?? 'un événement'} ».`,
            "Retrouvez-les avec leur QR code dans l'application SpotVibe, rubrique « Mes billets ».",
          ],
        };
      }
      const [refund] = await db.select({ id: refunds.id }).from(refunds).where(eq(refunds.paymentId, row.id));
      return {
        status: 200,
        title: refund ? 'Paiement reçu, remboursement en cours' : 'Paiement confirmé',
        tone: refund ? 'warning' : 'success',
        reload: !refund,
        paragraphs: refund
          ? [
              `Nous avons bien reçu votre paiement de ${amount} (${what}), mais il ne restait plus de place. Vous allez être remboursé(e) ; un e-mail vous le confirme.`,
            ]
          : [`Merci ! Votre paiement de ${amount} est confirmé (${what}) : vos billets sont en cours d'émission.`],
      };
    }
    case 'ECHOUE':
      return {
        status: 200,
        title: "Le paiement n'a pas abouti",
        tone: 'error',
        paragraphs: [
          `Votre paiement de ${amount} (${what}) n'a pas abouti : rien n'a été débité et aucun billet n'a été émis.`,
          "Vous pouvez recommencer l'achat depuis l'application s'il reste des places.",
        ],
      };
    case 'EXPIRE':
      return {
        status: 200,
        title: 'Délai de paiement dépassé',
        tone: 'error',
        paragraphs: [
          `Votre paiement de ${amount} (${what}) n'a pas été confirmé à temps : les places ont été libérées.`,
          'Si votre compte a été débité, le paiement sera reconnu dès que le fournisseur le confirmera.',
        ],
      };
    case 'REMBOURSE':
      return {
        status: 200,
        title: 'Paiement remboursé',
        tone: 'neutral',
        paragraphs: [`Votre paiement de ${amount} (${what}) vous a été remboursé.`],
      };
  }
}

/**
 * The buyer follows the payment link we gave (`payment_url` of a ticket payment: /paiement/ouvrir/{reference}/):
 * the first opening is recorded (a redirect payment whose page is never opened gives its seats back sooner, see
 * earlyReleaseAt in service.ts), then the browser goes on to the provider's page. A payment that can no longer be
 * paid (expired, released early, settled) is not sent there: its page says where it stands instead.
 */
export async function openPaymentPage(
  deps: PaymentDeps,
  reference: string,
): Promise<{ redirect: string; page?: undefined } | { page: ReturnPage; redirect?: undefined }> {
  if (!REFERENCE.test(reference)) return { page: await returnPageFor(deps, undefined, false) };
  const now = deps.now?.() ?? new Date();
  const [row] = await deps.db
    .update(payments)
    .set({ dateOuverture: sql`coalesce(${payments.dateOuverture}, ${now.toISOString()}::timestamptz)` })
    .where(
      and(
        eq(payments.reference, reference),
        eq(payments.statut, 'EN_ATTENTE'),
        gt(payments.expireLe, now),
        sql`${payments.paymentUrl} IS NOT NULL`,
      ),
    )
    .returning({ url: payments.paymentUrl });
  if (row?.url) return { redirect: row.url };
  return { page: await returnPageFor(deps, reference, false) };
}
