// The runtime's Prometheus metrics, under controller-runtime's and client-go's names, so existing dashboards work.
// One RuntimeMetrics per Registry (memoized): several controllers and managers may share a registry.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InFlightStats, QueueMetrics, QueueMetricsProvider } from './workqueue/queue.ts';

/** controller-runtime's `result` label values of controller_runtime_reconcile_total. */
export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

// controller-runtime's reconcile_time_seconds buckets.
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75,
  2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
// Work-queue latencies: 10 ns to 1000 s, a decade per bucket.
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

export class RuntimeMetrics implements QueueMetricsProvider {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly terminalReconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly maxConcurrentReconciles: Gauge<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly leaderElectionStatus: Gauge<'name'>;
  readonly unhandledRejections: Counter;
  readonly #depth: Gauge<'name'>;
  readonly #adds: Counter<'name'>;
  readonly #queueDuration: Histogram<'name'>;
  readonly #workDuration: Histogram<'name'>;
  readonly #retries: Counter<'name'>;
  readonly #unfinished: Gauge<'name'>;
  readonly #longest: Gauge<'name'>;
  /** Live queues, read when the in-flight gauges are scraped. */
  readonly #queues = new Map<string, () => InFlightStats>();

  private constructor(registry: Registry) {
    this.registry = registry;
    const registers = [registry];
    const queues = this.#queues;
    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.terminalReconcileErrors = new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.maxConcurrentReconciles = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    this.activeWorkers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.leaderElectionStatus = new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.',
      labelNames: ['name'],
      registers,
    });
    this.unhandledRejections = new Counter({
      name: 'sparkop_runtime_unhandled_rejections_total',
      help: 'Promise rejections nobody handled, caught by the manager instead of ending the process',
      registers,
    });
    this.#depth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'],
      registers,
    });
    this.#adds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.#queueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name'],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.#workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames: ['name'],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.#retries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.#unfinished = new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help:
        'How many seconds of work has been done that is in progress and hasn’t been observed by work_duration. ' +
        'Large values indicate stuck threads.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, inFlight] of queues) this.set({ name }, inFlight().unfinishedSeconds);
      },
    });
    this.#longest = new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name'],
      registers,
      collect() {
        for (const [name, inFlight] of queues) this.set({ name }, inFlight().longestSeconds);
      },
    });
  }

  static #byRegistry = new WeakMap<Registry, RuntimeMetrics>();

  /**
   * `event_recorder_dropped_total{reason}`: Events the recorder dropped, by reason (`rate_limited`: the per-object
   * token bucket; `queue_full`: the write queue was full because the API server fell behind). Read at each scrape.
   */
  forEventRecorder(dropped: () => { readonly rateLimited: number; readonly queueFull: number }): void {
    new Counter({
      name: 'event_recorder_dropped_total',
      help: 'Events the recorder dropped, by reason (rate_limited, queue_full).',
      labelNames: ['reason'],
      registers: [this.registry],
      collect() {
        const now = dropped();
        this.reset();
        this.inc({ reason: 'rate_limited' }, now.rateLimited);
        this.inc({ reason: 'queue_full' }, now.queueFull);
      },
    });
  }

  /** The runtime's metrics on `registry`, created on first use. */
  static for(registry: Registry): RuntimeMetrics {
    let metrics = RuntimeMetrics.#byRegistry.get(registry);
    if (!metrics) {
      metrics = new RuntimeMetrics(registry);
      RuntimeMetrics.#byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  forQueue(name: string, inFlight: () => InFlightStats): QueueMetrics {
    const labels = { name };
    const queues = this.#queues;
    queues.set(name, inFlight);
    // Label series exist from the start, so dashboards show zeros rather than gaps.
    this.#depth.set(labels, 0);
    this.#adds.inc(labels, 0);
    this.#retries.inc(labels, 0);
    return {
      added: () => {
        this.#adds.inc(labels);
        this.#depth.inc(labels);
      },
      taken: (queuedMs) => {
        this.#depth.dec(labels);
        this.#queueDuration.observe(labels, queuedMs / 1000);
      },
      finished: (workMs) => this.#workDuration.observe(labels, workMs / 1000),
      retried: () => this.#retries.inc(labels),
      closed: () => {
        if (queues.get(name) === inFlight) queues.delete(name);
        this.#depth.set(labels, 0);
        this.#unfinished.set(labels, 0);
        this.#longest.set(labels, 0);
      },
    };
  }
}

/** A fresh registry for a process (or a test). */
export function newRegistry(): Registry {
  return new Registry();
}
