/**
 * The module contract. Every domain folder under src/modules/ exports one `SpotVibeModule` from its
 * plugin.ts:
 *
 * - `plugin`: a fastify-plugin (named `spotvibe-<name>`, with its declared dependencies) that builds the
 *   module's dependencies once from the runtime and registers every URL prefix the module owns, its share of
 *   /api/admin/ included. Route files only parse, authorize and call a use case; use cases take their
 *   dependencies and plain arguments (never a request) and own their transaction.
 * - `jobs`: the module's background jobs (pg-boss), run by whichever process works the queue.
 * - `hooks`: the module's handlers of other modules' domain hooks (core/hooks.ts), made from the process's
 *   services when the runtime starts (a handler may need the payment providers, the media store…).
 * - `checkConfig`: the module's settings, checked at start in every process (a problem stops the start).
 * - `metrics`: the module's Prometheus metrics, added to the process's registry in every process
 *   (core/metrics.ts); counters it increments where things happen, gauges it reads at each scrape.
 *
 * src/modules/index.ts lists the modules in dependency order; the runtime (jobs, hooks, settings) and the
 * app (plugins) both read that one list, so the server, the worker and the CLI are wired alike.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { JobDefinition, ProcessServices } from '../jobs/queue.js';
import type { HookHandlers } from './hooks.js';

export interface SpotVibeModule {
  name: string;
  /** Modules whose plugins must be registered first (their routes, decorators, authentication…). */
  dependencies: readonly string[];
  plugin?: (app: FastifyInstance) => Promise<void>;
  jobs?: readonly JobDefinition<never>[];
  hooks?: (services: ProcessServices) => HookHandlers;
  /** Problems with this module's settings, each naming its variable (empty when all is well). */
  checkConfig?: (config: Config) => string[];
  /** Adds the module's metrics to the process's registry (`services.metrics`), in every process. */
  metrics?: (services: ProcessServices) => void;
}

export function pluginName(module: string): string {
  return `spotvibe-${module}`;
}

/** Wraps a module's registration function as a named fastify-plugin that checks its dependencies. */
export function modulePlugin(
  name: string,
  dependencies: readonly string[],
  register: (app: FastifyInstance) => Promise<void>,
): (app: FastifyInstance) => Promise<void> {
  return fp(register, { name: pluginName(name), dependencies: dependencies.map(pluginName), fastify: '5.x' }) as unknown as (
    app: FastifyInstance,
  ) => Promise<void>;
}

export function defineModule(m: SpotVibeModule): SpotVibeModule {
  return m;
}
