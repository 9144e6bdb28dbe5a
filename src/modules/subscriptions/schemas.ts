/** JSON shapes of subscriptions (API.md: Subscriptions). */
import { Type } from 'typebox';
import { FOURNISSEURS } from '../payments/tables.js';
import { SUBSCRIPTION_NATURES, SUBSCRIPTION_STATUTS } from './tables.js';
import type { Plan, Subscription } from './effective.js';

export const Fonctionnalites = Type.Object({
  max_evenements_actifs: Type.Union([Type.Integer(), Type.Null()], { description: 'null = illimité' }),
  evenements_payants: Type.Boolean(),
  max_types_billet_par_evenement: Type.Union([Type.Integer(), Type.Null()], { description: 'null = illimité' }),
  max_membres_equipe: Type.Union([Type.Integer(), Type.Null()], {
    description: "Membres d'équipe (contrôle, gestion) par événement ; null = illimité",
  }),
  commission_pourcentage: Type.Number(),
  mise_en_avant: Type.Boolean(),
  statistiques_avancees: Type.Boolean(),
  messages_participants: Type.Boolean(),
});

export const PlanSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  nom: Type.String(),
  description: Type.String(),
  prix: Type.Integer({ description: 'Francs CFA (XOF) par période' }),
  duree_jours: Type.Integer(),
  fonctionnalites: Fonctionnalites,
  actif: Type.Boolean(),
});

const date = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const SubscriptionSchema = Type.Object({
  id: Type.Integer(),
  plan: PlanSchema,
  statut: Type.Enum(SUBSCRIPTION_STATUTS),
  nature: Type.Enum(SUBSCRIPTION_NATURES),
  montant: Type.Integer(),
  payment_id: Type.Union([Type.Integer(), Type.Null()]),
  date_debut: date,
  date_fin: date,
  en_grace_jusqu_au: date,
  annule_le: date,
  date_creation: Type.String({ format: 'date-time' }),
});

export const SubscribeBody = Type.Object({
  plan_id: Type.Integer({ minimum: 1 }),
  fournisseur: Type.Enum(FOURNISSEURS),
  telephone: Type.String({ minLength: 8, maxLength: 20 }),
});

export function fonctionnalites(p: Plan) {
  return {
    max_evenements_actifs: p.maxEvenementsActifs,
    evenements_payants: p.evenementsPayants,
    max_types_billet_par_evenement: p.maxTypesBilletParEvenement,
    max_membres_equipe: p.maxMembresEquipe,
    commission_pourcentage: Number(p.commissionPourcentage),
    mise_en_avant: p.miseEnAvant,
    statistiques_avancees: p.statistiquesAvancees,
    messages_participants: p.messagesParticipants,
  };
}

export function planView(p: Plan) {
  return {
    id: p.id,
    code: p.code,
    nom: p.nom,
    description: p.description,
    prix: p.prix,
    duree_jours: p.dureeJours,
    fonctionnalites: fonctionnalites(p),
    actif: p.actif,
  };
}

export function subscriptionView({ sub, plan }: { sub: Subscription; plan: Plan }) {
  return {
    id: sub.id,
    plan: planView(plan),
    statut: sub.statut,
    nature: sub.nature,
    montant: sub.montant,
    payment_id: sub.paymentId,
    date_debut: sub.dateDebut?.toISOString() ?? null,
    date_fin: sub.dateFin?.toISOString() ?? null,
    en_grace_jusqu_au: sub.enGraceJusquAu?.toISOString() ?? null,
    annule_le: sub.annuleLe?.toISOString() ?? null,
    date_creation: sub.dateCreation.toISOString(),
  };
}
