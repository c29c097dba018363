// The single source of the operator's RBAC: every rule the operator and the Spark driver need, each with the code
// that needs it. The Helm chart's roles are generated from this file (scripts/helm/generate-chart.ts writes
// charts/sparkop/templates/_rbac-rules.tpl), so the chart and the plain manifests (rendered from the chart) follow it.
//
// Least privilege: a verb is listed only when a code path issues it (src/controllers/*, src/operator/*).
// CustomResourceDefinitions are not granted: the chart installs the CRDs and runs the operator with
// --install-crds=false (src/operator/crds.ts treats a Forbidden read as "installed"). API discovery (/api, /apis) needs no rule: it
// is granted to every authenticated user by the built-in system:discovery ClusterRole, so the REST mapper and the
// batch-scheduler detection (is the PodGroup kind served?) work without access to CustomResourceDefinitions.

export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

/**
 * When a rule is needed, as a function of the chart's values. Each maps to one Helm expression (CONDITIONS) and to a
 * predicate over the values for tests.
 */
export type Condition = 'always' | 'batchScheduler' | 'namespaceSelector';

export interface Grant {
  readonly rule: PolicyRule;
  /** Which code needs it, and for what. */
  readonly why: string;
  readonly when: Condition;
}

/** The Helm expression of each condition (the chart's values). */
export const CONDITIONS: Readonly<Record<Condition, string>> = {
  always: 'true',
  batchScheduler: 'eq (include "sparkop.value.enable-batch-scheduler" .) "true"',
  namespaceSelector: 'include "sparkop.value.namespace-selector" .',
};

/** The same conditions over a values object (the subset of values they read). */
export interface ConditionValues {
  readonly enableBatchScheduler: boolean;
  readonly namespaceSelector: string;
}

export function holds(condition: Condition, values: ConditionValues): boolean {
  switch (condition) {
    case 'always':
      return true;
    case 'batchScheduler':
      return values.enableBatchScheduler;
    case 'namespaceSelector':
      return values.namespaceSelector !== '';
  }
}

const SPARK_GROUP = 'sparkoperator.k8s.io';

/**
 * The operator's rules in each namespace it manages: a Role per namespace of `spark.jobNamespaces`, or one
 * ClusterRole when it manages all namespaces.
 */
