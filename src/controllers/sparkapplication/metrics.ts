// kubeflow's application metrics. Counters and histograms: which ones move is derived (pure) from a status change,
// and applied only after that status was written, so each transition counts once however often the application is
// reconciled. Gauges (running applications, running executors) are state, not events: they are counted from the
// cached applications at each scrape (runningGauges), so a restarted operator reports them right from its first
// scrape, and a deleted running application stops counting.
import { Counter, Gauge, Histogram, type Registry, Summary } from 'prom-client';
import type { SparkApplication, SparkApplicationStatus } from '../../api/index.ts';
import { parseTime } from '../../spark/lifecycle/index.ts';
import type { ApplicationMetricsSettings } from './settings.ts';

export type CounterName =
  | 'spark_application_count'
  | 'spark_application_submit_count'
  | 'spark_application_failed_submission_count'
  | 'spark_application_success_count'
  | 'spark_application_failure_count'
  | 'spark_executor_success_count'
  | 'spark_executor_failure_count';
export type GaugeName = 'spark_application_running_count' | 'spark_executor_running_count';
export type ObservationName =
  | 'spark_application_success_execution_time_seconds'
  | 'spark_application_failure_execution_time_seconds'
  | 'spark_application_start_latency_seconds';

export type MetricChange =
  | { readonly kind: 'inc'; readonly metric: CounterName }
  | { readonly kind: 'observe'; readonly metric: ObservationName; readonly seconds: number };

const stateOf = (s: SparkApplicationStatus | undefined): string => s?.applicationState?.state ?? '';

/** The metric changes a status change from `before` to `after` stands for (`now` in ms, for the start latency). */
export function metricChanges(
  app: Pick<SparkApplication, 'metadata'>,
  before: SparkApplicationStatus | undefined,
  after: SparkApplicationStatus,
  now: number,
): MetricChange[] {
  const out: MetricChange[] = [];
  const from = stateOf(before);
  const to = stateOf(after);
  if (from === '' && to !== '') out.push({ kind: 'inc', metric: 'spark_application_count' });
  const newSubmission = after.submissionID !== undefined && after.submissionID !== before?.submissionID;
  if (newSubmission && to === 'SUBMITTED') out.push({ kind: 'inc', metric: 'spark_application_submit_count' });
  if (to === 'SUBMISSION_FAILED' && (after.submissionAttempts ?? 0) > (before?.submissionAttempts ?? 0)) {
    out.push({ kind: 'inc', metric: 'spark_application_failed_submission_count' });
  }
  if (from !== to) {
    if (to === 'RUNNING') {
      const ts: unknown = app.metadata?.creationTimestamp;
      const created = parseTime(ts instanceof Date ? ts.toISOString() : (ts as string | undefined));
      if (created !== undefined && from === 'SUBMITTED') {
        out.push({
          kind: 'observe',
          metric: 'spark_application_start_latency_seconds',
          seconds: Math.max(0, (now - created) / 1000),
        });
      }
    }
    if (to === 'COMPLETED' || to === 'FAILED') {
      const success = to === 'COMPLETED';
      out.push({
        kind: 'inc',
        metric: success ? 'spark_application_success_count' : 'spark_application_failure_count',
      });
      const start = parseTime(after.lastSubmissionAttemptTime);
      const end = parseTime(after.terminationTime);
      if (start !== undefined && end !== undefined) {
        out.push({
          kind: 'observe',
          metric: success
            ? 'spark_application_success_execution_time_seconds'
            : 'spark_application_failure_execution_time_seconds',
          seconds: Math.max(0, (end - start) / 1000),
        });
      }
    }
  }
  // Executors: keyed by pod name; a new submission starts from an empty map.
  const prev = after.submissionID === before?.submissionID ? (before?.executorState ?? {}) : {};
  const next = after.executorState ?? {};
  for (const pod of [...new Set([...Object.keys(prev), ...Object.keys(next)])].sort()) {
    const a = prev[pod];
    const b = next[pod];
    if (a === b) continue;
    if (b === 'COMPLETED') out.push({ kind: 'inc', metric: 'spark_executor_success_count' });
    if (b === 'FAILED') out.push({ kind: 'inc', metric: 'spark_executor_failure_count' });
  }
  return out;
}

/** The gauges' values per label set, counted from the applications (pure). Every label set seen counts, if 0. */
export function runningGauges(
  apps: readonly Pick<SparkApplication, 'metadata' | 'status'>[],
  labelsOf: (app: Pick<SparkApplication, 'metadata'>) => Record<string, string>,
): Map<string, { labels: Record<string, string>; applications: number; executors: number }> {
  const out = new Map<string, { labels: Record<string, string>; applications: number; executors: number }>();
  for (const app of apps) {
    const labels = labelsOf(app);
    const key = Object.values(labels).join('\u0000'); // same label names, in the same order, for every app
    const entry = out.get(key) ?? { labels, applications: 0, executors: 0 };
    if (stateOf(app.status) === 'RUNNING') entry.applications++;
    for (const state of Object.values(app.status?.executorState ?? {})) if (state === 'RUNNING') entry.executors++;
    out.set(key, entry);
  }
  return out;
}

