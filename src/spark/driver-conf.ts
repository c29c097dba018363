// The driver's settings, resolved once, up front, from the spark-submit request: first the Spark configuration as
// spark-submit assembles it (SparkSubmit's handling of its command line), then every value a feature step needs.
// Each value's comment says which setting wins. Missing or malformed input fails here, naming the field.
import type { V1Pod } from '@kubernetes/client-node';
import { appNameLabel, driverServiceName, resourceNamePrefix, type SubmissionIds } from './names.ts';
import { parseFactor, SparkConfError, sizeToMiB } from './quantities.ts';
import type { SubmissionSettings } from './settings.ts';
import type { PodTemplate, ResourceType, SubmitRequest } from './submit-request.ts';

export type SparkConf = Readonly<Record<string, string>>;

export interface SecretMount {
  readonly secret: string;
  readonly path: string;
}
export interface SecretEnv {
  readonly env: string;
  readonly secret: string;
  readonly key: string;
}
export interface VolumeSpec {
  readonly type: 'hostPath' | 'emptyDir' | 'persistentVolumeClaim' | 'nfs';
  readonly name: string;
  readonly mountPath: string;
  readonly subPath?: string | undefined;
  readonly readOnly: boolean;
  readonly options: Readonly<Record<string, string>>;
}

/** Everything the driver feature steps read. */
export interface DriverConf {
  readonly namespace: string;
  readonly appName: string;
  readonly ids: SubmissionIds;
  readonly sparkVersion: string;
  readonly sparkMajor: number;
  /** The Spark configuration spark-submit hands to the driver builder (before the steps add theirs). */
  readonly conf: SparkConf;
  readonly resourceType: ResourceType;
  readonly mainClass: string;
  readonly primaryResource: string;
  readonly appArgs: readonly string[];
  readonly proxyUser?: string | undefined;
  readonly sparkUser: string;
  readonly resourceNamePrefix: string;
  readonly podName: string;
  readonly serviceName: string;
  readonly image: string;
  readonly imagePullPolicy: string;
  readonly imagePullSecrets: readonly string[];
  readonly cpuRequest: string;
  readonly cpuLimit?: string | undefined;
  readonly memoryMiB: number;
  readonly memoryOverheadMiB: number;
  /** spark.kubernetes.memoryOverheadFactor as the driver step writes it back (the default factor, not the driver's). */
  readonly defaultOverheadFactor: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly serviceLabels: Readonly<Record<string, string>>;
  readonly serviceAnnotations: Readonly<Record<string, string>>;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly driverEnv: readonly (readonly [string, string])[];
  readonly serviceAccount?: string | undefined;
  readonly schedulerName?: string | undefined;
  readonly driverPort: number;
  readonly blockManagerPort: number;
  /** The block manager port of the Service and of spark.driver.blockManager.port (see resolveDriverConf). */
  readonly serviceBlockManagerPort: number;
  readonly uiPort: number;
  readonly secretMounts: readonly SecretMount[];
  readonly secretEnvs: readonly SecretEnv[];
  readonly volumes: readonly VolumeSpec[];
  readonly localDirsTmpfs: boolean;
  readonly driverTemplate?: V1Pod | undefined;
  readonly executorTemplate?: PodTemplate | undefined;
  /** The SparkApplication, as the driver pod's owner (absent when the application has no uid yet, e.g. render). */
  readonly owner?: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly uid: string };
  readonly settings: SubmissionSettings;
}

const RESERVED_LABELS = ['spark-app-selector', 'spark-role', 'spark-app-name', 'spark-version'];

