/**
 * Configuration, read once from the environment (and an optional `.env` file) and validated at boot.
 * A bad value stops the start with a message naming the variable; production (`DEBUG=False`) refuses
 * default secrets. Every variable is listed in `.env.example` and the README.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { VERSION } from './version.js';

export const DEV_SECRET_KEY = 'dev-insecure-secret-key-change-me';

/** Django-style booleans (True/False, 1/0, yes/no, on/off): the value, undefined when empty, null when unreadable. */
function readBool(v: string | undefined): boolean | undefined | null {
  if (v === undefined || v.trim() === '') return undefined;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  return null;
}

const boolMessage = (v: string | undefined) => `valeur booléenne attendue (True/False), reçu « ${v} »`;

const bool = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const b = readBool(v);
      if (b === null) {
        ctx.addIssue({ code: 'custom', message: boolMessage(v) });
        return z.NEVER;
      }
      return b ?? def;
    });

const int = (def: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      if (!/^\d+$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `nombre entier attendu, reçu « ${v} »` });
        return z.NEVER;
      }
      const n = Number(v);
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `doit être compris entre ${min} et ${max}, reçu ${n}` });
        return z.NEVER;
      }
      return n;
    });

const list = (def: string[]) =>
  z
    .string()
    .optional()
    .transform((v) =>
      v === undefined || v.trim() === ''
        ? def
        : v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    );

const optionalStr = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const url = (protocols: string[]) =>
  optionalStr.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `URL attendue (${protocols.join(' ou ')})` },
  );

