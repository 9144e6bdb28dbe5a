/**
 * One rendering engine for every channel: eta (auto-escaping), behind a small template language that staff can
 * edit without being able to run code. A staff template may contain only text, `{{ a.b }}` (a variable the
 * type declares, registry.ts) and `{{ si a.b }}`, `{{ sinon }}`, `{{ fin }}`. It is checked at save time
 * (`checkTemplate`: the line and what is wrong), then translated to eta, which compiles it once (cached) and
 * escapes every interpolation in the HTML email; push, SMS and the plain-text email are rendered unescaped.
 */
import { Eta } from 'eta';
import { LRUCache } from 'lru-cache';
import { escapeHtml } from '../../../core/html.js';

export class TemplateError extends Error {
  constructor(
    message: string,
    public readonly line: number,
  ) {
    super(`ligne ${line} : ${message}`);
  }
}

const TAG = /\{\{([\s\S]*?)\}\}/g;
const PATH = /^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*$/;

function lineAt(src: string, index: number): number {
  return src.slice(0, index).split('\n').length;
}

/** The template as eta source, or a TemplateError naming the first faulty line. */
export function translate(src: string, variables: readonly string[]): string {
  const known = new Set(variables);
  let out = '';
  let last = 0;
  const open: { kind: 'si' | 'sinon'; line: number }[] = [];
  const text = (s: string, at: number) => {
    for (const bad of ['<%', '%>', '{{', '}}']) {
      const i = s.indexOf(bad);
      if (i >= 0)
        throw new TemplateError(
          bad.startsWith('{') || bad.endsWith('}') ? 'balise {{ … }} mal fermée' : `« ${bad} » n'est pas permis`,
          lineAt(src, at + i),
        );
    }
    out += s;
  };
  for (const m of src.matchAll(TAG)) {
    text(src.slice(last, m.index), last);
    last = m.index + m[0].length;
    const line = lineAt(src, m.index);
    const inner = m[1]!.trim();
    const word = inner.split(/\s+/);
    const check = (p: string | undefined): string => {
      if (!p || !PATH.test(p)) throw new TemplateError(`« {{ ${inner} }} » n'est pas une variable (exemple : {{ event.titre }})`, line);
      if (!known.has(p)) throw new TemplateError(`variable inconnue « ${p} » (variables : ${[...known].join(', ')})`, line);
      // Each segment is a validated identifier: optional chaining makes a missing object an empty value.
      return `(it.${p.split('.').join('?.')} ?? '')`;
    };
    if (word[0] === 'si' && word.length === 2) {
      out += `<% if (${check(word[1])}) { %>`;
      open.push({ kind: 'si', line });
    } else if (inner === 'sinon') {
      const top = open.at(-1);
      if (!top || top.kind !== 'si') throw new TemplateError('« sinon » sans « si »', line);
      top.kind = 'sinon';
      out += '<% } else { %>';
    } else if (inner === 'fin') {
      if (!open.pop()) throw new TemplateError('« fin » sans « si »', line);
      out += '<% } %>';
    } else {
      out += `<%= ${check(inner)} %>`;
    }
  }
  text(src.slice(last), last);
  const unclosed = open.pop();
  if (unclosed) throw new TemplateError('« si » jamais fermé par « fin »', unclosed.line);
  return out;
}

const common = { autoTrim: false as const, useWith: false, varName: 'it', cache: false };
const htmlEta = new Eta({ ...common, autoEscape: true, escapeFunction: (v: unknown) => escapeHtml(String(v)) });
const textEta = new Eta({ ...common, autoEscape: false });

type Compiled = (data: object) => string;
const cache = new LRUCache<string, Compiled>({ max: 2000 });

function compiled(src: string, variables: readonly string[], mode: 'html' | 'text'): Compiled {
  const key = `${mode}\u0000${variables.join(',')}\u0000${src}`;
  let fn = cache.get(key);
  if (!fn) {
    const eta = mode === 'html' ? htmlEta : textEta;
    const template = eta.compile(translate(src, variables));
    fn = (data) => template.call(eta, data);
    cache.set(key, fn);
  }
  return fn;
}

/** Nested data from flat or nested values: `{ 'event.titre': 'x' }` and `{ event: { titre: 'x' } }` both work. */
export function nest(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const parts = k.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = v;
  }
  return out;
}

export function renderText(src: string, variables: readonly string[], data: Record<string, unknown>): string {
  return compiled(src, variables, 'text')(nest(data));
}

export function renderHtml(src: string, variables: readonly string[], data: Record<string, unknown>): string {
  return compiled(src, variables, 'html')(nest(data));
}

/** The HTML email around the escaped body: paragraphs, line breaks, links made clickable. */
export function emailHtml(escapedBody: string): string {
  const paragraphs = escapedBody
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${p.replace(/\n/g, '<br>').replace(/https?:\/\/[^\s<]+/g, (u) => `<a href="${u}">${u}</a>`)}</p>`);
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"></head><body>${paragraphs.join('\n')}</body></html>`;
}

/** Checks a template at save time: it must translate and render with the type's sample values. */
export function checkTemplate(src: string, variables: Record<string, string>): void {
  const names = Object.keys(variables);
  translate(src, names);
  try {
    renderHtml(src, names, variables);
    renderText(src, names, variables);
  } catch (err) {
    throw new TemplateError(`le modèle ne peut pas être rendu (${(err as Error).message.split('\n')[0]})`, 1);
  }
}
