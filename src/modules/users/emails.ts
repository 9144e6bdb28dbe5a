/** The French emails and SMS of the accounts module. Plain text first (read everywhere), simple HTML beside. */
import type { EmailMessage } from '../notifications/channels/email.js';
import { escapeHtml } from '../../core/html.js';

const SIGNATURE = "\n\nL'équipe SpotVibe";

function html(paragraphs: string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  const button = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '';
  return `<!doctype html><html lang="fr"><body>${body}${button}<p>L'équipe SpotVibe</p></body></html>`;
}

function hello(firstName: string, username: string): string {
  return `Bonjour ${firstName || username},`;
}

export function welcomeEmail(to: string, u: { firstName: string; username: string }, verifyLink: string, token: string): EmailMessage {
  const lines = [
    hello(u.firstName, u.username),
    'Bienvenue sur SpotVibe ! Pour confirmer votre adresse e-mail, ouvrez ce lien (valable 48 heures) :',
  ];
  return {
    to,
    subject: 'Bienvenue sur SpotVibe : confirmez votre adresse e-mail',
    text: `${lines.join('\n\n')}\n\n${verifyLink}\n\nCode de vérification : ${token}${SIGNATURE}`,
    html: html(lines, { href: verifyLink, label: 'Confirmer mon adresse e-mail' }),
  };
}

export function verifyEmail(to: string, u: { firstName: string; username: string }, verifyLink: string, token: string): EmailMessage {
  const lines = [hello(u.firstName, u.username), 'Pour confirmer votre adresse e-mail, ouvrez ce lien (valable 48 heures) :'];
  return {
    to,
    subject: 'SpotVibe : confirmez votre adresse e-mail',
    text: `${lines.join('\n\n')}\n\n${verifyLink}\n\nCode de vérification : ${token}${SIGNATURE}`,
    html: html(lines, { href: verifyLink, label: 'Confirmer mon adresse e-mail' }),
  };
}

export function resetEmail(to: string, u: { firstName: string; username: string }, resetLink: string, token: string): EmailMessage {
  const lines = [
    hello(u.firstName, u.username),
    'Vous avez demandé à réinitialiser votre mot de passe SpotVibe. Ouvrez ce lien pour en choisir un nouveau (valable 1 heure, utilisable une seule fois) :',
  ];
  const after = "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.";
  return {
    to,
    subject: 'SpotVibe : réinitialisation de votre mot de passe',
    text: `${lines.join('\n\n')}\n\n${resetLink}\n\nCode de réinitialisation : ${token}\n\n${after}${SIGNATURE}`,
    html: html([...lines, after], { href: resetLink, label: 'Choisir un nouveau mot de passe' }),
  };
}

export function passwordChangedEmail(to: string, u: { firstName: string; username: string }, how: 'change' | 'reset'): EmailMessage {
  const lines = [
    hello(u.firstName, u.username),
    how === 'reset'
      ? 'Le mot de passe de votre compte SpotVibe vient d’être réinitialisé. Toutes vos sessions ont été fermées.'
      : 'Le mot de passe de votre compte SpotVibe vient d’être modifié. Vos autres sessions ont été fermées.',
    "Si vous n'êtes pas à l'origine de ce changement, réinitialisez votre mot de passe sans attendre et contactez le support.",
  ];
  return { to, subject: 'SpotVibe : votre mot de passe a été modifié', text: lines.join('\n\n') + SIGNATURE, html: html(lines) };
}

export function accountDeletedEmail(to: string, u: { firstName: string; username: string }): EmailMessage {
  const lines = [
    hello(u.firstName, u.username),
    'Votre compte SpotVibe a été supprimé et vos données personnelles effacées. Les paiements déjà effectués sont conservés, sans lien avec vous, pour nos obligations comptables.',
  ];
  return { to, subject: 'SpotVibe : votre compte a été supprimé', text: lines.join('\n\n') + SIGNATURE, html: html(lines) };
}

export function phoneCodeSms(code: string, minutes: number): string {
  return `SpotVibe : votre code de vérification est ${code}. Il expire dans ${minutes} minutes. Ne le communiquez à personne.`;
}

/**
 * A link from a template with {token} (PASSWORD_RESET_URL…, an app's own page) or, by default, one of the
 * server's account pages (account-pages.ts) with the token in the fragment, which no server or proxy sees.
 */
export function linkFor(template: string | undefined, origin: string, defaultPage: string, token: string): string {
  const t = encodeURIComponent(token);
  return template ? template.replace('{token}', t) : `${origin}${defaultPage}#token=${t}`;
}
