/**
 * Prometheus metrics of one process (prom-client), served at `/metrics` (the server, on PORT) and on
 * METRICS_PORT (the separate worker). Each process has its own registry; modules add their metrics through
 * the process's `metrics` service (ProcessServices), by name, once:
 *
 *     const sent = services.metrics.counter('spotvibe_notifications_total', 'Notifications envoyées', ['canal', 'statut']);
 *     sent.inc({ canal: 'email', statut: 'envoyee' });
 *
 * Asking twice for the same name gives the same metric (a module's plugin may be registered by several apps
 * in one test process). Counters and histograms count what this process did: sum them over processes.
 * Gauges read from the database (`fromDatabase: true`) show the same value in every process: take their max.
 * With WEB_CONCURRENCY, the forked processes' metrics are aggregated by the primary (see server.ts), so one
 * scrape of the port sees all of them.
 */
import cluster from 'node:cluster';
import client from 'prom-client';

export type Labels<L extends string> = Partial<Record<L, string | number>>;

export interface GaugeOptions<L extends string> {
  labelNames?: readonly L[];
  /** Called at each scrape to set the gauge's values (may read the database). */
  collect?: (gauge: client.Gauge<L>) => Promise<void> | void;
  /** The value is the same in every process (read from the database): aggregated by max, not summed. */
  fromDatabase?: boolean;
}

export class Metrics {
  readonly registry = new client.Registry();

  constructor(opts: { defaultMetrics?: boolean; labels?: Record<string, string> } = {}) {
    if (opts.labels) this.registry.setDefaultLabels(opts.labels);
    // CPU, memory, event-loop lag, GC: for the server and worker processes (not for each test's runtime).
    if (opts.defaultMetrics) client.collectDefaultMetrics({ register: this.registry, prefix: 'spotvibe_' });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): client.Counter<L> {
    return this.existing(name) ?? new client.Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets?: number[]): client.Histogram<L> {
    return (
      this.existing(name) ??
      new client.Histogram<L>({ name, help, labelNames, registers: [this.registry], ...(buckets ? { buckets } : {}) })
    );
  }

  gauge<L extends string>(name: string, help: string, opts: GaugeOptions<L> = {}): client.Gauge<L> {
    const found = this.existing<client.Gauge<L>>(name);
    if (found) return found;
    const collect = opts.collect;
    return new client.Gauge<L>({
      name,
      help,
      labelNames: opts.labelNames ?? [],
      registers: [this.registry],
      ...(opts.fromDatabase ? { aggregator: 'max' as const } : {}),
      ...(collect
        ? {
            async collect(this: client.Gauge<L>) {
              await collect(this);
            },
          }
        : {}),
    });
  }

  /** The text exposition of this process, or of every forked process when this one is a cluster worker. */
  async render(): Promise<{ contentType: string; body: string }> {
    const body = cluster.isWorker && process.send ? await askPrimary() : await this.registry.metrics();
    return { contentType: this.registry.contentType, body };
  }

  private existing<M>(name: string): M | undefined {
    return this.registry.getSingleMetric(name) as M | undefined;
  }
}

// --- WEB_CONCURRENCY: the forked processes' metrics, aggregated by the primary -------------------------------

const REQUEST = 'spotvibe:metrics-req';
const RESPONSE = 'spotvibe:metrics-res';
let nextRequest = 0;
const waiting = new Map<number, { resolve(body: string): void; reject(err: Error): void; timer: NodeJS.Timeout }>();

/** In a forked process: its registries answer the primary's aggregation requests. */
export function joinClusterMetrics(metrics: Metrics): void {
  client.AggregatorRegistry.setRegistries([metrics.registry]);
  // Constructing one is what makes prom-client answer the primary's requests in a worker.
  new client.AggregatorRegistry();
  process.on('message', (msg: { type?: string; id?: number; body?: string; error?: string }) => {
    if (msg?.type !== RESPONSE || typeof msg.id !== 'number') return;
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    clearTimeout(w.timer);
    if (msg.error) w.reject(new Error(msg.error));
    else w.resolve(msg.body ?? '');
  });
}

function askPrimary(): Promise<string> {
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error('métriques : pas de réponse du processus principal'));
    }, 5000);
    waiting.set(id, { resolve, reject, timer });
    process.send!({ type: REQUEST, id });
  });
}

/** In the primary: answers each worker's request with every worker's metrics, aggregated. */
export function serveClusterMetrics(): void {
  const aggregator = new client.AggregatorRegistry();
  cluster.on('message', (worker, msg: { type?: string; id?: number }) => {
    if (msg?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (body) => worker.isConnected() && worker.send({ type: RESPONSE, id: msg.id, body }),
      (err: Error) => worker.isConnected() && worker.send({ type: RESPONSE, id: msg.id, error: err.message }),
    );
  });
}
