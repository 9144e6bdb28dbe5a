/**
 * Who hears what: the notifications module's handlers of the other modules' domain hooks. Each runs inside the
 * transaction of the change it reports, so the notification, its deliveries and their jobs exist exactly when
 * the change committed; a message to many (an event's participants, an organizer's followers) is one fan-out
 * job enqueued in that transaction (audiences.ts). Dedupe keys name the domain event, so the same event
 * reported twice (a retried job, a duplicated webhook) notifies nobody twice.
 */
import { eq } from 'drizzle-orm';
import type { HookHandlers } from '../../core/hooks.js';
import type { ProcessServices } from '../../jobs/queue.js';
import type { DbOrTx } from '../../db/client.js';
import { formatFrancs } from '../../core/french.js';
import { payments, refunds } from '../payments/tables.js';
import { tickets } from '../tickets/tables.js';
import { formatTicketCode } from '../tickets/render/code.js';
import { eventParticipations } from '../events/tables.js';
import { users } from '../users/tables.js';
import { eventFacts, FANOUT_JOB, staffIds, type FanoutData } from './audiences.js';
import { notify, type NotifyDeps } from './service.js';
import { notificationSettings } from './settings.js';
import { exportNotifications, eraseNotifications } from './inbox.js';
import '../events/hooks.js';
import '../payments/hooks.js';
import '../users/hooks.js';
import '../subscriptions/hooks.js';

