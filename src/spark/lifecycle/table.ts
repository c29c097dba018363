// The SparkApplication state machine as data: for each state, the ordered steps decide() runs, and every
// transition with its trigger and event. decide() can only move along a row of TRANSITIONS, and docs/lifecycle.md
// is generated from this file (scripts/lifecycle/generate-docs.ts), so neither can drift from the code.
import type { ApplicationState, DriverProblem, EventType } from './types.ts';

export type StepName =
  | 'suspendIfRequested'
  | 'invalidateOnSpecChange'
  | 'submit'
  | 'retrySubmissionOrFail'
  | 'followDriver'
  | 'trackExecutors'
  | 'exposeUI'
  | 'exposeDriverIngresses'
  | 'completeOrRerun'
  | 'rerunOrFail'
  | 'releaseForRerun'
  | 'releaseForSuspend'
  | 'resumeIfRequested'
  | 'expireAfterTTL';

export type Trigger =
  | 'submitted'
  | 'submissionFailed'
  | 'submissionRetriesExhausted'
  | 'driverPending'
  | 'driverRunning'
  | 'driverSucceeded'
  | 'driverFailed'
  | 'driverUnknown'
  | 'driverMissing'
  | 'completed'
  | 'rerunAfterSuccess'
  | 'rerunAfterFailure'
  | 'failed'
  | 'specChanged'
  | 'resourcesReleased'
  | 'suspendRequested'
  | 'suspended'
  | 'resumeRequested';

export interface Transition {
  readonly from: ApplicationState;
  readonly trigger: Trigger;
  readonly to: ApplicationState;
  readonly eventType: EventType;
  /** The Kubernetes event reason (kubeflow's names where kubeflow has one). */
  readonly reason: string;
  /** When it happens, for the docs. */
  readonly when: string;
}

/**
 * What SUBMITTED reports of a pending driver pod that cannot start (observeDriver's `problem`): the status's
 * errorMessage is `driver pod <name> <says>: <detail>`, and a Warning event with `eventReason` is recorded when a
 * problem of this kind replaces none or one of another kind. The state stays SUBMITTED.
 */
export interface DriverProblemInfo {
  readonly eventReason: string;
  readonly says: string;
  /** The driver container's waiting reasons of this kind (none for `unschedulable`, a pod condition). */
  readonly waitingReasons: readonly string[];
  /** What the detail is, for the docs. */
  readonly detail: string;
  /** When it happens, for the docs. */
  readonly when: string;
}

const IMAGE_WAITING_REASONS = [
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'ImageInspectError',
  'RegistryUnavailable',
  'SignatureValidationFailed',
];
const CONTAINER_WAITING_REASONS = ['CreateContainerConfigError', 'CreateContainerError'];

export const DRIVER_PROBLEMS: Readonly<Record<DriverProblem['kind'], DriverProblemInfo>> = {
  unschedulable: {
    eventReason: 'SparkDriverUnschedulable',
    says: 'cannot be scheduled',
    waitingReasons: [],
    detail: "the scheduler's message",
    when: 'the pod condition PodScheduled is False with reason Unschedulable',
  },
  image: {
    eventReason: 'SparkDriverImageError',
    says: 'cannot start its container',
    waitingReasons: IMAGE_WAITING_REASONS,
    detail: "the waiting reason and the kubelet's message",
    when: `the driver container waits with ${IMAGE_WAITING_REASONS.join(', ')}`,
  },
  container: {
    eventReason: 'SparkDriverContainerError',
    says: 'cannot create its container',
    waitingReasons: CONTAINER_WAITING_REASONS,
    detail: "the waiting reason and the kubelet's message",
    when: `the driver container waits with ${CONTAINER_WAITING_REASONS.join(', ')}`,
  },
};

export interface StateInfo {
  readonly description: string;
  /** Steps run in this order until one stops. */
  readonly steps: readonly StepName[];
  /** No state change, pod event or timer is awaited in this state: requeue at once after entering it. */
  readonly transient: boolean;
  /** COMPLETED and FAILED: no transition leaves them; only TTL deletion ends them. */
  readonly terminal: boolean;
}

