// The Spark UI's Service and Ingress as values (pure): the reconciler only creates them.
import type { V1Ingress, V1IngressTLS, V1OwnerReference, V1Service } from '@kubernetes/client-node';
import type { SparkApplication } from '../../api/index.ts';
import { APP_NAME_LABEL, LAUNCHED_BY_LABEL, SPARK_ROLE_LABEL } from '../../api/vocabulary.ts';
import { type EnsureUIIngress, type EnsureUIService, SUBMISSION_ID_LABEL } from '../lifecycle/index.ts';
import type { UiSettings } from './settings.ts';

/** The controller owner reference that makes an object belong to the application (deleted with it by the GC). */
export function applicationOwner(app: SparkApplication): V1OwnerReference {
  return {
    apiVersion: app.apiVersion ?? 'sparkoperator.k8s.io/v1beta2',
    kind: app.kind ?? 'SparkApplication',
    name: app.metadata.name ?? '',
    uid: app.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function ourLabels(app: SparkApplication): Record<string, string> {
  return { [APP_NAME_LABEL]: app.metadata.name ?? '', [LAUNCHED_BY_LABEL]: 'true' };
}

/**
 * kubeflow's UI Service: port `servicePort` (default the UI port) to the driver's UI port, type from sparkUIOptions.
 * Labels as kubeflow's (app name, submission id), plus the launched-by label that scopes the operator's cache.
 */
export function uiService(app: SparkApplication, action: EnsureUIService): V1Service {
  const options = app.spec.sparkUIOptions;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: action.name,
      namespace: app.metadata.namespace,
      labels: { ...options?.serviceLabels, ...ourLabels(app), [SUBMISSION_ID_LABEL]: action.submissionID },
      ...(options?.serviceAnnotations ? { annotations: { ...options.serviceAnnotations } } : {}),
      ownerReferences: [applicationOwner(app)],
    },
    spec: {
      type: options?.serviceType || 'ClusterIP',
      selector: { [APP_NAME_LABEL]: app.metadata.name ?? '', [SPARK_ROLE_LABEL]: 'driver' },
      ports: [
        {
          name: options?.servicePortName || 'spark-driver-ui-port',
          port: action.port,
          targetPort: sparkUiTargetPort(app),
          protocol: 'TCP',
        },
      ],
    },
  };
}

/** The port the driver's UI listens on: spark.ui.port, else 4040. */
function sparkUiTargetPort(app: SparkApplication): number {
  const n = Number(app.spec.sparkConf?.['spark.ui.port']);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : 4040;
}

/** Splits "host/path" (with or without a scheme) into its host and path ("/" when none). */
export function splitIngressUrl(url: string): { host: string; path: string } {
  const bare = url.replace(/^[a-z]+:\/\//i, '');
  const slash = bare.indexOf('/');
  if (slash < 0) return { host: bare, path: '/' };
  return { host: bare.slice(0, slash), path: bare.slice(slash) || '/' };
}

/** What an Ingress for one of the driver's ports is made of (the UI's, or a driverIngressOptions entry's). */
export interface IngressParts {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly labels: Record<string, string>;
  readonly owner: V1OwnerReference;
  readonly url: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly tls: readonly { hosts?: readonly string[]; secretName?: string }[];
  readonly ingressClassName: string;
  readonly serviceName: string;
  readonly servicePort: number;
}

/**
 * An Ingress routing `url` to the Service: the URL's host (if any) and path make the one rule; a path prefix is
 * stripped before the driver sees it (kubeflow's nginx rewrite-target "/$2"), unless the annotations say otherwise.
 */
export function ingressFor(parts: IngressParts): V1Ingress {
  const { host, path } = splitIngressUrl(parts.url);
  const annotations: Record<string, string> = { ...parts.annotations };
  if (path !== '/' && !annotations['nginx.ingress.kubernetes.io/rewrite-target']) {
    annotations['nginx.ingress.kubernetes.io/rewrite-target'] = '/$2';
  }
  const tls: V1IngressTLS[] = parts.tls.map((t) => ({
    ...(t.hosts ? { hosts: [...t.hosts] } : {}),
    ...(t.secretName ? { secretName: t.secretName } : {}),
  }));
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: parts.name,
      namespace: parts.namespace,
      labels: parts.labels,
      ...(Object.keys(annotations).length > 0 ? { annotations: sortedRecord(annotations) } : {}),
      ownerReferences: [parts.owner],
    },
    spec: {
      ...(parts.ingressClassName ? { ingressClassName: parts.ingressClassName } : {}),
      rules: [
        {
          ...(host ? { host } : {}),
          http: {
            paths: [
              {
                path: ingressRulePath(path),
                pathType: 'ImplementationSpecific',
                backend: { service: { name: parts.serviceName, port: { number: parts.servicePort } } },
              },
            ],
          },
        },
      ],
      ...(tls.length > 0 ? { tls } : {}),
    },
  };
}

/** The Ingress routing the UI URL to the UI Service; TLS and annotations from the app, else the operator's. */
export function uiIngress(app: SparkApplication, action: EnsureUIIngress, settings: UiSettings): V1Ingress {
  const options = app.spec.sparkUIOptions;
  return ingressFor({
    name: action.name,
    namespace: app.metadata.namespace,
    labels: ourLabels(app),
    owner: applicationOwner(app),
    url: action.url,
    annotations: { ...settings.ingressAnnotations, ...options?.ingressAnnotations },
    tls: options?.ingressTLS ?? settings.ingressTls,
    ingressClassName: settings.ingressClassName,
    serviceName: action.serviceName,
    servicePort: action.servicePort,
  });
}

/** The rule path for an ingress URL's path: a prefix captures the rest for the rewrite-target "/$2" (kubeflow's). */
function ingressRulePath(path: string): string {
  return path === '/' ? '/' : `${path.replace(/\/+$/, '')}(/|$)(.*)`;
}

/** spark.ui.proxyBase for an ingress URL with a path ("" when it has none). */
export function uiProxyBase(url: string): string {
  const { path } = splitIngressUrl(url);
  return path === '/' ? '' : path.replace(/\/+$/, '');
}

export function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
