// kubeflow's chart values (the spark-operator chart 2.5.2, every key of its README's table) and what sparkop's chart
// does with each: the operator flag it sets, the sparkop value it stands for, or the values the chart accepts. The
// chart's templates (the flag values in _args.tpl, the checks in _kubeflow.tpl) and the table in docs/install.md are
// generated from this list by scripts/helm/generate-chart.ts; test/unit/deploy-kubeflow-values.test.ts checks it
// against kubeflow's values.yaml and README in the shared reference folder.
import { camelCase } from '../operator/options.ts';

/** How a kubeflow key sets an operator flag. */
export interface FlagSource {
  /** The flag (OPERATOR_FLAGS). The kubeflow key wins over operator.<flag> when it is set and not empty. */
  readonly flag: string;
  /** A kubeflow switch: the key counts only while the switch is true (kubeflow passes the flag only then). */
  readonly when?: string;
  /** port: a port number becomes the bind address ":<port>"; an object: kubeflow's value → the flag's. */
  readonly convert?: 'port' | Readonly<Record<string, string>>;
}

export interface KubeflowValue {
  /** kubeflow's key. */
  readonly key: string;
  /** sparkop's equivalent (a key, a flag, or "not supported"), for the docs. */
  readonly sparkop: string;
  /** How it differs, or why it is not supported; also the message of a failing check. */
  readonly note?: string;
  readonly flag?: FlagSource;
  /** The only values the chart accepts (kubeflow's default among them); any other fails naming the key. */
  readonly only?: readonly unknown[];
  /** A line of the install notes while the key is set. */
  readonly notice?: string;
}

const SAME = 'same key';
const NOT_SUPPORTED = 'not supported';
const NO_WEBHOOK =
  'sparkop has no webhook: the CRD schema validates applications (docs/api.md) and the operator builds driver and ' +
  'executor pods whole, so nothing is left to mutate';
const NO_HOOK =
  "sparkop has no CRD upgrade hook: apply the chart's CRDs before helm upgrade (docs/install.md, Upgrade); a hook " +
  'Job would need a ServiceAccount allowed to write CRDs';
const NO_CERT = 'sparkop has no webhook, so it needs no certificate';
const NO_PPROF = "sparkop is a Node.js process without Go's pprof; its /metrics serves memory, CPU and GC figures";

const flag = (key: string, f: string, extra: Partial<KubeflowValue> & Omit<Partial<FlagSource>, 'flag'> = {}) => {
  const { when, convert, ...rest } = extra;
  return {
    key,
    sparkop: `\`operator.${camelCase(f)}\` (\`--${f}\`)`,
    flag: { flag: f, ...(when ? { when } : {}), ...(convert ? { convert } : {}) },
    ...rest,
  } satisfies KubeflowValue;
};
const same = (key: string, note?: string): KubeflowValue => ({ key, sparkop: SAME, ...(note ? { note } : {}) });
const mapped = (key: string, sparkop: string, note?: string): KubeflowValue => ({
  key,
  sparkop: `\`${sparkop}\``,
  ...(note ? { note } : {}),
});
const unsupported = (key: string, kubeflowDefault: unknown, note: string): KubeflowValue => ({
  key,
  sparkop: NOT_SUPPORTED,
  note,
  only: [kubeflowDefault],
});

