/**
 * Builds the HTTP application from a started runtime: what every route shares first (request ids, the error
 * format, host checks, security headers, CORS, rate limits, uploads, the OpenAPI document, media files), then
 * each module's plugin, in the order of modules/index.ts. `server.ts` only listens; tests use inject().
 * `npm run routes` prints the resulting route map.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import compress from '@fastify/compress';
import { COMPRESS_THRESHOLD } from './core/public-cache.js';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import { LOG_SERIALIZERS, REDACTED_PATHS } from './core/logging.js';
import type { Runtime } from './runtime.js';
import { registerErrorHandling } from './core/error-handler.js';
import { RateLimitedError } from './core/errors.js';
import { registerHostChecks } from './core/security.js';
import { mediaSettings, registerMediaRoutes } from './core/media.js';
import { MAX_UPLOAD_FIELDS } from './core/multipart.js';
import { clientErrorHandler, frameworkErrors, querystringParser, registerHttpContract } from './core/http-contract.js';
import { validatorCompiler } from './core/validator.js';
import { registerPageStyles } from './core/pages.js';
import { runWithRequestId } from './core/request-context.js';
import { registerHttpMetrics } from './core/http-metrics.js';
import { MODULES } from './modules/index.js';
import { VERSION } from './version.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The process's runtime: modules build their dependencies from it once, in their plugin. */
    runtime: Runtime;
  }
}

export type App = FastifyInstance;

export const API_VERSION = VERSION;

/** Logger options for an app that logs on its own (`npm run routes`); the server logs through its runtime's logger. */
export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  if (config.logLevel === 'silent') return false;
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[masqué]' },
    serializers: LOG_SERIALIZERS,
  };
}

export interface BuildOptions {
  /** Called as each route is declared (the route map, `npm run routes`). */
  onRoute?: (route: RouteOptions) => void;
}

/**
 * `logger`: the runtime's logger by default (JSON to stdout and LOG_FILE, core/logging.ts), `false` for none
 * (tests), or Fastify logger options.
 */
/**
 * A stopping process and its load balancer, without a lost POST. Node's `http.Server.close()` stops listening
 * *and* destroys every connection it deems idle, which includes one the balancer has just written a request into
 * that Node has not parsed yet: the balancer reads a reset and does not resend a POST (a purchase answered 503;
 * the cluster bench saw 1 to 6 in 60-100 during a rolling restart). So first only the listening socket closes (a
 * new connection is refused, which the balancer safely retries on another process), then the open connections
 * are left to end on their own for up to `drainMs`: each answer says Connection: close, and the balancer closes
 * the pooled ones it does not reuse after its own idle timeout (nginx.conf: `keepalive_timeout 4s`, shorter).
 * Fastify's close then finds nothing idle left to destroy.
 */
async function drainConnections(server: net.Server, drainMs: number): Promise<void> {
  // net.Server's close, not http.Server's: stop accepting without touching the open connections. Fastify's own
  // close afterwards sees a server already closed (ERR_SERVER_NOT_RUNNING, which it accepts) once drained.
  net.Server.prototype.close.call(server);
  const deadline = Date.now() + drainMs;
  const open = () => new Promise<number>((resolve) => server.getConnections((err, n) => resolve(err ? 0 : n)));
  while (Date.now() < deadline && (await open()) > 0) await new Promise((r) => setTimeout(r, 100));
}

