// The objects of a SparkConnect, built from it and nothing else: the server pod (Spark Connect's server runs the
// Spark driver in client mode), its Service, and the ConfigMap holding the executor pod template. Pure.
import type {
  V1ConfigMap,
  V1Container,
  V1ContainerPort,
  V1OwnerReference,
  V1Pod,
  V1PodSpec,
  V1Probe,
  V1Service,
  V1ServicePort,
  V1Volume,
} from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { SPARK_CONNECT_GROUP_VERSION, SPARK_CONNECT_KIND } from '../../api/constants.ts';
import type { SparkConnect } from '../../api/index.ts';
import { canonicalHash } from '../lifecycle/spec-hash.ts';
import {
  BLOCK_MANAGER_PORT,
  CONF_VOLUME,
  CONNECT_NAME_LABEL,
  CONNECT_PORT,
  CREATED_BY_LABEL,
  configMapName,
  DRIVER_PORT,
  EXECUTOR_CONTAINER_NAME,
  EXECUTOR_TEMPLATE_KEY,
  EXECUTOR_TEMPLATE_PATH,
  LAUNCHED_BY_LABEL,
  SERVER_CONTAINER_NAME,
  SPARK_VERSION_LABEL,
  SPEC_HASH_ANNOTATION,
  serverPodName,
  serverSelector,
  serviceHost,
  serviceName,
  UI_PORT,
} from './names.ts';

export interface ConnectSettings {
  /** spark.master as the server sees it from inside the cluster. */
  readonly masterURL: string;
}

export const DEFAULT_CONNECT_SETTINGS: ConnectSettings = { masterURL: 'k8s://https://kubernetes.default.svc:443' };

/** A spec the objects cannot be built from; the message names the field. */
export class ConnectSpecError extends Error {
  override readonly name = 'ConnectSpecError';
}

/**
 * The server runs Spark's start-connect-server.sh in the foreground (SPARK_NO_DAEMONIZE) through bash, which
 * expands SPARK_HOME from the image; the arguments follow as a list, one per token, so nothing is re-quoted.
 */
export const SERVER_COMMAND: readonly string[] = [
  'bash',
  '-c',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash expands it in the container
  'exec "${SPARK_HOME:-/opt/spark}/sbin/start-connect-server.sh" "$@"',
  'start-connect-server',
];

/** The hash of the spec a server pod is built from (SPEC_HASH_ANNOTATION on the pod). */
export function connectSpecHash(connect: Pick<SparkConnect, 'spec'>): string {
  return canonicalHash(connect.spec);
}