/** A Prometheus label name for an application label ("app.kubernetes.io/name" → "app_kubernetes_io_name"). */
export function metricLabelName(label: string): string {
  const name = label.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

const HELP: Record<CounterName | GaugeName | ObservationName, string> = {
  spark_application_count: 'SparkApplications the operator started handling',
  spark_application_submit_count: 'Successful driver submissions',
  spark_application_failed_submission_count: 'Failed driver submissions',
  spark_application_success_count: 'SparkApplications that completed',
  spark_application_failure_count: 'SparkApplications that failed',
  spark_application_running_count: 'SparkApplications whose driver is running',
  spark_executor_running_count: 'Executors running',
  spark_executor_success_count: 'Executors that completed',
  spark_executor_failure_count: 'Executors that failed',
  spark_application_success_execution_time_seconds: 'Time from submission to completion of successful applications',
  spark_application_failure_execution_time_seconds: 'Time from submission to termination of failed applications',
  spark_application_start_latency_seconds: 'Time from creation of an application to its driver running',
};

/** The metrics on a registry; `apply` records changes for one application. */
export class ApplicationMetrics {
  readonly #labels: readonly string[];
  readonly #counters = new Map<string, Counter<string>>();
  readonly #summaries = new Map<string, Summary<string>>();
  readonly #latency: Histogram<string>;

  /**
   * `applications` lists the applications the gauges count (the controller's cache); when listing fails (the cache
   * not synced yet) a scrape keeps the gauges' last values rather than reporting zeros.
   */
  constructor(
    registry: Registry,
    settings: ApplicationMetricsSettings,
    applications: () => Promise<readonly Pick<SparkApplication, 'metadata' | 'status'>[]> = async () => [],
  ) {
    this.#labels = settings.labels;
    const labelNames = ['namespace', ...settings.labels.map(metricLabelName)];
    const name = (n: string) => `${settings.prefix}${n}`;
    const common = { labelNames, registers: [registry] };
    for (const metric of [
      'spark_application_count',
      'spark_application_submit_count',
      'spark_application_failed_submission_count',
      'spark_application_success_count',
      'spark_application_failure_count',
      'spark_executor_success_count',
      'spark_executor_failure_count',
    ] as const) {
      this.#counters.set(metric, new Counter({ name: name(metric), help: HELP[metric], ...common }));
    }
    const labelsOf = (app: Pick<SparkApplication, 'metadata'>) => this.#labelsOf(app);
    // Both gauges come from one pass over the applications per scrape: a scrape starts every collect() at once, so
    // the second shares the first one's pass (with 10 000 applications a pass is milliseconds, and the benches
    // scrape ten times a second).
    let counting: Promise<ReturnType<typeof runningGauges> | undefined> | undefined;
    const counted = () => {
      counting ??= applications()
        .then((apps) => runningGauges(apps, labelsOf))
        .catch(() => undefined)
        .finally(() => {
          counting = undefined;
        });
      return counting;
    };
    const gauge = (metric: GaugeName, pick: (e: { applications: number; executors: number }) => number) =>
      new Gauge({
        name: name(metric),
        help: HELP[metric],
        ...common,
        async collect() {
          const entries = await counted();
          if (!entries) return; // keeps the last values
          this.reset();
          for (const entry of entries.values()) this.set(entry.labels, pick(entry));
        },
      });
    gauge('spark_application_running_count', (e) => e.applications);
    gauge('spark_executor_running_count', (e) => e.executors);
    for (const metric of [
      'spark_application_success_execution_time_seconds',
      'spark_application_failure_execution_time_seconds',
    ] as const) {
      this.#summaries.set(metric, new Summary({ name: name(metric), help: HELP[metric], ...common }));
    }
    this.#latency = new Histogram({
      name: name('spark_application_start_latency_seconds'),
      help: HELP.spark_application_start_latency_seconds,
      buckets: [...settings.jobStartLatencyBuckets],
      ...common,
    });
  }

  #labelsOf(app: Pick<SparkApplication, 'metadata'>): Record<string, string> {
    const labels: Record<string, string> = { namespace: app.metadata?.namespace ?? '' };
    for (const l of this.#labels) labels[metricLabelName(l)] = app.metadata?.labels?.[l] ?? '';
    return labels;
  }

  apply(app: Pick<SparkApplication, 'metadata'>, changes: readonly MetricChange[]): void {
    const labels = this.#labelsOf(app);
    for (const change of changes) {
      if (change.kind === 'observe') {
        if (change.metric === 'spark_application_start_latency_seconds') this.#latency.observe(labels, change.seconds);
        else this.#summaries.get(change.metric)?.observe(labels, change.seconds);
      } else {
        this.#counters.get(change.metric)?.inc(labels);
      }
    }
  }
}
