// What the driver and each executor pod will request (CPU, memory with its overhead), resolved from an application
// exactly as the pods are built — the driver by the native builder's conf resolution, the executors as Spark's
// driver sizes them from the properties it is given — and how many executors start. Batch schedulers size their
// gangs from these, so a gang asks for what its pods ask for. Pure.
import type { SparkApplication } from '../api/index.ts';
import { resolveDriverConf, submitConf } from './driver-conf.ts';
import { submissionIds } from './names.ts';
import { parseFactor, sizeToMiB } from './quantities.ts';
import { submissionSettings } from './settings.ts';
import { submitRequest } from './submit-request.ts';

export type SparkProperties = Readonly<Record<string, string>>;

/** One pod's requests: CPU as a Kubernetes quantity ("1", "500m"), memory (with its overhead) in MiB. */
export interface PodRequest {
  readonly cpu: string;
  readonly memoryMiB: number;
}

export interface PodRequests {
  readonly driver: PodRequest;
  readonly executor: PodRequest;
  /** Executors the driver asks for at start. */
  readonly executors: number;
}

/** Spark's floor of a memory overhead (spark.executor.minMemoryOverhead's default). */
const MIN_OVERHEAD_MIB = 384;

/**
 * An executor pod's requests as Spark's BasicExecutorFeatureStep computes them: cores from
 * spark.kubernetes.executor.request.cores, else spark.executor.cores (1); memory spark.executor.memory (1g) plus
 * spark.executor.memoryOverhead, else the overhead factor (spark.executor.memoryOverheadFactor, else
 * spark.kubernetes.memoryOverheadFactor, else 0.1) times the memory, at least 384 MiB.
 */
export function executorRequest(props: SparkProperties): PodRequest {
  const cores = props['spark.executor.cores'] ?? '1';
  const memory = sizeToMiB(props['spark.executor.memory'] ?? '1g', 'spark.executor.memory');
  const explicit = props['spark.executor.memoryOverhead'];
  let overhead: number;
  if (explicit !== undefined) overhead = sizeToMiB(explicit, 'spark.executor.memoryOverhead');
  else {
    const factorText = props['spark.executor.memoryOverheadFactor'] ?? props['spark.kubernetes.memoryOverheadFactor'];
    const factor = factorText === undefined ? 0.1 : parseFactor(factorText, 'spark.kubernetes.memoryOverheadFactor');
    overhead = Math.max(Math.floor(factor * memory), MIN_OVERHEAD_MIB);
  }
  return { cpu: props['spark.kubernetes.executor.request.cores'] ?? cores, memoryMiB: memory + overhead };
}

/** How many executors the driver asks for at start (static allocation, else dynamic allocation's initial count). */
export function requestedExecutors(props: SparkProperties): number {
  const dynamic = props['spark.dynamicAllocation.enabled'] === 'true';
  const candidates = dynamic
    ? [
        props['spark.dynamicAllocation.initialExecutors'],
        props['spark.dynamicAllocation.minExecutors'],
        props['spark.executor.instances'],
      ]
    : [props['spark.executor.instances']];
  for (const c of candidates) {
    if (c !== undefined && /^\d+$/.test(c.trim())) return Number(c);
  }
  return dynamic ? 0 : 2; // Spark's default spark.executor.instances is 2
}

/** The requests of an application's pods. Throws SparkConfError, as the builder would, on a spec it cannot build. */
export function podRequests(app: SparkApplication): PodRequests {
  // Ids and times do not change any request.
  const settings = submissionSettings({ submissionId: 'requests', attempt: 1, submitTimeMs: 0 });
  const request = submitRequest(app, settings);
  const driver = resolveDriverConf(
    request,
    settings,
    submissionIds(app.metadata?.uid ?? 'requests', 'requests'),
    app.spec.sparkVersion,
  );
  // The executors read the properties the driver got, with the overhead factor the driver step writes back.
  const props: SparkProperties = {
    ...submitConf(request, settings),
    'spark.kubernetes.memoryOverheadFactor': String(driver.defaultOverheadFactor),
  };
  return {
    driver: { cpu: driver.cpuRequest, memoryMiB: driver.memoryMiB + driver.memoryOverheadMiB },
    executor: executorRequest(props),
    executors: requestedExecutors(props),
  };
}

/** A CPU quantity ("2", "0.5", "500m") in millicores; NaN when it is not one. */
export function milliCPU(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity.trim());
  if (!m) return Number.NaN;
  const value = Number(m[1]);
  return m[2] === 'm' ? Math.ceil(value) : Math.ceil(value * 1000);
}

/** Millicores as the shortest quantity: whole cores as "2", else "2500m". */
export function cpuQuantity(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}
