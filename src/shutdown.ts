/**
 * Graceful stop on SIGTERM (a rolling restart) or SIGINT: close once, within `timeoutMs`, then force the
 * exit. A second signal of the same kind (Ctrl+C twice) exits at once; another kind while closing (the
 * WEB_CONCURRENCY primary forwarding a terminal's Ctrl+C as SIGTERM) changes nothing.
 */
import type { FastifyBaseLogger } from 'fastify';

export function installShutdown(log: FastifyBaseLogger, close: () => Promise<unknown>, timeoutMs = 25_000, onTimeout?: () => void): void {
  let first: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (first) {
      if (signal !== first) return;
      log.warn({ signal }, 'second signal : arrêt immédiat');
      process.exit(130);
    }
    first = signal;
    const started = Date.now();
    log.info({ signal, delaiMaxMs: timeoutMs }, 'arrêt en cours : plus de nouvelles connexions, fin des requêtes et tâches en cours…');
    const timer = setTimeout(() => {
      log.error({ delaiMaxMs: timeoutMs }, 'arrêt trop long : sortie forcée');
      onTimeout?.();
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => {
        log.info({ dureeMs: Date.now() - started }, 'arrêt terminé');
        process.exit(0);
      },
      (err) => {
        log.error({ err }, "erreur pendant l'arrêt");
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
