// The generated parts of the Helm chart (charts/sparkop), derived from the operator's flag table (OPERATOR_FLAGS),
// kubeflow's chart keys for the same flags (src/deploy/kubeflow-values.ts) and the RBAC source (src/operator/rbac.ts).
// Pure functions; scripts/helm/generate-chart.ts writes their output into the chart and
// test/unit/deploy-chart.test.ts fails when the chart is stale.
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { camelCase, envName, OPERATOR_FLAGS } from '../operator/options.ts';
import {
  CONDITIONS,
  DRIVER_GRANTS,
  type Grant,
  leaderElectionGrants,
  OPERATOR_CLUSTER_GRANTS,
  OPERATOR_NAMESPACED_GRANTS,
} from '../operator/rbac.ts';
import { type FlagSource, kubeflowFlagSources } from './kubeflow-values.ts';

type Flag = (typeof OPERATOR_FLAGS)[number];

/** How a value goes from values.yaml onto the command line. */
export type Encoding = 'bool' | 'int' | 'number' | 'string' | 'list' | 'json';

export interface ChartFlag {
  readonly flag: string;
  /** The values key: operator.<camelCase> for most, another place for the few the chart derives. */
  readonly valuesPath: string;
  /** kubeflow's chart key for the same setting (src/deploy/kubeflow-values.ts): it wins when set and not empty. */
  readonly kubeflow?: FlagSource & { readonly key: string };
  readonly encoding: Encoding;
  /** The default as it appears in values.yaml. */
  readonly value: unknown;
  readonly description: string;
  readonly env: string;
}

/**
 * Flags whose value the chart derives with a helper of _helpers.tpl rather than taking operator.<key> (or kubeflow's
 * key, which otherwise wins when set: see kubeflow-values.ts), and why:
 * - namespaces: the job namespaces also decide where the Roles and the driver ServiceAccounts go, so they have one
 *   value, spark.jobNamespaces (kubeflow's key); a list containing "" means all namespaces, as in kubeflow.
 * - leader-election: on when set (operator.leaderElection or kubeflow's controller.leaderElection.enable), and always
 *   with more than one replica (two active replicas would fight).
 * - leader-election-lock-namespace: empty means the release namespace, where the chart puts the Lease's Role.
 */
const DERIVED: Readonly<Record<string, { readonly valuesPath?: string; readonly expression: string }>> = {
  namespaces: {
    valuesPath: 'spark.jobNamespaces',
    expression: 'include "sparkop.jobNamespaces" . | fromJsonArray | join ","',
  },
  'leader-election': { expression: 'include "sparkop.leaderElection" .' },
  'leader-election-lock-namespace': { expression: 'include "sparkop.leaseNamespace" .' },
};

/**
 * Flags the chart sets to a fixed value, with no value of their own, and why. A flag of OPERATOR_FLAGS that is in
 * none of chartFlags(), FIXED is a test failure (test/unit/deploy-chart.test.ts), so a new flag gets a decision.
 * An empty value leaves the flag out of the args.
 */
export const FIXED: Readonly<Record<string, { readonly value: string; readonly why: string }>> = {
  kubeconfig: { value: '', why: 'In a pod the operator uses its in-cluster configuration.' },
  local: { value: 'false', why: 'The embedded control plane is for laptops, never in a cluster.' },
  'real-spark': { value: '', why: 'It adds a real node to the embedded control plane only; a cluster has its own.' },
  'install-crds': {
    value: 'false',
    why: "The chart ships the CRDs (crds/); the operator's RBAC does not grant writing CRDs.",
  },
  'spark-simulator': {
    value: 'false',
    why: "It plays Spark on simulated (kwok) nodes; never wanted in a real cluster, and not in the chart's RBAC.",
  },
};

function accepts(f: Flag, text: string): boolean {
  try {
    (f.parse as (t: string) => unknown)(text);
    return true;
  } catch {
    return false;
  }
}

/** The encoding follows the flag's default and its parser (a JSON flag reads back its JSON default). */
function encodingOf(f: Flag): Encoding {
  const d: unknown = f.default;
  if (typeof d === 'boolean') return 'bool';
  if (typeof d === 'number') return f.defaultText ? 'string' : accepts(f, '0.5') ? 'number' : 'int';
  if (typeof d === 'string') return 'string';
  if (isDeepStrictEqual(safeParse(f, JSON.stringify(d)), d)) return 'json';
  return 'list';
}

function safeParse(f: Flag, text: string): unknown {
  try {
    return (f.parse as (t: string) => unknown)(text);
  } catch {
    return undefined;
  }
}

export function chartFlags(): ChartFlag[] {
  const kubeflow = kubeflowFlagSources();
  return OPERATOR_FLAGS.filter((f) => !(f.name in FIXED)).map((f) => {
    const d: unknown = f.default;
    const source = kubeflow.get(f.name);
    return {
      flag: f.name,
      valuesPath: DERIVED[f.name]?.valuesPath ?? `operator.${camelCase(f.name)}`,
      ...(source && source.key !== DERIVED[f.name]?.valuesPath ? { kubeflow: source } : {}),
      encoding: encodingOf(f),
      value: f.defaultText ?? d,
      description: f.description,
      env: envName(f.name),
    };
  });
}

