/**
 * What DRF clients (the manual's apps) expect of every endpoint, whatever the route:
 *
 * - Bodies: JSON, application/x-www-form-urlencoded and multipart/form-data are parsed on every endpoint, as DRF's
 *   default parsers do (the manual's own tests post with DRF's multipart test client); any other content type is a
 *   415. JSON is validated as sent (a number where a string is expected is refused, never coerced); form fields,
 *   which are all strings on the wire, are converted to the route schema's types first, as DRF's serializer
 *   fields do ("100" → 100, "true" → true; an empty field counts as absent).
 * - A known path with another method is a 405 with `Allow`; OPTIONS answers with `Allow`.
 * - A path parameter that is not of its type (`/api/events/abc/`) is a 404, as DRF's `<int:pk>` does not match.
 * - What Fastify and Node answer by themselves (a bad percent-encoding, a malformed request line, headers or a URL
 *   too large) is answered in the API's error format, in French.
 */
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import formbody from '@fastify/formbody';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { ValidationError } from './errors.js';
import { readMultipart, type MultipartLimits } from './multipart.js';

/** Uploads a route accepts (`config: { uploads }`); routes without it take text fields only. */
export interface UploadConfig extends MultipartLimits {
  /** Field names a file may come in; `'*'`: any (the route checks it itself). */
  acceptedFiles: readonly string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    uploads?: UploadConfig;
  }
}

const NO_FILES: UploadConfig = {
  acceptedFiles: [],
  maxFileBytes: 1,
  tooLarge: () => "Ce point d'accès n'accepte pas de fichier.",
};

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

type JsonSchema = {
  type?: string | string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
};

const TRUE_VALUES = new Set(['t', 'y', 'yes', 'true', 'on', '1']);
const FALSE_VALUES = new Set(['f', 'n', 'no', 'false', 'off', '0']);

function typesOf(schema: JsonSchema | undefined): string[] {
  if (!schema) return [];
  const own = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  return [...own, ...(schema.anyOf ?? []).flatMap(typesOf), ...(schema.oneOf ?? []).flatMap(typesOf)];
}

/** One form value converted to what the schema asks for (left as is when it does not convert: Ajv then says why). */
function coerceValue(value: string, schema: JsonSchema | undefined): unknown {
  const types = typesOf(schema);
  if (types.includes('string') || types.length === 0) return value;
  if (types.includes('integer') && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  if (types.includes('number') && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value.trim())) return Number(value.trim());
  if (types.includes('boolean')) {
    const v = value.trim().toLowerCase();
    if (TRUE_VALUES.has(v)) return true;
    if (FALSE_VALUES.has(v)) return false;
  }
  if (types.includes('array')) return [coerceValue(value, schema?.items)];
  return value;
}

/** Form fields (strings, or lists of strings for repeated keys) converted to the body schema's types. */
export function coerceFormFields(fields: Record<string, unknown>, schema: JsonSchema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(fields)) {
    if (raw === '' || raw === undefined) continue; // an empty form input is an absent field
    const prop = schema?.properties?.[key];
    if (Array.isArray(raw)) {
      out[key] = typesOf(prop).includes('array')
        ? raw.map((v) => (typeof v === 'string' ? coerceValue(v, prop?.items) : v))
        : coerceValue(String(raw[raw.length - 1]), prop); // DRF reads the last value of a repeated key
    } else {
      out[key] = typeof raw === 'string' ? coerceValue(raw, prop) : raw;
    }
  }
  return out;
}

function isForm(request: FastifyRequest): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(String(request.headers['content-type'] ?? ''));
}

