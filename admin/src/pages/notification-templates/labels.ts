export const CATEGORIES: Record<string, string> = {
  COMPTE: 'Compte',
  MODERATION: 'Modération',
  EVENEMENT: 'Événement',
  PAIEMENT: 'Paiement',
  SOCIAL: 'Social',
  ABONNEMENT: 'Abonnement',
  MESSAGE: 'Message',
};

export const CANAUX: Record<string, string> = { EMAIL: 'E-mail', PUSH: 'Push', SMS: 'SMS' };