export const STEP_DOCS: Readonly<Record<StepName, string>> = {
  suspendIfRequested: 'spec.suspend is true: delete the driver resources and move to SUSPENDING. Stops.',
  invalidateOnSpecChange:
    'The spec hash (spec without suspend and timeToLiveSeconds) differs from the one the last submission recorded ' +
    '(in its submission id, or in the spec-hash annotation when present): delete the driver resources and move to ' +
    'INVALIDATING (stops). Nothing recorded (an application submitted by another operator): record the hash in the ' +
    'annotation and go on.',
  submit:
    'A pod of an earlier submission still holds the driver pod name: delete it and wait. Otherwise ask for ' +
    'SubmitDriver (next attempt, deterministic submission id) and await its result; the result moves to SUBMITTED ' +
    '(counters +1) or SUBMISSION_FAILED (submission counter +1). A Blocked result (the old pod was only missing ' +
    'from the cache) changes nothing and retries later. Stops.',
  retrySubmissionOrFail:
    'The restart policy allows another submission: wait until interval × submission attempts after the last ' +
    'attempt, then submit (as `submit`). Otherwise move to FAILED. Stops.',
  followDriver:
    'Observe the driver pod (observeDriver) and move to the matching state. A missing driver pod (or one of an ' +
    'older submission) fails the application only after the creation grace period (SUBMITTED) and a live read ' +
    '(ConfirmDriverMissing) that also finds none. SUBMITTED with a pending driver pod that cannot start: ' +
    'errorMessage says why (see below), else it is cleared.',
  trackExecutors:
    'Update executorState from the executor pods of the current submission, capped at maxTrackedExecutors; an ' +
    'event per executor whose state changed.',
  exposeUI:
    'SUBMITTED or RUNNING with the UI service enabled: ensure the UI Service (and Ingress when an ingress URL ' +
    'format is set) and record them in driverInfo.',
  exposeDriverIngresses:
    'SUBMITTED or RUNNING with spec.driverIngressOptions and the current driver pod in the cache: for each entry ' +
    'whose Service (`<app>-driver-<port>`) of this submission is not in the cache, ensure its Ingress ' +
    '(`<app>-ing-<port>`) and Service, owned by the driver pod (they go with it). Nothing is recorded in the status.',
  completeOrRerun: 'Restart policy Always: delete the driver resources and move to PENDING_RERUN; otherwise COMPLETED.',
  rerunOrFail:
    'The restart policy allows another run: wait until interval × runs after termination, then delete the ' +
    'driver resources and move to PENDING_RERUN. Otherwise FAILED.',
  releaseForRerun:
    'Delete the driver resources; once the driver pod is gone, reset the counters and move to PENDING_RERUN.',
  releaseForSuspend: 'Delete the driver resources; once the driver pod is gone, move to SUSPENDED.',
  resumeIfRequested: 'spec.suspend is no longer true: move to RESUMING.',
  expireAfterTTL:
    'With a time to live (spec.timeToLiveSeconds, else the operator default): delete the application that long ' +
    'after terminationTime; until then requeue for that moment.',
};

const FOLLOWING: readonly StepName[] = [
  'suspendIfRequested',
  'invalidateOnSpecChange',
  'followDriver',
  'trackExecutors',
  'exposeUI',
  'exposeDriverIngresses',
];

export const STATES: Readonly<Record<ApplicationState, StateInfo>> = {
  '': {
    description: 'New: the operator has not acted on the application yet.',
    steps: ['suspendIfRequested', 'submit'],
    transient: true,
    terminal: false,
  },
  SUBMITTED: {
    description: 'The driver was submitted; its pod is pending (errorMessage says why when it cannot start).',
    steps: FOLLOWING,
    transient: false,
    terminal: false,
  },
  RUNNING: { description: 'The driver pod is running.', steps: FOLLOWING, transient: false, terminal: false },
  UNKNOWN: {
    description: 'The driver pod is in an unknown phase (node lost contact).',
    steps: FOLLOWING,
    transient: false,
    terminal: false,
  },
  SUCCEEDING: {
    description: 'The driver succeeded; deciding between COMPLETED and a rerun.',
    steps: ['suspendIfRequested', 'invalidateOnSpecChange', 'trackExecutors', 'completeOrRerun'],
    transient: true,
    terminal: false,
  },
  FAILING: {
    description: 'The driver failed (or vanished); deciding between a rerun and FAILED.',
    steps: ['suspendIfRequested', 'invalidateOnSpecChange', 'trackExecutors', 'rerunOrFail'],
    transient: true,
    terminal: false,
  },
  SUBMISSION_FAILED: {
    description: 'The last submission failed; waiting to retry or giving up.',
    steps: ['suspendIfRequested', 'invalidateOnSpecChange', 'retrySubmissionOrFail'],
    transient: true,
    terminal: false,
  },
  PENDING_RERUN: {
    description: 'A new run is due once the previous run’s driver pod is gone.',
    steps: ['suspendIfRequested', 'submit'],
    transient: true,
    terminal: false,
  },
  INVALIDATING: {
    description: 'The spec changed: the current run is being torn down.',
    steps: ['suspendIfRequested', 'releaseForRerun'],
    transient: true,
    terminal: false,
  },
  SUSPENDING: {
    description: 'spec.suspend is true: the run is being torn down.',
    steps: ['releaseForSuspend'],
    transient: true,
    terminal: false,
  },
  SUSPENDED: {
    description: 'Suspended: nothing runs until spec.suspend is false.',
    steps: ['resumeIfRequested'],
    transient: false,
    terminal: false,
  },
  RESUMING: {
    description: 'spec.suspend became false: submitting again.',
    steps: ['suspendIfRequested', 'submit'],
    transient: true,
    terminal: false,
  },
  COMPLETED: {
    description: 'Terminal: the application succeeded.',
    steps: ['trackExecutors', 'expireAfterTTL'],
    transient: false,
    terminal: true,
  },
  FAILED: {
    description: 'Terminal: the application failed and the restart policy allows no more attempts.',
    steps: ['trackExecutors', 'expireAfterTTL'],
    transient: false,
    terminal: true,
  },
};

