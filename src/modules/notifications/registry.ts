/**
 * Every notification type, in code: its category, whether it is critical (ignores quiet hours), whether it is
 * transactional (account messages: always sent on their channels, never subject to preferences, never shown in
 * the inbox because they carry links and codes), its default channels, the variables its templates may use and
 * its seeded French templates (templates/defaults.ts). Other modules register theirs with `registerType`
 * (subscriptions, issue 14): the preferences, the staff templates and the renderer read this one registry.
 */
import type { Canal } from './tables.js';
import { DEFAULT_TEMPLATES, type TemplateTexts } from './templates/defaults.js';

export type Categorie = 'COMPTE' | 'MODERATION' | 'EVENEMENT' | 'PAIEMENT' | 'SOCIAL' | 'ABONNEMENT' | 'MESSAGE';

export interface NotificationType {
  type: string;
  categorie: Categorie;
  /** Sent at once even during the person's quiet hours (codes, tickets, payment results, cancellations). */
  critique: boolean;
  /** Account messages: always sent on `canaux`, no preference, no inbox entry. */
  transactionnel: boolean;
  /** Channels on by default (the in-app inbox always is, except for transactional types). */
  canaux: readonly Canal[];
  /** Variables the templates may name (`{{ event.titre }}`), with a sample value each for checking a template. */
  variables: Record<string, string>;
  modeles: TemplateTexts;
  description: string;
}

const USER = { 'utilisateur.prenom': 'Awa', 'utilisateur.nom_utilisateur': 'awa.kone' };
const EVENT = {
  'event.id': '42',
  'event.titre': 'Concert Magic System',
  'event.titre_court': 'Concert Magic System',
  'event.date': 'samedi 12 décembre 2026 à 20:00 (heure d’Abidjan)',
  'event.date_courte': '12/12 20:00',
  'event.lieu': 'Palais de la Culture, Treichville',
  lien: 'https://spotvibe.ci/evenements/42',
};

function t(
  type: string,
  categorie: Categorie,
  canaux: readonly Canal[],
  variables: Record<string, string>,
  description: string,
  opts: { critique?: boolean; transactionnel?: boolean } = {},
): NotificationType {
  const modeles = DEFAULT_TEMPLATES[type];
  if (!modeles) throw new Error(`Pas de modèle par défaut pour ${type}`);
  return {
    type,
    categorie,
    canaux,
    variables: { ...USER, ...variables },
    description,
    modeles,
    critique: opts.critique ?? opts.transactionnel ?? false,
    transactionnel: opts.transactionnel ?? false,
  };
}

const TYPES = new Map<string, NotificationType>();

export function registerType(def: NotificationType): void {
  if (TYPES.has(def.type)) throw new Error(`Type de notification déclaré deux fois : ${def.type}`);
  TYPES.set(def.type, def);
}

