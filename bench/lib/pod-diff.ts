// What differs between two driver pods (and the Spark properties in their ConfigMaps, and the application's status)
// built by two operators for the same SparkApplication: both flattened to path → value after the names and ids that differ by construction
// (namespace, uids, submission ids, Spark's generated hashes, IPs, times) are replaced by placeholders.
import type { V1Pod } from '@kubernetes/client-node';

export interface DriverRecord {
  /** The driver pod as the API server returned it. */
  readonly pod: V1Pod;
  /** spark.properties of the driver's ConfigMap (spark-conf-volume-driver), parsed. */
  readonly conf: Readonly<Record<string, string>>;
  /** The SparkApplication's status once its driver runs: what each operator reports. */
  readonly appStatus: unknown;
  /** Names of the Services and ConfigMaps that belong to the application or its driver. */
  readonly services: readonly string[];
  readonly configMaps: readonly string[];
}

export interface Difference {
  readonly path: string;
  readonly a: string | undefined;
  readonly b: string | undefined;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces what differs by construction with placeholders, in every string of `value`. */
export function normalizer(ids: Readonly<Record<string, string | undefined>>): (s: string) => string {
  const pairs = Object.entries(ids)
    .filter((e): e is [string, string] => Boolean(e[1]))
    .sort(([, a], [, b]) => b.length - a.length);
  return (s: string) => {
    let out = s;
    // Whole words only: namespace "sparkop" must not rewrite "sparkoperator.k8s.io".
    for (const [placeholder, id] of pairs) {
      out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(id)}(?![A-Za-z0-9])`, 'g'), `<${placeholder}>`);
    }
    return out
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uuid>')
      .replace(/\bkube-api-access-[a-z0-9]{5}\b/g, 'kube-api-access-<random>')
      .replace(/\b[0-9a-f]{16}\b/g, '<hash>')
      .replace(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, '<ip>')
      .replace(/\b1\d{12}\b/g, '<epoch-ms>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '<time>');
  };
}

/** Items of these lists are keyed by their name (their order is not what matters). */
const NAMED_LISTS = new Set([
  'containers',
  'initContainers',
  'env',
  'volumes',
  'volumeMounts',
  'ports',
  'ownerReferences',
]);
/** Set by the API server, the scheduler or the node, not by the operator. */
const IGNORED = [
  /^pod\.metadata\.(uid|resourceVersion|creationTimestamp|generation|managedFields)/,
  /^pod\.status/,
  /^pod\.spec\.nodeName$/,
];

export function flatten(value: unknown, path: string, out: Map<string, string>, norm: (s: string) => string): void {
  if (Array.isArray(value)) {
    const key = path.split('.').at(-1) ?? '';
    value.forEach((item, i) => {
      const name =
        NAMED_LISTS.has(key) && item && typeof item === 'object' ? (item as { name?: unknown }).name : undefined;
      flatten(item, `${path}[${typeof name === 'string' ? norm(name) : i}]`, out, norm);
    });
    if (value.length === 0) out.set(path, '[]');
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, `${path}.${norm(k)}`, out, norm);
  } else if (value !== undefined) {
    out.set(path, norm(String(value)));
  }
}

/** The normalized driver record as path → value. */
export function driverPaths(record: DriverRecord, norm: (s: string) => string): Map<string, string> {
  const out = new Map<string, string>();
  flatten(record.pod, 'pod', out, norm);
  flatten(record.appStatus, 'app.status', out, norm);
  for (const [k, v] of Object.entries(record.conf)) out.set(`conf.${k}`, norm(v));
  out.set('objects.services', record.services.map(norm).sort().join(', '));
  out.set('objects.configMaps', record.configMaps.map(norm).sort().join(', '));
  for (const p of [...out.keys()]) if (IGNORED.some((r) => r.test(p))) out.delete(p);
  return out;
}

export function differences(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): Difference[] {
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths.filter((p) => a.get(p) !== b.get(p)).map((path) => ({ path, a: a.get(path), b: b.get(path) }));
}
