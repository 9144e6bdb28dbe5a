/**
 * One logger per process: JSON lines on stdout (what a container platform collects), and the same lines
 * appended to LOG_FILE when it is set (the manual's file log). Secrets in logged objects are masked.
 * The HTTP app logs through it too (Fastify's `loggerInstance`), so requests and jobs share destinations.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type DestinationStream } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { redactUrl } from './security.js';

export const REDACTED_PATHS = [
  'password',
  'token',
  'secret',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.token',
  '*.secret',
  'headers.authorization',
];

/**
 * The request line without its secrets (a reset token, a code in the query string: security.ts `redactUrl`) and
 * only what a log needs. Fastify applies a logger instance's own serializers over its defaults.
 */
export const LOG_SERIALIZERS = {
  req: (req: { method: string; url: string; ip?: string; hostname?: string }) => ({
    method: req.method,
    url: redactUrl(req.url),
    ip: req.ip,
    host: req.hostname,
  }),
};

export function createLogger(config: Pick<Config, 'logLevel' | 'logFile'>): FastifyBaseLogger {
  const options = { level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[masqué]' }, serializers: LOG_SERIALIZERS };
  if (!config.logFile || config.logLevel === 'silent') return pino(options) as unknown as FastifyBaseLogger;
  mkdirSync(path.dirname(config.logFile), { recursive: true });
  const streams: { stream: DestinationStream; level: pino.Level }[] = [
    { stream: pino.destination({ dest: 1, sync: true }), level: 'trace' },
    // Appended (a restart keeps the previous lines); created if missing; reopened on SIGHUP for logrotate.
    { stream: fileDestination(config.logFile), level: 'trace' },
  ];
  return pino(options, pino.multistream(streams)) as unknown as FastifyBaseLogger;
}

function fileDestination(file: string): DestinationStream {
  const dest = pino.destination({ dest: file, append: true, mkdir: true, sync: true });
  process.on('SIGHUP', () => dest.reopen());
  return dest;
}
