// The defaults kubeflow's operator gives a SparkApplication (its SetSparkApplicationDefaults), applied by sparkop's
// operator rather than the API server: the CRD schema declares no Spark-level defaults, as kubeflow's does not.
import type { ScheduledSparkApplication, ScheduledSparkApplicationSpec } from './schema/scheduled-spark-application.ts';
import type { DynamicAllocation, SparkApplication, SparkApplicationSpec } from './schema/spark-application.ts';

/** Seconds between reruns / resubmissions when a retrying restart policy leaves them unset. */
export const DEFAULT_RETRY_INTERVAL_SECONDS = 5;
export const DEFAULT_CORES = 1;
export const DEFAULT_MEMORY = '1g';
export const DEFAULT_EXECUTOR_INSTANCES = 1;
export const DEFAULT_RUN_HISTORY_LIMIT = 1;

/**
 * Dynamic allocation is on when the spec's dynamicAllocation says so, else when sparkConf enables it. Kubeflow reads
 * the key in lower case (`spark.dynamicallocation.enabled`); Spark's own spelling is accepted too.
 */
export function isDynamicAllocationEnabled(
  sparkConf: Readonly<Record<string, string>> | undefined,
  dynamicAllocation: DynamicAllocation | undefined,
): boolean {
  if (dynamicAllocation) return dynamicAllocation.enabled === true;
  const value = sparkConf?.['spark.dynamicAllocation.enabled'] ?? sparkConf?.['spark.dynamicallocation.enabled'];
  return value?.trim().toLowerCase() === 'true';
}

/** The spec with kubeflow's defaults filled in; the input is not modified. */
export function withSpecDefaults(input: SparkApplicationSpec): SparkApplicationSpec {
  const spec = structuredClone(input);
  const conf = spec.sparkConf ?? {};
  const hasConf = (key: string) => Object.hasOwn(conf, key);

  if (!spec.type) spec.type = 'Scala';
  if (!spec.mode) spec.mode = 'cluster';
  const restart = { ...spec.restartPolicy };
  if (!restart.type) restart.type = 'Never';
  if (restart.type !== 'Never') {
    restart.onFailureRetryInterval ??= DEFAULT_RETRY_INTERVAL_SECONDS;
    restart.onSubmissionFailureRetryInterval ??= DEFAULT_RETRY_INTERVAL_SECONDS;
  }
  spec.restartPolicy = restart;

  // A setting made in sparkConf wins over the default (Spark reads both; the spec field would override it).
  if (spec.driver.cores === undefined && !hasConf('spark.driver.cores')) spec.driver.cores = DEFAULT_CORES;
  if (spec.driver.memory === undefined && !hasConf('spark.driver.memory')) spec.driver.memory = DEFAULT_MEMORY;
  if (spec.executor.cores === undefined && !hasConf('spark.executor.cores')) spec.executor.cores = DEFAULT_CORES;
  if (spec.executor.memory === undefined && !hasConf('spark.executor.memory')) spec.executor.memory = DEFAULT_MEMORY;

  const dynamic = isDynamicAllocationEnabled(spec.sparkConf, spec.dynamicAllocation);
  if (spec.executor.instances === undefined && !conf['spark.executor.instances'] && !dynamic) {
    spec.executor.instances = DEFAULT_EXECUTOR_INSTANCES;
  }
  if (dynamic && spec.dynamicAllocation && spec.dynamicAllocation.shuffleTrackingEnabled === undefined) {
    spec.dynamicAllocation.shuffleTrackingEnabled = true;
  }
  return spec;
}

/** The application with kubeflow's defaults filled in; the input is not modified. Pure. */
export function withDefaults(app: SparkApplication): SparkApplication {
  return { ...structuredClone(app), spec: withSpecDefaults(app.spec) };
}

/** Defaults of a schedule (history limits 1, concurrency Allow, as kubeflow documents); template left as written. */
export function withScheduledDefaults(app: ScheduledSparkApplication): ScheduledSparkApplication {
  const spec: ScheduledSparkApplicationSpec = structuredClone(app.spec);
  spec.concurrencyPolicy ??= 'Allow';
  spec.successfulRunHistoryLimit ??= DEFAULT_RUN_HISTORY_LIMIT;
  spec.failedRunHistoryLimit ??= DEFAULT_RUN_HISTORY_LIMIT;
  return { ...structuredClone(app), spec };
}
