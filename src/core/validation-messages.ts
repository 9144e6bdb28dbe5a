/**
 * Fastify validates with Ajv, whose messages are English. The API speaks French (DRF's French wording),
 * so each Ajv error becomes `details[field] = [message]`. A schema may carry its own message under
 * `x-message` (for patterns such as the phone number).
 */
import type { FieldErrors } from './errors.js';

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: Record<string, unknown>;
  data?: unknown;
}

/**
 * A field that matches none of a union's branches (`string` with a format, or `null`) makes Ajv report every
 * branch plus the union itself: one message is enough, the most specific (not "must be null", not "anyOf").
 */
function mostSpecific(errors: AjvError[]): AjvError[] {
  const unions = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  if (!unions.size) return errors;
  const kept: AjvError[] = [];
  const done = new Set<string>();
  for (const e of errors) {
    if (!unions.has(e.instancePath)) {
      kept.push(e);
      continue;
    }
    if (done.has(e.instancePath) || e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    if (e.keyword === 'type' && String(e.params.type) === 'null') continue;
    kept.push(e);
    done.add(e.instancePath);
  }
  // Nothing more specific than the union (every branch was a type mismatch): keep one message for the field.
  for (const path of unions) {
    if (!done.has(path)) {
      const first =
        errors.find((e) => e.instancePath === path && e.keyword !== 'anyOf' && e.keyword !== 'oneOf') ??
        errors.find((e) => e.instancePath === path)!;
      kept.push(first);
    }
  }
  return kept;
}

export function ajvErrorsToDetails(errors: AjvError[], context?: string): FieldErrors {
  const details: FieldErrors = {};
  for (const e of mostSpecific(errors)) {
    let field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (e.keyword === 'required') {
      const missing = String(e.params.missingProperty ?? '');
      field = field ? `${field}.${missing}` : missing;
    }
    if (!field) field = context === 'body' || !context ? 'non_field_errors' : context;
    const msg = frenchMessage(e);
    const list = (details[field] ??= []);
    if (!list.includes(msg)) list.push(msg);
  }
  return details;
}

function frenchMessage(e: AjvError): string {
  const custom = e.parentSchema?.['x-message'];
  if (typeof custom === 'string' && e.keyword !== 'required' && e.keyword !== 'type') return custom;
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return 'Ce champ est obligatoire.';
    case 'type':
      // DRF: "Ce champ ne peut être nul." when null is sent for a field that does not take it.
      return e.data === null ? 'Ce champ ne peut être nul.' : typeMessage(String(p.type));
    case 'minLength':
      return Number(p.limit) === 1 ? 'Ce champ ne peut être vide.' : `Assurez-vous que ce champ comporte au moins ${p.limit} caractères.`;
    case 'maxLength':
      return `Assurez-vous que ce champ comporte au plus ${p.limit} caractères.`;
    case 'minimum':
      return `Assurez-vous que cette valeur est supérieure ou égale à ${p.limit}.`;
    case 'maximum':
      return `Assurez-vous que cette valeur est inférieure ou égale à ${p.limit}.`;
    case 'exclusiveMinimum':
      return `Assurez-vous que cette valeur est strictement supérieure à ${p.limit}.`;
    case 'exclusiveMaximum':
      return `Assurez-vous que cette valeur est strictement inférieure à ${p.limit}.`;
    case 'minItems':
      return `Assurez-vous que cette liste comporte au moins ${p.limit} élément(s).`;
    case 'maxItems':
      return `Assurez-vous que cette liste comporte au plus ${p.limit} élément(s).`;
    case 'enum': {
      const allowed = (p.allowedValues as unknown[] | undefined) ?? [];
      const given = e.data === undefined ? '' : `« ${String(e.data)} » n'est pas un choix valide. `;
      return `${given}Choix possibles : ${allowed.join(', ')}.`.trim();
    }
    case 'const':
      return `La valeur doit être ${String(p.allowedValue)}.`;
    case 'format':
      return formatMessage(String(p.format));
    case 'pattern':
      return "Ce champ n'a pas le format attendu.";
    case 'additionalProperties':
      return `Champ inconnu : ${String(p.additionalProperty)}.`;
    case 'anyOf':
    case 'oneOf':
      return 'Valeur invalide.';
    default:
      return 'Valeur invalide.';
  }
}

function typeMessage(type: string): string {
  if (type.includes('integer')) return 'Un nombre entier valide est requis.';
  if (type.includes('number')) return 'Un nombre valide est requis.';
  if (type.includes('boolean')) return 'Doit être un booléen valide.';
  if (type.includes('string')) return 'Une chaîne de caractères est requise.';
  if (type.includes('array')) return 'Une liste est requise.';
  if (type.includes('object')) return 'Un objet est requis.';
  if (type.includes('null')) return 'Valeur invalide.';
  return 'Type invalide.';
}

function formatMessage(format: string): string {
  switch (format) {
    case 'email':
      return 'Saisissez une adresse e-mail valide.';
    case 'date-time':
      return "La date et l'heure n'ont pas le bon format (ISO 8601, ex. 2026-12-25T20:00:00Z).";
    case 'date':
      return "La date n'a pas le bon format (AAAA-MM-JJ).";
    case 'uri':
    case 'url':
      return 'Saisissez une URL valide.';
    case 'uuid':
      return 'Saisissez un UUID valide.';
    default:
      return "Ce champ n'a pas le bon format.";
  }
}