export const envSchema = z.object({
  NODE_ENV: optionalStr,
  // Base
  SECRET_KEY: optionalStr,
  DEBUG: z.string().optional(), // resolved below: its default depends on NODE_ENV
  ALLOWED_HOSTS: list(['localhost', '127.0.0.1']),
  // HTTP server
  HOST: z.string().trim().min(1).optional().default('127.0.0.1'),
  PORT: int(8000, 0, 65535),
  PUBLIC_BASE_URL: url(['http:', 'https:']),
  // false; a hop count (1 = one load balancer in front); or the proxies' addresses/CIDRs. `true` only in development.
  TRUST_PROXY: z.string().optional(),
  BODY_LIMIT: int(1_048_576, 1024, 100 * 1_048_576),
  CORS_ALLOWED_ORIGINS: list([]),
  SECURE_SSL_REDIRECT: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().default('info'),
  /** Also append the JSON log lines to this file (the manual's logs/django.log); stdout always gets them. */
  LOG_FILE: optionalStr,
  /** Seconds a SIGTERM may take (stop accepting, finish requests and jobs, close streams) before a forced exit. */
  SHUTDOWN_TIMEOUT_SECONDS: int(25, 1, 600),
  /**
   * Seconds a stopping process (which refuses new connections at once) lets its open connections end on their own
   * (answers with Connection: close) before it closes those left idle. Longer than the load balancer's idle timeout for its upstream connections (nginx.conf:
   * `keepalive_timeout 4s`), so that the balancer has closed or reused every pooled connection before we close
   * one it may be writing a POST into (a POST it would not resend).
   */
  SHUTDOWN_DRAIN_SECONDS: int(6, 0, 120),
  /** App processes forked by `node dist/server.js` on one machine (Heroku's name); PostgreSQL only. */
  WEB_CONCURRENCY: int(1, 1, 64),
  // Database
  DATABASE_URL: optionalStr.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'seul postgresql://… est pris en charge ; laissez la variable vide pour la base embarquée (PGlite)',
  }),
  DATA_DIR: z.string().optional().default('./data'),
  DATABASE_POOL_MAX: int(10, 1, 200),
  /** A streaming replica for public reads (event lists, search, detail); never availability, money or writes. */
  DATABASE_REPLICA_URL: optionalStr.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'URL attendue (postgresql://…)',
  }),
  // Jobs
  RUN_WORKER: z.enum(['auto', 'true', 'false']).optional().default('auto'),
  // Cache and rate limits
  REDIS_URL: url(['redis:', 'rediss:']),
  // Email (the manual's EMAIL_* variables)
  EMAIL_BACKEND: optionalStr,
  EMAIL_HOST: optionalStr,
  EMAIL_PORT: int(587, 1, 65535),
  EMAIL_USE_TLS: bool(true),
  EMAIL_HOST_USER: optionalStr,
  EMAIL_HOST_PASSWORD: optionalStr,
  DEFAULT_FROM_EMAIL: optionalStr,
  // Mobile money (the manual's variables; used by the payments module)
  ORANGE_MONEY_API_KEY: optionalStr,
  ORANGE_MONEY_MERCHANT_KEY: optionalStr,
  MTN_MONEY_API_KEY: optionalStr,
  MTN_MONEY_SUBSCRIPTION_KEY: optionalStr,
  MOOV_MONEY_API_KEY: optionalStr,
  // Payments (payments module): provider endpoints and credentials beyond the manual's, return and webhook URLs.
  PAYMENT_RETURN_URL: url(['http:', 'https:']),
  PAYMENT_CANCEL_URL: url(['http:', 'https:']),
  PAYMENT_WEBHOOK_BASE_URL: url(['http:', 'https:']),
  PAYMENT_PROVIDER_TIMEOUT_MS: int(15_000, 500, 120_000),
  /**
   * How long a payment or refund the provider may have received is still asked about while the provider says
   * "not found" (MTN 404, CinetPay 662): it is never failed before this window has passed.
   */
  PAYMENT_UNCONFIRMED_WINDOW_HOURS: int(48, 1, 24 * 30),
  // Seat griefing (issue 11): seats one account, and one payer phone, may hold at once on one event (0 = no cap),
  // and how soon a hold the payer shows no sign of paying goes back on sale (the payment itself stays open).
  MAX_HELD_SEATS_PER_USER: int(10, 0, 100_000),
  MAX_HELD_SEATS_PER_PHONE: int(10, 0, 100_000),
  MTN_PENDING_HOLD_MINUTES: int(5, 1, 15),
  REDIRECT_UNOPENED_HOLD_MINUTES: int(5, 1, 15),
  // Amounts each provider takes per payment, whole XOF (issue 12). No provider documents its bounds for
  // merchants in Côte d'Ivoire (see payments/amount-limits.ts): set them from your contract.
  ORANGE_MONEY_MIN_AMOUNT: int(100, 1, 100_000_000),
  ORANGE_MONEY_MAX_AMOUNT: int(1_500_000, 1, 100_000_000),
  MTN_MONEY_MIN_AMOUNT: int(100, 1, 100_000_000),
  MTN_MONEY_MAX_AMOUNT: int(1_500_000, 1, 100_000_000),
  MOOV_MONEY_MIN_AMOUNT: int(100, 1, 100_000_000),
  MOOV_MONEY_MAX_AMOUNT: int(1_500_000, 1, 100_000_000),
  WAVE_MIN_AMOUNT: int(100, 1, 100_000_000),
  WAVE_MAX_AMOUNT: int(1_500_000, 1, 100_000_000),
  // Check-in at the door (tickets module): pace per scanner token (or user), and unknown codes before a 429.
  CHECKIN_RATE_LIMIT_MAX: int(120, 1, 100_000),
  CHECKIN_RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 3600),
  CHECKIN_UNKNOWN_CODES_MAX: int(20, 1, 100_000),
  CHECKIN_UNKNOWN_CODES_WINDOW_SECONDS: int(60, 1, 3600),
  WEBHOOK_RATE_LIMIT_MAX: int(600, 1, 1_000_000),
  WEBHOOK_RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 3600),
  FORGED_CALLBACKS_RETENTION_DAYS: int(7, 1, 365),
  // Subscriptions (subscriptions module): grace after a period ends, renewal reminder steps (days from the end).
  SUBSCRIPTION_GRACE_DAYS: int(7, 0, 60),
  SUBSCRIPTION_REMINDER_DAYS: z
    .string()
    .optional()
    .default('-7,-3,-1,0,3')
    .refine((v) => v.split(',').every((p) => /^\s*[+-]?\d+\s*$/.test(p)), { message: "liste d'entiers attendue (ex. -7,-3,-1,0,3)" }),
  ORANGE_MONEY_BASE_URL: url(['http:', 'https:']),
  ORANGE_MONEY_TOKEN_URL: url(['http:', 'https:']),
  ORANGE_MONEY_CLIENT_ID: optionalStr,
  ORANGE_MONEY_CLIENT_SECRET: optionalStr,
  ORANGE_MONEY_COUNTRY: optionalStr
    .refine((v) => v === undefined || /^[a-z]{2,3}$/.test(v), { message: 'code pays Orange attendu (ci, ou dev pour le bac à sable)' })
    .transform((v) => v ?? 'ci'),
  ORANGE_MONEY_CURRENCY: optionalStr.refine((v) => v === undefined || /^[A-Z]{3}$/.test(v), { message: 'code devise attendu (XOF, OUV…)' }),
  MTN_MONEY_BASE_URL: url(['http:', 'https:']),
  MTN_MONEY_API_USER: optionalStr,
  MTN_MONEY_TARGET_ENVIRONMENT: optionalStr.transform((v) => v ?? 'mtnivorycoast'),
  MTN_MONEY_CURRENCY: optionalStr.refine((v) => v === undefined || /^[A-Z]{3}$/.test(v), { message: 'code devise attendu (XOF, EUR…)' }),
  MTN_MONEY_DISBURSEMENT_SUBSCRIPTION_KEY: optionalStr,
  MTN_MONEY_DISBURSEMENT_API_USER: optionalStr,
  MTN_MONEY_DISBURSEMENT_API_KEY: optionalStr,
  // CinetPay's documented `channels` values; FLOOZ is a payment-method code, not a channel (issue 12).
  MOOV_MONEY_CHANNEL: z.enum(['ALL', 'MOBILE_MONEY', 'CREDIT_CARD', 'WALLET']).optional().default('MOBILE_MONEY'),
  CINETPAY_BASE_URL: url(['http:', 'https:']),
  CINETPAY_SITE_ID: optionalStr,
  CINETPAY_API_KEY: optionalStr,
  CINETPAY_SECRET_KEY: optionalStr,
  WAVE_BASE_URL: url(['http:', 'https:']),
  WAVE_API_KEY: optionalStr,
  WAVE_WEBHOOK_SECRET: optionalStr,
  // Payments simulator (`npm run simulator`)
  /** auto: start the provider simulator inside `npm start` when DEBUG=True and no provider has credentials. */
  PAYMENT_SIMULATOR: z.enum(['auto', 'true', 'false']).optional().default('auto'),
  SIMULATOR_PORT: int(8900, 0, 65535),
  SIMULATOR_HOST: z.string().trim().min(1).optional().default('127.0.0.1'),
  // Tickets: Ed25519 key signing the QR codes (PEM PKCS#8, or the 32-byte seed in base64/base64url)
  // Checked by the tickets module at start (its checkConfig): a PEM PKCS#8 key or a 32-byte seed.
  TICKET_SIGNING_PRIVATE_KEY: optionalStr,
  // Google and Facebook
  GOOGLE_MAPS_API_KEY: optionalStr,
  GOOGLE_OAUTH2_CLIENT_ID: optionalStr,
  GOOGLE_OAUTH2_CLIENT_SECRET: optionalStr,
  FACEBOOK_APP_ID: optionalStr,
  FACEBOOK_APP_SECRET: optionalStr,
  // Accounts (users module): login protection, links sent by email, social sign-in endpoints, profile photos.
  LOGIN_RATE_LIMIT_MAX: int(5, 1, 100_000),
  LOGIN_RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 86_400),
  ACCOUNT_RATE_LIMIT_MAX: int(20, 1, 100_000),
  ACCOUNT_RATE_LIMIT_WINDOW_SECONDS: int(3600, 1, 86_400),
  LOGIN_LOCKOUT_FAILURES: int(5, 1, 1000),
  LOGIN_LOCKOUT_ACCOUNT_FAILURES: int(30, 1, 100_000),
  API_TOKEN_IDLE_DAYS: int(30, 1, 3650),
  API_TOKEN_MAX_AGE_DAYS: int(365, 1, 3650),
  LOGIN_LOCKOUT_MINUTES: int(15, 1, 1440),
  PASSWORD_RESET_URL: optionalStr.refine((v) => v === undefined || v.includes('{token}'), { message: 'doit contenir {token}' }),
  EMAIL_VERIFICATION_URL: optionalStr.refine((v) => v === undefined || v.includes('{token}'), { message: 'doit contenir {token}' }),
  GOOGLE_JWKS_URL: url(['http:', 'https:']),
  GOOGLE_ISSUERS: list(['https://accounts.google.com', 'accounts.google.com']),
  FACEBOOK_GRAPH_URL: url(['http:', 'https:']),
  SOCIAL_HTTP_TIMEOUT_MS: int(10_000, 100, 120_000),
  MEDIA_ROOT: optionalStr,
  MEDIA_URL: optionalStr.transform((v) => v ?? '/media/'),
  PHOTO_MAX_BYTES: int(5 * 1_048_576, 1024, 50 * 1_048_576),
  AWS_S3_ENDPOINT_URL: url(['http:', 'https:']),
  // Accepted for compatibility with the manual's .env; jobs run on pg-boss, so these are not used.
  CELERY_BROKER_URL: optionalStr,
  CELERY_RESULT_BACKEND: optionalStr,
  // Events
  EVENT_IMAGE_MAX_BYTES: int(5 * 1_048_576, 10_240, 50 * 1_048_576),
  EVENTS_VIEWS_FLUSH_SECONDS: int(10, 0, 3600),
  EVENTS_VIEWS_DEDUP_SECONDS: int(3600, 1, 7 * 86_400),
  EVENTS_LIST_COUNT_CACHE_SECONDS: int(10, 0, 3600),
  // Public-read cache (core/public-cache.ts): on with Redis or the embedded database; pages kept at most this long.
  PUBLIC_CACHE: bool(true),
  PUBLIC_CACHE_TTL_SECONDS: int(60, 1, 86_400),
  PUBLIC_CACHE_MAX_BYTES: int(32 * 1_048_576, 65_536, 1024 * 1_048_576),
  // Notifications (notifications module): quiet hours, reminders, retention, organizer messages, channels.
  NOTIFICATIONS_QUIET_HOURS: optionalStr
    .refine((v) => v === undefined || v === '' || /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/.test(v), {
      message: 'plage HH:MM-HH:MM attendue (22:00-07:00), ou vide pour aucune',
    })
    .transform((v) => v ?? '22:00-07:00'),
  NOTIFICATIONS_TIME_ZONE: optionalStr.transform((v) => v ?? 'Africa/Abidjan'),
  EVENT_REMINDER_HOURS: optionalStr
    .refine((v) => v === undefined || /^\d{1,3}(,\d{1,3})*$/.test(v.replace(/\s/g, '')), {
      message: 'heures séparées par des virgules attendues (24,2)',
    })
    .transform((v) => (v ?? '24,2').replace(/\s/g, '').split(',').map(Number)),
  NOTIFICATIONS_READ_RETENTION_DAYS: int(90, 1, 3650),
  NOTIFICATIONS_DELIVERY_RETENTION_DAYS: int(30, 1, 3650),
  NOTIFICATIONS_MAX_ATTEMPTS: int(8, 1, 50),
  ORGANIZER_MESSAGES_MAX: int(3, 1, 1000),
  ORGANIZER_MESSAGES_WINDOW_SECONDS: int(86_400, 60, 30 * 86_400),
  SMS_BACKEND: z.enum(['console', 'orange']).optional(),
  ORANGE_SMS_BASE_URL: url(['http:', 'https:']),
  ORANGE_SMS_CLIENT_ID: optionalStr,
  ORANGE_SMS_CLIENT_SECRET: optionalStr,
  ORANGE_SMS_SENDER_ADDRESS: optionalStr.refine((v) => v === undefined || /^\+?\d{6,15}$/.test(v), {
    message: 'numéro international attendu (+2250000)',
  }),
  ORANGE_SMS_SENDER_NAME: optionalStr.refine((v) => v === undefined || /^[A-Za-z0-9 ]{1,11}$/.test(v), {
    message: '11 caractères alphanumériques au plus',
  }),
  /** Turns on SMS delivery receipts: signs each message's callbackData (receipts.ts). */
  ORANGE_SMS_RECEIPT_SECRET: optionalStr.refine((v) => v === undefined || v.length >= 16, { message: '16 caractères au moins' }),
  ORANGE_SMS_RECEIPT_URL: url(['http:', 'https:']),
  PUSH_BACKEND: z.enum(['console', 'fcm']).optional(),
  FCM_BASE_URL: url(['http:', 'https:']),
  FCM_TOKEN_URL: url(['http:', 'https:']),
  FCM_PROJECT_ID: optionalStr,
  /** The service account's JSON key (the file's content, or its path). */
  FCM_SERVICE_ACCOUNT: optionalStr,
  APNS_BASE_URL: url(['http:', 'https:']),
  /** The .p8 key (PEM content, or its path). */
  APNS_KEY: optionalStr,
  APNS_KEY_ID: optionalStr,
  APNS_TEAM_ID: optionalStr,
  APNS_TOPIC: optionalStr,
  NOTIFICATIONS_HTTP_TIMEOUT_MS: int(10_000, 100, 120_000),
  NOTIFICATIONS_SEND_CONCURRENCY: int(16, 1, 256),
  // Staff web interface (admin module): sign-in lifetime, where the built interface is.
  ADMIN_SESSION_HOURS: int(12, 1, 24 * 30),
  ADMIN_UI_DIR: optionalStr,
  // Monitoring and storage
  // Sentry's own DSN form (its SDK otherwise ignores a malformed one silently): scheme://key@host[:port]/project.
  SENTRY_DSN: optionalStr.refine((v) => v === undefined || /^https?:\/\/\w+(?::\w+)?@[\w.-]+(?::\d+)?\/\S+$/.test(v), {
    message: 'DSN Sentry attendu (https://<clé>@<hôte>/<projet>)',
  }),
  SENTRY_RELEASE: optionalStr,
  SENTRY_ENVIRONMENT: optionalStr,
  /** `/metrics` then requires `Authorization: Bearer <METRICS_TOKEN>` (API.md). */
  METRICS_TOKEN: optionalStr,
  /** The separate worker serves /metrics and /healthz on this port (empty: it listens on none). */
  METRICS_PORT: int(0, 0, 65535),
  AWS_ACCESS_KEY_ID: optionalStr,
  AWS_SECRET_ACCESS_KEY: optionalStr,
  AWS_STORAGE_BUCKET_NAME: optionalStr,
  AWS_S3_REGION_NAME: optionalStr,
});

