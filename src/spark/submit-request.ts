// A SparkApplication as a spark-submit request: the command-line options, --conf properties and pod templates the
// kubeflow operator would pass (internal/controller/sparkapplication/submission.go), with one change of design:
// everything spark-submit cannot express (affinity, tolerations, security contexts, sidecars, init containers,
// other volumes and their mounts, env from ConfigMaps/Secrets, host aliases, DNS config, …) goes into the driver pod
// template and the executor pod template instead of a mutating webhook. Both submitters start from this request:
// the spark-submit submitter turns it into a command line and template files, the native builder into objects.
import type { V1Container, V1EnvVar, V1Pod, V1PodSpec, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { DriverSpec, ExecutorSpec, SparkApplication } from '../api/index.ts';
import {
  APP_NAME_LABEL,
  DRIVER_CONTAINER_NAME,
  EXECUTOR_CONTAINER_NAME,
  LAUNCHED_BY_LABEL,
  MUTATED_BY_LABEL,
  SUBMISSION_ID_LABEL,
} from '../api/vocabulary.ts';
import { SparkConfError } from './quantities.ts';
import type { SubmissionSettings } from './settings.ts';

export {
  APP_NAME_LABEL,
  DRIVER_CONTAINER_NAME,
  EXECUTOR_CONTAINER_NAME,
  LAUNCHED_BY_LABEL,
  MUTATED_BY_LABEL,
  SUBMISSION_ID_LABEL,
} from '../api/vocabulary.ts';

/** Volumes whose name starts with this are Spark local dirs and go to spark-submit as volume properties. */
const LOCAL_DIR_PREFIX = 'spark-local-dir-';

export type ResourceType = 'java' | 'python' | 'r';

export interface SubmitRequest {
  readonly name: string;
  readonly namespace: string;
  readonly resourceType: ResourceType;
  readonly mainClass?: string | undefined;
  readonly primaryResource: string;
  readonly appArgs: readonly string[];
  readonly jars: readonly string[];
  readonly files: readonly string[];
  readonly pyFiles: readonly string[];
  readonly archives: readonly string[];
  readonly packages: readonly string[];
  readonly excludePackages: readonly string[];
  readonly repositories: readonly string[];
  readonly proxyUser?: string | undefined;
  /** --conf properties, in the order they are given (a later one wins, as with spark-submit). */
  readonly conf: readonly (readonly [string, string])[];
  /** The driver pod template (and the path the kubeflow operator would write it to), if the driver needs one. */
  readonly driverTemplate?: PodTemplate | undefined;
  readonly executorTemplate?: PodTemplate | undefined;
}

export interface PodTemplate {
  readonly pod: V1Pod;
  /** The template file's text (deterministic YAML, sorted keys): also the executor template ConfigMap's content. */
  readonly yaml: string;
  readonly path: string;
}

type Role = 'driver' | 'executor';

/** The kubeflow operator's spark-submit request for this application and attempt. */
export function submitRequest(app: SparkApplication, settings: SubmissionSettings): SubmitRequest {
  const { spec } = app;
  const { name, namespace, primaryResource, resourceType } = checkSubmittable(app);

  const conf: [string, string][] = [];
  const set: SetConf = (key, value) => {
    if (value !== undefined && value !== null && value !== '') conf.push([key, String(value)]);
  };

  set('spark.kubernetes.namespace', namespace);
  set('spark.kubernetes.container.image', spec.image);
  set('spark.kubernetes.container.image.pullPolicy', spec.imagePullPolicy ?? settings.defaultImagePullPolicy);
  if (spec.imagePullSecrets?.length)
    set('spark.kubernetes.container.image.pullSecrets', spec.imagePullSecrets.join(','));
  set('spark.kubernetes.pyspark.pythonVersion', spec.pythonVersion);
  set('spark.kubernetes.memoryOverheadFactor', spec.memoryOverheadFactor);
  set('spark.kubernetes.submission.waitAppCompletion', 'false');
  for (const [k, v] of sorted(spec.sparkConf)) if (k !== 'spark.kubernetes.driver.pod.name') set(k, v);
  for (const [k, v] of sorted(spec.hadoopConf)) set(`spark.hadoop.${k}`, v);

  const monitoring = monitoringConf(app);
  const driverTemplate = podTemplate(app, 'driver', settings, monitoring.driverPort);
  const executorTemplate = podTemplate(app, 'executor', settings, monitoring.executorPort);
  if (driverTemplate) {
    set('spark.kubernetes.driver.podTemplateFile', driverTemplate.path);
    set('spark.kubernetes.driver.podTemplateContainerName', DRIVER_CONTAINER_NAME);
  }
  set('spark.kubernetes.driver.pod.name', spec.driver.podName ?? `${name}-driver`);

  for (const role of ['driver', 'executor'] as const) {
    roleConf(app, role, { settings, monitoring, executorTemplate, name }, set);
  }
  for (const [k, v] of sorted(spec.nodeSelector)) set(`spark.kubernetes.node.selector.${k}`, v);
  const scheduler = schedulerName(spec.batchScheduler);
  set('spark.kubernetes.scheduler.name', scheduler);
  if (monitoring.metricsConf) set('spark.metrics.conf', monitoring.metricsConf);
  dynamicAllocationConf(app, set);
  const deps = spec.deps ?? {};
  return {
    name,
    namespace,
    resourceType,
    mainClass: spec.mainClass,
    primaryResource,
    appArgs: spec.arguments ?? [],
    jars: deps.jars ?? [],
    files: deps.files ?? [],
    pyFiles: deps.pyFiles ?? [],
    archives: deps.archives ?? [],
    packages: deps.packages ?? [],
    excludePackages: deps.excludePackages ?? [],
    repositories: deps.repositories ?? [],
    proxyUser: spec.proxyUser,
    conf,
    driverTemplate,
    executorTemplate,
  };
}

type SetConf = (key: string, value: string | number | boolean | undefined | null) => void;

const sorted = <T>(map: Readonly<Record<string, T>> | undefined): [string, T][] =>
  Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** What sparkop cannot submit, each naming its field; otherwise the request's identity. */
function checkSubmittable(app: SparkApplication): {
  name: string;
  namespace: string;
  primaryResource: string;
  resourceType: ResourceType;
} {
  const { spec } = app;
  const name = required(app.metadata?.name, 'metadata.name');
  const namespace = app.metadata?.namespace ?? 'default';
  if (name.length > 63) {
    throw new SparkConfError(
      'metadata.name',
      `"${name}" is longer than 63 characters: it is the value of the label ${APP_NAME_LABEL}`,
    );
  }
  if ((spec.mode ?? 'cluster') !== 'cluster') {
    throw new SparkConfError('spec.mode', `"${spec.mode}" is not supported: sparkop submits in cluster mode only`);
  }
  const primaryResource = required(spec.mainApplicationFile, 'spec.mainApplicationFile');
  const resourceType: ResourceType = spec.type === 'Python' ? 'python' : spec.type === 'R' ? 'r' : 'java';
  if (resourceType === 'java' && !spec.mainClass) {
    throw new SparkConfError('spec.mainClass', `required for ${spec.type} applications`);
  }
  for (const unsupported of ['sparkConfigMap', 'hadoopConfigMap'] as const) {
    if (spec[unsupported]) throw new SparkConfError(`spec.${unsupported}`, 'is not supported by sparkop yet');
  }
  for (const role of ['driver', 'executor'] as const) {
    if (spec[role].memoryLimit) {
      throw new SparkConfError(
        `spec.${role}.memoryLimit`,
        'is not supported: Spark sets the memory limit to the request',
      );
    }
  }

  return { name, namespace, primaryResource, resourceType };
}

/** The properties of one role (driver or executor): labels, image, resources, account, options, env, secrets, volumes. */
function roleConf(
  app: SparkApplication,
  role: 'driver' | 'executor',
  context: {
    readonly settings: SubmissionSettings;
    readonly monitoring: ReturnType<typeof monitoringConf>;
    readonly executorTemplate: ReturnType<typeof podTemplate>;
    readonly name: string;
  },
  set: SetConf,
): void {
  const { spec } = app;
  const { settings, monitoring, executorTemplate, name } = context;
  const r: DriverSpec | ExecutorSpec = spec[role];
  const labelKey = role === 'driver' ? 'spark.kubernetes.driver.label' : 'spark.kubernetes.executor.label';
  if (role === 'executor' && executorTemplate) {
    set('spark.kubernetes.executor.podTemplateFile', executorTemplate.path);
    set('spark.kubernetes.executor.podTemplateContainerName', EXECUTOR_CONTAINER_NAME);
  }
  set(`${labelKey}.${APP_NAME_LABEL}`, name);
  set(`${labelKey}.${LAUNCHED_BY_LABEL}`, 'true');
  if (!r.template || sparkVersionBelow3(spec.sparkVersion)) set(`${labelKey}.${MUTATED_BY_LABEL}`, 'true');
  set(`${labelKey}.${SUBMISSION_ID_LABEL}`, settings.submissionId);
  if (role === 'executor') set('spark.executor.instances', spec.executor.instances);
  set(`spark.kubernetes.${role}.container.image`, r.image ?? spec.image);
  set(`spark.${role}.cores`, r.cores);
  set(`spark.kubernetes.${role}.request.cores`, r.coreRequest);
  set(`spark.kubernetes.${role}.limit.cores`, r.coreLimit);
  set(`spark.${role}.memory`, r.memory);
  set(`spark.${role}.memoryOverhead`, r.memoryOverhead);
  set(`spark.kubernetes.authenticate.${role}.serviceAccountName`, r.serviceAccount);
  const javaOptions = [r.javaOptions, role === 'driver' ? monitoring.driverJavaAgent : monitoring.executorJavaAgent]
    .filter((o) => o)
    .join(' ');
  set(`spark.${role}.extraJavaOptions`, javaOptions);
  if (role === 'executor') set('spark.kubernetes.executor.deleteOnTermination', spec.executor.deleteOnTermination);
  if (role === 'driver') set('spark.kubernetes.driver.master', spec.driver.kubernetesMaster);
  for (const [k, v] of sorted(app.metadata?.labels)) set(`${labelKey}.${k}`, v);
  for (const [k, v] of sorted(r.labels)) set(`${labelKey}.${k}`, v);
  if (role === 'executor' || role === 'driver') {
    const yunikornQueue = spec.batchScheduler === 'yunikorn' ? spec.batchSchedulerOptions?.queue : undefined;
    if (yunikornQueue) set(`${labelKey}.queue`, yunikornQueue);
  }
  for (const [k, v] of sorted(r.annotations)) set(`spark.kubernetes.${role}.annotation.${k}`, v);
  if (role === 'driver') {
    for (const [k, v] of sorted(spec.driver.serviceLabels)) set(`spark.kubernetes.driver.service.label.${k}`, v);
    for (const [k, v] of sorted(spec.driver.serviceAnnotations)) {
      set(`spark.kubernetes.driver.service.annotation.${k}`, v);
    }
  }
  for (const [env, ref] of sorted(r.envSecretKeyRefs)) {
    set(`spark.kubernetes.${role}.secretKeyRef.${env}`, `${ref.name}:${ref.key}`);
  }
  const envKey = role === 'driver' ? 'spark.kubernetes.driverEnv' : 'spark.executorEnv';
  for (const s of r.secrets ?? []) {
    set(`spark.kubernetes.${role}.secrets.${s.name}`, s.path);
    const file = SECRET_ENV[s.secretType];
    if (file) set(`${envKey}.${file[0]}`, `${s.path.replace(/\/+$/, '')}/${file[1]}`);
  }
  for (const [k, v] of sorted(r.envVars)) set(`${envKey}.${k}`, v);
  localVolumeConf(app, role, set);
}

/** Dynamic allocation's properties; kubeflow turns shuffle tracking on unless the application turns it off. */
function dynamicAllocationConf(app: SparkApplication, set: SetConf): void {
  const da = app.spec.dynamicAllocation;
  if (da?.enabled) {
    set('spark.dynamicAllocation.enabled', 'true');
    set('spark.dynamicAllocation.initialExecutors', da.initialExecutors);
    set('spark.dynamicAllocation.minExecutors', da.minExecutors);
    set('spark.dynamicAllocation.maxExecutors', da.maxExecutors);
    // kubeflow: shuffle tracking is on unless the application turns it off (there is no external shuffle service).
    set('spark.dynamicAllocation.shuffleTracking.enabled', da.shuffleTrackingEnabled ?? true);
    set('spark.dynamicAllocation.shuffleTracking.timeout', da.shuffleTrackingTimeout);
  }
}

/** The spark-submit command line (without the spark-submit binary) for a request. */
export function sparkSubmitArgs(request: SubmitRequest, masterURL: string): string[] {
  const args = ['--master', masterURL, '--deploy-mode', 'cluster'];
  if (request.mainClass) args.push('--class', request.mainClass);
  args.push('--name', request.name);
  const lists: [string, readonly string[]][] = [
    ['--jars', request.jars],
    ['--packages', request.packages],
    ['--exclude-packages', request.excludePackages],
    ['--repositories', request.repositories],
    ['--py-files', request.pyFiles],
    ['--files', request.files],
    ['--archives', request.archives],
  ];
  for (const [flag, values] of lists) if (values.length > 0) args.push(flag, values.join(','));
  for (const [k, v] of request.conf) args.push('--conf', `${k}=${v}`);
  if (request.proxyUser) args.push('--proxy-user', request.proxyUser);
  args.push(request.primaryResource, ...request.appArgs);
  return args;
}

// kubeflow's secret types: an env var pointing at the file the secret holds.
const SECRET_ENV: Readonly<Record<string, readonly [string, string]>> = {
  GCPServiceAccount: ['GOOGLE_APPLICATION_CREDENTIALS', 'key.json'],
  HadoopDelegationToken: ['HADOOP_TOKEN_FILE_LOCATION', 'hadoop.token'],
};

// kubeflow's batch schedulers, as the pod's scheduler: volcano and yunikorn are scheduler names themselves.
function schedulerName(batchScheduler: string | undefined): string | undefined {
  if (!batchScheduler || batchScheduler === 'kube-scheduler') return undefined;
  return batchScheduler;
}

/** kubeflow's `CompareSemanticVersion(v, "3.0.0") < 0` (golang.org/x/mod/semver): an invalid version is lower. */
export function sparkVersionBelow3(version: string | undefined): boolean {
  const m = /^v?(\d+)(?:\.(\d+)(?:\.(\d+)(-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)?)?$/.exec(version ?? '');
  if (!m) return true;
  const [major, minor, patch] = [m[1], m[2], m[3]].map((p) => Number(p ?? 0)) as [number, number, number];
  return major < 3 || (major === 3 && minor === 0 && patch === 0 && m[4] !== undefined);
}

function required<T>(value: T | undefined | null, field: string): T {
  if (value === undefined || value === null || value === '') throw new SparkConfError(field, 'is required');
  return value;
}

function isLocalDir(volume: V1Volume): boolean {
  return volume.name.startsWith(LOCAL_DIR_PREFIX);
}

function volumeByName(app: SparkApplication, name: string, field: string): V1Volume {
  const volume = app.spec.volumes?.find((v) => v.name === name);
  if (!volume) throw new SparkConfError(field, `mounts volume "${name}", which spec.volumes does not define`);
  return volume;
}

// Volumes named spark-local-dir-* go to Spark as spark.kubernetes.<role>.volumes.<type>.<name>.* (as kubeflow does).
function localVolumeConf(app: SparkApplication, role: Role, set: (k: string, v: string | undefined) => void): void {
  const mounts = app.spec[role].volumeMounts ?? [];
  mounts.forEach((mount, i) => {
    const field = `spec.${role}.volumeMounts[${i}]`;
    const volume = volumeByName(app, mount.name, field);
    if (!isLocalDir(volume)) return;
    const [type, options] = volumeTypeOptions(volume, `spec.volumes[name=${volume.name}]`);
    const base = `spark.kubernetes.${role}.volumes.${type}.${volume.name}`;
    set(`${base}.mount.path`, mount.mountPath);
    set(`${base}.mount.subPath`, mount.subPath);
    if (mount.readOnly) set(`${base}.mount.readOnly`, 'true');
    for (const [k, v] of options) set(`${base}.options.${k}`, v);
  });
}

function volumeTypeOptions(volume: V1Volume, field: string): [string, [string, string | undefined][]] {
  if (volume.emptyDir) {
    return [
      'emptyDir',
      [
        ['medium', volume.emptyDir.medium],
        ['sizeLimit', volume.emptyDir.sizeLimit === undefined ? undefined : String(volume.emptyDir.sizeLimit)],
      ],
    ];
  }
  if (volume.hostPath) {
    return [
      'hostPath',
      [
        ['path', volume.hostPath.path],
        ['type', volume.hostPath.type],
      ],
    ];
  }
  if (volume.persistentVolumeClaim) {
    const c = volume.persistentVolumeClaim;
    return [
      'persistentVolumeClaim',
      [
        ['claimName', c.claimName],
        ['readOnly', c.readOnly ? 'true' : undefined],
      ],
    ];
  }
  if (volume.nfs) {
    return [
      'nfs',
      [
        ['path', volume.nfs.path],
        ['server', volume.nfs.server],
        ['readOnly', volume.nfs.readOnly ? 'true' : undefined],
      ],
    ];
  }
  throw new SparkConfError(
    field,
    'a spark-local-dir-* volume must be an emptyDir, hostPath, persistentVolumeClaim or nfs',
  );
}

interface MonitoringConf {
  readonly driverJavaAgent?: string | undefined;
  readonly executorJavaAgent?: string | undefined;
  readonly driverPort?: { name: string; port: number } | undefined;
  readonly executorPort?: { name: string; port: number } | undefined;
  readonly metricsConf?: string | undefined;
}

/** Where kubeflow mounts the ConfigMap `<app>-prom-conf` with metrics.properties and prometheus.yaml. */
export const METRICS_CONF_DIR = '/etc/metrics/conf';

// kubeflow's Prometheus monitoring: the JMX exporter as a Java agent, configured from a ConfigMap the operator creates.
function monitoringConf(app: SparkApplication): MonitoringConf {
  const m = app.spec.monitoring;
  if (!m?.prometheus) return {};
  const port = m.prometheus.port ?? 8090;
  const agent = `-javaagent:${m.prometheus.jmxExporterJar}=${port}:${METRICS_CONF_DIR}/prometheus.yaml`;
  const portSpec = { name: m.prometheus.portName ?? 'jmx-exporter', port };
  return {
    driverJavaAgent: m.exposeDriverMetrics ? agent : undefined,
    executorJavaAgent: m.exposeExecutorMetrics ? agent : undefined,
    driverPort: m.exposeDriverMetrics ? portSpec : undefined,
    executorPort: m.exposeExecutorMetrics ? portSpec : undefined,
    metricsConf:
      m.exposeDriverMetrics || m.exposeExecutorMetrics ? `${METRICS_CONF_DIR}/metrics.properties` : undefined,
  };
}

/** The name of the ConfigMap holding the metrics configuration of an application with Prometheus monitoring. */
export function metricsConfigMapName(appName: string): string {
  return `${appName}-prom-conf`;
}

/**
 * The pod template of one role: the application's own template with what spark-submit cannot express merged in.
 * None when the role needs no customisation (spark-submit then starts from an empty pod).
 */
function podTemplate(
  app: SparkApplication,
  role: Role,
  settings: SubmissionSettings,
  metricsPort: MetricsPort | undefined,
): PodTemplate | undefined {
  const r: DriverSpec | ExecutorSpec = app.spec[role];
  const containerName = role === 'driver' ? DRIVER_CONTAINER_NAME : EXECUTOR_CONTAINER_NAME;
  const base = structuredClone((r.template ?? {}) as V1Pod);
  const pod: V1Pod = { metadata: base.metadata ?? {}, spec: base.spec ?? { containers: [] } };
  const spec = pod.spec!;
  spec.containers ??= [];
  const main = mainContainer(spec, containerName);
  mergePodFields(spec, r, main);
  mergeContainerFields(r, main, metricsPort);
  const { volumes, mounts } = templateVolumes(app, role, metricsPort);
  if (volumes.length > 0) spec.volumes = [...(spec.volumes ?? []), ...volumes];
  if (mounts.length > 0) main.ensure().volumeMounts = [...(main.found()?.volumeMounts ?? []), ...mounts];

  const empty =
    Object.keys(pod.metadata ?? {}).length === 0 &&
    Object.keys(spec).every((k) => k === 'containers') &&
    spec.containers.every((c) => Object.keys(c).length === 1 && c.name === containerName);
  if (empty && !r.template) return undefined;
  return templateFile({ metadata: pod.metadata, spec }, role, settings);
}

type MetricsPort = { name: string; port: number };

/**
 * The role's container in a template: the template's own when it has one, else added (after the containers present
 * then) the first time a field needs it, so that a template nothing is merged into stays empty.
 */
interface MainContainer {
  found(): V1Container | undefined;
  ensure(): V1Container;
}

function mainContainer(spec: V1PodSpec, name: string): MainContainer {
  let main = spec.containers.find((c) => c.name === name);
  return {
    found: () => main,
    ensure: () => {
      if (!main) {
        main = { name };
        spec.containers.push(main);
      }
      return main;
    },
  };
}

/** The pod's fields from the role's spec: scheduling, security, DNS and host settings, init and sidecar containers. */
function mergePodFields(spec: V1PodSpec, r: DriverSpec | ExecutorSpec, main: MainContainer): void {
  if (r.affinity) spec.affinity = r.affinity;
  if (r.tolerations?.length) spec.tolerations = [...(spec.tolerations ?? []), ...r.tolerations];
  if (r.podSecurityContext) spec.securityContext = r.podSecurityContext;
  if (r.securityContext) main.ensure().securityContext = r.securityContext;
  if (r.hostAliases?.length) spec.hostAliases = [...(spec.hostAliases ?? []), ...r.hostAliases];
  if (r.dnsConfig) spec.dnsConfig = r.dnsConfig;
  if (r.hostNetwork !== undefined) {
    spec.hostNetwork = r.hostNetwork;
    if (r.hostNetwork) spec.dnsPolicy = 'ClusterFirstWithHostNet';
  }
  if (r.shareProcessNamespace !== undefined) spec.shareProcessNamespace = r.shareProcessNamespace;
  if (r.terminationGracePeriodSeconds !== undefined)
    spec.terminationGracePeriodSeconds = r.terminationGracePeriodSeconds;
  if (r.schedulerName) spec.schedulerName = r.schedulerName;
  if (r.priorityClassName) spec.priorityClassName = r.priorityClassName;
  if (r.nodeSelector && Object.keys(r.nodeSelector).length > 0) {
    spec.nodeSelector = { ...(spec.nodeSelector ?? {}), ...r.nodeSelector };
  }
  if (r.initContainers?.length) spec.initContainers = [...(spec.initContainers ?? []), ...r.initContainers];
  if (r.sidecars?.length) spec.containers.push(...r.sidecars);
}

/** The role's container fields Spark has no property for: env, envFrom, lifecycle, a GPU limit, ports. */
function mergeContainerFields(
  r: DriverSpec | ExecutorSpec,
  main: MainContainer,
  metricsPort: MetricsPort | undefined,
): void {
  if (r.env?.length) main.ensure().env = [...(main.found()?.env ?? []), ...(r.env as V1EnvVar[])];
  if (r.envFrom?.length) main.ensure().envFrom = [...(main.found()?.envFrom ?? []), ...r.envFrom];
  if (r.lifecycle) main.ensure().lifecycle = r.lifecycle;
  if (r.gpu) {
    const c = main.ensure();
    c.resources = { ...c.resources, limits: { ...(c.resources?.limits ?? {}), [r.gpu.name]: String(r.gpu.quantity) } };
  }
  const ports = [...(r.ports ?? [])];
  if (metricsPort) ports.push({ name: metricsPort.name, containerPort: metricsPort.port, protocol: 'TCP' });
  if (ports.length > 0) {
    main.ensure().ports = [
      ...(main.found()?.ports ?? []),
      ...ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })),
    ];
  }
}