function withPrefix(conf: SparkConf, prefix: string): [string, string][] {
  return Object.entries(conf)
    .filter(([k]) => k.startsWith(prefix) && k.length > prefix.length)
    .map(([k, v]): [string, string] => [k.slice(prefix.length), v])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The Spark configuration as spark-submit builds it from its command line (SparkSubmit.prepareSubmitEnvironment):
 * the --conf properties (a later one wins), then what the options set. Keys the steps add come later.
 */
export function submitConf(request: SubmitRequest, settings: SubmissionSettings): SparkConf {
  const conf: Record<string, string> = {};
  for (const [k, v] of request.conf) conf[k] = v;
  conf['spark.master'] = settings.masterURL;
  conf['spark.submit.deployMode'] = 'cluster';
  conf['spark.app.name'] = request.name;
  conf['spark.app.submitTime'] = String(settings.submitTimeMs);
  const join = (values: readonly string[]): string => values.join(',');
  // --jars/--files/--archives/--py-files become their properties; the primary resource of a JVM app joins spark.jars.
  const jars = request.resourceType === 'java' ? [...request.jars, request.primaryResource] : [...request.jars];
  if (jars.length > 0) conf['spark.jars'] = join(jars);
  if (request.files.length > 0) conf['spark.files'] = join(request.files);
  if (request.archives.length > 0) conf['spark.archives'] = join(request.archives);
  if (request.packages.length > 0) conf['spark.jars.packages'] = join(request.packages);
  if (request.excludePackages.length > 0) conf['spark.jars.excludes'] = join(request.excludePackages);
  if (request.repositories.length > 0) conf['spark.jars.repositories'] = join(request.repositories);
  // spark-submit always writes spark.submit.pyFiles, empty when there are none.
  conf['spark.submit.pyFiles'] = join(request.pyFiles);
  return conf;
}

export function resolveDriverConf(
  request: SubmitRequest,
  settings: SubmissionSettings,
  ids: SubmissionIds,
  sparkVersion: string,
  owner?: DriverConf['owner'],
): DriverConf {
  const sparkMajor = Number.parseInt(sparkVersion, 10);
  if (!Number.isFinite(sparkMajor) || sparkMajor < 3) {
    throw new SparkConfError('spec.sparkVersion', `"${sparkVersion}" is not supported (3.x or newer)`);
  }
  const conf = submitConf(request, settings);
  const get = (key: string): string | undefined => conf[key];
  const prefix = resourceNamePrefix(request.name, ids.uniqueId);

  // Image: spark.kubernetes.driver.container.image wins over spark.kubernetes.container.image.
  const image = get('spark.kubernetes.driver.container.image') ?? get('spark.kubernetes.container.image');
  if (!image) throw new SparkConfError('spec.image', 'is required (or spec.driver.image)');

  // CPU: spark.kubernetes.driver.request.cores wins over spark.driver.cores (default 1); the limit only if set.
  const cores = get('spark.driver.cores') ?? '1';
  const memory = driverMemory(get, request.resourceType, sparkMajor);
  const port = portSetting(get);
  return {
    namespace: request.namespace,
    appName: request.name,
    ids,
    sparkVersion,
    sparkMajor,
    conf,
    resourceType: request.resourceType,
    mainClass: mainClassOf(request),
    primaryResource: request.primaryResource,
    appArgs: request.appArgs,
    proxyUser: request.proxyUser,
    // SPARK_USER: spark-submit runs as the proxy user when there is one, else as its own user.
    sparkUser: request.proxyUser ?? settings.sparkUser,
    resourceNamePrefix: prefix,
    // Pod name: spark.kubernetes.driver.pod.name (always set by the request) wins over `<prefix>-driver`.
    podName: get('spark.kubernetes.driver.pod.name') ?? `${prefix}-driver`,
    serviceName: driverServiceName(prefix, ids.uniqueId),
    image,
    // Pull policy: spark.kubernetes.container.image.pullPolicy, else Spark's default IfNotPresent.
    imagePullPolicy: get('spark.kubernetes.container.image.pullPolicy') ?? 'IfNotPresent',
    imagePullSecrets: (get('spark.kubernetes.container.image.pullSecrets') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s),
    cpuRequest: get('spark.kubernetes.driver.request.cores') ?? cores,
    cpuLimit: get('spark.kubernetes.driver.limit.cores'),
    ...memory,
    labels: driverLabels(conf, request.name, ids.appId, sparkVersion),
    annotations: Object.fromEntries(withPrefix(conf, 'spark.kubernetes.driver.annotation.')),
    serviceLabels: Object.fromEntries(withPrefix(conf, 'spark.kubernetes.driver.service.label.')),
    serviceAnnotations: Object.fromEntries(withPrefix(conf, 'spark.kubernetes.driver.service.annotation.')),
    // Node selectors: spark.kubernetes.driver.node.selector.* wins over spark.kubernetes.node.selector.*.
    nodeSelector: Object.fromEntries([
      ...withPrefix(conf, 'spark.kubernetes.node.selector.'),
      ...withPrefix(conf, 'spark.kubernetes.driver.node.selector.'),
    ]),
    driverEnv: withPrefix(conf, 'spark.kubernetes.driverEnv.'),
    serviceAccount: get('spark.kubernetes.authenticate.driver.serviceAccountName'),
    // Scheduler: spark.kubernetes.driver.scheduler.name wins over spark.kubernetes.scheduler.name.
    schedulerName: get('spark.kubernetes.driver.scheduler.name') ?? get('spark.kubernetes.scheduler.name'),
    driverPort: port('spark.driver.port', 7078),
    // Block manager: spark.driver.blockManager.port wins over spark.blockManager.port (default 7079).
    blockManagerPort: port('spark.driver.blockManager.port', port('spark.blockManager.port', 7079)),
    // The Service step reads spark.driver.blockManager.port alone (default 7079) and writes it back, so with only
    // spark.blockManager.port set the driver binds 7079 while its container port says otherwise. spark-submit does
    // this (Spark 3.5 and 4.1); native submission does the same, so both drivers behave alike.
    serviceBlockManagerPort: port('spark.driver.blockManager.port', 7079),
    uiPort: port('spark.ui.port', 4040),
    secretMounts: withPrefix(conf, 'spark.kubernetes.driver.secrets.').map(([secret, path]) => ({ secret, path })),
    secretEnvs: secretEnvs(conf),
    volumes: parseVolumes(conf, 'spark.kubernetes.driver.volumes.'),
    localDirsTmpfs: get('spark.kubernetes.local.dirs.tmpfs') === 'true',
    driverTemplate: request.driverTemplate?.pod,
    executorTemplate: request.executorTemplate,
    owner,
    settings,
  };
}

/** The class spark-submit runs: Spark's runners for Python and R, the application's own for the JVM. */
function mainClassOf(request: SubmitRequest): string {
  if (request.resourceType === 'python') return 'org.apache.spark.deploy.PythonRunner';
  if (request.resourceType === 'r') return 'org.apache.spark.deploy.RRunner';
  return request.mainClass!;
}

/**
 * Memory: spark.driver.memory (default 1g). Overhead: spark.driver.memoryOverhead wins; else factor × memory with a
 * floor (spark.driver.minMemoryOverhead in Spark 4, 384 MiB). Factor: spark.driver.memoryOverheadFactor wins, then
 * spark.kubernetes.memoryOverheadFactor, then 0.4 for Python/R apps and 0.1 for JVM apps.
 */
function driverMemory(
  get: (key: string) => string | undefined,
  resourceType: SubmitRequest['resourceType'],
  sparkMajor: number,
): Pick<DriverConf, 'memoryMiB' | 'memoryOverheadMiB' | 'defaultOverheadFactor'> {
  const memoryMiB = sizeToMiB(get('spark.driver.memory') ?? '1g', 'spark.driver.memory (spec.driver.memory)');
  const factorKey = 'spark.kubernetes.memoryOverheadFactor';
  const factorSetting = get(factorKey);
  const defaultOverheadFactor =
    factorSetting !== undefined
      ? parseFactor(factorSetting, `${factorKey} (spec.memoryOverheadFactor)`)
      : resourceType === 'java'
        ? 0.1
        : 0.4;
  const driverFactor = get('spark.driver.memoryOverheadFactor');
  const factor = driverFactor ? parseFactor(driverFactor, 'spark.driver.memoryOverheadFactor') : defaultOverheadFactor;
  const minOverhead =
    sparkMajor >= 4
      ? sizeToMiB(get('spark.driver.minMemoryOverhead') ?? '384m', 'spark.driver.minMemoryOverhead')
      : 384;
  const overheadSetting = get('spark.driver.memoryOverhead');
  const memoryOverheadMiB = overheadSetting
    ? sizeToMiB(overheadSetting, 'spark.driver.memoryOverhead (spec.driver.memoryOverhead)')
    : Math.max(Math.floor(factor * memoryMiB), minOverhead);
  return { memoryMiB, memoryOverheadMiB, defaultOverheadFactor };
}

/** Labels: the user's spark.kubernetes.driver.label.*, then Spark's own, which may not be overridden. */
function driverLabels(conf: SparkConf, appName: string, appId: string, sparkVersion: string): Record<string, string> {
  const userLabels = Object.fromEntries(withPrefix(conf, 'spark.kubernetes.driver.label.'));
  for (const reserved of RESERVED_LABELS) {
    if (reserved in userLabels) {
      throw new SparkConfError(`spark.kubernetes.driver.label.${reserved}`, 'is reserved for Spark');
    }
  }
  return {
    ...userLabels,
    'spark-version': sparkVersion,
    'spark-app-selector': appId,
    'spark-app-name': appNameLabel(appName),
    'spark-role': 'driver',
  };
}

/** spark.kubernetes.driver.secretKeyRef.<env>=<secret>:<key>. */
function secretEnvs(conf: SparkConf): DriverConf['secretEnvs'] {
  return withPrefix(conf, 'spark.kubernetes.driver.secretKeyRef.').map(([env, ref]) => {
    const [secret, key] = ref.split(':');
    if (!secret || !key) {
      throw new SparkConfError(`spark.kubernetes.driver.secretKeyRef.${env}`, `"${ref}" is not <secret>:<key>`);
    }
    return { env, secret, key };
  });
}

/** A reader of port properties: the setting, else `fallback`; anything but 1–65535 is refused. */
function portSetting(get: (key: string) => string | undefined): (key: string, fallback: number) => number {
  return (key, fallback) => {
    const raw = get(key);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new SparkConfError(key, `"${raw}" is not a port`);
    return n;
  };
}

const VOLUME_TYPES = ['hostPath', 'emptyDir', 'persistentVolumeClaim', 'nfs'] as const;

/** spark.kubernetes.driver.volumes.<type>.<name>.{mount.path,mount.subPath,mount.readOnly,options.*}. */
function parseVolumes(conf: SparkConf, prefix: string): VolumeSpec[] {
  const byName = new Map<string, { type: VolumeSpec['type']; props: Map<string, string> }>();
  for (const [rest, value] of withPrefix(conf, prefix)) {
    const [type, name, ...keyParts] = rest.split('.');
    const key = keyParts.join('.');
    if (!type || !name || !key || !(VOLUME_TYPES as readonly string[]).includes(type)) {
      throw new SparkConfError(`${prefix}${rest}`, `expected ${prefix}<${VOLUME_TYPES.join('|')}>.<name>.<property>`);
    }
    const entry = byName.get(name) ?? { type: type as VolumeSpec['type'], props: new Map<string, string>() };
    entry.props.set(key, value);
    byName.set(name, entry);
  }
  return [...byName.entries()].map(([name, { type, props }]) => {
    const mountPath = props.get('mount.path');
    if (!mountPath) throw new SparkConfError(`${prefix}${type}.${name}.mount.path`, 'is required');
    const options: Record<string, string> = {};
    for (const [k, v] of props) if (k.startsWith('options.')) options[k.slice('options.'.length)] = v;
    return {
      type,
      name,
      mountPath,
      subPath: props.get('mount.subPath'),
      readOnly: props.get('mount.readOnly') === 'true',
      options,
    };
  });
}
