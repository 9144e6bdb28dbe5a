/**
 * Error reporting to Sentry (`SENTRY_DSN`): every 5xx answer and every job that failed for good, with the
 * request id, the release and the route or job, and no personal data. The manual turns `send_default_pii`
 * on; we do not: no client address, no cookies, headers, query string or body, no user, and email addresses
 * and phone numbers are masked in messages. Performance tracing is not sent (errors only).
 *
 * The client belongs to the process's runtime (not Sentry's global hub), so that tests can run several, and
 * it is flushed when the runtime closes. `@sentry/node` is loaded only when a DSN is set.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';

export interface ErrorContext {
  requestId?: string | undefined;
  /** The route pattern (`/api/events/:id/`), never the raw URL. */
  route?: string;
  method?: string;
  job?: string;
  jobId?: string;
  retryCount?: number;
}

export interface ErrorReporter {
  capture(err: unknown, ctx: ErrorContext): void;
  close(timeoutMs?: number): Promise<void>;
}

export const noReporter: ErrorReporter = { capture: () => undefined, close: async () => undefined };

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
// Ivorian numbers (+225 07 01 02 03 04, 00225…, 0701020304) and any long run of digits with separators.
const PHONE = /(?:\+|00)?\d[\d .-]{7,}\d/g;

export function scrub(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[numéro]');
}

export async function createErrorReporter(config: Config, log: FastifyBaseLogger): Promise<ErrorReporter> {
  const { dsn, release, environment } = config.sentry;
  if (!dsn) return noReporter;
  const Sentry = await import('@sentry/node');
  const client = new Sentry.NodeClient({
    dsn,
    release,
    environment,
    // Sentry 11's form of `sendDefaultPii: false` (that option became `dataCollection`): collect nothing
    // about people: no user, cookies, headers, query strings, bodies, query data or local variables.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
      graphQL: { document: false, variables: false },
      genAI: { inputs: false, outputs: false },
      mcp: { inputs: false, outputs: false },
    },
    transport: Sentry.makeNodeTransport,
    stackParser: Sentry.defaultStackParser,
    // Explicitly the integrations that add no personal data (no request data, no breadcrumbs of HTTP calls
    // whose URLs carry phone numbers, no console capture).
    integrations: [
      Sentry.eventFiltersIntegration(),
      Sentry.functionToStringIntegration(),
      Sentry.linkedErrorsIntegration(),
      Sentry.dedupeIntegration(),
      Sentry.nodeContextIntegration(),
    ],
    beforeSend(event) {
      delete event.user;
      delete event.request;
      event.breadcrumbs = [];
      if (event.message) event.message = scrub(event.message);
      for (const ex of event.exception?.values ?? []) if (ex.value) ex.value = scrub(ex.value);
      return event;
    },
  });
  client.init();
  log.info({ release, environment }, 'rapport des erreurs à Sentry activé');
  return {
    capture(err, ctx) {
      const scope = new Sentry.Scope();
      scope.setClient(client);
      if (ctx.requestId) scope.setTag('request_id', ctx.requestId);
      if (ctx.route) scope.setTag('route', ctx.route);
      if (ctx.method) scope.setTag('method', ctx.method);
      if (ctx.job) scope.setTag('job', ctx.job);
      if (ctx.jobId) scope.setTag('job_id', ctx.jobId);
      if (ctx.retryCount !== undefined) scope.setExtra('retry_count', ctx.retryCount);
      scope.captureException(err);
    },
    async close(timeoutMs = 2000) {
      await Promise.resolve(client.close(timeoutMs)).catch(() => undefined);
    },
  };
}
