/** Graceful stop on SIGINT/SIGTERM: close once, force-exit if closing hangs, exit non-zero on a second signal. */
import type { FastifyBaseLogger } from 'fastify';

export function installShutdown(log: FastifyBaseLogger, close: () => Promise<unknown>, timeoutMs = 20_000): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      log.warn({ signal }, 'second signal : arrêt immédiat');
      process.exit(130);
    }
    closing = true;
    log.info({ signal }, 'arrêt en cours…');
    const timer = setTimeout(() => {
      log.error('arrêt trop long : sortie forcée');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, "erreur pendant l'arrêt");
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
