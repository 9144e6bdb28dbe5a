/**
 * The payment page of the redirect flows (Orange, Wave, CinetPay): the payer types a number and confirms, as
 * on the real pages; the number picks the outcome (see outcomes.ts). Plain HTML and inline CSS, no external
 * asset, so it works offline.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { OUTCOMES } from './outcomes.js';
import { escapeHtml } from '../../../core/html.js';
import type { SimPayment, SimProvider, SimulatorState } from './state.js';

const BRANDS: Record<Exclude<SimProvider, 'mtn'>, { name: string; color: string }> = {
  orange: { name: 'Orange Money', color: '#ff7900' },
  wave: { name: 'Wave', color: '#1dc8ff' },
  cinetpay: { name: 'Moov Money (CinetPay)', color: '#0b5aa5' },
};

/** The amount as the payer reads it: francs CFA, also in Orange's sandbox, whose play currency OUV stands for them. */
export const francsForPayer = (n: number, currency: string): string => {
  const amount = new Intl.NumberFormat('fr-FR').format(n);
  if (currency === 'XOF') return `${amount} F CFA`;
  if (currency === 'OUV') return `${amount} F CFA (OUV, monnaie de test du bac à sable Orange)`;
  return `${amount} ${currency}`;
};

/** Why a payment did not go through, in the payer's words (the simulator's reason codes; any other code as is). */
const REASONS: Record<string, string> = {
  NOT_ENOUGH_FUNDS: 'solde insuffisant',
  APPROVAL_REJECTED: 'refusé par le payeur',
  TRANSACTION_CANCELED: 'annulé par le payeur',
};
const refusal = (p: SimPayment): string | undefined => {
  // A Wave session expired by the merchant after a failed attempt keeps that attempt's reason.
  const code = p.state === 'failed' ? p.reason : typeof p.extra.failedReason === 'string' ? p.extra.failedReason : undefined;
  return code ? (REASONS[code] ?? code) : undefined;
};

