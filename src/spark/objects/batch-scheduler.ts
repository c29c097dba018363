// Batch schedulers (pure): what an application's pods need so that Volcano, YuniKorn or the kube-scheduler
// coscheduling plugin schedules them as a gang, and the PodGroup objects they read.
import { withDefaults } from '../../api/defaults.ts';
import type { SparkApplication } from '../../api/index.ts';
import type { GroupVersionKind, KubeObject } from '../../runtime/index.ts';
import { cpuQuantity, milliCPU, type PodRequest, podRequests } from '../pod-requests.ts';
import { SparkConfError } from '../quantities.ts';
import type { BatchSchedulerSettings } from './settings.ts';
import { applicationOwner, ourLabels } from './ui.ts';

export const VOLCANO_POD_GROUP: GroupVersionKind = {
  group: 'scheduling.volcano.sh',
  version: 'v1beta1',
  kind: 'PodGroup',
};
export const COSCHEDULING_POD_GROUP: GroupVersionKind = {
  group: 'scheduling.x-k8s.io',
  version: 'v1alpha1',
  kind: 'PodGroup',
};

/** What scheduling by a batch scheduler adds to a submission. */
export interface BatchPlan {
  readonly scheduler: string;
  /** The kind whose CRD must be served (checked by the reconciler through discovery). */
  readonly requires?: GroupVersionKind;
  /** Objects to create before the driver (owned by the application). */
  readonly objects: readonly KubeObject[];
  /** Annotations and labels for the driver and executor pods. */
  readonly driverAnnotations: Readonly<Record<string, string>>;
  readonly executorAnnotations: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
}

export type BatchDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'plan'; readonly plan: BatchPlan }
  /** Batch scheduling is off: the application runs as if it named none (kubeflow's behaviour), and is told so. */
  | { readonly kind: 'ignored'; readonly message: string }
  | { readonly kind: 'error'; readonly message: string };

/** The batch scheduler the application asks for (or the operator's default), and what it needs. */
export function planBatchScheduling(app: SparkApplication, settings: BatchSchedulerSettings): BatchDecision {
  const requested = app.spec.batchScheduler || settings.defaultBatchScheduler;
  if (!requested) return { kind: 'none' };
  if (!settings.enabled) {
    return {
      kind: 'ignored',
      message:
        `batch scheduler ${JSON.stringify(requested)} ignored: batch scheduling is off (start the operator with ` +
        '--enable-batch-scheduler); the pods go to the default scheduler',
    };
  }
  try {
    if (requested === 'volcano') return { kind: 'plan', plan: volcanoPlan(app) };
    if (requested === 'yunikorn') return { kind: 'plan', plan: yunikornPlan(app) };
    if (requested === 'kube-scheduler' || settings.kubeSchedulerNames.includes(requested)) {
      return { kind: 'plan', plan: coschedulingPlan(app, requested) };
    }
  } catch (err) {
    // The gang is sized from the pods' requests: a spec they cannot be built from fails as the submission would.
    if (err instanceof SparkConfError) return { kind: 'error', message: err.message };
    throw err;
  }
  return {
    kind: 'error',
    message: `spec.batchScheduler ${JSON.stringify(requested)} is not supported (volcano, yunikorn, kube-scheduler${settings.kubeSchedulerNames.map((n) => `, ${n}`).join('')})`,
  };
}

/** The application as the builder sees it when its batch scheduler is ignored: no scheduler name, no queue label. */
export function withoutBatchScheduler(app: SparkApplication): SparkApplication {
  const { batchScheduler: _scheduler, batchSchedulerOptions: _options, ...spec } = app.spec;
  return { ...app, spec };
}

export function podGroupName(app: SparkApplication): string {
  return `spark-${app.metadata.name ?? ''}-pg`;
}

/**
 * The gang's size: what the driver and the executors it starts with request, resolved as their pods are built (CPU
 * requests, memory with its overhead, sparkConf overrides, kubeflow's defaults) — or batchSchedulerOptions.resources
 * when the application gives them.
 */
export function minResources(app: SparkApplication): Record<string, string> {
  const given = app.spec.batchSchedulerOptions?.resources;
  if (given)
    return Object.fromEntries(
      Object.entries(given)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, String(v)]),
    );
  const { driver, executor, executors } = podRequests(withDefaults(app));
  const cpu = milliCPU(driver.cpu) + executors * milliCPU(executor.cpu);
  return { cpu: cpuQuantity(cpu), memory: `${driver.memoryMiB + executors * executor.memoryMiB}Mi` };
}

function podGroup(app: SparkApplication, gvk: GroupVersionKind, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: `${gvk.group}/${gvk.version}`,
    kind: gvk.kind,
    metadata: {
      name: podGroupName(app),
      namespace: app.metadata.namespace,
      labels: ourLabels(app),
      ownerReferences: [applicationOwner(app)],
    },
    spec,
  } as KubeObject;
}

function volcanoPlan(app: SparkApplication): BatchPlan {
  const options = app.spec.batchSchedulerOptions;
  const name = podGroupName(app);
  const annotations: Record<string, string> = { 'scheduling.k8s.io/group-name': name };
  if (options?.queue) annotations['volcano.sh/queue-name'] = options.queue;
  return {
    scheduler: 'volcano',
    requires: VOLCANO_POD_GROUP,
    objects: [
      podGroup(app, VOLCANO_POD_GROUP, {
        minMember: 1,
        minResources: minResources(app),
        ...(options?.queue ? { queue: options.queue } : {}),
        ...(options?.priorityClassName ? { priorityClassName: options.priorityClassName } : {}),
      }),
    ],
    driverAnnotations: annotations,
    executorAnnotations: annotations,
    podLabels: {},
  };
}

// YuniKorn reads task groups from pod annotations; it has no CRD of its own to check.
function yunikornPlan(app: SparkApplication): BatchPlan {
  const { driver, executor, executors } = podRequests(withDefaults(app));
  const group = (name: string, members: number, request: PodRequest) => ({
    name,
    minMember: members,
    minResource: { cpu: cpuQuantity(milliCPU(request.cpu)), memory: `${request.memoryMiB}Mi` },
  });
  const taskGroups = [
    group('spark-driver', 1, driver),
    ...(executors > 0 ? [group('spark-executor', executors, executor)] : []),
  ];
  return {
    scheduler: 'yunikorn',
    objects: [],
    driverAnnotations: {
      'yunikorn.apache.org/task-group-name': 'spark-driver',
      'yunikorn.apache.org/task-groups': JSON.stringify(taskGroups),
    },
    executorAnnotations: { 'yunikorn.apache.org/task-group-name': 'spark-executor' },
    podLabels: {},
  };
}

function coschedulingPlan(app: SparkApplication, scheduler: string): BatchPlan {
  return {
    scheduler,
    requires: COSCHEDULING_POD_GROUP,
    objects: [podGroup(app, COSCHEDULING_POD_GROUP, { minMember: 1, minResources: minResources(app) })],
    driverAnnotations: {},
    executorAnnotations: {},
    podLabels: { 'scheduling.x-k8s.io/pod-group': podGroupName(app) },
  };
}
