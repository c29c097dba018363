// The operator's settings: one table of flags (names matching the kubeflow spark-operator's where it has them),
// each with its environment variable, default and parser. The help text, the parser and the Helm chart's values are
// all derived from this table.
import { DEFAULT_CONTROLLER_SETTINGS as DEFAULTS, type IngressTls } from '../controllers/sparkapplication/settings.ts';

export type Duration = number; // milliseconds

interface FlagBase<K extends string, V> {
  readonly name: K;
  /** Other accepted spellings (kubeflow's zap flags, for example). */
  readonly aliases?: readonly string[];
  readonly description: string;
  readonly default: V;
  /** Shown in help instead of the rendered default. */
  readonly defaultText?: string;
  readonly parse: (text: string) => V;
}

export class OptionError extends Error {
  override readonly name = 'OptionError';
}

function fail(flag: string, text: string, expected: string): never {
  throw new OptionError(`--${flag}: ${JSON.stringify(text)} is not ${expected}`);
}

const int =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (flag: string) =>
  (text: string): number => {
    const n = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || n < min || n > max) fail(flag, text, `an integer from ${min} to ${max}`);
    return n;
  };

/** Any finite number (negative ones included). */
const number =
  (flag: string) =>
  (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) fail(flag, text, 'a number');
    return n;
  };

const bool =
  (flag: string) =>
  (text: string): boolean => {
    const t = text.trim().toLowerCase();
    if (['true', '1', 'yes', ''].includes(t)) return true;
    if (['false', '0', 'no'].includes(t)) return false;
    return fail(flag, text, 'true or false');
  };

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go-style durations: "10s", "1m30s", "250ms", "1h". A bare number is seconds. */
export function parseDuration(text: string): Duration | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * (UNITS[m[2]!] ?? 0);
  return total;
}

const duration =
  (flag: string) =>
  (text: string): Duration => {
    const d = parseDuration(text);
    if (d === undefined) fail(flag, text, 'a duration such as 10s, 1m30s or 250ms');
    return d;
  };

const str = () => (text: string) => text;

const list =
  () =>
  (text: string): readonly string[] =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');

const floatList =
  (flag: string) =>
  (text: string): readonly number[] =>
    list()(text).map((s) => {
      const n = Number(s);
      if (!Number.isFinite(n)) fail(flag, text, 'a comma-separated list of numbers');
      return n;
    });

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (flag: string) =>
  (text: string): T => {
    if (!(values as readonly string[]).includes(text)) fail(flag, text, `one of ${values.join(', ')}`);
    return text as T;
  };

const address =
  (flag: string) =>
  (text: string): string => {
    // "0" disables the server (as in controller-runtime); otherwise host:port or :port.
    if (text === '0' || /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):\d{1,5}$/.test(text)) return text;
    return fail(flag, text, 'an address such as :8080, 127.0.0.1:8080, or 0 to disable');
  };

function json<T>(check: (value: unknown) => value is T, expected: string) {
  return (flag: string) =>
    (text: string): T => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new OptionError(`--${flag}: not valid JSON (${(err as Error).message})`, { cause: err });
      }
      if (!check(value)) fail(flag, text, expected);
      return value;
    };
}

const isIngressTlsList = (v: unknown): v is readonly IngressTls[] =>
  Array.isArray(v) &&
  v.every(
    (e) =>
      typeof e === 'object' &&
      e !== null &&
      (e.hosts === undefined || (Array.isArray(e.hosts) && e.hosts.every((h: unknown) => typeof h === 'string'))) &&
      (e.secretName === undefined || typeof e.secretName === 'string'),
  );

const isStringMap = (v: unknown): v is Readonly<Record<string, string>> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;
export const SUBMITTERS = ['native', 'spark-submit'] as const;

function flag<K extends string, V>(
  name: K,
  make: (flag: string) => (text: string) => V,
  defaultValue: V,
  description: string,
  extra: { aliases?: readonly string[]; defaultText?: string } = {},
): FlagBase<K, V> {
  return { name, parse: make(name), default: defaultValue, description, ...extra };
}

