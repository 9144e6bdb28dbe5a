/**
 * The pages an account email's link opens (in a browser, on the phone that read the email): confirming the
 * address, choosing a new password. The secret travels in the link's fragment (`#token=…`): a browser never sends
 * a fragment to a server, so no proxy or access log ever records it. The page's script reads it, removes it from
 * the address bar and sends it to the API in a POST body.
 */
import type { PageContent } from '../../core/pages.js';

export const VERIFY_EMAIL_PAGE = '/compte/email/verifier/';
export const RESET_PASSWORD_PAGE = '/compte/mot-de-passe/nouveau/';

export const verifyEmailPage: PageContent = {
  title: 'Confirmation de votre adresse e-mail',
  tone: 'info',
  paragraphs: ['Vérification en cours…'],
  html: '<noscript><p>Activez JavaScript pour confirmer votre adresse, ou saisissez dans l’application le code reçu par e-mail.</p></noscript>',
  scripts: ['/static/verifier-email.js'],
};

export const resetPasswordPage: PageContent = {
  title: 'Choisir un nouveau mot de passe',
  tone: 'info',
  paragraphs: ['Choisissez un mot de passe d’au moins 8 caractères, qui ne soit pas uniquement des chiffres.'],
  html:
    '<form id="nouveau-mot-de-passe" novalidate>' +
    '<label for="new_password">Nouveau mot de passe</label><input id="new_password" name="new_password" type="password" autocomplete="new-password" required>' +
    '<p class="erreur" id="erreur-new_password" role="alert"></p>' +
    '<label for="new_password_confirm">Confirmation</label><input id="new_password_confirm" name="new_password_confirm" type="password" autocomplete="new-password" required>' +
    '<p class="erreur" id="erreur-new_password_confirm" role="alert"></p>' +
    '<p class="erreur" id="erreur-token" role="alert"></p>' +
    '<button type="submit">Enregistrer le nouveau mot de passe</button></form>' +
    '<noscript><p>Activez JavaScript pour choisir votre nouveau mot de passe.</p></noscript>',
  scripts: ['/static/mot-de-passe.js'],
};

/** Reads the token from the fragment and forgets it (the address bar, the history). */
const TOKEN_FROM_FRAGMENT = `var token = new URLSearchParams(location.hash.slice(1)).get('token');
if (location.hash) history.replaceState(null, '', location.pathname);
function show(ok, text) {
  var h = document.querySelector('h1'); h.className = ok ? 'success' : 'error';
  var c = document.getElementById('contenu'); c.textContent = ''; var p = document.createElement('p'); p.textContent = text; c.appendChild(p);
}`;

export const VERIFY_EMAIL_SCRIPT = `'use strict';
${TOKEN_FROM_FRAGMENT}
if (!token) show(false, 'Ce lien est incomplet : ouvrez le lien reçu par e-mail tel quel, ou demandez-en un nouveau dans l’application.');
else fetch('/api/auth/email/verify/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: token }) })
  .then(function (r) { return r.json().then(function (b) { show(r.ok, r.ok ? b.message : (b.error || 'Échec de la vérification.')); }); })
  .catch(function () { show(false, 'Connexion impossible. Réessayez dans un instant.'); });
`;

export const RESET_PASSWORD_SCRIPT = `'use strict';
${TOKEN_FROM_FRAGMENT}
var form = document.getElementById('nouveau-mot-de-passe');
if (!token) show(false, 'Ce lien est incomplet : ouvrez le lien reçu par e-mail tel quel, ou demandez-en un nouveau.');
else form.addEventListener('submit', function (e) {
  e.preventDefault();
  ['new_password', 'new_password_confirm', 'token'].forEach(function (f) { document.getElementById('erreur-' + f).textContent = ''; });
  var body = { token: token, new_password: form.new_password.value, new_password_confirm: form.new_password_confirm.value };
  fetch('/api/auth/password/reset/confirm/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    .then(function (r) { return r.json().then(function (b) {
      if (r.ok) return show(true, b.message);
      var d = b.details || {}; var shown = false;
      Object.keys(d).forEach(function (f) { var el = document.getElementById('erreur-' + f); if (el) { el.textContent = d[f].join(' '); shown = true; } });
      if (!shown) document.getElementById('erreur-token').textContent = b.error || 'Échec.';
    }); })
    .catch(function () { document.getElementById('erreur-token').textContent = 'Connexion impossible. Réessayez dans un instant.'; });
});
`;
