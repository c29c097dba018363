// Cross-field rules: each one as CEL for the API server (x-kubernetes-validations in the CRD) and as the same
// predicate in TypeScript for the in-process validator. One table, so the two cannot drift apart unnoticed
// (test/unit/api-rules.test.ts checks each pair on the same inputs; test/integration/api-validation.test.ts checks
// the API server agrees).

/** A rule as the CRD carries it. */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  /** Where the API server reports a violation, relative to the object the rule sits on. */
  readonly fieldPath?: string;
}

export interface CrossFieldRule extends CelRule {
  /**
   * Where the in-process validator reports a violation when the CRD cannot say it with fieldPath (the API server
   * accepts only paths its schema declares, and metadata's fields are not declared); the message names it instead.
   */
  readonly reportAt?: string;
  /** True when `self` (the object the rule sits on, as the API server sees it) satisfies the rule. */
  readonly holds: (self: Readonly<Record<string, unknown>>) => boolean;
}

type Self = Readonly<Record<string, unknown>>;
const has = (self: Self, field: string) => self[field] !== undefined && self[field] !== null;
const num = (self: Self, field: string) => self[field] as number;
const obj = (self: Self, field: string) => (self[field] ?? {}) as Self;

/** Dynamic allocation bounds, checked only when it is enabled (as kubeflow's webhook does). */
const daEnabled = (self: Self) => self.enabled === true;

export const DYNAMIC_ALLOCATION_RULES: readonly CrossFieldRule[] = [
  {
    rule: '!has(self.enabled) || !self.enabled || !has(self.minExecutors) || self.minExecutors >= 0',
    message: 'minExecutors must not be negative',
    fieldPath: '.minExecutors',
    holds: (s) => !daEnabled(s) || !has(s, 'minExecutors') || num(s, 'minExecutors') >= 0,
  },
  {
    rule: '!has(self.enabled) || !self.enabled || !has(self.maxExecutors) || self.maxExecutors > 0',
    message: 'maxExecutors must be positive',
    fieldPath: '.maxExecutors',
    holds: (s) => !daEnabled(s) || !has(s, 'maxExecutors') || num(s, 'maxExecutors') > 0,
  },
  {
    rule: '!has(self.enabled) || !self.enabled || !has(self.minExecutors) || !has(self.maxExecutors) || self.minExecutors <= self.maxExecutors',
    message: 'minExecutors must be less than or equal to maxExecutors',
    fieldPath: '.minExecutors',
    holds: (s) =>
      !daEnabled(s) ||
      !has(s, 'minExecutors') ||
      !has(s, 'maxExecutors') ||
      num(s, 'minExecutors') <= num(s, 'maxExecutors'),
  },
  {
    rule: '!has(self.enabled) || !self.enabled || !has(self.minExecutors) || !has(self.initialExecutors) || self.minExecutors <= self.initialExecutors',
    message: 'initialExecutors must be greater than or equal to minExecutors',
    fieldPath: '.initialExecutors',
    holds: (s) =>
      !daEnabled(s) ||
      !has(s, 'minExecutors') ||
      !has(s, 'initialExecutors') ||
      num(s, 'minExecutors') <= num(s, 'initialExecutors'),
  },
  {
    rule: '!has(self.enabled) || !self.enabled || !has(self.initialExecutors) || !has(self.maxExecutors) || self.initialExecutors <= self.maxExecutors',
    message: 'initialExecutors must be less than or equal to maxExecutors',
    fieldPath: '.initialExecutors',
    holds: (s) =>
      !daEnabled(s) ||
      !has(s, 'initialExecutors') ||
      !has(s, 'maxExecutors') ||
      num(s, 'initialExecutors') <= num(s, 'maxExecutors'),
  },
];

/** Retry settings mean something only with a policy that reruns (kubeflow: OnFailure, Always). */
function retryRule(field: string): CrossFieldRule {
  return {
    rule: `!has(self.${field}) || (has(self.type) && self.type != 'Never')`,
    message: `${field} requires restartPolicy.type OnFailure or Always`,
    fieldPath: `.${field}`,
    holds: (s) => !has(s, field) || (has(s, 'type') && s.type !== 'Never'),
  };
}

export const RESTART_POLICY_RULES: readonly CrossFieldRule[] = [
  retryRule('onFailureRetries'),
  retryRule('onFailureRetryInterval'),
  retryRule('onSubmissionFailureRetries'),
  retryRule('onSubmissionFailureRetryInterval'),
];

