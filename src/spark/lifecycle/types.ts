// Values the lifecycle core reads and returns. Nothing here performs I/O: the reconciler reads the cluster into a
// DecideInput, calls decide(), performs the returned actions in order, and writes the returned status.
import type { ApplicationState, ExecutorState, SparkApplication, SparkApplicationStatus } from '../../api/index.ts';

export {
  APP_NAME_LABEL,
  DRIVER_CONTAINER_NAME,
  SPARK_APP_SELECTOR_LABEL,
  SPEC_HASH_ANNOTATION,
  SUBMISSION_ID_LABEL,
} from '../../api/vocabulary.ts';

export type { ApplicationState, ExecutorState, SparkApplication, SparkApplicationStatus };

/** The driver's state as derived from its pod by observeDriver (kubeflow's DriverState values). */
export type DriverState = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'UNKNOWN';

/**
 * What the lifecycle needs to know of a pod: the fields of a V1Pod it looks at, nothing else.
 * Build it with summarizePod() from a V1Pod, or write it directly in tests.
 */
export interface PodSummary {
  readonly name: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Pod phase: Pending, Running, Succeeded, Failed, Unknown (anything else counts as Unknown). */
  readonly phase?: string;
  /** Pod-level reason and message, e.g. Evicted / "The node was low on resource: memory." */
  readonly reason?: string;
  readonly message?: string;
  readonly deletionTimestamp?: string;
  /** The PodScheduled condition, set only when its status is False (the scheduler has not placed the pod). */
  readonly notScheduled?: { readonly reason?: string; readonly message?: string };
  readonly containerStatuses?: readonly ContainerSummary[];
}

export interface ContainerSummary {
  readonly name: string;
  /** Set when the container has terminated (its current state, not lastState). */
  readonly terminated?: { readonly exitCode: number; readonly reason?: string };
  /** Set when the container is waiting: the kubelet's reason (ContainerCreating, ErrImagePull, …) and message. */
  readonly waitingReason?: string;
  readonly waitingMessage?: string;
}

/** A Service the reconciler found for the application's UI (from its cache). */
export interface ObservedService {
  readonly name: string;
  /** spec.clusterIP; "None" or absent when headless / not yet allocated. */
  readonly clusterIP?: string;
  readonly port: number;
}

/** A Service of spec.driverIngressOptions the reconciler found in its cache. */
export interface ObservedDriverIngressService {
  readonly name: string;
  /** Its SUBMISSION_ID_LABEL: the run it was made for (names repeat across runs). */
  readonly submissionID?: string;
  /** It has a deletionTimestamp: going, not there. */
  readonly terminating?: boolean;
}

export type EventType = 'Normal' | 'Warning';