export async function buildApp(
  runtime: Runtime,
  logger: FastifyServerOptions['logger'] | FastifyBaseLogger = runtime.log,
  opts: BuildOptions = {},
): Promise<App> {
  const { config } = runtime;
  const isInstance = typeof logger === 'object' && logger !== null && typeof (logger as FastifyBaseLogger).child === 'function';
  const app = Fastify({
    ...(isInstance ? { loggerInstance: logger as FastifyBaseLogger } : { logger: logger as FastifyServerOptions['logger'] }),
    // During a shutdown, requests that reach us are served (the database is still open) rather than answered
    // with Fastify's English 503; their answers close the connection (below), so the server can stop.
    return503OnClosing: false,
    // A hop count trusts that many proxies in front of us (the nearest first), never the client's own claims.
    trustProxy:
      typeof config.trustProxy === 'number' ? (_address: string, hop: number) => hop < (config.trustProxy as number) : config.trustProxy,
    bodyLimit: config.bodyLimit,
    // Not `requestIdHeader`: Fastify would then take any incoming value as is (log injection).
    requestIdHeader: false,
    // Honour a caller's request id when it looks like one; otherwise make our own.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200, querystringParser },
    // What Node and Fastify answer by themselves, in the API's format and in French (core/http-contract.ts).
    clientErrorHandler,
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler());

  app.decorate('runtime', runtime);
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  // Everything done for a request (jobs it enqueues, errors it reports) knows its id.
  app.addHook('onRequest', (request, _reply, done) => runWithRequestId(request.id, done));
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // Shutting down: the client (or the load balancer) opens its next connection to another process.
    if (runtime.lifecycle.draining) void reply.header('connection', 'close');
  });
  // SIGTERM: streams are told to come back elsewhere and closed before the server stops listening.
  app.addHook('preClose', async () => {
    await runtime.lifecycle.beginShutdown();
    if (app.server.listening && config.shutdownDrainMs > 0) await drainConnections(app.server, config.shutdownDrainMs);
  });
  registerErrorHandling(app, config.bodyLimit, runtime.errors);
  registerHttpMetrics(app, runtime.metrics);
  registerHostChecks(app, config);
  // JSON, form and multipart bodies on every route, 405 for a known path's other methods (before any route).
  await registerHttpContract(app);

  await app.register(helmet, {
    // The API answers JSON; the docs page ships its own CSP (swagger-ui `staticCSP`).
    contentSecurityPolicy: false,
    hsts: config.debug ? false : { maxAge: 31_536_000, includeSubDomains: true, preload: true },
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  await app.register(cors, {
    origin: config.corsAllowedOrigins.length ? config.corsAllowedOrigins : config.debug,
    // The API's writes are PATCH, PUT and DELETE too (the library's default allows GET, HEAD and POST only).
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
    // An OPTIONS without Origin is not a preflight: it reaches the routes (204 with Allow), not a bare text 400.
    strictPreflight: false,
  });
  // Limits are per route (`config.rateLimit`), counted in Redis when REDIS_URL is set so that every server
  // process counts together. Redis down: requests go through rather than locking everyone out.
  await app.register(rateLimit, {
    global: false,
    ...(runtime.redis ? { redis: runtime.redis, nameSpace: 'spotvibe-rl-' } : {}),
    skipOnError: true,
    errorResponseBuilder: (_req, ctx) => new RateLimitedError(ctx.ttl / 1000),
  });
  // br or gzip for answers of 1 KiB and more (a list page is about 21 KB of JSON, 4 KB compressed); the public
  // cache's pages come compressed already (core/public-http.ts) and are left as they are.
  await app.register(compress, { encodings: ['br', 'gzip'], threshold: COMPRESS_THRESHOLD, global: true });
  // Cookies are read for one purpose only: the staff browser session of /admin/ (core/auth.ts).
  await app.register(cookie);
  // Uploads: each route reads its parts with its own size limits (core/multipart.ts).
  await app.register(multipart, { limits: { files: 1, fields: MAX_UPLOAD_FIELDS, headerPairs: 50 } });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'SpotVibe API',
        version: API_VERSION,
        description:
          "API de SpotVibe : découverte d'événements et billetterie en Côte d'Ivoire. " +
          'Authentification : `Authorization: Token <clé>` (ou `Bearer <clé>`). Montants en francs CFA (XOF), entiers.',
      },
      components: {
        securitySchemes: {
          tokenAuth: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Token <clé>' },
          staffSession: {
            type: 'apiKey',
            in: 'cookie',
            name: 'sv_admin_session',
            description:
              'Session du personnel dans SpotVibe Administration (POST /api/admin/session/), cookie httpOnly `sv_admin_session` ' +
              '(`__Secure-sv_admin_session` en production) ; toute modification exige aussi l’en-tête `X-CSRF-Token`.',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    theme: { title: 'SpotVibe API' },
    uiConfig: { docExpansion: 'list', deepLinking: true, validatorUrl: null } as never,
  });
  app.get('/api/schema/', { schema: { hide: true } }, async () => app.swagger());
  await registerMediaRoutes(app, mediaSettings(config));
  registerPageStyles(app);

  // The modules, in dependency order (each plugin checks that the ones it needs came first).
  for (const m of MODULES) if (m.plugin) await app.register(m.plugin);
  return app;
}