const BEGIN = '# BEGIN generated from OPERATOR_FLAGS (scripts/helm/generate-chart.ts); do not edit by hand';
const END = '# END generated';

/** The `operator:` section of values.yaml. */
export function valuesSection(): string {
  const lines = [
    BEGIN,
    '# One value per operator flag (src/operator/options.ts); see README.md for the table.',
    'operator:',
  ];
  for (const f of chartFlags()) {
    if (!f.valuesPath.startsWith('operator.')) continue;
    const key = f.valuesPath.slice('operator.'.length);
    const derived = DERIVED[f.flag] ? ' (see the chart README)' : '';
    const kubeflow = f.kubeflow ? ` kubeflow's ${f.kubeflow.key} wins when set.` : '';
    lines.push(`  # -- --${f.flag}: ${f.description}${derived}${kubeflow}`);
    lines.push(`  ${key}: ${stringify(f.value, { flowCollectionPadding: false, collectionStyle: 'flow' }).trimEnd()}`);
  }
  lines.push(END);
  return `${lines.join('\n')}\n`;
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|');

/** The README table of the flag values. */
export function readmeFlagTable(): string {
  const rows = chartFlags().map((f) => {
    const def = f.valuesPath.startsWith('operator.') ? `\`${escapeCell(JSON.stringify(f.value))}\`` : 'see above';
    const note = DERIVED[f.flag] ? ` ${derivedNote(f.flag)}` : '';
    const kubeflow = f.kubeflow
      ? `\`${f.kubeflow.key}\`${f.kubeflow.when ? ` (while \`${f.kubeflow.when}\`)` : ''}`
      : f.valuesPath.startsWith('operator.')
        ? ''
        : 'same key';
    return `| \`${f.valuesPath}\` | ${kubeflow} | \`--${f.flag}\` | ${def} | ${escapeCell(f.description)}${note} |`;
  });
  return [
    '<!-- BEGIN generated from OPERATOR_FLAGS (scripts/helm/generate-chart.ts) -->',
    '| value | kubeflow key | flag | default | description |',
    '|---|---|---|---|---|',
    ...rows,
    ...Object.entries(FIXED).map(
      ([flag, { value, why }]) =>
        `| (fixed) | | \`--${flag}\` | ${value ? `\`${value}\`` : 'unset'} | ${escapeCell(why)} |`,
    ),
    '<!-- END generated -->',
  ].join('\n');
}

function derivedNote(flag: string): string {
  switch (flag) {
    case 'namespaces':
      return 'Also where the chart puts the Roles and the driver ServiceAccount; empty or containing `""`: all namespaces (ClusterRole).';
    case 'leader-election':
      return "kubeflow's `controller.leaderElection.enable` wins when set; always on with more than one replica.";
    case 'leader-election-lock-namespace':
      return 'Empty: the release namespace.';
    default:
      return '';
  }
}

/** The template text of a value read from `ref` (a path under .Values) as the flag's encoding expects it. */
function encode(ref: string, encoding: Encoding): string {
  switch (encoding) {
    case 'int':
      return `{{ int64 ${ref} }}`;
    case 'bool':
    case 'number':
    case 'string':
      return `{{ ${ref} | toString }}`;
    case 'list':
      // join takes a list, or kubeflow's comma-separated string as it is.
      return `{{ join "," ${ref} }}`;
    case 'json':
      return `{{ with ${ref} }}{{ toJson . }}{{ end }}`;
  }
}

/** kubeflow's value of a flag: its encoding, or the source's conversion. */
function encodeKubeflow(f: ChartFlag, source: FlagSource & { readonly key: string }): string {
  const ref = `.Values.${source.key}`;
  const convert = source.convert;
  if (convert === 'port') return `{{ printf ":%d" (int64 ${ref}) }}`;
  if (convert) {
    const cases = Object.entries(convert)
      .map(([from, to], i) => `{{ ${i ? 'else ' : ''}if eq $k ${JSON.stringify(from)} }}${to}`)
      .join('');
    const message = `${source.key}=%s is not supported: sparkop accepts ${Object.keys(convert).join(' or ')}`;
    return `{{- $k := ${ref} | toString -}}${cases}{{ else }}{{ fail (printf ${JSON.stringify(message)} $k) }}{{ end }}`;
  }
  return encode(ref, f.encoding);
}

/** The condition under which kubeflow's key counts. */
function kubeflowCondition(source: FlagSource & { readonly key: string }): string {
  const set = `include "sparkop.kubeflow.set" (list . ${JSON.stringify(source.key)})`;
  return source.when ? `and (include "sparkop.kubeflow.on" (list . ${JSON.stringify(source.when)})) (${set})` : set;
}

/** The configured value of a flag: kubeflow's key when it counts, else the flag's own value. */
function configuredDefine(name: string, f: ChartFlag): string[] {
  const own = encode(`.Values.${f.valuesPath}`, f.encoding);
  if (!f.kubeflow) return [`{{- define "${name}" -}}`, own, '{{- end }}'];
  return [
    `{{- define "${name}" -}}`,
    `{{- if ${kubeflowCondition(f.kubeflow)} -}}`,
    encodeKubeflow(f, f.kubeflow),
    '{{- else -}}',
    own,
    '{{- end -}}',
    '{{- end }}',
  ];
}

/**
 * The value of each flag (sparkop.value.<flag>: what the operator gets, read by the args and by the templates that
 * depend on a flag), and the args of the operator container, one per flag (flags with an empty default are left out
 * while empty). The helper of a derived flag with a kubeflow key reads the configured value as
 * sparkop.configured.<flag>.
 */
export function argsTemplate(): string {
  const out = [
    '{{/* Generated from OPERATOR_FLAGS and src/deploy/kubeflow-values.ts by scripts/helm/generate-chart.ts; do not edit by hand. */}}',
  ];
  for (const f of chartFlags()) {
    const derived = DERIVED[f.flag];
    if (derived) {
      if (f.kubeflow) out.push(...configuredDefine(`sparkop.configured.${f.flag}`, f));
      out.push(`{{- define "sparkop.value.${f.flag}" -}}`, `{{ ${derived.expression} }}`, '{{- end }}');
    } else out.push(...configuredDefine(`sparkop.value.${f.flag}`, f));
  }
  out.push('', '{{- define "sparkop.args" -}}');
  for (const f of chartFlags()) {
    const value = `include "sparkop.value.${f.flag}" .`;
    const emptyDefault =
      f.value === '' || (Array.isArray(f.value) && f.value.length === 0) || isDeepStrictEqual(f.value, {});
    // Leave out flags that are empty by default while they stay empty: the Deployment lists what is configured.
    if (emptyDefault) out.push(`{{- with ${value} }}`, `- {{ printf "--${f.flag}=%v" . | quote }}`, '{{- end }}');
    else out.push(`- {{ printf "--${f.flag}=%v" (${value}) | quote }}`);
  }
  for (const [flag, { value }] of Object.entries(FIXED)) {
    if (value !== '') out.push(`- ${JSON.stringify(`--${flag}=${value}`)}`);
  }
  out.push('{{- end }}');
  return `${out.join('\n')}\n`;
}

function ruleYaml(g: Grant, indent: string): string[] {
  const list = (xs: readonly string[]) => `[${xs.map((x) => (x.startsWith('{{') ? x : JSON.stringify(x))).join(', ')}]`;
  const lines = [
    `${indent}# ${g.why}`,
    `${indent}- apiGroups: ${list(g.rule.apiGroups)}`,
    `${indent}  resources: ${list(g.rule.resources)}`,
  ];
  if (g.rule.resourceNames) lines.push(`${indent}  resourceNames: ${list(g.rule.resourceNames)}`);
  lines.push(`${indent}  verbs: ${list(g.rule.verbs)}`);
  if (g.when === 'always') return lines;
  return [`{{- if ${CONDITIONS[g.when]} }}`, ...lines, '{{- end }}'];
}

function rulesDefine(name: string, grants: readonly Grant[]): string[] {
  return [`{{- define "${name}" }}`, ...grants.flatMap((g) => ruleYaml(g, '')), '{{- end }}'];
}

/** Named templates with the rule lists of src/operator/rbac.ts (each rule carries its reason as a comment). */
export function rbacRulesTemplate(): string {
  const lock = '{{ .Values.operator.leaderElectionLockName | quote }}';
  return `${[
    '{{/* Generated from src/operator/rbac.ts by scripts/helm/generate-chart.ts; do not edit by hand. */}}',
    ...rulesDefine('sparkop.rules.operatorNamespaced', OPERATOR_NAMESPACED_GRANTS),
    ...rulesDefine('sparkop.rules.operatorCluster', OPERATOR_CLUSTER_GRANTS),
    ...rulesDefine('sparkop.rules.leaderElection', leaderElectionGrants(lock)),
    ...rulesDefine('sparkop.rules.driver', DRIVER_GRANTS),
  ].join('\n')}\n`;
}

/** Replaces the text between the generated markers of `text` (values.yaml or README.md) with `section`. */
export function replaceSection(text: string, section: string, begin: string, end: string): string {
  const a = text.indexOf(begin);
  const b = text.indexOf(end, a);
  if (a < 0 || b < 0) throw new Error(`markers not found: ${begin} … ${end}`);
  return text.slice(0, a) + section.trimEnd() + text.slice(b + end.length);
}

export const VALUES_MARKERS = { begin: BEGIN, end: END } as const;
export const README_MARKERS = {
  begin: '<!-- BEGIN generated from OPERATOR_FLAGS (scripts/helm/generate-chart.ts) -->',
  end: '<!-- END generated -->',
} as const;