const WEBHOOK_DEFAULTS: readonly (readonly [string, unknown])[] = [
  ['replicas', 1],
  ['revisionHistoryLimit', 10],
  ['leaderElection.enable', true],
  ['logLevel', 'info'],
  ['logEncoder', 'console'],
  ['port', 9443],
  ['portName', 'webhook'],
  ['failurePolicy', 'Fail'],
  ['timeoutSeconds', 10],
  ['kubeAPIQPS', 20],
  ['kubeAPIBurst', 30],
  ['resourceQuotaEnforcement.enable', false],
  ['serviceAccount.create', true],
  ['serviceAccount.name', ''],
  ['serviceAccount.annotations', {}],
  ['serviceAccount.automountServiceAccountToken', true],
  ['rbac.create', true],
  ['rbac.annotations', {}],
  ['labels', {}],
  ['annotations', {}],
  ['sidecars', []],
  ['volumes', [{ name: 'serving-certs', emptyDir: { sizeLimit: '500Mi' } }]],
  ['nodeSelector', {}],
  ['affinity', {}],
  ['tolerations', []],
  ['priorityClassName', ''],
  ['podSecurityContext', { fsGroup: 185 }],
  ['topologySpreadConstraints', []],
  ['hostUsers', null],
  ['env', []],
  ['envFrom', []],
  [
    'volumeMounts',
    [
      {
        name: 'serving-certs',
        mountPath: '/etc/k8s-webhook-server/serving-certs',
        subPath: 'serving-certs',
        readOnly: false,
      },
    ],
  ],
  ['resources', {}],
  [
    'securityContext',
    {
      readOnlyRootFilesystem: true,
      privileged: false,
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  ],
  ['podDisruptionBudget.enable', false],
  ['podDisruptionBudget.minAvailable', 1],
];

/** Every key of kubeflow's chart, in the order of its README. */
export const KUBEFLOW_VALUES: readonly KubeflowValue[] = [
  same(
    'nameOverride',
    "The name in the objects' names, default `spark-operator` (kubeflow's chart name): `<release>-<name>`, or the " +
      'release name when it contains the name.',
  ),
  same('fullnameOverride', 'Replaces `<release>-<name>`.'),
  same('commonLabels', 'Added to every object.'),
  same('image.registry', 'Prepended to `image.repository` when set.'),
  same(
    'image.repository',
    "kubeflow's default image (`ghcr.io/kubeflow/spark-operator/controller`, empty tag) stands for sparkop's default " +
      "image; any other image of kubeflow's controller fails: it does not run sparkop.",
  ),
  same('image.tag', "Empty: the chart's appVersion."),
  same('image.pullPolicy'),
  same('image.pullSecrets', 'Added to `imagePullSecrets`.'),
  { key: 'hook.upgradeCrd', sparkop: NOT_SUPPORTED, note: NO_HOOK, only: [false] },
  unsupported('hook.image.registry', 'ghcr.io', NO_HOOK),
  unsupported('hook.image.repository', 'kubeflow/spark-operator/kubectl', NO_HOOK),
  unsupported('hook.image.tag', '', NO_HOOK),
  unsupported('hook.nodeSelector', {}, NO_HOOK),
  unsupported('hook.affinity', {}, NO_HOOK),
  unsupported('hook.tolerations', [], NO_HOOK),
  mapped('controller.replicas', 'replicaCount', 'More than one turns leader election on.'),
  {
    key: 'controller.featureGates',
    sparkop: NOT_SUPPORTED,
    note: 'sparkop has neither the PartialRestart nor the LoadSparkDefaults feature: both stay off',
    only: [
      [
        { name: 'PartialRestart', enabled: false },
        { name: 'LoadSparkDefaults', enabled: false },
      ],
      [],
    ],
  },
  same('controller.revisionHistoryLimit', "The Deployment's revisionHistoryLimit."),
  flag('controller.leaderElection.enable', 'leader-election', { note: 'Always on with more than one replica.' }),
  flag('controller.leaderElection.leaseDuration', 'leader-election-lease-duration'),
  flag('controller.leaderElection.renewDeadline', 'leader-election-renew-deadline'),
  flag('controller.leaderElection.retryPeriod', 'leader-election-retry-period'),
  flag('controller.workers', 'controller-threads'),
  flag('controller.logLevel', 'log-level', { note: '`debug`, `info`, `warn` or `error`.' }),
  flag('controller.logEncoder', 'log-format', {
    convert: { console: 'pretty', json: 'json' },
    note: '`console` → `pretty`, `json` → `json`.',
  }),
  flag('controller.driverPodCreationGracePeriod', 'driver-pod-creation-grace-period'),
  flag('controller.maxTrackedExecutorPerApp', 'max-tracked-executor-per-app'),
  flag('controller.kubeAPIQPS', 'kube-api-qps'),
  flag('controller.kubeAPIBurst', 'kube-api-burst'),
  {
    key: 'controller.scheduledSparkApplicationTimestampPrecision',
    sparkop: 'fixed: `seconds`',
    note:
      "sparkop names scheduled runs <schedule>-<unix seconds> (kubeflow's seconds), always within 63 characters; " +
      "kubeflow's default nanos is accepted and means the same",
    only: ['nanos', 'seconds'],
    notice: 'sparkop names scheduled runs <schedule>-<unix seconds>.',
  },
  flag('controller.uiService.enable', 'enable-ui-service'),
  {
    key: 'controller.uiIngress.enable',
    sparkop: '`--ingress-url-format` set',
    note:
      'The other `controller.uiIngress.*` keys count only while it is true, as in kubeflow; true needs ' +
      '`controller.uiIngress.urlFormat` and the UI Service.',
  },
  flag('controller.uiIngress.urlFormat', 'ingress-url-format', { when: 'controller.uiIngress.enable' }),
  flag('controller.uiIngress.ingressClassName', 'ingress-class-name', { when: 'controller.uiIngress.enable' }),
  flag('controller.uiIngress.tls', 'ingress-tls', { when: 'controller.uiIngress.enable' }),
  flag('controller.uiIngress.annotations', 'ingress-annotations', { when: 'controller.uiIngress.enable' }),
  flag('controller.batchScheduler.enable', 'enable-batch-scheduler'),
  flag('controller.batchScheduler.kubeSchedulerNames', 'kube-scheduler-names', {
    when: 'controller.batchScheduler.enable',
  }),
  flag('controller.batchScheduler.default', 'default-batch-scheduler', { when: 'controller.batchScheduler.enable' }),
  mapped('controller.serviceAccount.create', 'serviceAccount.create'),
  mapped('controller.serviceAccount.name', 'serviceAccount.name', 'Empty: `<fullname>-controller`.'),
  mapped('controller.serviceAccount.annotations', 'serviceAccount.annotations'),
  same('controller.serviceAccount.automountServiceAccountToken', "On the operator's ServiceAccount."),
  mapped('controller.rbac.create', 'rbac.create'),
  same('controller.rbac.annotations', "On the operator's Roles, ClusterRoles and bindings."),
  mapped('controller.labels', 'podLabels', "Merged with `podLabels`; kubeflow's key wins a conflict."),
  mapped('controller.annotations', 'podAnnotations', "Merged with `podAnnotations`; kubeflow's key wins a conflict."),
  same(
    'controller.volumes',
    "Added to the pod. The chart's own /tmp emptyDir is left out when `controller.volumeMounts` mounts /tmp " +
      "(kubeflow's default does).",
  ),
  mapped('controller.nodeSelector', 'nodeSelector'),
  mapped('controller.affinity', 'affinity'),
  mapped('controller.tolerations', 'tolerations'),
  mapped('controller.priorityClassName', 'priorityClassName'),
  mapped('controller.podSecurityContext', 'podSecurityContext'),
  same(
    'controller.topologySpreadConstraints',
    "A constraint without labelSelector gets the operator pods' labels, as in kubeflow.",
  ),
  same('controller.hostUsers'),
  same('controller.env', "After the chart's own variables; `SPARKOP_*` variables set flags (flags in args win)."),
  same('controller.envFrom'),
  same('controller.volumeMounts', 'See `controller.volumes`.'),
  mapped('controller.resources', 'resources'),
  mapped('controller.securityContext', 'securityContext'),
  same('controller.sidecars', 'Containers added to the operator pod.'),
  mapped(
    'controller.podDisruptionBudget.enable',
    'podDisruptionBudget.enabled',
    "true needs more than one replica (the chart fails otherwise, as kubeflow's does); the PDB then uses " +
      '`controller.podDisruptionBudget.minAvailable`.',
  ),
  same('controller.podDisruptionBudget.minAvailable', 'With `controller.podDisruptionBudget.enable`.'),
  unsupported('controller.pprof.enable', false, NO_PPROF),
  unsupported('controller.pprof.port', 6060, NO_PPROF),
  unsupported('controller.pprof.portName', 'pprof', NO_PPROF),
  flag('controller.workqueueRateLimiter.bucketQPS', 'workqueue-ratelimiter-bucket-qps'),
  flag('controller.workqueueRateLimiter.bucketSize', 'workqueue-ratelimiter-bucket-size'),
  {
    key: 'controller.workqueueRateLimiter.maxDelay.enable',
    sparkop: '`true` only',
    note: 'sparkop always caps the per-item retry backoff: set controller.workqueueRateLimiter.maxDelay.duration',
    only: [true],
  },
  flag('controller.workqueueRateLimiter.maxDelay.duration', 'workqueue-ratelimiter-max-delay'),
  {
    key: 'webhook.enable',
    sparkop: 'no effect',
    note: `Any value: ${NO_WEBHOOK}.`,
    notice: `no effect: ${NO_WEBHOOK}.`,
  },
  ...WEBHOOK_DEFAULTS.map(([k, d]) => unsupported(`webhook.${k}`, d, NO_WEBHOOK)),
  {
    key: 'spark.jobNamespaces',
    sparkop: `${SAME} (\`--namespaces\`)`,
    note:
      "Each gets the operator's Role and the Spark ServiceAccount, Role and RoleBinding. Empty, or containing " +
      '`""`, means all namespaces (a ClusterRole), as in kubeflow.',
  },
  flag('spark.jobNamespaceSelector', 'namespace-selector', {
    note:
      'sparkop manages the listed namespaces or the selected ones, not both: with a selector set ' +
      '`spark.jobNamespaces` to `[]` (the chart fails otherwise). The operator resolves the selector when it starts.',
  }),
  same('spark.serviceAccount.create'),
  same('spark.serviceAccount.name', 'Empty: `<fullname>-spark`.'),
  same('spark.serviceAccount.annotations'),
  same('spark.serviceAccount.automountServiceAccountToken'),
  same('spark.rbac.create'),
  same('spark.rbac.annotations'),
  flag('prometheus.metrics.enable', 'enable-metrics'),
  flag('prometheus.metrics.port', 'metrics-bind-address', { convert: 'port', note: 'As `:<port>`.' }),
  same('prometheus.metrics.portName', "The container port's name; the metrics Service and the PodMonitor use it."),
  {
    ...flag('prometheus.metrics.endpoint', 'metrics-endpoint'),
    note: 'sparkop serves its metrics at /metrics only',
    only: ['/metrics'],
  },
  flag('prometheus.metrics.prefix', 'metrics-prefix'),
  unsupported(
    'prometheus.metrics.jobSubmitLatencyBuckets',
    '0.5,1,2,4,8,16,32,64,128,256',
    'sparkop exports no job submit latency histogram',
  ),
  flag('prometheus.metrics.jobStartLatencyBuckets', 'metrics-job-start-latency-buckets'),
  flag('prometheus.metrics.labels', 'metrics-labels'),
  same('prometheus.podMonitor.create', 'A PodMonitor `<fullname>-podmonitor`; needs `prometheus.metrics.enable`.'),
  same('prometheus.podMonitor.labels'),
  same('prometheus.podMonitor.jobLabel'),
  same('prometheus.podMonitor.podMetricsEndpoint', 'Its port is `prometheus.metrics.portName`.'),
  { key: 'certManager.enable', sparkop: NOT_SUPPORTED, note: NO_CERT, only: [false] },
  unsupported('certManager.issuerRef', {}, NO_CERT),
  unsupported('certManager.duration', '', NO_CERT),
  unsupported('certManager.renewBefore', '', NO_CERT),
];

/** The kubeflow key that sets each flag. */
export function kubeflowFlagSources(): ReadonlyMap<string, FlagSource & { readonly key: string }> {
  const out = new Map<string, FlagSource & { readonly key: string }>();
  for (const v of KUBEFLOW_VALUES) if (v.flag) out.set(v.flag.flag, { ...v.flag, key: v.key });
  return out;
}

/** JSON with object keys sorted at every level: what Helm's toJson prints for the same value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const GENERATED =
  '{{/* Generated from src/deploy/kubeflow-values.ts by scripts/helm/generate-chart.ts; do not edit by hand. */}}';

