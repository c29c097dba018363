// Conformance harness: real spark-submit (pyspark from PyPI) and sparkop's native submission, each against the real
// local kube-apiserver, then a field-by-field comparison of what they created after normalising only random ids,
// timestamps and server-set fields. Allowed differences are read from docs/conformance.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig, RbacAuthorizationV1Api, type V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { SparkApplication } from '../src/api/index.ts';
import { parseProperties } from '../src/spark/properties.ts';
import { DRIVER_CONTAINER_NAME, EXECUTOR_CONTAINER_NAME, type SubmitRequest } from '../src/spark/submit-request.ts';
import { sharedPath } from './shared.ts';

export const ROOT = join(import.meta.dirname, '..');

/** SPARK_HOME of every pinned pyspark version (installs them on first use: cached under ~/.cache/sparkop). */
export function pysparkHomes(): Map<string, string> {
  const out = execFileSync('bash', [join(ROOT, 'scripts/pyspark/install.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const homes = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^PYSPARK_(\d+)_(\d+)_(\d+)_HOME=(.+)$/.exec(line.trim());
    if (m) homes.set(`${m[1]}.${m[2]}.${m[3]}`, m[4]!);
  }
  if (homes.size === 0) throw new Error('scripts/pyspark/install.sh printed no PYSPARK_*_HOME lines');
  return homes;
}

/** The kubeflow examples (../shared/examples/kubeflow from the repo root) plus this folder's corpus. */
export function corpus(): { name: string; app: SparkApplication }[] {
  const dirs = [sharedPath('examples', 'kubeflow'), join(import.meta.dirname, 'corpus')];
  const result: { name: string; app: SparkApplication }[] = [];
  for (const dir of dirs) {
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()) {
      // spark-pi-prometheus.yaml ships with registry placeholders in its image (see the examples' NOTICE.md).
      const text = readFileSync(join(dir, file), 'utf8').replaceAll('{IMAGE_REGISTRY}/{IMAGE_REPOSITORY}/', '');
      for (const doc of parseAllDocuments(text)) {
        const obj = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { template?: unknown } };
        if (obj.kind === 'SparkApplication')
          result.push({ name: file.replace(/\.yaml$/, ''), app: obj as SparkApplication });
        if (obj.kind === 'ScheduledSparkApplication') {
          const app = {
            apiVersion: 'sparkoperator.k8s.io/v1beta2',
            kind: 'SparkApplication',
            metadata: { name: `${obj.metadata?.name}-run` },
            spec: obj.spec?.template,
          };
          result.push({ name: file.replace(/\.yaml$/, ''), app: app as SparkApplication });
        }
      }
    }
  }
  return result;
}

/**
 * A kubeconfig with a bearer token of a cluster-admin ServiceAccount: spark-submit's Kubernetes client (fabric8)
 * cannot read the EC client keys of the local control plane's admin kubeconfig.
 */