export type DatabaseKind = 'pglite' | 'postgres';

export interface Config {
  debug: boolean;
  secretKey: string;
  allowedHosts: string[];
  host: string;
  port: number;
  publicBaseUrl: string | undefined;
  /** Fastify's trustProxy: false, a number of hops, or the addresses/CIDRs of the proxies (true: development only). */
  trustProxy: boolean | number | string[];
  bodyLimit: number;
  corsAllowedOrigins: string[];
  secureSslRedirect: boolean;
  logLevel: string;
  logFile: string | undefined;
  shutdownTimeoutMs: number;
  shutdownDrainMs: number;
  webConcurrency: number;
  database: { kind: DatabaseKind; url: string | undefined; replicaUrl: string | undefined; dataDir: string; poolMax: number };
  sentry: { dsn: string | undefined; release: string; environment: string };
  metrics: { token: string | undefined; port: number };
  runWorker: 'auto' | 'true' | 'false';
  redisUrl: string | undefined;
  email: {
    backend: 'console' | 'smtp';
    host: string | undefined;
    port: number;
    useTls: boolean;
    user: string | undefined;
    password: string | undefined;
    from: string;
  };
  /** The raw validated environment, for modules that read their own variables (payments, social sign-in…). */
  env: z.infer<typeof envSchema>;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Configuration invalide :\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join('.')}: ${frenchZodMessage(issue)}`);
    }
    throw new ConfigError(problems);
  }
  const env = parsed.data;

  if (env.SHUTDOWN_DRAIN_SECONDS >= env.SHUTDOWN_TIMEOUT_SECONDS)
    problems.push(
      `SHUTDOWN_DRAIN_SECONDS: doit être inférieur à SHUTDOWN_TIMEOUT_SECONDS (${env.SHUTDOWN_TIMEOUT_SECONDS}) : l'arrêt serait forcé avant la fin des requêtes`,
    );
  const debugDefault = env.NODE_ENV !== 'production';
  const debug = parseBool(env.DEBUG, debugDefault, 'DEBUG', problems);
  const secureSslRedirect = parseBool(env.SECURE_SSL_REDIRECT, !debug, 'SECURE_SSL_REDIRECT', problems);

  let secretKey = env.SECRET_KEY;
  if (!debug) {
    if (!secretKey || secretKey === DEV_SECRET_KEY || /^your-secret-key/i.test(secretKey)) {
      problems.push('SECRET_KEY: obligatoire en production (DEBUG=False) et ne doit pas être la valeur par défaut');
    } else if (secretKey.length < 32) {
      problems.push('SECRET_KEY: trop courte pour la production (32 caractères au minimum)');
    }
    if (env.ALLOWED_HOSTS.length === 0) problems.push('ALLOWED_HOSTS: obligatoire en production');
  }
  secretKey ??= DEV_SECRET_KEY;

  const trustProxy = parseTrustProxy(env.TRUST_PROXY, debug, problems);
  const emailBackend = parseEmailBackend(env.EMAIL_BACKEND, env.EMAIL_HOST, problems);
  if (env.DATABASE_REPLICA_URL && !env.DATABASE_URL) {
    problems.push('DATABASE_REPLICA_URL: une réplique demande PostgreSQL (DATABASE_URL) ; la base embarquée n’en a pas');
  }
  if (emailBackend === 'smtp' && !env.EMAIL_HOST) problems.push('EMAIL_HOST: obligatoire quand EMAIL_BACKEND=smtp');
  for (const f of ['ORANGE_MONEY', 'MTN_MONEY', 'MOOV_MONEY', 'WAVE'] as const) {
    if (env[`${f}_MIN_AMOUNT`] > env[`${f}_MAX_AMOUNT`]) {
      problems.push(`${f}_MIN_AMOUNT: supérieur à ${f}_MAX_AMOUNT (${env[`${f}_MIN_AMOUNT`]} > ${env[`${f}_MAX_AMOUNT`]})`);
    }
  }
  if (!debug) {
    // Every link sent or shown (emails, SMS, payment return pages, pagination, redirects) is built from this, never
    // from a request's Host header, which an attacker chooses.
    if (!env.PUBLIC_BASE_URL) {
      problems.push(
        "PUBLIC_BASE_URL: obligatoire en production (DEBUG=False) : l'adresse publique du service, par exemple https://api.spotvibe.ci ; tous les liens (e-mails, SMS, pagination, retours de paiement, redirections) en sont construits",
      );
    }
    // The console backend would write reset links and codes into the production logs.
    if (emailBackend === 'console') {
      problems.push(
        "EMAIL_HOST: obligatoire en production (DEBUG=False) : l'envoi d'e-mails par le journal (EMAIL_BACKEND=console) y écrirait les liens et codes secrets ; renseignez EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER et EMAIL_HOST_PASSWORD",
      );
    }
  }
  if (problems.length) throw new ConfigError(problems);

  return {
    debug,
    secretKey,
    allowedHosts: env.ALLOWED_HOSTS.map((h) => h.toLowerCase()),
    host: env.HOST,
    port: env.PORT,
    publicBaseUrl: env.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    trustProxy,
    bodyLimit: env.BODY_LIMIT,
    corsAllowedOrigins: env.CORS_ALLOWED_ORIGINS,
    secureSslRedirect,
    logLevel: env.LOG_LEVEL,
    logFile: env.LOG_FILE ? path.resolve(env.LOG_FILE) : undefined,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    shutdownDrainMs: env.SHUTDOWN_DRAIN_SECONDS * 1000,
    webConcurrency: env.WEB_CONCURRENCY,
    database: {
      kind: env.DATABASE_URL ? 'postgres' : 'pglite',
      url: env.DATABASE_URL,
      replicaUrl: env.DATABASE_REPLICA_URL,
      dataDir: path.resolve(env.DATA_DIR),
      poolMax: env.DATABASE_POOL_MAX,
    },
    sentry: {
      dsn: env.SENTRY_DSN,
      release: env.SENTRY_RELEASE ?? `spotvibe@${VERSION}`,
      environment: env.SENTRY_ENVIRONMENT ?? (debug ? 'development' : 'production'),
    },
    metrics: { token: env.METRICS_TOKEN, port: env.METRICS_PORT },
    runWorker: env.RUN_WORKER,
    redisUrl: env.REDIS_URL,
    email: {
      backend: emailBackend,
      host: env.EMAIL_HOST,
      port: env.EMAIL_PORT,
      useTls: env.EMAIL_USE_TLS,
      user: env.EMAIL_HOST_USER,
      password: env.EMAIL_HOST_PASSWORD,
      from: env.DEFAULT_FROM_EMAIL ?? 'SpotVibe <no-reply@spotvibe.ci>',
    },
    env,
  };
}

