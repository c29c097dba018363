// Deterministic names and ids: the same application and status always give the same names, so a reconciler that
// crashed half-way asks for the same objects again and finds the ones it already created.
import { createHash } from 'node:crypto';
import { specFingerprint, specHash } from './spec-hash.ts';
import type { SparkApplication } from './types.ts';

/** Kubeflow's rule: spec.driver.podName, else sparkConf spark.kubernetes.driver.pod.name, else "<app>-driver". */
export function driverPodName(app: SparkApplication): string {
  return (
    app.spec.driver?.podName || app.spec.sparkConf?.['spark.kubernetes.driver.pod.name'] || `${appName(app)}-driver`
  );
}

/**
 * The id of the next submission, a UUIDv8: 74 bits of a hash of the application's uid, the previous submission id
 * and the attempt number, then the current spec's fingerprint (see specChangedSinceSubmission) as the last group.
 * It changes with every attempt (and never repeats across invalidations, since the previous id is part of it) yet
 * is the same for every call with the same status and spec.
 */
export function nextSubmissionID(app: SparkApplication, attempt: number): string {
  const identity = app.metadata.uid || `${app.metadata.namespace ?? ''}/${appName(app)}`;
  const previous = app.status?.submissionID ?? '';
  const hex = createHash('sha256').update(`${identity}\n${previous}\n${attempt}`).digest('hex');
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${specFingerprint(specHash(app))}`;
}

/** "<app>-<suffix>", or, beyond 63 characters, the name cut short plus 8 hex digits of its MD5 (kubeflow's rule). */
export function dnsLabelName(name: string, suffix: string): string {
  const preferred = `${name}-${suffix}`;
  if (preferred.length <= 63) return preferred;
  const keep = 63 - suffix.length - 10;
  const hash = createHash('md5').update(preferred).digest('hex').slice(0, 8);
  return `${name.slice(0, keep)}-${hash}-${suffix}`;
}

export function uiServiceName(app: SparkApplication): string {
  return dnsLabelName(appName(app), 'ui-svc');
}

export function uiIngressName(app: SparkApplication): string {
  return dnsLabelName(appName(app), 'ui-ingress');
}

/** sparkUIOptions.servicePort, else spark.ui.port from sparkConf, else Spark's 4040. */
export function uiPort(app: SparkApplication): number {
  const fromOptions = app.spec.sparkUIOptions?.servicePort;
  if (fromOptions !== undefined && fromOptions > 0) return fromOptions;
  const fromConf = Number(app.spec.sparkConf?.['spark.ui.port']);
  return Number.isInteger(fromConf) && fromConf > 0 && fromConf < 65536 ? fromConf : 4040;
}

/** The ingress URL for the UI from the operator's format, {{$appName}} and {{$appNamespace}} substituted. */
export function uiIngressURL(format: string, app: SparkApplication): string {
  return format.replaceAll('{{$appName}}', appName(app)).replaceAll('{{$appNamespace}}', app.metadata.namespace ?? '');
}

/** kubeflow's name of the Service of a driverIngressOptions entry: "<app>-driver-<servicePort>". */
export function driverIngressServiceName(app: SparkApplication, port: number): string {
  return dnsLabelName(appName(app), `driver-${port}`);
}

/** kubeflow's name of the Ingress of a driverIngressOptions entry: "<app>-ing-<servicePort>". */
export function driverIngressName(app: SparkApplication, port: number): string {
  return dnsLabelName(appName(app), `ing-${port}`);
}

/** kubeflow's default port name of a driverIngressOptions entry's Service: "driver-ing-<servicePort>". */
export function driverIngressPortName(portName: string | undefined, port: number): string {
  return portName || `driver-ing-${port}`;
}

// kubeflow's placeholders tolerate blanks inside the braces ("{{ $appName }}").
const APP_NAME_PLACEHOLDER = /\{\{\s*\$appName\s*\}\}/g;
const APP_NAMESPACE_PLACEHOLDER = /\{\{\s*\$appNamespace\s*\}\}/g;
const APP_ID_PLACEHOLDER = /\{\{\s*\$appId\s*\}\}/g;

/**
 * An ingress URL from a format with {{$appName}}, {{$appNamespace}} and {{$appId}} substituted; undefined while the
 * format needs the Spark application id and it is not known yet (an Ingress named after an empty id would stay).
 */
export function driverIngressURL(
  format: string,
  app: SparkApplication,
  sparkApplicationId: string | undefined,
): string | undefined {
  if (format.search(APP_ID_PLACEHOLDER) >= 0 && !sparkApplicationId) return undefined;
  return format
    .replace(APP_NAME_PLACEHOLDER, appName(app))
    .replace(APP_NAMESPACE_PLACEHOLDER, app.metadata.namespace ?? '')
    .replace(APP_ID_PLACEHOLDER, sparkApplicationId ?? '');
}

/** What the reconciler should read before calling decide(). */
export interface ObservationTargets {
  /** The driver pod to get from the cache (the recorded one; else the name the next submission will use). */
  readonly driverPodName: string;
  /** The current submission; executor pods to list carry it in their submission-id label. */
  readonly submissionID?: string;
  /** The UI Service to get from the cache. */
  readonly uiServiceName: string;
  /** The Services of spec.driverIngressOptions to get from the cache (one per distinct servicePort). */
  readonly driverIngressServiceNames: readonly string[];
}

export function observationTargets(app: SparkApplication): ObservationTargets {
  const submissionID = app.status?.submissionID;
  return {
    driverPodName: app.status?.driverInfo?.podName || driverPodName(app),
    ...(submissionID ? { submissionID } : {}),
    uiServiceName: uiServiceName(app),
    driverIngressServiceNames: [
      ...new Set((app.spec.driverIngressOptions ?? []).map((o) => driverIngressServiceName(app, o.servicePort))),
    ],
  };
}

function appName(app: SparkApplication): string {
  return app.metadata.name ?? '';
}