/** Volumes Spark cannot mount (everything but spark-local-dir-*), ConfigMaps and the metrics configuration. */
function templateVolumes(
  app: SparkApplication,
  role: Role,
  metricsPort: MetricsPort | undefined,
): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const r: DriverSpec | ExecutorSpec = app.spec[role];
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  (r.volumeMounts ?? []).forEach((mount, i) => {
    const volume = volumeByName(app, mount.name, `spec.${role}.volumeMounts[${i}]`);
    if (isLocalDir(volume)) return;
    if (!volumes.some((v) => v.name === volume.name)) volumes.push(volume);
    mounts.push(mount);
  });
  for (const cm of r.configMaps ?? []) {
    volumes.push({ name: `${cm.name}-vol`, configMap: { name: cm.name } });
    mounts.push({ name: `${cm.name}-vol`, mountPath: cm.path });
  }
  if (metricsPort) {
    volumes.push({ name: 'prometheus-vol', configMap: { name: metricsConfigMapName(app.metadata?.name ?? '') } });
    mounts.push({ name: 'prometheus-vol', mountPath: METRICS_CONF_DIR });
  }
  return { volumes, mounts };
}

/** A role's pod template as spark-submit reads it: deterministic YAML at a path of the submission's own. */
export function templateFile(pod: V1Pod, role: Role, settings: SubmissionSettings): PodTemplate {
  const file = { apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata, spec: pod.spec };
  const yaml = stringify(file, { sortMapEntries: true });
  const path = `${settings.templateDir}/${settings.submissionId}/${role}-pod-template.yaml`;
  return { pod: file as V1Pod, yaml, path };
}