/** For booleans whose default depends on other variables (DEBUG, SECURE_SSL_REDIRECT). */
function parseBool(v: string | undefined, def: boolean, name: string, problems: string[]): boolean {
  const b = readBool(v);
  if (b === null) problems.push(`${name}: ${boolMessage(v)}`);
  return b ?? def;
}

/**
 * TRUST_PROXY: who may tell us the client's address (X-Forwarded-For) and protocol. `true` believes every hop, so a
 * client writes its own address into the header and escapes every per-address limit: refused in production.
 */
function parseTrustProxy(v: string | undefined, debug: boolean, problems: string[]): boolean | number | string[] {
  const raw = (v ?? '').trim();
  if (raw === '') return false;
  const b = readBool(raw);
  if (b === false) return false;
  if (b === true && !/^\d+$/.test(raw)) {
    if (!debug) {
      problems.push(
        "TRUST_PROXY: « true » ferait confiance à tout en-tête X-Forwarded-For (l'adresse du client serait falsifiable) : indiquez le nombre de proxys devant le serveur (TRUST_PROXY=1 derrière un répartiteur de charge) ou leurs adresses (TRUST_PROXY=10.0.0.0/8,192.168.1.10)",
      );
    }
    return true;
  }
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n > 10) problems.push(`TRUST_PROXY: ${n} intermédiaires, c'est trop : indiquez le nombre de proxys (1 à 10) ou leurs adresses`);
    return n === 0 ? false : n;
  }
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bad = parts.filter((p) => {
    const [addr, bits, extra] = p.split('/');
    if (extra !== undefined || !addr || !isIP(addr)) return true;
    if (bits === undefined) return false;
    const max = isIP(addr) === 4 ? 32 : 128;
    return !/^\d+$/.test(bits) || Number(bits) > max;
  });
  if (bad.length) {
    problems.push(
      `TRUST_PROXY: adresse ou réseau invalide : ${bad.join(', ')} (attendu : un nombre de proxys, ou des adresses IP et réseaux CIDR séparés par des virgules)`,
    );
  }
  return parts;
}

/** The manual uses Django's backend paths; we accept those and the short names. */
function parseEmailBackend(v: string | undefined, host: string | undefined, problems: string[]): 'console' | 'smtp' {
  if (v === undefined) return host ? 'smtp' : 'console';
  const s = v.toLowerCase();
  if (s === 'smtp' || s.endsWith('smtp.emailbackend')) return 'smtp';
  if (s === 'console' || s.endsWith('console.emailbackend')) return 'console';
  problems.push(`EMAIL_BACKEND: « ${v} » inconnu (smtp ou console, ou les chemins Django équivalents)`);
  return 'console';
}

function frenchZodMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'custom') return issue.message;
  if (issue.code === 'invalid_value') return `valeur non autorisée ; valeurs possibles : ${issue.values.join(', ')}`;
  if (issue.code === 'too_small') return 'ne doit pas être vide';
  return issue.message;
}
