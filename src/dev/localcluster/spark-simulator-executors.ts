// Executor pods as a Spark driver on Kubernetes creates them (Spark's BasicExecutorFeatureStep, simplified), built
// from the driver pod and its spark.properties. Pure: the simulator's shell reads the inputs and creates the pods.
import { createHash } from 'node:crypto';
import type { V1Container, V1EnvVar, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { EXECUTOR_CONTAINER_NAME } from '../../api/vocabulary.ts';
import { resourceNamePrefix } from '../../spark/names.ts';
import { executorRequest, type SparkProperties } from '../../spark/pod-requests.ts';

export { EXECUTOR_CONTAINER_NAME } from '../../api/vocabulary.ts';

/** The kubeflow labels a driver carries and its executors inherit. */
const OPERATOR_LABEL_PREFIX = 'sparkoperator.k8s.io/';

export { requestedExecutors, type SparkProperties } from '../../spark/pod-requests.ts';

/**
 * The executors' name prefix: spark.kubernetes.executor.podNamePrefix, else (as the driver does when it is unset) a
 * fresh resource name prefix `<app name>-<16 hex>`; here the hex derives from spark.app.id, so it is deterministic.
 */
export function executorNamePrefix(props: SparkProperties, appName: string): string {
  const configured = props['spark.kubernetes.executor.podNamePrefix'];
  if (configured) return configured;
  const seed = props['spark.app.id'] ?? appName;
  return resourceNamePrefix(appName, createHash('sha256').update(seed).digest('hex').slice(0, 16));
}

function withPrefix(props: SparkProperties, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(props).sort()) {
    if (key.startsWith(prefix) && key.length > prefix.length) out[key.slice(prefix.length)] = props[key]!;
  }
  return out;
}

export interface ExecutorInput {
  readonly driver: V1Pod;
  readonly props: SparkProperties;
  readonly execId: number;
  /** The executor pod template (spark.kubernetes.executor.podTemplateFile), if the driver has one. */
  readonly template?: V1Pod;
}

export function executorPod({ driver, props, execId, template }: ExecutorInput): V1Pod {
  const driverLabels = driver.metadata?.labels ?? {};
  const appId = props['spark.app.id'] ?? driverLabels['spark-app-selector'] ?? '';
  const appName = props['spark.app.name'] ?? driverLabels['spark-app-name'] ?? driver.metadata?.name ?? 'spark';
  const name = `${executorNamePrefix(props, appName)}-exec-${execId}`;
  const cores = props['spark.executor.cores'] ?? '1';
  const requests = executorRequest(props);
  const cpuRequest = requests.cpu;
  const cpuLimit = props['spark.kubernetes.executor.limit.cores'];
  const memory = `${requests.memoryMiB}Mi`;
  const driverImage = driver.spec?.containers[0]?.image;
  const image =
    props['spark.kubernetes.executor.container.image'] ?? props['spark.kubernetes.container.image'] ?? driverImage;
  const inherited = Object.fromEntries(
    Object.entries(driverLabels).filter(([k]) => k.startsWith(OPERATOR_LABEL_PREFIX)),
  );
  const labels: Record<string, string> = {
    ...template?.metadata?.labels,
    ...withPrefix(props, 'spark.kubernetes.executor.label.'),
    ...inherited,
    'spark-app-selector': appId,
    'spark-role': 'executor',
    'spark-exec-id': String(execId),
    'spark-exec-resourceprofile-id': '0',
    ...(driverLabels['spark-app-name'] ? { 'spark-app-name': driverLabels['spark-app-name'] } : {}),
    ...(driverLabels['spark-version'] ? { 'spark-version': driverLabels['spark-version'] } : {}),
  };
  const annotations = {
    ...template?.metadata?.annotations,
    ...withPrefix(props, 'spark.kubernetes.executor.annotation.'),
  };
  const driverHost = props['spark.driver.host'] ?? driver.status?.podIP ?? 'localhost';
  const env: V1EnvVar[] = [
    { name: 'SPARK_USER', value: props['spark.app.sparkUser'] ?? 'spark' },
    {
      name: 'SPARK_DRIVER_URL',
      value: `spark://CoarseGrainedScheduler@${driverHost}:${props['spark.driver.port'] ?? '7078'}`,
    },
    { name: 'SPARK_EXECUTOR_CORES', value: cores },
    { name: 'SPARK_EXECUTOR_MEMORY', value: props['spark.executor.memory'] ?? '1g' },
    { name: 'SPARK_APPLICATION_ID', value: appId },
    { name: 'SPARK_CONF_DIR', value: '/opt/spark/conf' },
    { name: 'SPARK_EXECUTOR_ID', value: String(execId) },
    { name: 'SPARK_RESOURCE_PROFILE_ID', value: '0' },
    { name: 'SPARK_EXECUTOR_POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
    { name: 'SPARK_EXECUTOR_POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    ...Object.entries(withPrefix(props, 'spark.executorEnv.')).map(([k, v]) => ({ name: k, value: v })),
  ];
  const templateContainerName = props['spark.kubernetes.executor.podTemplateContainerName'];
  const templateContainers = template?.spec?.containers ?? [];
  const fromTemplate =
    templateContainers.find((c) => c.name === templateContainerName) ??
    (templateContainerName ? undefined : templateContainers[0]);
  const container: V1Container = {
    ...fromTemplate,
    name: EXECUTOR_CONTAINER_NAME,
    ...(image ? { image } : {}),
    imagePullPolicy: props['spark.kubernetes.container.image.pullPolicy'] ?? 'IfNotPresent',
    args: ['executor'],
    env: [...(fromTemplate?.env ?? []), ...env],
    ports: [{ name: 'spark-ui', containerPort: 4040, protocol: 'TCP' }],
    resources: {
      requests: { cpu: cpuRequest, memory },
      limits: { memory, ...(cpuLimit ? { cpu: cpuLimit } : {}) },
    },
  };
  const sidecars = templateContainers.filter((c) => c !== fromTemplate);
  const nodeSelector = {
    ...template?.spec?.nodeSelector,
    ...withPrefix(props, 'spark.kubernetes.node.selector.'),
    ...withPrefix(props, 'spark.kubernetes.executor.node.selector.'),
  };
  const serviceAccount = props['spark.kubernetes.authenticate.executor.serviceAccountName'];
  const spec: V1PodSpec = {
    ...template?.spec,
    hostname: name,
    restartPolicy: 'Never',
    enableServiceLinks: false,
    containers: [container, ...sidecars],
    ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
    ...(serviceAccount ? { serviceAccountName: serviceAccount } : {}),
    ...(props['spark.kubernetes.executor.scheduler.name']
      ? { schedulerName: props['spark.kubernetes.executor.scheduler.name'] }
      : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: driver.metadata?.namespace ?? 'default',
      labels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          name: driver.metadata?.name ?? '',
          uid: driver.metadata?.uid ?? '',
          controller: true,
        },
      ],
    },
    spec,
  };
}