export async function tokenKubeconfig(
  kc: KubeConfig,
  dir: string,
  id: string,
): Promise<{ path: string; server: string; cleanup: () => Promise<void> }> {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const ns = `conformance-submitter-${id}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'spark-submit' } } });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'spark-submit', namespace: ns }],
    },
  });
  const token = await core.createNamespacedServiceAccountToken({
    name: 'spark-submit',
    namespace: ns,
    body: { spec: { expirationSeconds: 7200, audiences: [] } },
  });
  const cluster = kc.getCurrentCluster()!;
  const ca = cluster.caData ?? Buffer.from(readFileSync(cluster.caFile!)).toString('base64');
  const path = join(dir, 'token.kubeconfig');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: cluster.server, 'certificate-authority-data': ca } }],
      users: [{ name: 'u', user: { token: token.status?.token } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'c',
    }),
  );
  return {
    path,
    server: cluster.server,
    cleanup: async () => {
      await rbac.deleteClusterRoleBinding({ name: ns }).catch(() => undefined);
      await core.deleteNamespace({ name: ns }).catch(() => undefined);
    },
  };
}

export interface Captured {
  readonly objects: Record<string, unknown>[];
}

/** The Pods, Services and ConfigMaps of a namespace (without the API server's kube-root-ca.crt). */
export async function capture(core: CoreV1Api, namespace: string): Promise<Record<string, unknown>[]> {
  const [pods, services, configMaps] = await Promise.all([
    core.listNamespacedPod({ namespace }),
    core.listNamespacedService({ namespace }),
    core.listNamespacedConfigMap({ namespace }),
  ]);
  const tag = <T extends object>(kind: string, items: T[]): Record<string, unknown>[] =>
    items.map((i) => ({ ...(i as Record<string, unknown>), kind, apiVersion: 'v1' }));
  return [
    ...tag('Pod', pods.items),
    ...tag('Service', services.items),
    ...tag(
      'ConfigMap',
      configMaps.items.filter((c) => c.metadata?.name !== 'kube-root-ca.crt'),
    ),
  ];
}

export const SPARK_USER = userInfo().username;

// ---- normalisation: only random ids, timestamps and server-set fields ----

const SERVER_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation'];
const ID_PATTERNS: [RegExp, string][] = [
  [/spark-[0-9a-f]{32}/g, 'spark-<appId>'],
  [/spark-drv-[0-9a-f]{16}-conf-map/g, 'spark-drv-<id>-conf-map'],
  [/-[0-9a-f]{16}-driver-(svc|podspec-conf-map)/g, '-<id>-driver-$1'],
  [/^spark-[0-9a-f]{16}-driver-svc/g, 'spark-<id>-driver-svc'],
  [/\/var\/data\/spark-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '/var/data/spark-<uuid>'],
  [/kube-api-access-[a-z0-9]{5}/g, 'kube-api-access-<x>'],
];

function normaliseValue(value: unknown, namespace: string): unknown {
  if (typeof value === 'string') {
    let s = value.split(namespace).join('<namespace>');
    for (const [re, replacement] of ID_PATTERNS) s = s.replace(re, replacement);
    return s;
  }
  if (Array.isArray(value)) return value.map((v) => normaliseValue(v, namespace));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out[normaliseValue(k, namespace) as string] = normaliseValue(v, namespace);
    }
    return out;
  }
  return value;
}

/** Objects keyed by `Kind/name` after normalisation; spark.properties parsed into its keys. */
export function normalise(objects: Record<string, unknown>[], namespace: string): Map<string, unknown> {
  const result = new Map<string, unknown>();
  for (const raw of objects) {
    const obj = JSON.parse(JSON.stringify(raw)) as Record<string, Record<string, unknown>>;
    delete obj.status;
    const meta = obj.metadata ?? {};
    for (const k of SERVER_METADATA) delete meta[k];
    for (const ref of (meta.ownerReferences as Record<string, unknown>[] | undefined) ?? []) delete ref.uid;
    if (obj.spec) delete obj.spec.nodeName;
    const data = obj.data as Record<string, string> | undefined;
    if (data?.['spark.properties'] !== undefined) {
      const props = parseProperties(data['spark.properties']);
      delete props['spark.app.submitTime'];
      (obj.data as Record<string, unknown>)['spark.properties'] = props;
    }
    sortByName(obj);
    const n = normaliseValue(obj, namespace) as { kind: string; metadata: { name: string } };
    result.set(`${n.kind}/${n.metadata.name}`, n);
  }
  return result;
}

/**
 * Orders env, volumes and volumeMounts by name: spark-submit emits the entries that come from Spark configuration
 * maps in Java hash-map order, native submission in sorted order (docs/conformance.md, "Normalisation").
 */
function sortByName(obj: Record<string, unknown>): void {
  const byName = (list: unknown): void => {
    if (Array.isArray(list)) list.sort((a, b) => String(a?.name).localeCompare(String(b?.name)));
  };
  const spec = obj.spec as { containers?: Record<string, unknown>[]; volumes?: unknown } | undefined;
  byName(spec?.volumes);
  for (const c of spec?.containers ?? []) {
    byName(c.env);
    byName(c.volumeMounts);
  }
}

export interface Difference {
  readonly path: string;
  readonly sparkSubmit: unknown;
  readonly native: unknown;
}

/** Every path where the two differ (objects compared key by key, arrays element by element). */
export function diff(a: unknown, b: unknown, path = ''): Difference[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a)
      ? [...Array(Math.max(a.length, (b as unknown[]).length)).keys()].map(String)
      : [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    return keys.flatMap((k) =>
      diff(ra[k], rb[k], Array.isArray(a) ? `${path}[${k}]` : `${path}${path ? '.' : ''}${k}`),
    );
  }
  return [{ path, sparkSubmit: a, native: b }];
}

export interface AllowedDifference {
  readonly id: string;
  /** Regular expression over `Kind/name:path`. */
  readonly path: string;
  readonly reason: string;
}

/** The deliberate differences: the JSON block of docs/conformance.md between its two markers. */
export function allowedDifferences(): AllowedDifference[] {
  const doc = readFileSync(join(ROOT, 'docs', 'conformance.md'), 'utf8');
  const m = /<!-- allowed-differences:begin -->\s*```json\n([\s\S]*?)```\s*<!-- allowed-differences:end -->/.exec(doc);
  if (!m) throw new Error('docs/conformance.md has no allowed-differences JSON block');
  return JSON.parse(m[1]!) as AllowedDifference[];
}

/** Runs `tasks` with at most `limit` at a time. */
export async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

// ---- what the shared request may put into the pod templates ----

type RoleSpec = SparkApplication['spec']['driver'];

/**
 * For each pod spec field a generated template may carry: the application fields it comes from (kubeflow's webhook
 * sets it from them). A field none of them explains, and that the application's own template does not carry, is
 * policy the shared request adds to both submitters alike, which the comparison below cannot see.
 */
const POD_FIELD_SOURCES: Readonly<Record<string, (r: RoleSpec, app: SparkApplication) => boolean>> = {
  affinity: (r) => r.affinity !== undefined,
  tolerations: (r) => (r.tolerations?.length ?? 0) > 0,
  securityContext: (r) => r.podSecurityContext !== undefined,
  hostAliases: (r) => (r.hostAliases?.length ?? 0) > 0,
  dnsConfig: (r) => r.dnsConfig !== undefined,
  hostNetwork: (r) => r.hostNetwork !== undefined,
  dnsPolicy: (r) => r.hostNetwork === true,
  shareProcessNamespace: (r) => r.shareProcessNamespace !== undefined,
  terminationGracePeriodSeconds: (r) => r.terminationGracePeriodSeconds !== undefined,
  schedulerName: (r) => Boolean(r.schedulerName),
  priorityClassName: (r) => Boolean(r.priorityClassName),
  nodeSelector: (r) => Object.keys(r.nodeSelector ?? {}).length > 0,
  initContainers: (r) => (r.initContainers?.length ?? 0) > 0,
  containers: () => true,
  volumes: (r, app) =>
    (r.volumeMounts?.length ?? 0) > 0 || (r.configMaps?.length ?? 0) > 0 || app.spec.monitoring !== undefined,
};

const CONTAINER_FIELD_SOURCES: Readonly<Record<string, (r: RoleSpec, app: SparkApplication) => boolean>> = {
  name: () => true,
  securityContext: (r) => r.securityContext !== undefined,
  env: (r) => (r.env?.length ?? 0) > 0,
  envFrom: (r) => (r.envFrom?.length ?? 0) > 0,
  lifecycle: (r) => r.lifecycle !== undefined,
  resources: (r) => r.gpu !== undefined,
  ports: (r, app) => (r.ports?.length ?? 0) > 0 || app.spec.monitoring !== undefined,
  volumeMounts: (r, app) =>
    (r.volumeMounts?.length ?? 0) > 0 || (r.configMaps?.length ?? 0) > 0 || app.spec.monitoring !== undefined,
};

/** The template fields of `request` that neither the application's spec nor its own pod template explains. */
export function unexplainedTemplateFields(app: SparkApplication, request: SubmitRequest): string[] {
  const out: string[] = [];
  for (const role of ['driver', 'executor'] as const) {
    const generated = (role === 'driver' ? request.driverTemplate : request.executorTemplate)?.pod;
    if (!generated) continue;
    const r = app.spec[role];
    const own = (r.template ?? {}) as V1Pod;
    for (const key of Object.keys(generated.metadata ?? {})) {
      if (!(key in (own.metadata ?? {}))) out.push(`${role}: metadata.${key}`);
    }
    for (const key of Object.keys(generated.spec ?? {})) {
      if (key in (own.spec ?? {})) continue;
      if (!POD_FIELD_SOURCES[key]?.(r, app)) out.push(`${role}: spec.${key}`);
    }
    const mainName = role === 'driver' ? DRIVER_CONTAINER_NAME : EXECUTOR_CONTAINER_NAME;
    const main = generated.spec?.containers.find((c) => c.name === mainName);
    const ownMain = own.spec?.containers?.find((c) => c.name === mainName) ?? {};
    for (const key of Object.keys(main ?? {})) {
      if (key in ownMain) continue;
      if (!CONTAINER_FIELD_SOURCES[key]?.(r, app)) out.push(`${role}: spec.containers[${mainName}].${key}`);
    }
    const sidecars = new Set([...(r.sidecars ?? []), ...(own.spec?.containers ?? [])].map((c) => c.name));
    for (const c of generated.spec?.containers ?? []) {
      if (c.name !== mainName && !sidecars.has(c.name)) out.push(`${role}: spec.containers[${c.name}]`);
    }
  }
  return out;
}