export const OPERATOR_NAMESPACED_GRANTS: readonly Grant[] = [
  {
    rule: {
      apiGroups: [SPARK_GROUP],
      resources: ['sparkapplications'],
      verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'],
    },
    why:
      'get/list/watch: the cache of both controllers (sparkapplication/index.ts .for, scheduledsparkapplication ' +
      '.owns) and live reads; create: a scheduled run; patch: RecordSpecHash (reconciler.ts) and removing ' +
      "kubeflow's finalizer (controllers/kubeflow-finalizer.ts); delete: " +
      'DeleteApplication (timeToLiveSeconds) and the run history limit.',
    when: 'always',
  },
  {
    rule: {
      apiGroups: [SPARK_GROUP],
      resources: ['sparkapplications/status', 'scheduledsparkapplications/status', 'sparkconnects/status'],
      verbs: ['update'],
    },
    why: 'The three reconcilers write status with client.status().update (guarded by resourceVersion).',
    when: 'always',
  },
  {
    rule: {
      apiGroups: [SPARK_GROUP],
      resources: ['sparkapplications/finalizers', 'scheduledsparkapplications/finalizers', 'sparkconnects/finalizers'],
      verbs: ['update'],
    },
    why:
      'The driver pod (src/spark/steps/application-owner.ts), scheduled runs and the Spark Connect server pod, ' +
      'Service and ConfigMap (src/spark/connect/resources.ts) carry ownerReferences with blockOwnerDeletion; ' +
      'clusters with the OwnerReferencesPermissionEnforcement admission plugin require this.',
    when: 'always',
  },
  {
    rule: {
      apiGroups: [SPARK_GROUP],
      resources: ['scheduledsparkapplications'],
      verbs: ['get', 'list', 'watch', 'patch'],
    },
    why:
      "ScheduledSparkApplication controller: its cache (.for) and reads; patch: removing kubeflow's finalizer " +
      '(controllers/kubeflow-finalizer.ts).',
    when: 'always',
  },
  {
    rule: { apiGroups: [SPARK_GROUP], resources: ['sparkconnects'], verbs: ['get', 'list', 'watch'] },
    why: 'SparkConnect controller (src/controllers/sparkconnect/): its cache (.for) and reads.',
    when: 'always',
  },
  {
    rule: { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
    why:
      'list/watch: the pod cache (.watches(Pods), launched-by selector); get: the live read of ConfirmDriverMissing, ' +
      "the submitter and the SparkConnect's server pod; create: SubmitDriver (submission.ts) and the Spark Connect " +
      'server (CreateServerPod); delete: DeleteDriverResources, and a server replaced for a changed spec or dead.',
    when: 'always',
  },
  {
    rule: { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
    why:
      'list/watch/get: the Service cache (.watches(Services)), the UI Service read and the live read of a ' +
      "SparkConnect's Service; create: the driver Service (SubmitDriver), EnsureUIService and the Spark Connect " +
      "server's Service; delete: DeleteDriverResources, and a SparkConnect Service whose spec changed.",
    when: 'always',
  },
  {
    rule: { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'patch'] },
    why:
      "create: SubmitDriver, the driver's spark.properties and pod-template ConfigMaps; patch (server-side apply, " +
      'which creates or updates): the Prometheus ConfigMap (prepare.ts), kept equal to the current spec, and a ' +
      "SparkConnect's executor pod template. They are owned by the driver pod, the application or the SparkConnect " +
      'and go with them.',
    when: 'always',
  },
  {
    rule: { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    why: 'The event recorder (src/runtime/events.ts): create, and patch to aggregate a repeated event.',
    when: 'always',
  },
  {
    rule: { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'create', 'delete'] },
    why:
      'create: EnsureUIIngress (with --ingress-url-format) and EnsureDriverIngress (any application with ' +
      "spec.driverIngressOptions, so always, as in kubeflow); get and delete: replacing an earlier run's Ingress " +
      'of the same name (EnsureDriverIngress), DeleteDriverResources.',
    when: 'always',
  },
  {
    rule: {
      apiGroups: ['scheduling.volcano.sh', 'scheduling.x-k8s.io'],
      resources: ['podgroups'],
      verbs: ['create', 'patch'],
    },
    why:
      'Batch schedulers (--enable-batch-scheduler): the PodGroup of Volcano or of the coscheduling plugin, applied ' +
      '(server-side apply: create or update to the current spec) before each submission (batch-scheduler.ts) and ' +
      'owned by the application.',
    when: 'batchScheduler',
  },
];

/** Cluster-scoped rules of the operator, in a ClusterRole whatever the namespaces. */
export const OPERATOR_CLUSTER_GRANTS: readonly Grant[] = [
  {
    rule: { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
    why: '--namespace-selector: src/operator/operator.ts lists the matching namespaces once at start.',
    when: 'namespaceSelector',
  },
];

/**
 * Leader election, in the namespace of the Lease (a Role there). get/update are limited to the lock's name; create
 * cannot be (the name of an object being created is not known to the authorizer), so it is a rule of its own.
 * Only rendered when leader election is on (--leader-election, or more than one replica).
 */
export function leaderElectionGrants(lockName: string): readonly Grant[] {
  return [
    {
      rule: { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      why: 'src/runtime/leaderelection.ts: the first candidate creates the Lease.',
      when: 'always',
    },
    {
      rule: {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'update'],
        resourceNames: [lockName],
      },
      why: 'src/runtime/leaderelection.ts: candidates read the Lease and take or renew it (compare-and-swap update).',
      when: 'always',
    },
  ];
}

/**
 * The Spark driver's rules in each job namespace (bound to the driver's ServiceAccount): the driver's
 * KubernetesClusterSchedulerBackend creates, watches and deletes its executor pods, and creates the executors'
 * ConfigMap, on-demand PersistentVolumeClaims and, for client-mode style setups, Services.
 */
export const DRIVER_GRANTS: readonly Grant[] = [
  {
    rule: {
      apiGroups: [''],
      resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims'],
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
    },
    why: 'Spark driver: executor pods, their ConfigMap, on-demand PVCs (spark.kubernetes.*.volumes.*.claimName=OnDemand), services.',
    when: 'always',
  },
];

/** The rules that apply for the given values (tests, the impersonation test's Role). */
export function rulesFor(grants: readonly Grant[], values: ConditionValues): PolicyRule[] {
  return grants.filter((g) => holds(g.when, values)).map((g) => g.rule);
}