/** A Kubernetes Event to record on the SparkApplication. */
export interface LifecycleEvent {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

/**
 * Work for the reconciler, performed in the order returned; stop at the first that fails (and requeue).
 * Every action is idempotent: performing it twice has the effect of performing it once.
 */
export type Action =
  | RecordSpecHash
  | SubmitDriver
  | ConfirmDriverMissing
  | DeleteDriverResources
  | EnsureUIService
  | EnsureUIIngress
  | EnsureDriverIngress
  | DeleteApplication;

/** Set the SPEC_HASH_ANNOTATION annotation of the SparkApplication to `hash` (a metadata patch). */
export interface RecordSpecHash {
  readonly kind: 'RecordSpecHash';
  readonly annotation: string;
  readonly hash: string;
}

/**
 * Submit the driver of attempt `attempt` (1-based within the current run) with submission id `submissionID`:
 * build the driver pod named `driverPodName` (label SUBMISSION_ID_LABEL = submissionID) and its resources.
 *
 * The same input always yields the same submissionID and pod name, so a reconciler that crashed after creating
 * the pod and before writing the status asks for the same submission again. Idempotence rule for the reconciler:
 * - pod created, or the pod already exists with label submission-id = submissionID: report `Submitted`;
 * - the pod exists with another submission id (an older attempt the cache did not show): report `Blocked`;
 * - anything else that fails: report `Failed` with a one-line message.
 * The result goes back into a second decide() call as `feedback` (kind 'SubmissionResult').
 */
export interface SubmitDriver {
  readonly kind: 'SubmitDriver';
  readonly attempt: number;
  readonly submissionID: string;
  readonly driverPodName: string;
}

/**
 * The cached reader shows no driver pod for the current submission past the grace period. Read the pod
 * `podName` through an uncached (live) reader and call decide() again with feedback 'DriverLiveCheck'.
 * Caches lag (kubeflow #2302): an application is failed for a missing driver only when a live read agrees.
 */
export interface ConfirmDriverMissing {
  readonly kind: 'ConfirmDriverMissing';
  readonly podName: string;
  readonly submissionID: string;
}

/**
 * Delete the driver pod (Spark's ConfigMap and Service, and the driverIngressOptions objects, are owned by it and
 * follow), the UI Service and the UI Ingress if named. NotFound is success. `podUID`, when given, is a delete
 * precondition: a newer pod of the same name is never deleted by mistake.
 */
export interface DeleteDriverResources {
  readonly kind: 'DeleteDriverResources';
  readonly podName: string;
  readonly podUID?: string;
  readonly submissionID?: string;
  readonly uiServiceName?: string;
  readonly uiIngressName?: string;
}

/** Create (or leave as is) the ClusterIP Service `name` exposing the driver UI on `port`, selecting the driver pod. */
export interface EnsureUIService {
  readonly kind: 'EnsureUIService';
  readonly name: string;
  readonly port: number;
  readonly driverPodName: string;
  readonly submissionID: string;
}

/** Create (or leave as is) the Ingress `name` routing `url` to the UI Service. */
export interface EnsureUIIngress {
  readonly kind: 'EnsureUIIngress';
  readonly name: string;
  readonly url: string;
  readonly serviceName: string;
  readonly servicePort: number;
}

/**
 * Expose the driver port of spec.driverIngressOptions[entry] for the current run: the Ingress `ingressName` routing
 * `url` to the Service (when `ingressName` is set), then the Service `serviceName` (type `serviceType`, port
 * `port` named `portName`, to the same port of the driver pod). Both are owned by the driver pod `driverPodName`
 * (`driverPodUID`) and labelled with `submissionID`. Idempotence rule: an object of that name labelled with this
 * submission is left as is; one of another submission (an earlier run's, its owner gone, the garbage collector not
 * yet done) is deleted and created anew. The Service comes last: seen in the cache, the entry is done.
 */
export interface EnsureDriverIngress {
  readonly kind: 'EnsureDriverIngress';
  readonly entry: number;
  readonly serviceName: string;
  readonly serviceType: string;
  readonly port: number;
  readonly portName: string;
  readonly ingressName?: string;
  readonly url?: string;
  readonly driverPodName: string;
  readonly driverPodUID: string;
  readonly submissionID: string;
}

/** Delete the SparkApplication: its time to live after termination has passed. */
export interface DeleteApplication {
  readonly kind: 'DeleteApplication';
  readonly reason: 'TimeToLiveExpired';
}

/** The outcome of an action that asked for it, fed into a second decide() call. */
export type Feedback =
  | { readonly kind: 'SubmissionResult'; readonly submissionID: string; readonly result: 'Submitted' }
  | {
      readonly kind: 'SubmissionResult';
      readonly submissionID: string;
      readonly result: 'Failed' | 'Blocked';
      /** One line for a human: what failed. Only its first line is kept. */
      readonly message: string;
    }
  | {
      readonly kind: 'DriverLiveCheck';
      readonly submissionID: string;
      /** The pod as read live, or null when the API server says NotFound. */
      readonly pod: PodSummary | null;
    };

/** Operator-wide settings of the lifecycle (flags of the operator). resolveSettings() fills in defaults. */
export interface LifecycleSettings {
  /** How long after a submission a missing driver pod is expected (kubeflow: 10 s). */
  readonly driverPodCreationGracePeriodMs: number;
  /** Cap on status.executorState entries; 0 = no cap (kubeflow's max-tracked-executor-per-app: 1000). */
  readonly maxTrackedExecutors: number;
  /** Create a Service for the driver UI (kubeflow: enabled). */
  readonly enableUIService: boolean;
  /** Ingress URL format with {{$appName}} and {{$appNamespace}}; empty = no UI Ingress. */
  readonly ingressURLFormat: string;
  /** TTL for terminated applications that set no spec.timeToLiveSeconds; 0 = none. */
  readonly defaultTimeToLiveSeconds: number;
  /** Requeue interval while waiting for deleted resources to go away (deletion events also requeue). */
  readonly deletionPollIntervalMs: number;
  /** Name of the driver container in the driver pod. */
  readonly driverContainerName: string;
}

export interface DecideInput {
  /** The SparkApplication as read (spec, status and metadata.annotations are used). */
  readonly app: SparkApplication;
  /**
   * The pod named observationTargets(app).driverPodName, from the cache, or undefined if absent.
   * Its submission-id label tells whether it belongs to the current submission.
   */
  readonly driverPod?: PodSummary;
  /** Executor pods of the application (label spark-role=executor); pods of other submissions are ignored. */
  readonly executorPods: readonly PodSummary[];
  /** The UI Service named observationTargets(app).uiServiceName, if found. */
  readonly uiService?: ObservedService;
  /** Those of the Services named observationTargets(app).driverIngressServiceNames that were found. */
  readonly driverIngressServices?: readonly ObservedDriverIngressService[];
  /** Milliseconds since the epoch, from the reconciler's clock. */
  readonly now: number;
  readonly settings: LifecycleSettings;
  /** The result of the action the previous decision asked about (SubmitDriver, ConfirmDriverMissing). */
  readonly feedback?: Feedback;
}

export interface Decision {
  /** The status to write (the whole status; equal to the input status when nothing changed). */
  readonly status: SparkApplicationStatus;
  /** Whether `status` differs from the input status (deep comparison). */
  readonly statusChanged: boolean;
  readonly actions: readonly Action[];
  readonly events: readonly LifecycleEvent[];
  /** Reconcile again after this long even if nothing changes (0 = right away). */
  readonly requeueAfterMs?: number;
  /**
   * Set when the last action's result must come back: perform the actions, then call decide() again with the
   * same input plus `feedback`, and write that second decision instead of this one (this one changes nothing).
   */
  readonly awaiting?: 'SubmissionResult' | 'DriverLiveCheck';
}

/** A decide() call the caller got wrong (bad settings, feedback that answers no question asked). */
export class LifecycleInputError extends Error {
  override readonly name = 'LifecycleInputError';
}

/** Why a pending driver pod cannot start. Kubernetes may still resolve it (a new node, a pushed image). */
export interface DriverProblem {
  /**
   * `unschedulable`: the scheduler found no node (PodScheduled False, reason Unschedulable); `image`: the kubelet
   * cannot get the driver container's image; `container`: it cannot create the container (a missing ConfigMap or
   * Secret, a mount that fails).
   */
  readonly kind: 'unschedulable' | 'image' | 'container';
  /** The scheduler's condition reason or the container's waiting reason, e.g. ErrImageNeverPull. */
  readonly reason: string;
  /** Their message on one line; empty when they gave none. */
  readonly message: string;
}