function rows(
  froms: readonly ApplicationState[],
  trigger: Trigger,
  to: ApplicationState,
  eventType: EventType,
  reason: string,
  when: string,
): Transition[] {
  return froms
    .filter((from) => from !== to || trigger === 'submissionFailed')
    .map((from) => ({
      from,
      trigger,
      to,
      eventType,
      reason,
      when,
    }));
}

const SUBMITTING: readonly ApplicationState[] = ['', 'PENDING_RERUN', 'SUBMISSION_FAILED', 'RESUMING'];
const FOLLOWERS: readonly ApplicationState[] = ['SUBMITTED', 'RUNNING', 'UNKNOWN'];
const SUSPENDABLE: readonly ApplicationState[] = [
  '',
  'SUBMITTED',
  'RUNNING',
  'UNKNOWN',
  'SUCCEEDING',
  'FAILING',
  'SUBMISSION_FAILED',
  'PENDING_RERUN',
  'INVALIDATING',
  'RESUMING',
];
const INVALIDATABLE: readonly ApplicationState[] = [
  'SUBMITTED',
  'RUNNING',
  'UNKNOWN',
  'SUCCEEDING',
  'FAILING',
  'SUBMISSION_FAILED',
];

export const TRANSITIONS: readonly Transition[] = [
  ...rows(SUBMITTING, 'submitted', 'SUBMITTED', 'Normal', 'SparkApplicationSubmitted', 'SubmitDriver succeeded'),
  ...rows(
    SUBMITTING,
    'submissionFailed',
    'SUBMISSION_FAILED',
    'Warning',
    'SparkApplicationSubmissionFailed',
    'SubmitDriver failed',
  ),
  ...rows(
    ['SUBMISSION_FAILED'],
    'submissionRetriesExhausted',
    'FAILED',
    'Warning',
    'SparkApplicationFailed',
    'the restart policy allows no more submissions',
  ),
  ...rows(FOLLOWERS, 'driverPending', 'SUBMITTED', 'Normal', 'SparkDriverPending', 'driver pod Pending'),
  ...rows(FOLLOWERS, 'driverRunning', 'RUNNING', 'Normal', 'SparkDriverRunning', 'driver pod Running'),
  ...rows(
    FOLLOWERS,
    'driverSucceeded',
    'SUCCEEDING',
    'Normal',
    'SparkDriverCompleted',
    'driver pod Succeeded, or the driver container exited 0',
  ),
  ...rows(
    FOLLOWERS,
    'driverFailed',
    'FAILING',
    'Warning',
    'SparkDriverFailed',
    'driver pod Failed, or the driver container exited non-zero',
  ),
  ...rows(FOLLOWERS, 'driverUnknown', 'UNKNOWN', 'Warning', 'SparkDriverUnknown', 'driver pod phase Unknown'),
  ...rows(
    FOLLOWERS,
    'driverMissing',
    'FAILING',
    'Warning',
    'SparkDriverNotFound',
    'no driver pod of the current submission, past the grace period, confirmed by a live read',
  ),
  ...rows(['SUCCEEDING'], 'completed', 'COMPLETED', 'Normal', 'SparkApplicationCompleted', 'restart policy not Always'),
  ...rows(
    ['SUCCEEDING'],
    'rerunAfterSuccess',
    'PENDING_RERUN',
    'Normal',
    'SparkApplicationPendingRerun',
    'restart policy Always',
  ),
  ...rows(
    ['FAILING'],
    'rerunAfterFailure',
    'PENDING_RERUN',
    'Normal',
    'SparkApplicationPendingRerun',
    'the restart policy allows another run and its retry interval has passed',
  ),
  ...rows(
    ['FAILING'],
    'failed',
    'FAILED',
    'Warning',
    'SparkApplicationFailed',
    'the restart policy allows no more runs',
  ),
  ...rows(
    INVALIDATABLE,
    'specChanged',
    'INVALIDATING',
    'Normal',
    'SparkApplicationSpecUpdateProcessed',
    'the spec hash differs from the one recorded at submission',
  ),
  ...rows(
    ['INVALIDATING'],
    'resourcesReleased',
    'PENDING_RERUN',
    'Normal',
    'SparkApplicationPendingRerun',
    'the old driver pod is gone',
  ),
  ...rows(
    SUSPENDABLE,
    'suspendRequested',
    'SUSPENDING',
    'Normal',
    'SparkApplicationSuspending',
    'spec.suspend is true',
  ),
  ...rows(['SUSPENDING'], 'suspended', 'SUSPENDED', 'Normal', 'SparkApplicationSuspended', 'the driver pod is gone'),
  ...rows(
    ['SUSPENDED'],
    'resumeRequested',
    'RESUMING',
    'Normal',
    'SparkApplicationResuming',
    'spec.suspend is no longer true',
  ),
];

/** The row for `trigger` out of `from`, or undefined when the table has none. */
export function findTransition(from: ApplicationState, trigger: Trigger): Transition | undefined {
  return TRANSITIONS.find((t) => t.from === from && t.trigger === trigger);
}
