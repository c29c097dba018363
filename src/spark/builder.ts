// Native submission: a SparkApplication → the objects spark-submit would create for it (driver Pod, headless
// Service, spark.properties ConfigMap, executor pod template ConfigMap), computed in-process without a JVM.
//
//   SparkApplication ──submitRequest──▶ spark-submit request (kubeflow's options, --conf, pod templates)
//                    ──resolveDriverConf──▶ DriverConf (every setting resolved once)
//                    ──fold DRIVER_STEPS over the template pod──▶ pod + properties + resources
//
// Pure: no I/O, no clock, no randomness (ids come from the app's uid and the submission id). The I/O lives in
// src/spark/submit/.
import type { V1ConfigMap, V1Container, V1OwnerReference, V1Pod, V1Service } from '@kubernetes/client-node';
import type { SparkApplication } from '../api/index.ts';
import { type DriverConf, resolveDriverConf } from './driver-conf.ts';
import { submissionIds } from './names.ts';
import { parseProperties } from './properties.ts';
import type { SubmissionSettings } from './settings.ts';
import { applicationOwnerStep } from './steps/application-owner.ts';
import { basicDriverStep } from './steps/basic-driver.ts';
import { driverCommandStep } from './steps/driver-command.ts';
import { driverConfFileStep } from './steps/driver-conf-file.ts';
import { driverCredentialsStep } from './steps/driver-credentials.ts';
import { driverServiceStep } from './steps/driver-service.ts';
import { envSecretsStep } from './steps/env-secrets.ts';
import { localDirsStep } from './steps/local-dirs.ts';
import { mountSecretsStep } from './steps/mount-secrets.ts';
import { mountVolumesStep } from './steps/mount-volumes.ts';
import { podTemplateConfigMapStep } from './steps/pod-template-config-map.ts';
import type { DriverBuild, DriverResource, DriverStep, SparkPod } from './steps/step.ts';
import { DRIVER_CONTAINER_NAME, type SubmitRequest, submitRequest } from './submit-request.ts';

/** Spark's driver feature steps in Spark's order, then the client's conf file, then sparkop's own. */
export const DRIVER_STEPS: readonly DriverStep[] = [
  basicDriverStep, // name, image, ports, env, resources, labels, annotations, node selectors
  driverCredentialsStep, // service account
  driverServiceStep, // headless Service, spark.driver.host
  mountSecretsStep, // spark.kubernetes.driver.secrets.*
  envSecretsStep, // spark.kubernetes.driver.secretKeyRef.*
  mountVolumesStep, // spark.kubernetes.driver.volumes.*
  driverCommandStep, // container args, spark.kubernetes.resource.type
  podTemplateConfigMapStep, // executor pod template ConfigMap
  localDirsStep, // spark-local-dir-* scratch space, SPARK_LOCAL_DIRS
  driverConfFileStep, // spark-drv-<id>-conf-map with spark.properties, SPARK_CONF_DIR
  applicationOwnerStep, // sparkop: the SparkApplication owns the driver pod
];

export interface NativeSubmission {
  readonly request: SubmitRequest;
  readonly conf: DriverConf;
  /** The driver pod: created first. */
  readonly driverPod: V1Pod;
  /** Created after the driver pod, each with the driver pod as controller owner. */
  readonly resources: readonly (V1Service | V1ConfigMap)[];
  /** The driver's spark.properties. */
  readonly properties: Readonly<Record<string, string>>;
}

/** The driver pod as the template gives it: the Spark container taken out (Spark's loadPodFromTemplate). */
function initialPod(template: V1Pod | undefined): SparkPod {
  if (!template)
    return {
      pod: { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [] } },
      container: {} as V1Container,
    };
  const copy = structuredClone(template);
  const containers = copy.spec?.containers ?? [];
  const main = containers.find((c) => c.name === DRIVER_CONTAINER_NAME) ?? containers[0];
  const others = containers.filter((c) => c !== main);
  return {
    pod: {
      ...copy,
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: copy.metadata ?? {},
      spec: { ...copy.spec, containers: others },
    },
    container: main ?? ({} as V1Container),
  };
}

/** Folds the steps over the template pod; the main container joins the pod last (after any sidecars). */
export function runSteps(conf: DriverConf, steps: readonly DriverStep[] = DRIVER_STEPS): DriverBuild {
  const start: DriverBuild = { pod: initialPod(conf.driverTemplate), systemProperties: {}, resources: [] };
  return steps.reduce((build, step) => step.apply(build, conf), start);
}

/** The SparkApplication as its driver's owner; undefined before it has a uid (render). */
export function applicationOwner(app: SparkApplication): DriverConf['owner'] {
  return app.metadata?.uid
    ? {
        apiVersion: app.apiVersion ?? 'sparkoperator.k8s.io/v1beta2',
        kind: app.kind ?? 'SparkApplication',
        name: app.metadata.name ?? '',
        uid: app.metadata.uid,
      }
    : undefined;
}

/** Everything native submission creates for one attempt of an application. */
export function buildNativeSubmission(app: SparkApplication, settings: SubmissionSettings): NativeSubmission {
  const request = submitRequest(app, settings);
  const uid = app.metadata?.uid ?? `${request.namespace}/${request.name}`;
  const owner = applicationOwner(app);
  const conf = resolveDriverConf(
    request,
    settings,
    submissionIds(uid, settings.submissionId),
    app.spec.sparkVersion,
    owner,
  );
  const build = runSteps(conf);
  const { pod, container } = build.pod;
  const driverPod: V1Pod = {
    ...pod,
    metadata: { ...pod.metadata, namespace: conf.namespace },
    spec: { ...pod.spec, containers: [...(pod.spec?.containers ?? []), container] },
  };
  const confFile = build.resources.find((r) => r.kind === 'ConfigMap' && r.metadata?.name?.startsWith('spark-drv-'));
  return {
    request,
    conf,
    driverPod,
    resources: build.resources as DriverResource[],
    properties: parseProperties((confFile as V1ConfigMap | undefined)?.data?.['spark.properties'] ?? ''),
  };
}

/** The owner reference that makes a resource belong to the created driver pod (set once its uid is known). */
export function driverOwnerReference(driverPod: V1Pod, uid: string): V1OwnerReference {
  return { apiVersion: 'v1', kind: 'Pod', name: driverPod.metadata?.name ?? '', uid, controller: true };
}

/** A resource with the driver pod as its controller owner. */
export function ownedByDriver<T extends V1Service | V1ConfigMap>(resource: T, owner: V1OwnerReference): T {
  return { ...resource, metadata: { ...resource.metadata, ownerReferences: [owner] } };
}
