/**
 * The seeded French templates, one set per type (staff may edit them: /api/admin/notification-templates/).
 * Syntax: `{{ event.titre }}` (escaped in the HTML email), `{{ si motif }}…{{ sinon }}…{{ fin }}`.
 * SMS texts stay within one GSM-7 segment (160 characters) with realistic values: no ê, ç, « » or ’ in
 * them (each would switch the whole message to UCS-2, 70 characters); a test checks every one.
 */
export interface TemplateTexts {
  titre_push: string;
  contenu_push: string;
  sujet_email: string;
  contenu_email: string;
  contenu_sms: string;
}

const HELLO = 'Bonjour {{ utilisateur.prenom }},\n\n';
const SIGN = "\n\nL'équipe SpotVibe";

export const DEFAULT_TEMPLATES: Record<string, TemplateTexts> = {
  EVENEMENT_SOUMIS: {
    titre_push: 'Événement à modérer',
    contenu_push: '« {{ event.titre }} » de {{ organisateur.nom }} attend votre décision.',
    sujet_email: 'À modérer : {{ event.titre }}',
    contenu_email: `${HELLO}L'événement « {{ event.titre }} » de {{ organisateur.nom }} ({{ event.date }}) attend la modération.${SIGN}`,
    contenu_sms: '',
  },
  EVENEMENT_VALIDE: {
    titre_push: 'Événement validé',
    contenu_push: '« {{ event.titre }} » est maintenant visible sur SpotVibe.',
    sujet_email: 'Votre événement est validé : {{ event.titre }}',
    contenu_email: `${HELLO}Votre événement « {{ event.titre }} » a été validé : il est maintenant visible sur SpotVibe.${SIGN}`,
    contenu_sms: '',
  },
  EVENEMENT_REJETE: {
    titre_push: 'Événement refusé',
    contenu_push: "« {{ event.titre }} » n'a pas été validé. Motif : {{ motif }}",
    sujet_email: 'Votre événement a été refusé : {{ event.titre }}',
    contenu_email: `${HELLO}Votre événement « {{ event.titre }} » n'a pas été validé.\nMotif : {{ motif }}\n\nVous pouvez le modifier puis le soumettre à nouveau.${SIGN}`,
    contenu_sms: '',
  },
  MODIFICATION_VALIDEE: {
    titre_push: 'Modification en ligne',
    contenu_push: 'La nouvelle version de « {{ event.titre }} » est visible.',
    sujet_email: 'Votre modification est en ligne : {{ event.titre }}',
    contenu_email: `${HELLO}Notre équipe a validé la modification de votre événement « {{ event.titre }} » : la nouvelle version est maintenant visible sur SpotVibe.${SIGN}`,
    contenu_sms: '',
  },
  MODIFICATION_REFUSEE: {
    titre_push: 'Modification refusée',
    contenu_push: 'Modification de « {{ event.titre }} » refusée. Motif : {{ motif }}',
    sujet_email: 'Votre modification a été refusée : {{ event.titre }}',
    contenu_email: `${HELLO}Notre équipe n'a pas validé la modification de votre événement « {{ event.titre }} ». La version publiée reste inchangée.\nMotif : {{ motif }}\n\nVous pouvez proposer une nouvelle modification.${SIGN}`,
    contenu_sms: '',
  },
  EVENEMENT_MODIFIE: {
    titre_push: 'Changement : {{ event.titre }}',
    contenu_push: '{{ changements }}',
    sujet_email: "Changement pour l'événement : {{ event.titre }}",
    contenu_email: `${HELLO}L'événement « {{ event.titre }} » auquel vous participez a changé :\n{{ changements }}${SIGN}`,
    contenu_sms: '',
  },
  EVENEMENT_ANNULE: {
    titre_push: 'Événement annulé',
    contenu_push: '« {{ event.titre }} » est annulé.{{ si motif }} Motif : {{ motif }}{{ fin }}',
    sujet_email: 'Événement annulé : {{ event.titre }}',
    contenu_email: `${HELLO}L'événement « {{ event.titre }} » auquel vous participez a été annulé par son organisateur.{{ si motif }}\nMotif : {{ motif }}{{ fin }}\n\nLes billets payés sont remboursés.${SIGN}`,
    contenu_sms: 'SpotVibe: {{ event.titre_court }} du {{ event.date_courte }} est ANNULE. Les billets payes sont rembourses.',
  },
  RAPPEL_EVENEMENT: {
    titre_push: 'Rappel : {{ event.titre }}',
    contenu_push: 'C’est {{ delai }} : {{ event.date }}, {{ event.lieu }}.',
    sujet_email: 'Rappel : {{ event.titre }} {{ delai }}',
    contenu_email: `${HELLO}Petit rappel : « {{ event.titre }} » a lieu {{ delai }}, {{ event.date }}.\nLieu : {{ event.lieu }}${SIGN}`,
    contenu_sms: 'SpotVibe: rappel, {{ event.titre_court }} {{ delai }} ({{ event.date_courte }}).',
  },
  NOUVEL_EVENEMENT: {
    titre_push: 'Nouvel événement de {{ organisateur.nom }}',
    contenu_push: '« {{ event.titre }} », {{ event.date }}.',
    sujet_email: '{{ organisateur.nom }} publie : {{ event.titre }}',
    contenu_email: `${HELLO}{{ organisateur.nom }}, que vous suivez, publie « {{ event.titre }} » ({{ event.date }}, {{ event.lieu }}).${SIGN}`,
    contenu_sms: '',
  },
  NOUVEL_ABONNE: {
    titre_push: 'Nouvel abonné',
    contenu_push: '{{ abonne.nom }} vous suit désormais.',
    sujet_email: '{{ abonne.nom }} vous suit sur SpotVibe',
    contenu_email: `${HELLO}{{ abonne.nom }} vous suit désormais sur SpotVibe.${SIGN}`,
    contenu_sms: '',
  },
  PARTICIPATION_CONFIRMEE: {
    titre_push: 'Participation confirmée',
    contenu_push: 'Vous participez à « {{ event.titre }} », {{ event.date }}.',
    sujet_email: 'Participation confirmée : {{ event.titre }}',
    contenu_email: `${HELLO}Votre participation à « {{ event.titre }} » est confirmée.\nQuand : {{ event.date }}\nOù : {{ event.lieu }}${SIGN}`,
    contenu_sms: '',
  },
  PAIEMENT_REUSSI: {
    titre_push: 'Paiement réussi',
    contenu_push: '{{ quantite }} billet(s) pour « {{ event.titre }} ». Code : {{ code_billet }}',
    sujet_email: 'Vos billets : {{ event.titre }}',
    contenu_email: `${HELLO}Votre paiement de {{ montant }} (référence {{ reference }}) a réussi : {{ quantite }} billet(s) pour « {{ event.titre }} », {{ event.date }}.\nCode du billet : {{ code_billet }}\n\nVos billets et leurs QR codes sont dans l'application SpotVibe.${SIGN}`,
    contenu_sms:
      'SpotVibe: paiement de {{ montant }} OK. Billet {{ code_billet }} pour {{ event.titre_court }} le {{ event.date_courte }}.',
  },
  PAIEMENT_ECHOUE: {
    titre_push: 'Paiement non abouti',
    contenu_push:
      'Votre paiement pour « {{ event.titre }} » n’a pas abouti. Aucun billet émis.{{ si rembourse }} La somme reçue vous est remboursée.{{ fin }}',
    sujet_email: 'Paiement non abouti : {{ event.titre }}',
    contenu_email: `${HELLO}Votre paiement de {{ montant }} (référence {{ reference }}) pour « {{ event.titre }} » n'a pas abouti : aucun billet n'a été émis{{ si rembourse }} ; la somme que le fournisseur nous a transmise ne correspond pas au montant demandé, elle vous est remboursée automatiquement{{ sinon }} et vous n'êtes pas débité{{ fin }}.${SIGN}`,
    contenu_sms:
      'SpotVibe: paiement {{ reference }} de {{ montant }} non abouti. Aucun billet, {{ si rembourse }}somme recue remboursee.{{ sinon }}aucun debit.{{ fin }}',
  },
  ANOMALIE_PAIEMENT: {
    titre_push: 'Paiement au montant incohérent',
    contenu_push: '{{ fournisseur }} confirme {{ recu }} pour {{ attendu }} demandés ({{ reference }}) : remboursement lancé.',
    sujet_email: 'SpotVibe : paiement {{ reference }} au montant incohérent',
    contenu_email: `${HELLO}Le fournisseur {{ fournisseur }} confirme le paiement {{ reference }} (« {{ event.titre }} ») pour {{ recu }}, alors que {{ attendu }} étaient demandés.\nAucun billet n'a été émis ; le remboursement n° {{ remboursement }} du montant reçu est lancé automatiquement.\nVérifiez-le dans SpotVibe Administration, section Remboursements.${SIGN}`,
    contenu_sms: '',
  },
  REMBOURSEMENT: {
    titre_push: 'Remboursement',
    contenu_push:
      '{{ montant }} pour « {{ event.titre }} » {{ si en_cours }}vous seront remboursés par notre équipe{{ sinon }}ont été remboursés{{ fin }}.',
    sujet_email: 'Remboursement : {{ event.titre }}',
    contenu_email: `${HELLO}{{ si en_cours }}Votre paiement de {{ montant }} (référence {{ reference }}) pour « {{ event.titre }} » va vous être remboursé par notre équipe.{{ sinon }}Votre paiement de {{ montant }} (référence {{ reference }}) pour « {{ event.titre }} » a été remboursé.{{ fin }}${SIGN}`,
    contenu_sms: 'SpotVibe: remboursement de {{ montant }} ({{ reference }}) {{ si en_cours }}en cours{{ sinon }}effectue{{ fin }}.',
  },
  ABONNEMENT_ACTIVE: {
    titre_push: 'Abonnement activé',
    contenu_push: 'Votre abonnement {{ plan }} est actif jusqu’au {{ date_fin }}.',
    sujet_email: 'Votre abonnement {{ plan }} est actif',
    contenu_email: `${HELLO}Votre abonnement {{ plan }} est actif du {{ date_debut }} au {{ date_fin }}.${SIGN}`,
    contenu_sms: '',
  },
  ABONNEMENT_EXPIRE_BIENTOT: {
    titre_push: '{{ si en_grace }}Abonnement terminé{{ sinon }}Abonnement bientôt expiré{{ fin }}',
    contenu_push:
      '{{ si en_grace }}Votre abonnement {{ plan }} a pris fin le {{ date_fin }} ; ses avantages restent actifs jusqu’au {{ grace_jusqu_au }}.{{ sinon }}Votre abonnement {{ plan }} expire le {{ date_fin }}.{{ fin }} Renouvelez-le ({{ prix }}) dans l’application.',
    sujet_email:
      '{{ si en_grace }}Votre abonnement {{ plan }} a pris fin : renouvelez-le{{ sinon }}Votre abonnement {{ plan }} expire le {{ date_fin }}{{ fin }}',
    contenu_email: `${HELLO}{{ si en_grace }}Votre abonnement {{ plan }} a pris fin le {{ date_fin }}. Ses avantages restent actifs jusqu'au {{ grace_jusqu_au }} ; ensuite vous reviendrez au forfait gratuit.{{ sinon }}Votre abonnement {{ plan }} expire le {{ date_fin }}.{{ fin }}\n\nRenouvelez-le ({{ prix }}) depuis l'application, rubrique Abonnement : la nouvelle période commence à la fin de la précédente, vous ne perdez aucun jour payé.${SIGN}`,
    contenu_sms:
      "SpotVibe: votre forfait {{ plan }} {{ si en_grace }}a pris fin le {{ date_fin }}, actif jusqu'au {{ grace_jusqu_au }}{{ sinon }}expire le {{ date_fin }}{{ fin }}. Renouvelez-le ({{ prix }}) dans l'app.",
  },
  ABONNEMENT_EXPIRE: {
    titre_push: 'Abonnement expiré',
    contenu_push: 'Votre abonnement {{ plan }} a expiré : vous êtes revenu au forfait gratuit.',
    sujet_email: 'Votre abonnement {{ plan }} a expiré',
    contenu_email: `${HELLO}Votre abonnement {{ plan }} a expiré (période terminée le {{ date_fin }}) : vous êtes revenu(e) au forfait gratuit. Vos événements et les billets vendus restent en place ; seules les nouvelles créations suivent les limites du forfait gratuit.\nRéabonnez-vous à tout moment depuis l'application.${SIGN}`,
    contenu_sms: '',
  },
  MESSAGE_ORGANISATEUR: {
    titre_push: '{{ titre_message }}',
    contenu_push: '{{ message }}',
    sujet_email: '{{ event.titre }} : {{ titre_message }}',
    contenu_email: `${HELLO}L'organisateur de « {{ event.titre }} » vous écrit :\n\n{{ titre_message }}\n\n{{ message }}${SIGN}`,
    contenu_sms: '',
  },
  COMPTE_BIENVENUE: {
    titre_push: '',
    contenu_push: '',
    sujet_email: 'Bienvenue sur SpotVibe : confirmez votre adresse e-mail',
    contenu_email: `${HELLO}Bienvenue sur SpotVibe ! Pour confirmer votre adresse e-mail, ouvrez ce lien (valable 48 heures) :\n\n{{ lien }}\n\nCode de vérification : {{ code }}${SIGN}`,
    contenu_sms: '',
  },
  COMPTE_VERIFICATION_EMAIL: {
    titre_push: '',
    contenu_push: '',
    sujet_email: 'SpotVibe : confirmez votre adresse e-mail',
    contenu_email: `${HELLO}Pour confirmer votre adresse e-mail, ouvrez ce lien (valable 48 heures) :\n\n{{ lien }}\n\nCode de vérification : {{ code }}${SIGN}`,
    contenu_sms: '',
  },
  COMPTE_REINITIALISATION: {
    titre_push: '',
    contenu_push: '',
    sujet_email: 'SpotVibe : réinitialisation de votre mot de passe',
    contenu_email: `${HELLO}Vous avez demandé à réinitialiser votre mot de passe SpotVibe. Ouvrez ce lien pour en choisir un nouveau (valable 1 heure, utilisable une seule fois) :\n\n{{ lien }}\n\nCode de réinitialisation : {{ code }}\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.${SIGN}`,
    contenu_sms: '',
  },
  COMPTE_MOT_DE_PASSE_MODIFIE: {
    titre_push: '',
    contenu_push: '',
    sujet_email: 'SpotVibe : votre mot de passe a été modifié',
    contenu_email: `${HELLO}{{ si reinitialise }}Le mot de passe de votre compte SpotVibe vient d’être réinitialisé. Toutes vos sessions ont été fermées.{{ sinon }}Le mot de passe de votre compte SpotVibe vient d’être modifié. Vos autres sessions ont été fermées.{{ fin }}\n\nSi vous n'êtes pas à l'origine de ce changement, réinitialisez votre mot de passe sans attendre et contactez le support.${SIGN}`,
    contenu_sms: '',
  },
  COMPTE_SUPPRIME: {
    titre_push: '',
    contenu_push: '',
    sujet_email: 'SpotVibe : votre compte a été supprimé',
    contenu_email: `${HELLO}Votre compte SpotVibe a été supprimé et vos données personnelles effacées. Les paiements déjà effectués sont conservés, sans lien avec vous, pour nos obligations comptables.${SIGN}`,
    contenu_sms: '',
  },
  COMPTE_CODE_TELEPHONE: {
    titre_push: '',
    contenu_push: '',
    sujet_email: '',
    contenu_email: '',
    contenu_sms:
      'SpotVibe : votre code de vérification est {{ code }}. Il expire dans {{ minutes }} minutes. Ne le communiquez à personne.',
  },
};