for (const def of [
  t(
    'EVENEMENT_SOUMIS',
    'MODERATION',
    ['EMAIL', 'PUSH'],
    { ...EVENT, 'organisateur.nom': 'Koffi' },
    'Au personnel : un événement attend la modération',
  ),
  t('EVENEMENT_VALIDE', 'EVENEMENT', ['EMAIL', 'PUSH'], EVENT, "À l'organisateur : son événement est publié"),
  t(
    'EVENEMENT_REJETE',
    'EVENEMENT',
    ['EMAIL', 'PUSH'],
    { ...EVENT, motif: 'Affiche illisible' },
    "À l'organisateur : refusé, avec le motif",
  ),
  t('MODIFICATION_VALIDEE', 'EVENEMENT', ['EMAIL', 'PUSH'], EVENT, "À l'organisateur : sa modification d'un événement publié est en ligne"),
  t(
    'MODIFICATION_REFUSEE',
    'EVENEMENT',
    ['EMAIL', 'PUSH'],
    { ...EVENT, motif: 'Titre trompeur' },
    "À l'organisateur : sa modification est refusée, avec le motif",
  ),
  t(
    'EVENEMENT_MODIFIE',
    'EVENEMENT',
    ['EMAIL', 'PUSH'],
    { ...EVENT, changements: 'Date : samedi 19 décembre 2026 à 20:00' },
    'Aux participants : la date ou le lieu a changé',
  ),
  t('EVENEMENT_ANNULE', 'EVENEMENT', ['EMAIL', 'PUSH', 'SMS'], { ...EVENT, motif: 'Météo' }, 'Aux participants : événement annulé', {
    critique: true,
  }),
  t('RAPPEL_EVENEMENT', 'EVENEMENT', ['EMAIL', 'PUSH', 'SMS'], { ...EVENT, delai: 'demain' }, 'Aux participants : rappel avant le début'),
  t(
    'NOUVEL_EVENEMENT',
    'SOCIAL',
    ['EMAIL', 'PUSH'],
    { ...EVENT, 'organisateur.nom': 'Koffi' },
    'Aux abonnés : un organisateur suivi publie',
  ),
  t('NOUVEL_ABONNE', 'SOCIAL', ['PUSH'], { 'abonne.nom': 'Yao', 'abonne.id': '7' }, 'Quelqu’un vous suit'),
  t('PARTICIPATION_CONFIRMEE', 'EVENEMENT', ['EMAIL', 'PUSH'], EVENT, 'Participation à un événement gratuit confirmée'),
  t(
    'PAIEMENT_REUSSI',
    'PAIEMENT',
    ['EMAIL', 'PUSH', 'SMS'],
    { ...EVENT, montant: '15 000 F CFA', quantite: '2', code_billet: 'K7QM-2XPA-9RTD', reference: 'SV-AB12CD' },
    'Paiement réussi, avec le code du billet',
    { critique: true },
  ),
  t(
    'PAIEMENT_ECHOUE',
    'PAIEMENT',
    ['EMAIL', 'PUSH', 'SMS'],
    { ...EVENT, montant: '15 000 F CFA', reference: 'SV-AB12CD', statut: 'ECHOUE', rembourse: '' },
    'Paiement échoué ou expiré',
    { critique: true },
  ),
  t(
    'ANOMALIE_PAIEMENT',
    'PAIEMENT',
    ['EMAIL', 'PUSH'],
    { ...EVENT, reference: 'SV-AB12CD', fournisseur: 'MTN_MONEY', recu: '500 XOF', attendu: '5000 XOF', remboursement: '12' },
    'Au personnel : un fournisseur confirme un autre montant que celui demandé (remboursé automatiquement)',
    { critique: true },
  ),
  t(
    'REMBOURSEMENT',
    'PAIEMENT',
    ['EMAIL', 'PUSH', 'SMS'],
    { ...EVENT, montant: '15 000 F CFA', reference: 'SV-AB12CD', en_cours: '' },
    'Remboursement effectué ou lancé',
    { critique: true },
  ),
  t(
    'ABONNEMENT_ACTIVE',
    'ABONNEMENT',
    ['EMAIL', 'PUSH'],
    { plan: 'Professionnel', date_debut: '12 décembre 2026', date_fin: '11 janvier 2027' },
    'Abonnement activé (payé ou octroyé par le personnel)',
  ),
  // Renewal is reminder-driven (no automatic debit): SMS on by default, like the event reminder; it waits for the
  // end of the quiet hours (the sweep runs around the clock, the renewal can wait till morning).
  t(
    'ABONNEMENT_EXPIRE_BIENTOT',
    'ABONNEMENT',
    ['EMAIL', 'PUSH', 'SMS'],
    {
      plan: 'Professionnel',
      date_fin: '11 janvier 2027',
      grace_jusqu_au: '18 janvier 2027',
      en_grace: '',
      prix: '15 000 F CFA',
      jours_restants: '7',
    },
    'Rappel de renouvellement (J-7, J-3, J-1, J0, puis J+3 pendant le délai de grâce)',
  ),
  t(
    'ABONNEMENT_EXPIRE',
    'ABONNEMENT',
    ['EMAIL', 'PUSH'],
    { plan: 'Professionnel', date_fin: '11 janvier 2027' },
    'Abonnement expiré : retour au forfait gratuit',
  ),
  t(
    'MESSAGE_ORGANISATEUR',
    'MESSAGE',
    ['EMAIL', 'PUSH'],
    { ...EVENT, titre_message: 'Ouverture des portes', message: 'Les portes ouvrent à 19 h.' },
    "Message de l'organisateur d'un événement suivi",
  ),
  // Account messages (API.md: transactional, always sent, never subject to preferences).
  t(
    'COMPTE_BIENVENUE',
    'COMPTE',
    ['EMAIL'],
    { lien: 'https://spotvibe.ci/compte/confirmer-email#token=x', code: 'x' },
    'Bienvenue et lien de confirmation',
    {
      transactionnel: true,
    },
  ),
  t(
    'COMPTE_VERIFICATION_EMAIL',
    'COMPTE',
    ['EMAIL'],
    { lien: 'https://spotvibe.ci/compte/confirmer-email#token=x', code: 'x' },
    "Confirmer l'adresse e-mail",
    {
      transactionnel: true,
    },
  ),
  t(
    'COMPTE_REINITIALISATION',
    'COMPTE',
    ['EMAIL'],
    { lien: 'https://spotvibe.ci/compte/nouveau-mot-de-passe#token=x', code: 'x' },
    'Lien de réinitialisation',
    {
      transactionnel: true,
    },
  ),
  t('COMPTE_MOT_DE_PASSE_MODIFIE', 'COMPTE', ['EMAIL'], { reinitialise: '' }, 'Mot de passe modifié', { transactionnel: true }),
  t('COMPTE_SUPPRIME', 'COMPTE', ['EMAIL'], {}, 'Compte supprimé', { transactionnel: true }),
  t('COMPTE_CODE_TELEPHONE', 'COMPTE', ['SMS'], { code: '123456', minutes: '10' }, 'Code de vérification du téléphone', {
    transactionnel: true,
  }),
]) {
  registerType(def);
}

export function notificationType(type: string): NotificationType | undefined {
  return TYPES.get(type);
}

export function requireType(type: string): NotificationType {
  const def = TYPES.get(type);
  if (!def) throw new Error(`Type de notification inconnu : ${type}`);
  return def;
}

export function allTypes(): NotificationType[] {
  return [...TYPES.values()];
}

/** The types people choose channels for (GET/PUT /api/notifications/preferences/): every non-transactional one. */
export function preferenceTypes(): NotificationType[] {
  return allTypes().filter((d) => !d.transactionnel);
}