/** kubeflow's webhook: Spark starts max(min, initial, instances) executors, which must not exceed the maximum. */
const EXECUTOR_INSTANCES_WITHIN_MAX: CrossFieldRule = {
  rule: '!has(self.dynamicAllocation) || !has(self.dynamicAllocation.enabled) || !self.dynamicAllocation.enabled || !has(self.dynamicAllocation.maxExecutors) || !has(self.executor.instances) || self.executor.instances <= self.dynamicAllocation.maxExecutors',
  message: 'executor.instances must be less than or equal to dynamicAllocation.maxExecutors',
  fieldPath: '.executor.instances',
  holds: (s) => {
    const da = obj(s, 'dynamicAllocation');
    const executor = obj(s, 'executor');
    return (
      !daEnabled(da) ||
      !has(da, 'maxExecutors') ||
      !has(executor, 'instances') ||
      num(executor, 'instances') <= num(da, 'maxExecutors')
    );
  },
};

export const SPEC_RULES: readonly CrossFieldRule[] = [
  {
    // kubeflow's webhook: a node selector on the application excludes one on the driver or executor.
    rule: '!has(self.nodeSelector) || (!has(self.driver.nodeSelector) && !has(self.executor.nodeSelector))',
    message: 'nodeSelector cannot be set both on the application and on the driver or executor',
    fieldPath: '.nodeSelector',
    holds: (s) =>
      !has(s, 'nodeSelector') || (!has(obj(s, 'driver'), 'nodeSelector') && !has(obj(s, 'executor'), 'nodeSelector')),
  },
  EXECUTOR_INSTANCES_WITHIN_MAX,
];

export const DRIVER_INGRESS_RULES: readonly CrossFieldRule[] = [
  {
    // kubeflow's webhook rejects an ingress option without a URL format.
    rule: "has(self.ingressURLFormat) && self.ingressURLFormat != ''",
    message: 'ingressURLFormat is required',
    fieldPath: '.ingressURLFormat',
    holds: (s) => typeof s.ingressURLFormat === 'string' && s.ingressURLFormat !== '',
  },
];

/** The name becomes part of Service names, which must be DNS-1035 labels (kubeflow's webhook checks the same). */
export const SPARK_APPLICATION_RULES: readonly CrossFieldRule[] = [
  {
    rule: "!has(self.metadata.name) || (size(self.metadata.name) <= 63 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$'))",
    message:
      'metadata.name must be a DNS-1035 label: at most 63 lower case letters, digits and "-", starting with a letter',
    reportAt: '.metadata.name',
    holds: (s) => {
      const name = obj(s, 'metadata').name;
      return typeof name !== 'string' || (name.length <= 63 && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name));
    },
  },
];

/** A SparkConnect's spec: the dynamic-allocation bound of SparkApplications (the same rule, so the same CEL). */
export const SPARK_CONNECT_SPEC_RULES: readonly CrossFieldRule[] = [EXECUTOR_INSTANCES_WITHIN_MAX];

/**
 * A SparkConnect's name is Spark's executor pod name prefix (spark.kubernetes.executor.podNamePrefix), which Spark
 * requires to be a DNS label of at most 47 characters, and the start of its Service's name `<name>-server`.
 */
export const SPARK_CONNECT_RULES: readonly CrossFieldRule[] = [
  {
    rule: "!has(self.metadata.name) || (size(self.metadata.name) <= 47 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$'))",
    message:
      'metadata.name must be a DNS-1035 label of at most 47 characters (lower case letters, digits and "-", starting with a letter): Spark names the executor pods <name>-exec-<id>',
    reportAt: '.metadata.name',
    holds: (s) => {
      const name = obj(s, 'metadata').name;
      return typeof name !== 'string' || (name.length <= 47 && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name));
    },
  },
];

/** The CRD form of a rule table. */
export function celRules(rules: readonly CrossFieldRule[]): CelRule[] {
  return rules.map(({ rule, message, fieldPath }) => (fieldPath ? { rule, message, fieldPath } : { rule, message }));
}

/** Every rule by its CEL text, for the validator to find the TypeScript predicate of a rule met in the schema. */
export const RULES_BY_CEL: ReadonlyMap<string, CrossFieldRule> = new Map(
  [
    ...DYNAMIC_ALLOCATION_RULES,
    ...RESTART_POLICY_RULES,
    ...SPEC_RULES,
    ...DRIVER_INGRESS_RULES,
    ...SPARK_APPLICATION_RULES,
    ...SPARK_CONNECT_RULES,
  ].map((r) => [r.rule, r]),
);
