/**
 * A process's shutdown, as the parts that hold something open see it. On SIGTERM (a rolling restart, a scale
 * down) the process stops taking work and lets what it holds finish within SHUTDOWN_TIMEOUT_SECONDS: `/readyz`
 * answers 503 at once, answers carry `Connection: close`, and every registered handler runs. A long-lived
 * answer (a Server-Sent Events stream) registers one that tells its client when to come back and ends it,
 * so that the HTTP server can close:
 *
 *     const off = lifecycle.onShutdown(() => { raw.end(`retry: ${SHUTDOWN_RETRY_MS}\n\n`); });
 *     request.raw.on('close', off);
 *
 * Handlers run once, together, before the HTTP server stops listening; one that fails is logged, not fatal.
 */
import type { FastifyBaseLogger } from 'fastify';

/** The reconnection delay (SSE `retry:` field) given to streams closed by a shutdown: the other processes serve them. */
export const SHUTDOWN_RETRY_MS = 1000;

export type ShutdownHandler = () => void | Promise<void>;

export class Lifecycle {
  private readonly handlers = new Set<ShutdownHandler>();
  private shutdown: Promise<void> | null = null;

  constructor(private readonly log?: FastifyBaseLogger) {}

  /** True from the first shutdown signal on: readiness fails, answers close their connection. */
  get draining(): boolean {
    return this.shutdown !== null;
  }

  /** Runs `handler` when the process starts shutting down (at once if it already has). Returns its unregistration. */
  onShutdown(handler: ShutdownHandler): () => void {
    if (this.shutdown) {
      void this.run(handler);
      return () => undefined;
    }
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  /** Starts the shutdown (idempotent): every registered handler runs; resolves when they all ended. */
  beginShutdown(): Promise<void> {
    this.shutdown ??= Promise.all([...this.handlers].map((h) => this.run(h))).then(() => this.handlers.clear());
    return this.shutdown;
  }

  private async run(handler: ShutdownHandler): Promise<void> {
    try {
      await handler();
    } catch (err) {
      this.log?.warn({ err }, "erreur d'un gestionnaire d'arrêt");
    }
  }
}
