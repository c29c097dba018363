// From the operator's flags to the settings of the process's parts (HTTP servers, leader election, client limits).
// Pure: no I/O, so every flag's effect is unit-tested without a cluster.

import type { LeaderElectionConfig } from '../runtime/index.ts';
import type { OperatorOptions } from './options.ts';

export class OperatorConfigError extends Error {
  override readonly name = 'OperatorConfigError';
}

/**
 * A flag's bind address as the manager takes it: "0" (or metrics turned off) serves nothing; ":8080" listens on
 * every interface, as in controller-runtime (on loopback only when `loopback`, as on a developer's machine);
 * "host:port" as given.
 */
export function bindAddress(address: string, enabled = true, loopback = false): string | undefined {
  if (!enabled || address === '0') return undefined;
  return address.startsWith(':') ? `${loopback ? '127.0.0.1' : '0.0.0.0'}${address}` : address;
}

export interface ProcessEnvironment {
  /** The namespace the operator's pod runs in ($POD_NAMESPACE, or the service account's namespace file). */
  readonly podNamespace?: string;
}

/** Leader election settings, or undefined when it is off. The Lease lives in the pod's namespace unless named. */
export function leaderElectionConfig(
  options: OperatorOptions,
  environment: ProcessEnvironment,
): LeaderElectionConfig | undefined {
  if (!options.leaderElection) return undefined;
  const leaseNamespace = options.leaderElectionLockNamespace || environment.podNamespace;
  if (!leaseNamespace) {
    throw new OperatorConfigError(
      '--leader-election needs --leader-election-lock-namespace (or $POD_NAMESPACE when running in a pod)',
    );
  }
  if (options.leaderElectionRenewDeadline >= options.leaderElectionLeaseDuration) {
    throw new OperatorConfigError(
      '--leader-election-renew-deadline must be shorter than --leader-election-lease-duration',
    );
  }
  return {
    leaseName: options.leaderElectionLockName,
    leaseNamespace,
    leaseDurationMs: options.leaderElectionLeaseDuration,
    renewDeadlineMs: options.leaderElectionRenewDeadline,
    retryPeriodMs: options.leaderElectionRetryPeriod,
  };
}

export interface ServerAddresses {
  readonly metricsBindAddress?: string;
  readonly healthProbeBindAddress?: string;
}

export function serverAddresses(options: OperatorOptions, loopback = false): ServerAddresses {
  const metrics = bindAddress(options.metricsBindAddress, options.enableMetrics, loopback);
  const health = bindAddress(options.healthProbeBindAddress, true, loopback);
  if (options.metricsEndpoint !== '/metrics') {
    // The runtime serves metrics at /metrics only; say so rather than silently ignoring the flag.
    throw new OperatorConfigError(`--metrics-endpoint ${options.metricsEndpoint}: only /metrics is supported`);
  }
  return {
    ...(metrics !== undefined ? { metricsBindAddress: metrics } : {}),
    ...(health !== undefined ? { healthProbeBindAddress: health } : {}),
  };
}

/** Settings that must hold together; each problem names its flag. */
export function checkOptions(options: OperatorOptions): void {
  if (options.namespaces.length > 0 && options.namespaceSelector) {
    throw new OperatorConfigError('--namespaces and --namespace-selector cannot be used together');
  }
}

/** SPARK_HOME for --submitter=spark-submit: the flag, else $SPARK_HOME; an error when neither is set. */
export function sparkHomeFor(options: OperatorOptions, env: Readonly<Record<string, string | undefined>>): string {
  const home = options.sparkHome || env.SPARK_HOME;
  if (!home) throw new OperatorConfigError('--submitter=spark-submit needs --spark-home or $SPARK_HOME');
  return home;
}