/** Every flag of the operator. The order is the order of --help. */
export const OPERATOR_FLAGS = [
  flag('namespaces', list, [] as readonly string[], 'Namespaces to manage, comma-separated; empty: all namespaces.'),
  flag('namespace-selector', str, '', 'Label selector on namespaces to manage (with --namespaces empty).'),
  flag('label-selector-filter', str, '', 'Only manage SparkApplications whose labels match this selector.'),
  flag(
    'controller-threads',
    int(1, 1000),
    DEFAULTS.controllerThreads,
    'Concurrent reconciles of the SparkApplication controller.',
  ),
  flag('cache-sync-timeout', duration, 30_000, 'How long to wait for the informer caches to sync at start.', {
    defaultText: '30s',
  }),
  flag(
    'stream-initial-state',
    bool,
    true,
    'Informers stream their initial state (a watch with sendInitialEvents) where the API server allows it; false: paginated lists.',
  ),
  flag(
    'max-tracked-executor-per-app',
    int(0),
    DEFAULTS.maxTrackedExecutorPerApp,
    'Executors tracked per application in its status.',
  ),
  flag('workqueue-ratelimiter-bucket-qps', int(1), 10, 'Overall token bucket rate of the work queues.'),
  flag('workqueue-ratelimiter-bucket-size', int(1), 100, 'Overall token bucket size of the work queues.'),
  flag('workqueue-ratelimiter-max-delay', duration, 1_000_000, 'Longest per-item retry backoff.', {
    defaultText: '1000s',
  }),
  flag(
    'enable-batch-scheduler',
    bool,
    DEFAULTS.batchScheduler.enabled,
    'Enable batch schedulers (Volcano, YuniKorn, kube-scheduler plugins).',
  ),
  flag('kube-scheduler-names', list, [] as readonly string[], 'kube-scheduler names usable as batch schedulers.'),
  flag('default-batch-scheduler', str, '', 'Batch scheduler for applications that name none.'),
  flag(
    'enable-ui-service',
    bool,
    DEFAULTS.ui.enableUiService,
    'Create a Service for the Spark web UI of each application.',
  ),
  flag('ingress-url-format', str, '', 'Ingress URL for the Spark UI, e.g. {{$appName}}.example.com/{{$appNamespace}}.'),
  flag('ingress-class-name', str, '', 'ingressClassName of the Spark UI ingresses.'),
  flag(
    'ingress-tls',
    json(isIngressTlsList, 'a JSON list of {hosts, secretName}'),
    [] as readonly IngressTls[],
    'Default TLS of Spark UI ingresses, JSON: [{"hosts":["*.example.com"],"secretName":"tls"}].',
  ),
  flag(
    'ingress-annotations',
    json(isStringMap, 'a JSON object of strings'),
    {} as Readonly<Record<string, string>>,
    'Default annotations of Spark UI ingresses, JSON object.',
  ),
  flag(
    'driver-pod-creation-grace-period',
    duration,
    DEFAULTS.driverPodCreationGracePeriodMs,
    'How long a missing driver pod is tolerated.',
    {
      defaultText: '10s',
    },
  ),
  flag('submitter', oneOf(SUBMITTERS), 'native' as (typeof SUBMITTERS)[number], 'How drivers are submitted.'),
  flag('spark-home', str, '', 'Spark installation used by --submitter=spark-submit (default: $SPARK_HOME).'),
  flag('leader-election', bool, false, 'Elect one active replica through a Lease (the Helm chart turns it on).'),
  flag('leader-election-lock-name', str, 'sparkop-lock', 'Name of the leader election Lease.'),
  flag('leader-election-lock-namespace', str, '', 'Namespace of the Lease (default: the pod namespace).'),
  flag('leader-election-lease-duration', duration, 15_000, 'Lease duration.', { defaultText: '15s' }),
  flag('leader-election-renew-deadline', duration, 10_000, 'Renew deadline of the leader.', { defaultText: '10s' }),
  flag('leader-election-retry-period', duration, 2_000, 'Retry period of candidates.', { defaultText: '2s' }),
  flag('enable-metrics', bool, true, 'Serve Prometheus metrics.'),
  flag('metrics-bind-address', address, ':8080', 'Address of the metrics server (0 disables it).'),
  flag('metrics-endpoint', str, '/metrics', 'Path of the metrics endpoint.'),
  flag('metrics-prefix', str, '', 'Prefix of the Spark application metrics.'),
  flag('metrics-labels', list, [] as readonly string[], 'Application labels copied onto application metrics.'),
  flag(
    'metrics-job-start-latency-buckets',
    floatList,
    DEFAULTS.metrics.jobStartLatencyBuckets as readonly number[],
    'Buckets (seconds) of the job start latency histogram.',
  ),
  flag('health-probe-bind-address', address, ':8081', 'Address of /healthz and /readyz (0 disables it).'),
  flag(
    'kube-api-qps',
    number,
    0,
    "Client-side limit of the operator's API requests per second; 0 or negative: no limit (the API server's flow control answers 429, which the client waits out).",
  ),
  flag('kube-api-burst', int(1), 30, 'Requests allowed at once above --kube-api-qps (only with a positive qps).'),
  flag('log-level', oneOf(LOG_LEVELS), 'info' as (typeof LOG_LEVELS)[number], 'Log level.', {
    aliases: ['zap-log-level'],
  }),
  flag('log-format', oneOf(LOG_FORMATS), 'json' as (typeof LOG_FORMATS)[number], 'Log format: json or pretty.', {
    aliases: ['zap-encoder', 'log-encoder'],
  }),
  // The process's own flags (no kubeflow equivalent): which cluster, and what to set up in it.
  flag('kubeconfig', str, '', 'Kubeconfig of the cluster (default: in-cluster, $KUBECONFIG, ~/.kube/config).'),
  flag('local', bool, false, 'Start the embedded local control plane even when a cluster is configured.'),
  flag(
    'real-spark',
    bool,
    false,
    'With the embedded control plane: also run a real node (kubelet, containerd, CoreDNS; needs root) with locally built Spark images, so drivers run real Spark.',
  ),
  flag(
    'install-crds',
    bool,
    true,
    'Install the SparkApplication CRDs when the cluster lacks them (never changes existing ones).',
  ),
  flag(
    'spark-simulator',
    bool,
    false,
    'Play Spark on simulated nodes: run drivers, create executors, end them (always on with the embedded control plane).',
  ),
] as const;

