/**
 * A notification's texts for every channel, from the staff's template when it renders, else from the seeded
 * default: a template that breaks or renders empty never sends a blank message; the delivery records the
 * fallback and why (`modele_de_secours`, `erreur_modele`), which staff see with the deliveries.
 */
import type { NotificationType } from './registry.js';
import type { TemplateTexts } from './templates/defaults.js';
import { emailHtml, renderHtml, renderText } from './templates/engine.js';
import { smsSegments, toGsm7 } from './templates/gsm.js';
import type { Canal } from './tables.js';

export interface Rendered {
  titre: string;
  message: string;
  email: { sujet: string; texte: string; html: string } | null;
  push: { titre: string; corps: string } | null;
  sms: { texte: string; segments: number } | null;
  /** Per channel (and 'INBOX'): why the seeded default was used instead of the staff template. */
  secours: Partial<Record<Canal | 'INBOX', string>>;
}

type Fields = (keyof TemplateTexts)[];

function attempt(
  stored: TemplateTexts | null,
  fallback: TemplateTexts,
  fields: Fields,
  render: (t: TemplateTexts) => string[],
): { out: string[]; error?: string } {
  if (stored) {
    try {
      const out = render(stored);
      const empty = fields.find((_, i) => !out[i]!.trim());
      if (!empty) return { out };
      return { out: render(fallback), error: `le modèle du personnel donne un texte vide (${empty})` };
    } catch (err) {
      return { out: render(fallback), error: `le modèle du personnel ne peut pas être rendu : ${(err as Error).message.split('\n')[0]}` };
    }
  }
  return { out: render(fallback) };
}

export function renderNotification(def: NotificationType, stored: TemplateTexts | null, data: Record<string, unknown>): Rendered {
  const vars = Object.keys(def.variables);
  const text = (s: string) => renderText(s, vars, data).trim();
  const d = def.modeles;
  const secours: Rendered['secours'] = {};
  const has = (f: keyof TemplateTexts) => d[f].trim() !== '';

  let push: Rendered['push'] = null;
  if (has('titre_push')) {
    const r = attempt(stored, d, ['titre_push', 'contenu_push'], (t) => [text(t.titre_push), text(t.contenu_push)]);
    if (r.error) secours.PUSH = secours.INBOX = r.error;
    push = { titre: r.out[0]!, corps: r.out[1]! };
  }
  let email: Rendered['email'] = null;
  if (has('sujet_email')) {
    const r = attempt(stored, d, ['sujet_email', 'contenu_email'], (t) => [
      text(t.sujet_email).replace(/\s+/g, ' '),
      text(t.contenu_email),
      renderHtml(t.contenu_email, vars, data),
    ]);
    if (r.error) secours.EMAIL = r.error;
    email = { sujet: r.out[0]!, texte: r.out[1]!, html: emailHtml(r.out[2]!) };
  }
  let sms: Rendered['sms'] = null;
  if (has('contenu_sms')) {
    const r = attempt(stored, d, ['contenu_sms'], (t) => [toGsm7(text(t.contenu_sms))]);
    if (r.error) secours.SMS = r.error;
    sms = { texte: r.out[0]!, segments: smsSegments(r.out[0]!).segments };
  }
  const titre = push?.titre ?? email?.sujet ?? def.description;
  const message = push?.corps ?? email?.texte ?? sms?.texte ?? '';
  return { titre, message, email, push, sms, secours };
}