export function ownerReference(connect: SparkConnect): V1OwnerReference {
  return {
    apiVersion: SPARK_CONNECT_GROUP_VERSION,
    kind: SPARK_CONNECT_KIND,
    name: connect.metadata.name ?? '',
    uid: connect.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

type Template = NonNullable<SparkConnect['spec']['server']['template']>;

function containersOf(template: Template | undefined): V1Container[] {
  return [...(template?.spec?.containers ?? [])];
}

/** The server's container in the template: the one named spark-kubernetes-driver, else the first (kubeflow's rule). */
function serverContainerIndex(containers: readonly V1Container[]): number {
  const named = containers.findIndex((c) => c.name === SERVER_CONTAINER_NAME);
  return Math.max(named, 0);
}

/** The server's image: its container's in spec.server.template, else spec.image. */
export function serverImage(connect: SparkConnect): string | undefined {
  const containers = containersOf(connect.spec.server.template);
  return containers[serverContainerIndex(containers)]?.image || connect.spec.image || undefined;
}

/** The executors' image: the spark-kubernetes-executor container's in spec.executor.template, else spec.image. */
export function executorImage(connect: SparkConnect): string | undefined {
  const fromTemplate = containersOf(connect.spec.executor.template).find((c) => c.name === EXECUTOR_CONTAINER_NAME);
  return fromTemplate?.image || connect.spec.image || serverImage(connect);
}

/**
 * The Spark properties the server starts with, in order; a later setting of a key replaces an earlier one, as with
 * spark-submit's --conf. The spec's sparkConf and hadoopConf come first, so what the operator derives from the spec
 * (resources, the server's address, the executors' labels) wins, as in kubeflow's operator.
 */
export function serverConf(connect: SparkConnect): Map<string, string> {
  const conf = new Map<string, string>();
  const set = (key: string, value: string) => {
    conf.delete(key);
    conf.set(key, value);
  };
  const name = connect.metadata.name ?? '';
  const { spec } = connect;
  set('spark.kubernetes.namespace', connect.metadata.namespace ?? 'default');
  const image = executorImage(connect);
  if (image) {
    set('spark.kubernetes.container.image', image);
    set('spark.kubernetes.executor.container.image', image);
  }
  for (const key of Object.keys(spec.sparkConf ?? {}).sort()) {
    // The server pod's name is the operator's (kubeflow ignores it too).
    if (key !== 'spark.kubernetes.driver.pod.name') set(key, spec.sparkConf?.[key] ?? '');
  }
  for (const key of Object.keys(spec.hadoopConf ?? {}).sort()) {
    set(key.startsWith('spark.hadoop.') ? key : `spark.hadoop.${key}`, spec.hadoopConf?.[key] ?? '');
  }
  // The server (the driver).
  if (spec.server.cores !== undefined) set('spark.driver.cores', String(spec.server.cores));
  if (spec.server.memory) set('spark.driver.memory', spec.server.memory);
  set('spark.driver.bindAddress', '0.0.0.0');
  set('spark.driver.host', serviceHost(connect));
  set('spark.driver.port', String(DRIVER_PORT));
  set('spark.driver.blockManager.port', String(BLOCK_MANAGER_PORT));
  set('spark.kubernetes.driver.pod.name', serverPodName(connect));
  // The executors: labelled for the operator (its pod cache selects by launched-by) and for their SparkConnect.
  set(`spark.kubernetes.executor.label.${LAUNCHED_BY_LABEL}`, 'true');
  set(`spark.kubernetes.executor.label.${CONNECT_NAME_LABEL}`, name);
  for (const [key, value] of Object.entries(connect.metadata.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    set(`spark.kubernetes.executor.label.${key}`, value);
  }
  if (spec.executor.instances !== undefined) set('spark.executor.instances', String(spec.executor.instances));
  if (spec.executor.cores !== undefined) set('spark.executor.cores', String(spec.executor.cores));
  if (spec.executor.memory) set('spark.executor.memory', spec.executor.memory);
  set('spark.kubernetes.executor.podNamePrefix', name);
  if (spec.executor.template) {
    set('spark.kubernetes.executor.podTemplateFile', EXECUTOR_TEMPLATE_PATH);
    set('spark.kubernetes.executor.podTemplateContainerName', EXECUTOR_CONTAINER_NAME);
  }
  const da = spec.dynamicAllocation;
  if (da?.enabled) {
    set('spark.dynamicAllocation.enabled', 'true');
    if (da.initialExecutors !== undefined) set('spark.dynamicAllocation.initialExecutors', String(da.initialExecutors));
    if (da.minExecutors !== undefined) set('spark.dynamicAllocation.minExecutors', String(da.minExecutors));
    if (da.maxExecutors !== undefined) set('spark.dynamicAllocation.maxExecutors', String(da.maxExecutors));
    set('spark.dynamicAllocation.shuffleTracking.enabled', String(da.shuffleTrackingEnabled ?? true));
    if (da.shuffleTrackingTimeout !== undefined) {
      set('spark.dynamicAllocation.shuffleTracking.timeout', String(da.shuffleTrackingTimeout));
    }
  }
  return conf;
}

/** start-connect-server.sh's arguments: `--master URL`, then `--conf key=value` for each property. */
export function serverArgs(connect: SparkConnect, settings: ConnectSettings = DEFAULT_CONNECT_SETTINGS): string[] {
  const args = ['--master', settings.masterURL];
  for (const [key, value] of serverConf(connect)) args.push('--conf', `${key}=${value}`);
  return args;
}

/** The properties of start-connect-server.sh arguments (what serverArgs wrote): the simulator reads them back. */
export function confFromArgs(args: readonly string[]): Record<string, string> {
  const conf: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--conf' || arg === '-c') {
      const kv = args[++i] ?? '';
      const eq = kv.indexOf('=');
      if (eq > 0) conf[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (arg.startsWith('--conf=')) {
      const kv = arg.slice('--conf='.length);
      const eq = kv.indexOf('=');
      if (eq > 0) conf[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (arg === '--master') {
      conf['spark.master'] = args[++i] ?? '';
    }
  }
  return conf;
}

const SERVER_PORTS: readonly V1ContainerPort[] = [
  { name: 'spark-connect', containerPort: CONNECT_PORT, protocol: 'TCP' },
  { name: 'spark-ui', containerPort: UI_PORT, protocol: 'TCP' },
  { name: 'driver-rpc', containerPort: DRIVER_PORT, protocol: 'TCP' },
  { name: 'blockmanager', containerPort: BLOCK_MANAGER_PORT, protocol: 'TCP' },
];

/** kubeflow's probes: Spark Connect's gRPC port accepts connections once the server has started. */
function startupProbe(): V1Probe {
  return {
    tcpSocket: { port: CONNECT_PORT },
    initialDelaySeconds: 5,
    periodSeconds: 10,
    timeoutSeconds: 1,
    failureThreshold: 30,
  };
}

function readinessProbe(): V1Probe {
  return { tcpSocket: { port: CONNECT_PORT }, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 };
}

function serverContainer(
  connect: SparkConnect,
  from: V1Container | undefined,
  image: string,
  settings: ConnectSettings,
): V1Container {
  const ports = [...(from?.ports ?? [])];
  for (const port of SERVER_PORTS) {
    if (!ports.some((p) => p.containerPort === port.containerPort)) ports.push(port);
  }
  return {
    ...from,
    name: from?.name || SERVER_CONTAINER_NAME,
    image,
    command: [...SERVER_COMMAND],
    args: serverArgs(connect, settings),
    env: [
      ...(from?.env ?? []).filter((e) => e.name !== 'SPARK_NO_DAEMONIZE'),
      { name: 'SPARK_NO_DAEMONIZE', value: 'true' },
    ],
    ports,
    volumeMounts: [
      ...(from?.volumeMounts ?? []),
      { name: CONF_VOLUME, mountPath: EXECUTOR_TEMPLATE_PATH, subPath: EXECUTOR_TEMPLATE_KEY, readOnly: true },
    ],
    startupProbe: from?.startupProbe ?? startupProbe(),
    readinessProbe: from?.readinessProbe ?? readinessProbe(),
  };
}

/**
 * The server pod `<name>-server`: spec.server.template's metadata and spec, its server container (named
 * spark-kubernetes-driver, else the first; added if there is none) running start-connect-server.sh, the ConfigMap
 * volume, kubeflow's labels, the spec hash, and the SparkConnect as controller owner. restartPolicy Never unless the
 * template says otherwise: a server that ends is started again by the operator, which counts it. Throws a
 * ConnectSpecError when no image is given.
 */
export function desiredServerPod(connect: SparkConnect, settings: ConnectSettings = DEFAULT_CONNECT_SETTINGS): V1Pod {
  const template = connect.spec.server.template;
  const image = serverImage(connect);
  if (!image) {
    throw new ConnectSpecError(
      `spec.image: no image for the server: set spec.image or the image of container ${SERVER_CONTAINER_NAME} in spec.server.template`,
    );
  }
  const containers = containersOf(template);
  const index = serverContainerIndex(containers);
  const container = serverContainer(connect, containers[index], image, settings);
  if (containers.length === 0) containers.push(container);
  else containers[index] = container;
  const volume: V1Volume = {
    name: CONF_VOLUME,
    configMap: { name: configMapName(connect), items: [{ key: EXECUTOR_TEMPLATE_KEY, path: EXECUTOR_TEMPLATE_KEY }] },
  };
  const spec: V1PodSpec = {
    ...template?.spec,
    restartPolicy: template?.spec?.restartPolicy ?? 'Never',
    containers,
    volumes: [...(template?.spec?.volumes ?? []).filter((v) => v.name !== CONF_VOLUME), volume],
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: serverPodName(connect),
      namespace: connect.metadata.namespace ?? 'default',
      labels: {
        ...template?.metadata?.labels,
        ...serverSelector(connect),
        [SPARK_VERSION_LABEL]: connect.spec.sparkVersion,
      },
      annotations: { ...template?.metadata?.annotations, [SPEC_HASH_ANNOTATION]: connectSpecHash(connect) },
      ownerReferences: [ownerReference(connect)],
    },
    spec,
  };
}

const SERVICE_PORTS: readonly V1ServicePort[] = [
  { name: 'spark-connect-server', port: CONNECT_PORT, targetPort: CONNECT_PORT, protocol: 'TCP', appProtocol: 'grpc' },
  { name: 'web-ui', port: UI_PORT, targetPort: UI_PORT, protocol: 'TCP', appProtocol: 'http' },
  { name: 'driver-rpc', port: DRIVER_PORT, targetPort: DRIVER_PORT, protocol: 'TCP', appProtocol: 'tcp' },
  {
    name: 'blockmanager',
    port: BLOCK_MANAGER_PORT,
    targetPort: BLOCK_MANAGER_PORT,
    protocol: 'TCP',
    appProtocol: 'tcp',
  },
];

/** Labels of the Service and the ConfigMap. */
function ownedLabels(connect: SparkConnect): Record<string, string> {
  return {
    [CREATED_BY_LABEL]: 'true',
    [LAUNCHED_BY_LABEL]: 'true',
    [CONNECT_NAME_LABEL]: connect.metadata.name ?? '',
  };
}

/**
 * The server's Service: spec.server.service (its name, labels, annotations, type, …), else `<name>-server`, with the
 * operator's ports (Spark Connect 15002, UI 4040, and the driver's 7078 and 7079, which executors reach through
 * spark.driver.host) and selector. Without a type or cluster IP of the user's it is headless, and it publishes the
 * server's address before the pod is ready: executors connect to the driver while the server is still starting, and
 * a headless Service needs no proxy on the node. The spec hash annotation covers what the Service is built from.
 */
export function desiredService(connect: SparkConnect): V1Service {
  const base = connect.spec.server.service;
  const baseSpec = base?.spec ?? {};
  const type = baseSpec.type ?? 'ClusterIP';
  const headless = type === 'ClusterIP' && baseSpec.clusterIP === undefined && baseSpec.clusterIPs === undefined;
  const service: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: serviceName(connect),
      namespace: connect.metadata.namespace ?? 'default',
      labels: { ...base?.metadata?.labels, ...ownedLabels(connect) },
      ...(base?.metadata?.annotations ? { annotations: { ...base.metadata.annotations } } : {}),
      ownerReferences: [ownerReference(connect)],
    },
    spec: {
      ...baseSpec,
      ...(headless ? { clusterIP: 'None' } : {}),
      publishNotReadyAddresses: baseSpec.publishNotReadyAddresses ?? true,
      selector: serverSelector(connect),
      ports: SERVICE_PORTS.map((p) => ({ ...p })),
    },
  };
  const hash = canonicalHash(service);
  return {
    ...service,
    metadata: { ...service.metadata, annotations: { ...service.metadata?.annotations, [SPEC_HASH_ANNOTATION]: hash } },
  };
}

/** `<name>-conf`: the executor pod template (spec.executor.template, or an empty one) the server mounts. */
export function desiredConfigMap(connect: SparkConnect): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: configMapName(connect),
      namespace: connect.metadata.namespace ?? 'default',
      labels: ownedLabels(connect),
      ownerReferences: [ownerReference(connect)],
    },
    data: { [EXECUTOR_TEMPLATE_KEY]: stringify(connect.spec.executor.template ?? {}) },
  };
}
