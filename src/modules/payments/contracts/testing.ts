/**
 * Contract checks for the provider clients and the simulator (tests only). Every HTTP exchange between a
 * client and the simulator is recorded through the clients' `fetch` (ProviderDeps), then checked against the
 * provider's written-down definition in this folder: the request our client sent (path, headers, body) and
 * the answer the simulator gave (status, body). Callbacks the simulator sends are checked the same way.
 *
 * MTN: the two OpenAPI 3 documents in mtn/ are turned into JSON Schema here by hand (components → definitions,
 * `$ref` rewritten, `nullable` → a "null" type, x-* notes dropped, every object closed to undeclared fields).
 * Wave, CinetPay, Orange: their files already hold JSON Schema definitions and a list of operations.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import type { FetchLike } from '../providers/http.js';

// ajv-formats is CommonJS with a default export that ESM type resolution does not see as callable.
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv) => Ajv;

export type ContractProvider = 'mtn' | 'orange' | 'cinetpay' | 'wave';

export interface Exchange {
  provider: ContractProvider;
  method: string;
  /** Path on the provider's host, e.g. /collection/v1_0/requesttopay. */
  path: string;
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  body: string | undefined;
  status: number;
  response: string;
  /** The simulator injected this answer (a test's outage, header x-simulator-fault). */
  injected?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Schema ids are absolute URIs, so that `$ref`s resolve the same from every schema. */
const BASE = 'https://contracts.spotvibe.test/';
const abs = (id: string) => (id.startsWith(BASE) ? id : `${BASE}${id}`);

const load = (rel: string): Record<string, Json> => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as Record<string, Json>;

// --- OpenAPI 3 (MTN) → JSON Schema ---------------------------------------------------------------------------

/** One OpenAPI schema object as JSON Schema draft-07, closed to undeclared properties. */
function toJsonSchema(node: Json, id: string): Json {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, id));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('x-') || k === 'description' || k === 'example' || k === 'nullable') continue;
    if (k === '$ref' && typeof v === 'string') out.$ref = v.replace('#/components/schemas/', `${abs(id)}#/definitions/`);
    else out[k] = toJsonSchema(v, id);
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

interface Operation {
  method: string;
  template: string;
  regex: RegExp;
  /** Schema of the request headers (lower-case names), or null. */
  headers: string | null;
  request: string | null;
  /** Form-encoded request body (Orange token). */
  form: string | null;
  /** status → schema id, or null when the definition declares the status with no body schema. */
  responses: Record<string, string | null>;
}