const frDate = (d: Date | null) => (d ? new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Africa/Abidjan' }).format(d) : '');

async function paymentFacts(db: DbOrTx, paymentId: number) {
  const [p] = await db.select().from(payments).where(eq(payments.id, paymentId));
  if (!p?.utilisateurId || !p.evenementId) return null;
  const facts = await eventFacts(db, p.evenementId);
  if (!facts) return null;
  return {
    p,
    facts,
    data: { ...facts.data, montant: formatFrancs(p.montant), reference: p.reference, quantite: String(p.quantite) },
    donnees: { event_id: p.evenementId, payment_id: p.id },
  };
}

export function notificationReactions(services: Pick<ProcessServices, 'config'>): HookHandlers {
  const settings = notificationSettings(services.config);
  const deps = (jobs: NotifyDeps['jobs']): NotifyDeps => ({ jobs, settings });
  const fanout = (jobs: NotifyDeps['jobs'], tx: DbOrTx, f: FanoutData) => jobs.send(FANOUT_JOB, f, { tx });

  return {
    'event.submitted': async ({ tx, jobs, eventId }) => {
      const facts = await eventFacts(tx, eventId);
      if (!facts) return;
      const [org] = await tx.select({ u: users.username, f: users.firstName }).from(users).where(eq(users.id, facts.createurId));
      await notify(tx, deps(jobs), {
        type: 'EVENEMENT_SOUMIS',
        userIds: (await staffIds(tx)).filter((id) => id !== facts.createurId),
        dedupKey: `event:${eventId}:soumis:${facts.dateModification.getTime()}`,
        data: { ...facts.data, 'organisateur.nom': org?.f || org?.u || '' },
        donnees: { event_id: eventId },
      });
    },
    'event.moderated': async ({ tx, jobs, eventId, decision, motif, revisionId }) => {
      const facts = await eventFacts(tx, eventId);
      if (!facts) return;
      const approve = decision === 'approve';
      const type = revisionId
        ? approve
          ? 'MODIFICATION_VALIDEE'
          : 'MODIFICATION_REFUSEE'
        : approve
          ? 'EVENEMENT_VALIDE'
          : 'EVENEMENT_REJETE';
      const key = revisionId
        ? `revision:${revisionId}:${decision}`
        : approve
          ? `event:${eventId}:valide`
          : `event:${eventId}:rejete:${facts.dateModification.getTime()}`;
      await notify(tx, deps(jobs), {
        type,
        userIds: [facts.createurId],
        dedupKey: key,
        data: { ...facts.data, motif: motif ?? '' },
        donnees: { event_id: eventId, ...(revisionId ? { revision_id: revisionId } : {}) },
      });
      if (approve && !revisionId) {
        const [org] = await tx
          .select({ u: users.username, f: users.firstName, l: users.lastName })
          .from(users)
          .where(eq(users.id, facts.createurId));
        const name = `${org?.f ?? ''} ${org?.l ?? ''}`.trim() || org?.u || '';
        await fanout(jobs, tx, {
          type: 'NOUVEL_EVENEMENT',
          eventId,
          audience: 'abonnes',
          dedupKey: `event:${eventId}:nouvel`,
          data: { 'organisateur.nom': name },
        });
      }
    },
    'event.changed': async ({ tx, jobs, eventId, changes }) => {
      const facts = await eventFacts(tx, eventId);
      if (!facts || !changes.length) return;
      await fanout(jobs, tx, {
        type: 'EVENEMENT_MODIFIE',
        eventId,
        audience: 'participants',
        dedupKey: `event:${eventId}:modifie:${facts.dateModification.getTime()}`,
        data: { changements: changes.join('\n') },
      });
    },
    'event.cancelled': async ({ tx, jobs, event, motif }) => {
      // Only a published event has participants to tell (a pending or draft one had none).
      if (event.previousStatut !== 'VALIDE') return;
      await fanout(jobs, tx, {
        type: 'EVENEMENT_ANNULE',
        eventId: event.id,
        audience: 'participants_et_rembourses',
        dedupKey: `event:${event.id}:annule`,
        data: { motif: motif ?? '' },
      });
    },
    'participation.confirmed': async ({ tx, jobs, eventId, userId, participationId }) => {
      const facts = await eventFacts(tx, eventId);
      const [p] = await tx
        .select({ d: eventParticipations.dateParticipation })
        .from(eventParticipations)
        .where(eq(eventParticipations.id, participationId));
      if (!facts || !p) return;
      await notify(tx, deps(jobs), {
        type: 'PARTICIPATION_CONFIRMEE',
        userIds: [userId],
        dedupKey: `participation:${participationId}:${p.d.getTime()}`,
        data: facts.data,
        donnees: { event_id: eventId },
      });
    },
    'user.followed': async ({ tx, jobs, followerId, followedId }) => {
      const [f] = await tx.select({ u: users.username, f: users.firstName, l: users.lastName }).from(users).where(eq(users.id, followerId));
      if (!f) return;
      await notify(tx, deps(jobs), {
        type: 'NOUVEL_ABONNE',
        userIds: [followedId],
        dedupKey: `follow:${followerId}`,
        data: { 'abonne.nom': `${f.f} ${f.l}`.trim() || f.u, 'abonne.id': String(followerId) },
        donnees: { user_id: followerId },
      });
    },
    'payment.succeeded': async ({ tx, jobs, paymentId }) => {
      const pf = await paymentFacts(tx, paymentId);
      if (!pf) return;
      const codes = await tx.select({ code: tickets.code }).from(tickets).where(eq(tickets.paymentId, paymentId)).orderBy(tickets.rang);
      await notify(tx, deps(jobs), {
        type: 'PAIEMENT_REUSSI',
        userIds: [pf.p.utilisateurId!],
        dedupKey: `payment:${paymentId}:reussi`,
        // The first ticket's code (one SMS); every code is in the app and the email's "Mes billets".
        data: { ...pf.data, code_billet: codes[0] ? formatTicketCode(codes[0].code) : '' },
        donnees: pf.donnees,
      });
    },
    'payment.failed': async ({ tx, jobs, paymentId }) => {
      const pf = await paymentFacts(tx, paymentId);
      if (!pf) return;
      await notify(tx, deps(jobs), {
        type: 'PAIEMENT_ECHOUE',
        userIds: [pf.p.utilisateurId!],
        dedupKey: `payment:${paymentId}:echoue`,
        // An amount mismatch failed with money received: its refund exists already, the message says so.
        data: {
          ...pf.data,
          statut: pf.p.statut,
          rembourse: (await tx.select({ id: refunds.id }).from(refunds).where(eq(refunds.paymentId, paymentId))).length ? 'oui' : '',
        },
        donnees: pf.donnees,
      });
    },
    'payment.anomaly': async ({ tx, jobs, paymentId, refundId, recu, attendu }) => {
      const pf = await paymentFacts(tx, paymentId);
      if (!pf) return;
      await notify(tx, deps(jobs), {
        type: 'ANOMALIE_PAIEMENT',
        userIds: await staffIds(tx),
        dedupKey: `payment:${paymentId}:anomalie`,
        data: { ...pf.data, fournisseur: pf.p.fournisseur, recu, attendu, remboursement: refundId === null ? '?' : String(refundId) },
        donnees: { ...pf.donnees, refund_id: refundId },
      });
    },
    'refund.updated': async ({ tx, jobs, refundId, completed }) => {
      const [r] = await tx.select().from(refunds).where(eq(refunds.id, refundId));
      if (!r) return;
      const pf = await paymentFacts(tx, r.paymentId);
      if (!pf) return;
      await notify(tx, deps(jobs), {
        type: 'REMBOURSEMENT',
        userIds: [pf.p.utilisateurId!],
        dedupKey: `refund:${refundId}:${completed ? 'effectue' : 'cree'}`,
        data: { ...pf.data, montant: formatFrancs(r.montant), en_cours: completed ? '' : 'oui' },
        donnees: { ...pf.donnees, refund_id: refundId },
      });
    },
    // Subscriptions (issue 14): the organizer, in the transaction of the activation, the reminder step or the expiry.
    'subscription.activated': async ({ tx, jobs, subscription: s }) => {
      await notify(tx, deps(jobs), {
        type: 'ABONNEMENT_ACTIVE',
        userIds: [s.organisateurId],
        dedupKey: `subscription:${s.id}:active`,
        data: { plan: s.planNom, date_debut: frDate(s.dateDebut), date_fin: frDate(s.dateFin) },
        donnees: { subscription_id: s.id },
      });
    },
    'subscription.expiring': async ({ tx, jobs, subscription: s, etape, joursRestants }) => {
      await notify(tx, deps(jobs), {
        type: 'ABONNEMENT_EXPIRE_BIENTOT',
        userIds: [s.organisateurId],
        // One per step (the sweep's subscription_reminders row decides which worker raises it; this is the backstop).
        dedupKey: `subscription:${s.id}:rappel:${etape}`,
        data: {
          plan: s.planNom,
          date_fin: frDate(s.dateFin),
          grace_jusqu_au: frDate(s.enGraceJusquAu),
          en_grace: joursRestants < 0 ? 'oui' : '',
          prix: formatFrancs(s.planPrix),
          jours_restants: String(Math.max(0, joursRestants)),
        },
        donnees: { subscription_id: s.id, etape },
      });
    },
    'subscription.expired': async ({ tx, jobs, subscription: s }) => {
      await notify(tx, deps(jobs), {
        type: 'ABONNEMENT_EXPIRE',
        userIds: [s.organisateurId],
        dedupKey: `subscription:${s.id}:expire`,
        data: { plan: s.planNom, date_fin: frDate(s.dateFin) },
        donnees: { subscription_id: s.id },
      });
    },
    'account.message': async ({ tx, jobs, userId, type, key, data, to }) => {
      await notify(tx, deps(jobs), { type, userIds: [userId], dedupKey: key, data, ...(to ? { to } : {}) });
    },
    'account.erase': async ({ tx, userId }) => {
      await eraseNotifications(tx, userId);
    },
    'account.export': async ({ db, userId }) => ({ notifications: await exportNotifications(db, userId) }),
  };
}