function layout(title: string, color: string, body: string, refresh?: { seconds: number; url: string }): string {
  const meta = refresh ? `<meta http-equiv="refresh" content="${refresh.seconds};url=${escapeHtml(refresh.url)}">` : '';
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${meta}
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f4f6;margin:0;padding:24px;color:#222}
main{max-width:420px;margin:0 auto;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);overflow:hidden}
header{background:${color};color:#fff;padding:16px 20px;font-weight:600;font-size:18px}
section{padding:20px}.amount{font-size:28px;font-weight:700;margin:4px 0 16px}
label{display:block;font-weight:600;margin-bottom:6px}input{width:100%;box-sizing:border-box;font-size:18px;padding:10px;border:1px solid #bbb;border-radius:8px}
.actions{display:flex;gap:10px;margin-top:16px}button{flex:1;font-size:16px;padding:12px;border:0;border-radius:8px;cursor:pointer}
.pay{background:${color};color:#fff}.cancel{background:#e4e4e8;color:#222}.error{color:#b00020;margin-top:8px}
.note{font-size:13px;color:#666;margin-top:18px}table{font-size:13px;border-collapse:collapse;width:100%}td{padding:2px 4px}
.sim{background:#fff3cd;color:#664d03;font-size:12px;padding:6px 20px}
</style></head><body><main><header>${escapeHtml(title)}</header><div class="sim">Simulateur SpotVibe : aucun argent réel n'est débité.</div>${body}</main></body></html>`;
}

function formPage(p: SimPayment, provider: Exclude<SimProvider, 'mtn'>, error?: string, value?: string): string {
  const b = BRANDS[provider];
  const rows = Object.entries(OUTCOMES)
    .map(([end, o]) => `<tr><td>…${end}</td><td>${escapeHtml(o.label)}</td></tr>`)
    .join('');
  const prefill = value ?? (typeof p.extra.suggestedPhone === 'string' ? p.extra.suggestedPhone : '');
  return layout(
    `Payer avec ${b.name}`,
    b.color,
    `<section>
<div>Marchand : SpotVibe</div><div>${escapeHtml(p.description)}</div>
<div class="amount">${francsForPayer(p.amount, p.currency)}</div>
<form method="post">
<label for="telephone">Numéro de téléphone</label>
<input id="telephone" name="telephone" type="tel" inputmode="tel" autocomplete="tel" placeholder="+225 07 01 02 03 04" value="${escapeHtml(prefill)}" required>
${error ? `<div class="error" role="alert">${escapeHtml(error)}</div>` : ''}
<div class="actions"><button class="pay" name="action" value="payer" type="submit">Payer</button>
<button class="cancel" name="action" value="annuler" type="submit" formnovalidate>Annuler</button></div>
</form>
<div class="note">Le dernier couple de chiffres du numéro décide de l'issue :<table>${rows}<tr><td>autre</td><td>réussit en une seconde environ</td></tr></table></div>
</section>`,
  );
}

function statusPage(p: SimPayment, provider: Exclude<SimProvider, 'mtn'>, selfUrl: string): string {
  const b = BRANDS[provider];
  if (p.state === 'processing') {
    return layout(
      `Paiement ${b.name}`,
      b.color,
      `<section><p>Paiement en cours de traitement…</p><p class="note">Cette page se met à jour toute seule.</p></section>`,
      { seconds: 1, url: selfUrl },
    );
  }
  const ok = p.state === 'succeeded';
  const target = ok ? p.successUrl : p.failureUrl;
  // A session the merchant expired after a failed attempt (Wave) failed for that attempt's reason: say that one.
  const why = refusal(p);
  const text = ok
    ? 'Paiement réussi. Merci !'
    : p.state === 'expired' && !why
      ? 'Cette demande de paiement a expiré.'
      : `Paiement refusé${why ? ` (${why})` : ''}.`;
  const back = target ? `<p><a href="${escapeHtml(target)}">Retourner chez le marchand</a></p>` : '';
  return layout(
    `Paiement ${b.name}`,
    b.color,
    `<section><p>${escapeHtml(text)}</p>${back}</section>`,
    target ? { seconds: 3, url: target } : undefined,
  );
}

/** The Content-Security-Policy of an HTML page of the simulator: its own inline <style> blocks by hash, nothing else. */
export function pageCsp(html: string): string {
  const hashes = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`,
  );
  const style = hashes.length ? hashes.join(' ') : "'none'";
  return `default-src 'none'; style-src ${style}; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;
}

/** Digits of a number the payer typed, accepting spaces, dots, dashes and a leading + or 00. */
export function readPayerNumber(input: string): string | null {
  const digits = input
    .replace(/[\s.-]/g, '')
    .replace(/^\+/, '')
    .replace(/^00/, '');
  return /^\d{8,15}$/.test(digits) ? digits : null;
}

export function pageRoutes(app: FastifyInstance, state: SimulatorState): void {
  const find = (provider: string, token: string) => (provider in BRANDS ? state.findByPage(provider as SimProvider, token) : undefined);
  const notFound = (reply: FastifyReply) =>
    reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(layout('Paiement introuvable', '#555', '<section><p>Ce lien de paiement est inconnu ou a été supprimé.</p></section>'));

  app.get<{ Params: { provider: string; token: string } }>('/pay/:provider/:token', async (req, reply) => {
    const p = find(req.params.provider, req.params.token);
    if (!p) return notFound(reply);
    const provider = req.params.provider as Exclude<SimProvider, 'mtn'>;
    reply.type('text/html; charset=utf-8');
    return p.state === 'awaiting_payer' ? formPage(p, provider) : statusPage(p, provider, req.url);
  });

  app.post<{ Params: { provider: string; token: string }; Body: { telephone?: string; action?: string } }>(
    '/pay/:provider/:token',
    async (req, reply) => {
      const p = find(req.params.provider, req.params.token);
      if (!p) return notFound(reply);
      const provider = req.params.provider as Exclude<SimProvider, 'mtn'>;
      reply.type('text/html; charset=utf-8');
      if (p.state !== 'awaiting_payer') return reply.code(409).send(statusPage(p, provider, req.url));
      const body = req.body ?? {};
      if (body.action === 'annuler') {
        p.state = 'processing';
        p.outcome = { final: 'failed', delay: 'normal', callbacks: 1, label: 'annulé par le payeur' };
        state.finish(p, 'failed', 'TRANSACTION_CANCELED');
        return reply.redirect(req.url, 303);
      }
      const payer = readPayerNumber(String(body.telephone ?? ''));
      if (!payer)
        return reply
          .code(400)
          .send(
            formPage(
              p,
              provider,
              'Numéro de téléphone invalide : 8 à 15 chiffres, par exemple +225 07 01 02 03 04.',
              String(body.telephone ?? ''),
            ),
          );
      state.submit(p, payer);
      return reply.redirect(req.url, 303);
    },
  );
}