/** A path template (`/v1/x/{id}`) as a regular expression; MTN's token path matches with or without its final slash. */
function templateRegex(template: string, optionalFinalSlash = false): RegExp {
  const bare = optionalFinalSlash ? template.replace(/\/$/, '') : template;
  const src = bare.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${src}${optionalFinalSlash ? '/?' : ''}$`);
}

export class ContractBook {
  private readonly ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  private readonly ops: Record<ContractProvider, Operation[]> = { mtn: [], orange: [], cinetpay: [], wave: [] };
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
    for (const product of ['collection', 'disbursement'] as const) this.addOpenApi(product, load(`./mtn/${product}.json`));
    this.addWritten('wave', load('./wave/checkout.json'));
    this.addWritten('cinetpay', load('./cinetpay/checkout.json'));
    this.addWritten('orange', load('./orange/webpayment.json'));
  }

  private addOpenApi(product: 'collection' | 'disbursement', doc: Record<string, Json>): void {
    const id = `mtn-${product}`;
    const components = doc.components as Record<string, Record<string, Json>>;
    this.ajv.addSchema({ $id: abs(id), definitions: toJsonSchema(components.schemas!, id) } as object);
    // Ocp-Apim-Subscription-Key is the definition's security scheme, required on every call.
    const security = Object.values(components.securitySchemes ?? {}) as Array<{ in: string; name: string }>;
    for (const [template, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
      for (const [method, op] of Object.entries(item) as Array<[string, Record<string, Json>]>) {
        const name = abs(`ops/${id}/${String(op.operationId)}`);
        const params = (op.parameters ?? []) as Array<{ name: string; in: string; required?: boolean; schema: Json }>;
        const headerParams = params.filter((p) => p.in === 'header');
        const properties: Record<string, Json> = {};
        const required: string[] = [];
        for (const p of headerParams) {
          properties[p.name.toLowerCase()] = toJsonSchema(p.schema, id);
          if (p.required) required.push(p.name.toLowerCase());
        }
        for (const s of security.filter((x) => x.in === 'header')) {
          properties[s.name.toLowerCase()] = { type: 'string', minLength: 1 };
          required.push(s.name.toLowerCase());
        }
        this.ajv.addSchema({ $id: `${name}/headers`, type: 'object', required, properties } as object);
        const body = (op.requestBody as { content?: Record<string, { schema?: Json }> } | undefined)?.content?.['application/json']?.schema;
        if (body) this.ajv.addSchema({ $id: `${name}/request`, ...(toJsonSchema(body, id) as object) });
        const responses: Record<string, string | null> = {};
        for (const [status, r] of Object.entries(op.responses as Record<string, { content?: Record<string, { schema?: Json }> }>)) {
          const schema = r.content?.['application/json']?.schema;
          if (schema) this.ajv.addSchema({ $id: `${name}/${status}`, ...(toJsonSchema(schema, id) as object) });
          responses[status] = schema ? `${name}/${status}` : null;
        }
        this.ops.mtn.push({
          method: method.toUpperCase(),
          template: `/${product}${template}`,
          regex: templateRegex(`/${product}${template}`, true),
          headers: `${name}/headers`,
          request: body ? `${name}/request` : null,
          form: null,
          responses,
        });
      }
    }
  }

  private addWritten(provider: Exclude<ContractProvider, 'mtn'>, doc: Record<string, Json>): void {
    this.ajv.addSchema({ $id: abs(provider), definitions: doc.definitions } as object);
    const ref = (name: string | undefined) => (name ? abs(`${provider}#/definitions/${name}`) : null);
    for (const op of doc.operations as Array<Record<string, Json>>) {
      const responses: Record<string, string | null> = {};
      for (const [status, name] of Object.entries(op.responses as Record<string, string>)) responses[status] = ref(name);
      this.ops[provider].push({
        method: String(op.method),
        template: String(op.path),
        regex: templateRegex(String(op.path)),
        headers: ref(op.headers as string | undefined),
        request: ref(op.request as string | undefined),
        form: ref(op.form as string | undefined),
        responses,
      });
    }
  }

  private validator(id: string): ValidateFunction {
    const key = abs(id);
    let v = this.cache.get(key);
    if (!v) {
      v = key.includes('#/') ? this.ajv.compile({ $ref: key }) : this.ajv.getSchema(key)!;
      this.cache.set(key, v);
    }
    return v;
  }

  /** Violations of `value` against one schema (`provider#/definitions/Name`), as readable lines. */
  check(id: string, value: unknown, what: string): string[] {
    const v = this.validator(id);
    if (v(value)) return [];
    return (v.errors ?? []).map((e) => `${what}: ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }

  operation(provider: ContractProvider, method: string, path: string): Operation | undefined {
    return this.ops[provider].find((o) => o.method === method && o.regex.test(path));
  }

  /** Every way this exchange departs from the provider's definition (empty: it conforms). */
  checkExchange(e: Exchange): string[] {
    const op = this.operation(e.provider, e.method, e.path);
    const at = `${e.provider} ${e.method} ${e.path} → ${e.status}`;
    if (!op) return [`${at}: operation absent from the definition`];
    const out: string[] = [];
    if (op.headers) out.push(...this.check(op.headers, e.headers, `${at} request headers`));
    if (op.request || op.form) {
      let body: unknown;
      try {
        body = op.form ? Object.fromEntries(new URLSearchParams(e.body ?? '')) : JSON.parse(e.body ?? '');
      } catch {
        return [...out, `${at}: request body is not JSON`];
      }
      out.push(...this.check((op.form ?? op.request)!, body, `${at} request body`));
    } else if (e.body) {
      out.push(`${at}: a body was sent to an operation that takes none`);
    }
    out.push(...this.checkAnswer(e.provider, op, e.status, e.response, at, e.injected));
    return out;
  }

  /** An outage a test injected is only held to the definition when the definition declares its status. */
  private checkAnswer(provider: ContractProvider, op: Operation, status: number, text: string, at: string, injected = false): string[] {
    let body: unknown = undefined;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        return [`${at}: answer body is not JSON`];
      }
    }
    // MTN's gateway (Azure API Management) answers a wrong subscription key or bearer token itself, before the
    // API: {statusCode, message}. It is outside the definition, so it is accepted in that exact shape only.
    if (provider === 'mtn' && status === 401 && !(String(status) in op.responses)) {
      const ok =
        typeof body === 'object' &&
        body !== null &&
        Object.keys(body).sort().join() === 'message,statusCode' &&
        (body as { statusCode: unknown }).statusCode === 401;
      return ok ? [] : [`${at}: a 401 from MTN's gateway is {statusCode: 401, message}`];
    }
    if (!(String(status) in op.responses)) return injected ? [] : [`${at}: status ${status} absent from the definition`];
    const id = op.responses[String(status)];
    if (id) return body === undefined ? [`${at}: answer body missing`] : this.check(id, body, `${at} answer`);
    // Declared with no body schema (MTN 202, 400): an empty body, or the ErrorReason every declared error uses.
    if (body === undefined) return [];
    return provider === 'mtn'
      ? this.check('mtn-collection#/definitions/ErrorReason', body, `${at} answer`)
      : [`${at}: a body where the definition gives none`];
  }
}

/** A `fetch` that records every exchange with a provider (request as sent, answer as received). */
export function recordingFetch(log: Exchange[], inner: FetchLike = (u, i) => fetch(u, i)): FetchLike {
  return async (input, init) => {
    const res = await inner(input, init);
    const url = new URL(input);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    log.push({
      provider: providerOf(url.pathname),
      method: (init.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      headers,
      body: typeof init.body === 'string' ? init.body : undefined,
      status: res.status,
      response: await res.clone().text(),
      injected: res.headers.has('x-simulator-fault'),
    });
    return res;
  };
}

export function providerOf(path: string): ContractProvider {
  if (/^\/(collection|disbursement)\//.test(path)) return 'mtn';
  if (path.startsWith('/oauth/v3/token') || path.startsWith('/orange-money-webpay/')) return 'orange';
  if (path.startsWith('/v2/payment')) return 'cinetpay';
  if (path.startsWith('/v1/checkout/')) return 'wave';
  throw new Error(`chemin fournisseur inconnu : ${path}`);
}

let shared: ContractBook | undefined;
/** The violations among recorded exchanges (one provider, or all), read from one shared ContractBook. */
export function contractViolations(exchanges: Exchange[], provider?: ContractProvider): string[] {
  shared ??= new ContractBook();
  const book = shared;
  return exchanges.filter((e) => !provider || e.provider === provider).flatMap((e) => book.checkExchange(e));
}
