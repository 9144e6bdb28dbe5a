/**
 * One catalogue of application errors. Every error leaves the API as
 * `{"error": "<message en français>", "code": "<stable code>", "details"?: {field: [messages]}}`.
 * Expected business outcomes (full event, already checked in) are errors with their own codes.
 */
export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  constructor(
    public readonly statusCode: number,
    public readonly code: string,
    message: string,
    public readonly details?: FieldErrors,
    public readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export class ValidationError extends AppError {
  constructor(details: FieldErrors, message = 'Données invalides') {
    super(400, 'validation_error', message, details);
  }

  /** One field, one message: the common case of a business rule broken by the input. */
  static field(field: string, message: string): ValidationError {
    return new ValidationError({ [field]: [message] });
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, code = 'bad_request') {
    super(400, code, message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = "Informations d'authentification non fournies.", code = 'not_authenticated') {
    // RFC 7235: a 401 names the scheme the client should use.
    super(401, code, message, undefined, { 'WWW-Authenticate': 'Token' });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = "Vous n'avez pas la permission d'effectuer cette action.", code = 'permission_denied') {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Ressource introuvable.', code = 'not_found') {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict', details?: FieldErrors) {
    super(409, code, message, details);
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, message?: string) {
    const s = Math.max(1, Math.ceil(retryAfterSeconds));
    super(429, 'throttled', message ?? `Trop de requêtes. Réessayez dans ${s} seconde${s > 1 ? 's' : ''}.`, undefined, {
      'Retry-After': String(s),
    });
  }
}

/** PostgreSQL error codes the handler translates (see error-handler.ts). */
export const PG = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  notNullViolation: '23502',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  lockNotAvailable: '55P03',
} as const;

export function pgErrorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  // Drizzle wraps driver errors in a DrizzleQueryError whose `cause` is the driver's error.
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  return code && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function pgConstraint(err: unknown): string | undefined {
  const e = err as { constraint?: string; cause?: { constraint?: string } };
  return e?.constraint ?? e?.cause?.constraint;
}
