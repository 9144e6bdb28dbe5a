/**
 * The single place where errors become HTTP answers (format and codes from ../shared/API.md).
 * Internal errors are logged in full and answered with a generic message: no stack, no SQL.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, PG, pgConstraint, pgErrorCode } from './errors.js';
import { ajvErrorsToDetails } from './validation-messages.js';
import type { ErrorReporter } from './sentry.js';

/** The heading of errors in a query string (filters, pagination, search). */
export const QUERY_ERRORS = 'Paramètres de la requête invalides';

export interface ErrorBody {
  error: string;
  code: string;
  details?: Record<string, string[]>;
}

export function toErrorResponse(err: unknown, bodyLimit: number): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (err instanceof AppError) {
    return {
      status: err.statusCode,
      body: { error: err.message, code: err.code, ...(err.details ? { details: err.details } : {}) },
      ...(err.headers ? { headers: err.headers } : {}),
    };
  }
  const fe = err as FastifyError & { validationContext?: string };
  // A path parameter of the wrong type (`/api/events/abc/`): no such resource, as DRF's `<int:pk>` does not match.
  if (Array.isArray(fe.validation) && fe.validationContext === 'params') {
    return { status: 404, body: { error: 'Ressource introuvable.', code: 'not_found' } };
  }
  if (Array.isArray(fe.validation)) {
    return {
      status: 400,
      body: {
        // One heading for the query string's errors, here and in the modules' own checks (QUERY_ERRORS).
        error: fe.validationContext === 'querystring' ? QUERY_ERRORS : 'Données invalides',
        code: 'validation_error',
        details: ajvErrorsToDetails(fe.validation as never, fe.validationContext),
      },
    };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { error: "Le corps de la requête n'est pas un JSON valide.", code: 'parse_error' } };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: { error: `Corps de requête trop volumineux (maximum ${bodyLimit} octets).`, code: 'payload_too_large' },
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { error: 'Type de contenu non pris en charge.', code: 'unsupported_media_type' } };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, body: { error: 'En-tête Content-Length invalide.', code: 'bad_request' } };
    case 'FST_ERR_ASYNC_CONSTRAINT':
    case 'FST_ERR_BAD_URL':
      return { status: 400, body: { error: 'URL invalide.', code: 'bad_request' } };
  }
  // Some JSON parse errors arrive as SyntaxError with statusCode 400.
  if (err instanceof SyntaxError && fe.statusCode === 400) {
    return { status: 400, body: { error: "Le corps de la requête n'est pas un JSON valide.", code: 'parse_error' } };
  }
  const pgCode = pgErrorCode(err);
  if (pgCode === PG.uniqueViolation) {
    // Services translate the constraints they expect into field errors; this is the safety net for races.
    return { status: 409, body: { error: 'Cette ressource existe déjà.', code: 'duplicate', ...constraintDetail(err) } };
  }
  if (pgCode === PG.serializationFailure || pgCode === PG.deadlockDetected || pgCode === PG.lockNotAvailable) {
    return {
      status: 409,
      body: { error: 'Conflit avec une opération simultanée, veuillez réessayer.', code: 'concurrent_update' },
    };
  }
  if (pgCode === PG.foreignKeyViolation) {
    return { status: 400, body: { error: 'Une ressource référencée est introuvable.', code: 'invalid_reference' } };
  }
  if (pgCode === PG.checkViolation) {
    return { status: 400, body: { error: 'Les données ne respectent pas une règle de cohérence.', code: 'constraint_violation' } };
  }
  if (pgCode?.startsWith('22')) {
    // Data exceptions: a value the database cannot take (an id past the integer range, a NUL character, a date
    // out of range) that got past the route's schema. The client's input, not a server fault.
    return { status: 400, body: { error: 'Une valeur envoyée est invalide ou hors des limites acceptées.', code: 'invalid_value' } };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { error: 'Requête invalide.', code: 'bad_request' } };
  }
  return { status: 500, body: { error: 'Erreur interne du serveur.', code: 'server_error' } };
}

function constraintDetail(err: unknown): { details?: Record<string, string[]> } {
  const c = pgConstraint(err);
  return c ? { details: { non_field_errors: [`Contrainte d'unicité : ${c}`] } } : {};
}

export function registerErrorHandling(app: FastifyInstance, bodyLimit: number, errors?: ErrorReporter): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body, headers } = toErrorResponse(err, bodyLimit);
    // A 5xx we chose to answer (a provider unavailable, a feature not configured) is a known state, not a bug:
    // a warning with its code. Only an unexpected error is logged as an error, with its stack, and reported.
    if (status >= 500 && err instanceof AppError) request.log.warn({ code: err.code, status }, err.message);
    else if (status >= 500) {
      request.log.error({ err }, 'erreur interne');
      errors?.capture(err, { requestId: request.id, route: request.routeOptions.url ?? 'inconnue', method: request.method });
    } else if (!(err instanceof AppError))
      request.log.info({ err: { message: (err as Error).message, code: (err as FastifyError).code } }, 'requête refusée');
    if (headers) void reply.headers(headers);
    return reply.code(status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    // A known path asked with another method: 405 with the methods it answers to (OPTIONS: just those).
    const allowed = app.allowedMethods?.(path) ?? [];
    if (allowed.length) {
      void reply.header('allow', allowed.join(', '));
      if (request.method === 'OPTIONS') return reply.code(204).send();
      return reply.code(405).send({ error: `Méthode « ${request.method} » non autorisée.`, code: 'method_not_allowed' });
    }
    return reply.code(404).send({ error: `Aucune route pour ${request.method} ${path}.`, code: 'not_found' });
  });
}