/** A Go template string literal. */
const lit = (s: string) => JSON.stringify(s);

/**
 * The chart's checks of kubeflow's values (sparkop.kubeflow.check: a failure naming the key for a value the chart
 * does not accept) and its notes (sparkop.kubeflow.notes).
 */
export function kubeflowTemplate(): string {
  const out = [GENERATED, '{{- define "sparkop.kubeflow.check" -}}'];
  for (const v of KUBEFLOW_VALUES) {
    if (!v.only) continue;
    const allowed = v.only.map((x) => lit(canonicalJson(x))).join(' ');
    const accepts = v.only.map((x) => canonicalJson(x)).join(' or ');
    const message = `${v.key}=%s is not supported: ${v.note} (sparkop accepts ${accepts}; see docs/install.md, kubeflow chart values)`;
    out.push(
      `{{- $v := include "sparkop.kubeflow.json" (list . ${lit(v.key)}) }}`,
      `{{- if and $v (not (has $v (list ${allowed}))) }}{{ fail (printf ${lit(message)} $v) }}{{ end }}`,
    );
  }
  out.push('{{- end }}', '', '{{- define "sparkop.kubeflow.notes" -}}');
  for (const v of KUBEFLOW_VALUES) {
    if (!v.notice) continue;
    out.push(
      `{{- if include "sparkop.kubeflow.json" (list . ${lit(v.key)}) }}`,
      `- ${v.key}: ${v.notice}`,
      '{{- end }}',
    );
  }
  out.push('{{- end }}');
  return `${out.join('\n')}\n`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The table of docs/install.md: every kubeflow key, sparkop's equivalent, and what sparkop accepts. */
export function kubeflowValuesTable(): string {
  const rows = KUBEFLOW_VALUES.map((v) => {
    const accepts = v.only ? ` Accepts only ${v.only.map((x) => `\`${cell(canonicalJson(x))}\``).join(', ')}.` : '';
    const note = v.note ? ` ${cell(v.note.endsWith('.') ? v.note : `${v.note}.`)}` : '';
    const when = v.flag?.when ? ` Counts while \`${v.flag.when}\` is true.` : '';
    return `| \`${v.key}\` | ${v.sparkop} |${note}${when}${accepts} |`;
  });
  return [
    KUBEFLOW_TABLE_MARKERS.begin,
    '| kubeflow key | sparkop | notes |',
    '|---|---|---|',
    ...rows,
    KUBEFLOW_TABLE_MARKERS.end,
  ].join('\n');
}

export const KUBEFLOW_TABLE_MARKERS = {
  begin: '<!-- BEGIN generated from src/deploy/kubeflow-values.ts (scripts/helm/generate-chart.ts) -->',
  end: '<!-- END generated kubeflow values -->',
} as const;
