/**
 * Builds the HTTP application: plugins first (errors, security, auth, docs), then each module's routes.
 * `server.ts` only opens the database, starts jobs and listens; tests build the app and use inject().
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { JobQueue, Services } from './jobs/queue.js';
import { registerErrorHandling } from './core/error-handler.js';
import { registerAuthentication } from './core/auth.js';
import { registerHostChecks } from './core/security.js';
import { healthRoutes } from './modules/health/routes.js';
import { paymentRoutes } from './modules/payments/routes.js';
import './modules/payments/privacy.js';
import './modules/payments/event-hooks.js';
import { webhookRoutes } from './modules/payments/webhooks.js';
import { adminPaymentRoutes } from './modules/payments/admin-routes.js';
import { paymentReturnPages } from './modules/payments/return-pages.js';
import { ticketRoutes } from './modules/tickets/routes.js';
import { ticketTypeRoutes } from './modules/tickets/types-routes.js';
import { accountsPlugin } from './modules/users/plugin.js';
import { eventsPlugin } from './modules/events/plugin.js';

export interface AppDeps {
  config: Config;
  database: Database;
  jobs: JobQueue;
  services: Services;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}

export type App = FastifyInstance;

export const API_VERSION = '0.1.0';

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  if (config.logLevel === 'silent') return false;
  return {
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'], censor: '[masqué]' },
  };
}

export async function buildApp(deps: AppDeps, logger: FastifyServerOptions['logger'] = loggerOptions(deps.config)): Promise<App> {
  const { config } = deps;
  const app = Fastify({
    logger,
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimit,
    // Not `requestIdHeader`: Fastify would then take any incoming value as is (log injection).
    requestIdHeader: false,
    // Honour a caller's request id when it looks like one; otherwise make our own.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: {
      customOptions: { allErrors: true, verbose: true, keywords: ['x-message'] },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('deps', deps);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  registerErrorHandling(app, config.bodyLimit);
  registerHostChecks(app, config);

  await app.register(helmet, {
    // The API answers JSON; the docs page ships its own CSP (swagger-ui `staticCSP`).
    contentSecurityPolicy: false,
    hsts: config.debug ? false : { maxAge: 31_536_000, includeSubDomains: true, preload: true },
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  await app.register(cors, {
    origin: config.corsAllowedOrigins.length ? config.corsAllowedOrigins : config.debug,
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });

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

  registerAuthentication(app, deps.database.db);

  await app.register(healthRoutes);
  await app.register(paymentRoutes, { prefix: '/api/payments' });
  await app.register(webhookRoutes, { prefix: '/api/payments/webhooks' });
  await app.register(adminPaymentRoutes, { prefix: '/api/admin' });
  await app.register(paymentReturnPages);
  await app.register(ticketRoutes, { prefix: '/api/tickets' });
  await app.register(ticketTypeRoutes, { prefix: '/api/events' });
  await app.register(accountsPlugin);
  await app.register(eventsPlugin);
  return app;
}
