// The Service and Ingress of a spec.driverIngressOptions entry as values (pure): the reconciler only creates them.
//
// Owned by the driver pod, not by the application as in kubeflow: they are objects of one run, so deleting the pod
// (rerun, suspend, spec change, the application's deletion) takes them along whatever the spec says by then — a
// changed servicePort leaves no Service of the old port behind — and no status field has to remember their names.
import type { V1Ingress, V1OwnerReference, V1Service } from '@kubernetes/client-node';
import type { SparkApplication } from '../../api/index.ts';
import { APP_NAME_LABEL, SPARK_ROLE_LABEL } from '../../api/vocabulary.ts';
import { type EnsureDriverIngress, SUBMISSION_ID_LABEL } from '../lifecycle/index.ts';
import type { UiSettings } from './settings.ts';
import { ingressFor, ourLabels } from './ui.ts';

function driverPodOwner(action: EnsureDriverIngress): V1OwnerReference {
  return { apiVersion: 'v1', kind: 'Pod', name: action.driverPodName, uid: action.driverPodUID, controller: true };
}

/** Our labels plus the submission: a same-named object of an earlier run is told apart by it. */
function runLabels(app: SparkApplication, action: EnsureDriverIngress): Record<string, string> {
  return { ...ourLabels(app), [SUBMISSION_ID_LABEL]: action.submissionID };
}

function entryOf(app: SparkApplication, action: EnsureDriverIngress) {
  const entry = app.spec.driverIngressOptions?.[action.entry];
  if (!entry) throw new Error(`spec.driverIngressOptions[${action.entry}] does not exist`);
  return entry;
}

/**
 * kubeflow's driver ingress Service: `port` to the same port of the driver pod, selected by app name and driver
 * role. The entry's serviceLabels are kept, but ours win (kubeflow replaces its labels by them; the cache would
 * then lose the Service).
 */
export function driverIngressService(app: SparkApplication, action: EnsureDriverIngress): V1Service {
  const entry = entryOf(app, action);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: action.serviceName,
      namespace: app.metadata.namespace,
      labels: { ...entry.serviceLabels, ...runLabels(app, action) },
      ...(entry.serviceAnnotations ? { annotations: { ...entry.serviceAnnotations } } : {}),
      ownerReferences: [driverPodOwner(action)],
    },
    spec: {
      type: action.serviceType,
      selector: { [APP_NAME_LABEL]: app.metadata.name ?? '', [SPARK_ROLE_LABEL]: 'driver' },
      ports: [{ name: action.portName, port: action.port, targetPort: action.port, protocol: 'TCP' }],
    },
  };
}

/**
 * The Ingress routing the entry's URL to its Service: annotations and TLS from the entry only (kubeflow since
 * #2973; before, it took sparkUIOptions'), the ingress class from the operator's --ingress-class-name.
 */
export function driverIngress(
  app: SparkApplication,
  action: EnsureDriverIngress,
  settings: Pick<UiSettings, 'ingressClassName'>,
): V1Ingress {
  if (!action.ingressName || action.url === undefined) throw new Error('EnsureDriverIngress has no Ingress');
  const entry = entryOf(app, action);
  return ingressFor({
    name: action.ingressName,
    namespace: app.metadata.namespace,
    labels: runLabels(app, action),
    owner: driverPodOwner(action),
    url: action.url,
    annotations: { ...entry.ingressAnnotations },
    tls: entry.ingressTLS ?? [],
    ingressClassName: settings.ingressClassName,
    serviceName: action.serviceName,
    servicePort: action.port,
  });
}