type Flags = (typeof OPERATOR_FLAGS)[number];
type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

/** The parsed settings: one camelCase field per flag. */
export type OperatorOptions = { readonly [F in Flags as CamelCase<F['name']>]: F['default'] };

export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** SPARKOP_CONTROLLER_THREADS for --controller-threads. */
export function envName(name: string): string {
  return `SPARKOP_${name.replace(/-/g, '_').toUpperCase()}`;
}

/**
 * Parses flags (`--name=value`, `--name value`, `--bool`, `--no-bool`) over environment variables over defaults.
 * Unknown flags and bad values throw OptionError naming the flag. Returns the options and the positional arguments.
 */
export function parseOperatorOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): { options: OperatorOptions; rest: string[] } {
  const byName = new Map<string, Flags>();
  for (const f of OPERATOR_FLAGS) {
    byName.set(f.name, f);
    for (const a of f.aliases ?? []) byName.set(a, f);
  }
  const values = new Map<string, unknown>();
  for (const f of OPERATOR_FLAGS) {
    const fromEnv = env[envName(f.name)];
    values.set(f.name, fromEnv === undefined ? f.default : parseFrom(f, fromEnv, envName(f.name)));
  }
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      rest.push(...(arg === '--' ? argv.slice(i + 1) : [arg]));
      if (arg === '--') break;
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    let text: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    let f = byName.get(name);
    if (!f && name.startsWith('no-') && text === undefined && typeof byName.get(name.slice(3))?.default === 'boolean') {
      name = name.slice(3);
      f = byName.get(name);
      text = 'false';
    }
    if (!f) throw new OptionError(`unknown flag --${name}${suggest(name, byName)}`);
    if (text === undefined) {
      if (typeof f.default === 'boolean') text = 'true';
      else {
        const next = argv[i + 1];
        if (next === undefined) throw new OptionError(`--${name} needs a value`);
        text = next;
        i++;
      }
    }
    values.set(f.name, f.parse(text));
  }
  const options = Object.fromEntries(OPERATOR_FLAGS.map((f) => [camelCase(f.name), values.get(f.name)]));
  return { options: options as OperatorOptions, rest };
}

function parseFrom(f: Flags, text: string, source: string): unknown {
  try {
    return f.parse(text);
  } catch (err) {
    if (err instanceof OptionError) throw new OptionError(`${source}: ${err.message.replace(/^--[\w-]+: /, '')}`);
    throw err;
  }
}

function suggest(name: string, known: ReadonlyMap<string, unknown>): string {
  const close = [...known.keys()].filter((k) => k.includes(name) || name.includes(k) || distance(k, name) <= 2);
  // The nearest spelling first (--namespace → --namespaces, not --leader-election-lock-namespace).
  const nearest = close.sort((a, b) => distance(a, name) - distance(b, name) || a.localeCompare(b))[0];
  return nearest ? ` (did you mean --${nearest}?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function renderDefault(f: Flags): string {
  if (f.defaultText) return f.defaultText;
  const d: unknown = f.default;
  if (Array.isArray(d)) return d.length ? d.join(',') : '';
  if (typeof d === 'object' && d !== null) return Object.keys(d).length ? JSON.stringify(d) : '';
  return String(d);
}

export function operatorFlagsHelp(): string {
  return OPERATOR_FLAGS.map((f) => {
    const def = renderDefault(f);
    return `  --${f.name}\n      ${f.description}${def ? ` (default ${def})` : ''} [env ${envName(f.name)}]`;
  }).join('\n');
}