export async function registerHttpContract(app: FastifyInstance): Promise<void> {
  // Fastify's own text/plain parser would turn such a body into a string the schema then refuses as "not an
  // object" (400): DRF answers 415 for a content type it does not parse.
  app.removeContentTypeParser('text/plain');
  await app.register(formbody);

  // A map of the routes, to tell a known path's other methods (405) from an unknown path (404).
  const router = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: false });
  app.addHook('onRoute', (route: RouteOptions) => {
    // Integer path parameters match digits only, as DRF's `<int:pk>`: `/api/users/register/` is not
    // `/api/users/:id/` with id "register", and `/api/events/abc/` is a 404 like any unknown path.
    const params = (route.schema?.params as JsonSchema | undefined)?.properties ?? {};
    route.url = route.url.replace(/:([A-Za-z0-9_]+)(?!\()/g, (whole, name: string) =>
      typesOf(params[name]).includes('integer') ? `:${name}(^\\d+)` : whole,
    );
    (route as { path?: string }).path = route.url;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      if (m === 'HEAD' || m === 'OPTIONS' || route.url.includes('*')) continue;
      try {
        router.on(m as HTTPMethod, route.url, () => undefined);
      } catch {
        // A path declared twice (with and without its trailing slash): the first declaration is enough.
      }
    }
    // Form and multipart bodies, read after the route's own preValidation hooks (its permission checks: an
    // anonymous caller gets 401 before any upload is read) and converted to its body schema's types.
    const bodySchema = (route.schema?.body ?? undefined) as JsonSchema | undefined;
    const uploads = route.config?.uploads ?? NO_FILES;
    const readForm = async (request: FastifyRequest) => {
      if (request.isMultipart()) {
        const { fields, files } = await readMultipart(request, uploads);
        const unexpected = files.find((f) => !uploads.acceptedFiles.includes(f.field) && !uploads.acceptedFiles.includes('*'));
        if (unexpected) {
          throw ValidationError.field(
            unexpected.field,
            uploads.acceptedFiles.length
              ? `Seul le fichier « ${uploads.acceptedFiles.join(' » ou « ')} » est accepté.`
              : "Ce point d'accès n'accepte pas de fichier.",
          );
        }
        request.uploads = files;
        request.body = coerceFormFields(fields, bodySchema);
      } else if (bodySchema && isForm(request) && request.body && typeof request.body === 'object' && !Buffer.isBuffer(request.body)) {
        request.body = coerceFormFields(request.body as Record<string, unknown>, bodySchema);
      }
    };
    // DRF's ProhibitNullCharactersValidator: the field is named (PostgreSQL would refuse the whole row).
    const refuseNul = async (request: FastifyRequest) => {
      const fields = [...nulFields(request.body), ...nulFields(request.query)];
      if (fields.length) {
        throw new ValidationError(Object.fromEntries(fields.map((f) => [f, ['Les caractères nuls ne sont pas autorisés.']])));
      }
    };
    const own = route.preValidation === undefined ? [] : Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation];
    route.preValidation = [...own, readForm, refuseNul] as RouteOptions['preValidation'];
  });

  /** The methods a concrete path answers to (for 405 and OPTIONS). */
  app.decorate('allowedMethods', (path: string): string[] => {
    const allowed: string[] = METHODS.filter((m) => m !== 'HEAD' && m !== 'OPTIONS' && router.find(m, path) !== null);
    if (allowed.includes('GET')) allowed.push('HEAD');
    return allowed.length ? [...allowed, 'OPTIONS'] : [];
  });
  // OPTIONS (a preflight, or a plain one) tells which methods the path answers to.
  app.addHook('onSend', async (request, reply) => {
    if (request.method === 'OPTIONS' && !reply.hasHeader('allow')) {
      const allowed = app.allowedMethods(request.url.split('?')[0]!);
      if (allowed.length) void reply.header('allow', allowed.join(', '));
    }
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    allowedMethods(path: string): string[];
  }
}

/**
 * Query strings as DRF reads them (`QueryDict.__getitem__`): a key repeated (`?categorie=1&categorie=2`) takes
 * its last value, instead of a list a scalar filter would refuse with a confusing message.
 */
export function querystringParser(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) out[k] = v;
  return out;
}

/** Strings of a body or a query (any depth) holding a NUL character, by field: the database cannot store them. */
export function nulFields(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path || 'non_field_errors'] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulFields(v, path ? `${path}.${i}` : String(i)));
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => nulFields(v, path ? `${path}.${k}` : k));
  }
  return [];
}

function errorJson(error: string, code: string): string {
  return JSON.stringify({ error, code });
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a request line or headers too large, a malformed
 * request): answered in the API's format, in French, then the socket is closed as Node would.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let body = errorJson('Requête HTTP invalide.', 'bad_request');
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    body = errorJson("L'adresse ou les en-têtes de la requête sont trop volumineux.", 'request_header_fields_too_large');
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    body = errorJson('La requête a pris trop de temps.', 'request_timeout');
  } else if (err.code === 'HPE_INVALID_CHARACTER' || err.code === 'HPE_INVALID_URL') {
    body = errorJson(
      "L'adresse contient des caractères non encodés : encodez-la (par exemple « Bouaké » s'écrit « Bouak%C3%A9 »).",
      'bad_request',
    );
  }
  const reason = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status];
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** Errors Fastify raises before routing (a bad percent-encoding, a path parameter too long). */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.code(404).send({ error: 'Ressource introuvable.', code: 'not_found' });
    return;
  }
  void reply.code(400).send({ error: "L'adresse demandée n'est pas valide (encodage incorrect).", code: 'bad_request' });
}
