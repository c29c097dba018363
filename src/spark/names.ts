// Deterministic names and ids of a submission. spark-submit draws them at random; sparkop derives them from the
// application's uid and the submission id, so a resubmission after an operator crash computes the same Service and
// ConfigMaps and finds the objects it already created instead of making a second driver. The submission id, not
// the attempt number: counters restart at 1 after a spec change, and the new run's Service and ConfigMap must not
// take the names of the old run's, which the garbage collector may not have deleted yet.
import { createHash } from 'node:crypto';

/** The ids spark-submit would draw at random, in spark-submit's formats. */
export interface SubmissionIds {
  /** `spark-` + 32 hex digits (spark.app.id, label spark-app-selector). */
  readonly appId: string;
  /** 16 hex digits: the unique part of the resource name prefix and of the driver conf ConfigMap. */
  readonly uniqueId: string;
  /** 16 hex digits: the id in `spark-drv-<id>-conf-map`. */
  readonly confMapId: string;
  /** A UUID: the driver's local dir `/var/data/spark-<uuid>`. */
  readonly localDirId: string;
}

function hex(seed: string, what: string, length: number): string {
  return createHash('sha256').update(`${seed}\u0000${what}`).digest('hex').slice(0, length);
}

/** Ids for one submission of one application (same inputs → same ids). */
export function submissionIds(appUid: string, submissionId: string): SubmissionIds {
  const seed = `${appUid}/${submissionId}`;
  const u = hex(seed, 'local-dir', 32);
  return {
    appId: `spark-${hex(seed, 'app-id', 32)}`,
    uniqueId: hex(seed, 'resource-prefix', 16),
    confMapId: hex(seed, 'conf-map', 16),
    localDirId: `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20, 32)}`,
  };
}

/** Spark's resource name prefix (KubernetesConf.getResourceNamePrefix): `<app name>-<id>`, made DNS-safe. */
export function resourceNamePrefix(appName: string, uniqueId: string): string {
  return `${appName}-${uniqueId}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-/, '')
    .replace(/^[0-9]/, 'x');
}

/** Spark's `spark-app-name` label value (KubernetesConf.getAppNameLabel): DNS-label-safe, at most 63 characters. */
export function appNameLabel(appName: string): string {
  return appName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** The driver's headless Service: `<prefix>-driver-svc`, or `spark-<id>-driver-svc` when that is too long. */
export function driverServiceName(prefix: string, uniqueId: string): string {
  const preferred = `${prefix}-driver-svc`;
  return preferred.length <= 63 ? preferred : `spark-${uniqueId}-driver-svc`;
}
