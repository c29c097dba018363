// The steps named in table.ts. Each is pure: (input, draft) → (draft, stop?). The reconciler performs actions.
import {
  type Draft,
  go,
  requeueAfter,
  type Step,
  type StepResult,
  stateOf,
  stop,
  transition,
  withActions,
  withEvent,
  withStatus,
} from './draft.ts';
import { trackExecutors } from './executors.ts';
import {
  driverIngressName,
  driverIngressPortName,
  driverIngressServiceName,
  driverIngressURL,
  driverPodName,
  nextSubmissionID,
  observationTargets,
  uiIngressName,
  uiIngressURL,
  uiPort,
  uiServiceName,
} from './naming.ts';
import { type DriverObservation, type DriverProblem, observeDriver, oneLine } from './observe.ts';
import {
  rerunDueAt,
  resolveRestartPolicy,
  shouldRerunAfterFailure,
  shouldRerunAfterSuccess,
  shouldRetrySubmission,
  submissionRetryDueAt,
} from './policy.ts';
import { specChangedSinceSubmission, specHash } from './spec-hash.ts';
import { DRIVER_PROBLEMS, type StepName, type Trigger } from './table.ts';
import { formatTime, parseTime } from './time.ts';
import {
  type ApplicationState,
  type DecideInput,
  type DeleteDriverResources,
  type DriverState,
  type EnsureDriverIngress,
  LifecycleInputError,
  type PodSummary,
  SPEC_HASH_ANNOTATION,
  type SparkApplicationStatus,
  SUBMISSION_ID_LABEL,
} from './types.ts';

function appName(input: DecideInput): string {
  return input.app.metadata.name ?? '';
}

function deleteResources(input: DecideInput, draft: Draft, pod?: PodSummary): DeleteDriverResources {
  const info = input.app.status?.driverInfo ?? {};
  const podName = pod?.name ?? observationTargets(input.app).driverPodName;
  const podSubmission = pod?.labels?.[SUBMISSION_ID_LABEL] ?? draft.status.submissionID;
  const uiService = info.webUIServiceName ?? input.uiService?.name;
  return {
    kind: 'DeleteDriverResources',
    podName,
    ...(pod?.uid ? { podUID: pod.uid } : {}),
    ...(podSubmission ? { submissionID: podSubmission } : {}),
    ...(uiService ? { uiServiceName: uiService } : {}),
    ...(info.webUIIngressName ? { uiIngressName: info.webUIIngressName } : {}),
  };
}

/** What a new run starts from: the previous run's observations cleared, counters kept (kubeflow's reset). */
function runReset(status: SparkApplicationStatus): Partial<SparkApplicationStatus> {
  return {
    sparkApplicationId: undefined,
    terminationTime: undefined,
    executorState: undefined,
    driverInfo: status.driverInfo?.podName ? { podName: status.driverInfo.podName } : {},
  };
}

const suspendIfRequested: Step = (input, draft) => {
  if (input.app.spec.suspend !== true) return go(draft);
  const next = transition(draft, 'suspendRequested', `SparkApplication ${appName(input)} is suspending`);
  return stop(withActions(next, deleteResources(input, next, input.driverPod)));
};

const invalidateOnSpecChange: Step = (input, draft) => {
  const changed = specChangedSinceSubmission(input.app);
  if (changed === undefined) {
    // Nothing recorded: an application submitted by another operator. Its running spec is taken as the submitted
    // one; the annotation records that (once), so that a later change is seen.
    if (!input.app.status?.submissionID) return go(draft);
    const hash = specHash(input.app);
    return go(withActions(draft, { kind: 'RecordSpecHash', annotation: SPEC_HASH_ANNOTATION, hash }));
  }
  if (!changed) return go(draft);
  const next = transition(
    draft,
    'specChanged',
    `SparkApplication ${appName(input)} spec changed; the current run is replaced by one with the new spec`,
  );
  return stop(withActions(next, deleteResources(input, next, input.driverPod)));
};

/** Submits the next attempt, or, given its result, records it. Shared by `submit` and `retrySubmissionOrFail`. */
function submitNext(input: DecideInput, draft: Draft): StepResult {
  const { app, now, settings } = input;
  const attempt = (app.status?.submissionAttempts ?? 0) + 1;
  const submissionID = nextSubmissionID(app, attempt);
  const podName = driverPodName(app);
  const fb = input.feedback;
  if (fb?.kind === 'SubmissionResult') {
    if (fb.submissionID !== submissionID) {
      throw new LifecycleInputError(
        `feedback is for submission ${fb.submissionID}, but this decision submits ${submissionID}; ` +
          'call decide() with the same input as the decision that asked for the submission',
      );
    }
    const used: Draft = { ...draft, feedbackUsed: true };
    const common = {
      submissionID,
      submissionAttempts: attempt,
      lastSubmissionAttemptTime: formatTime(now),
      terminationTime: undefined,
      sparkApplicationId: undefined,
      executorState: undefined,
      driverInfo: { podName },
    };
    if (fb.result === 'Submitted') {
      const next = transition(used, 'submitted', `SparkApplication ${appName(input)} was submitted successfully`, {
        ...common,
        executionAttempts: (app.status?.executionAttempts ?? 0) + 1,
      });
      // The driver pod's creation is normally reported by a pod event; the timer is the fallback.
      return stop(requeueAfter(next, settings.driverPodCreationGracePeriodMs));
    }
    const message = oneLine(fb.message, 512) || 'no reason given';
    if (fb.result === 'Failed') {
      const errorMessage = `failed to submit the driver (attempt ${attempt}): ${message}`;
      return stop(
        transition(
          used,
          'submissionFailed',
          `failed to submit SparkApplication ${appName(input)}: ${message}`,
          common,
          errorMessage,
        ),
      );
    }
    const blocked = withEvent(used, {
      type: 'Warning',
      reason: 'SparkApplicationSubmissionBlocked',
      message: `driver pod ${podName} of an earlier submission still exists; waiting for it to go: ${message}`,
    });
    return stop(requeueAfter(blocked, settings.deletionPollIntervalMs));
  }
  const pod = input.driverPod;
  if (pod && pod.labels?.[SUBMISSION_ID_LABEL] !== submissionID) {
    // A pod of an earlier submission (or incarnation) holds the name: remove it before submitting.
    return stop(requeueAfter(withActions(draft, deleteResources(input, draft, pod)), settings.deletionPollIntervalMs));
  }
  // The submission id records the spec (nextSubmissionID). An application that carries the annotation (adopted
  // from another operator, or submitted by an earlier sparkop build) keeps it current, since it takes precedence.
  const hash = specHash(app);
  let next = draft;
  const annotated = app.metadata.annotations?.[SPEC_HASH_ANNOTATION];
  if (annotated !== undefined && annotated !== hash) {
    next = withActions(next, { kind: 'RecordSpecHash', annotation: SPEC_HASH_ANNOTATION, hash });
  }
  next = withActions(next, { kind: 'SubmitDriver', attempt, submissionID, driverPodName: podName });
  return stop({ ...next, awaiting: 'SubmissionResult' });
}

const submit: Step = (input, draft) => submitNext(input, draft);

const retrySubmissionOrFail: Step = (input, draft) => {
  const status = input.app.status;
  const policy = resolveRestartPolicy(input.app);
  if (!shouldRetrySubmission(policy, status?.submissionAttempts ?? 0)) {
    const error = status?.applicationState?.errorMessage || 'submission failed';
    return stop(
      transition(
        draft,
        'submissionRetriesExhausted',
        `SparkApplication ${appName(input)} failed: ${error}`,
        { terminationTime: formatTime(input.now) },
        error,
      ),
    );
  }
  const due = submissionRetryDueAt(policy, status);
  if (input.now < due) return stop(requeueAfter(draft, due - input.now));
  return submitNext(input, draft);
};

const DRIVER_TRIGGERS: Readonly<Record<DriverState, { state: ApplicationState; trigger: Trigger }>> = {
  PENDING: { state: 'SUBMITTED', trigger: 'driverPending' },
  RUNNING: { state: 'RUNNING', trigger: 'driverRunning' },
  COMPLETED: { state: 'SUCCEEDING', trigger: 'driverSucceeded' },
  FAILED: { state: 'FAILING', trigger: 'driverFailed' },
  UNKNOWN: { state: 'UNKNOWN', trigger: 'driverUnknown' },
};

const followDriver: Step = (input, draft) => {
  const { app, now, settings } = input;
  const submissionID = app.status?.submissionID;
  const targetName = observationTargets(app).driverPodName;
  const fb = input.feedback;
  let observation: DriverObservation;
  let used = draft;
  if (fb?.kind === 'DriverLiveCheck') {
    if (fb.submissionID !== (submissionID ?? '')) {
      throw new LifecycleInputError(
        `live check feedback is for submission ${fb.submissionID}, but the current submission is ${submissionID ?? '(none)'}`,
      );
    }
    used = { ...draft, feedbackUsed: true };
    observation = observeDriver(fb.pod ?? undefined, submissionID, settings.driverContainerName);
    if (observation.kind !== 'current') {
      const next = transition(
        used,
        'driverMissing',
        `Driver pod ${targetName} of submission ${submissionID ?? '(none)'} not found; a live read confirmed it`,
        { terminationTime: formatTime(now) },
        `driver pod ${targetName} not found`,
      );
      return go(next);
    }
  } else {
    observation = observeDriver(input.driverPod, submissionID, settings.driverContainerName);
    if (observation.kind !== 'current') {
      const submittedAt = parseTime(app.status?.lastSubmissionAttemptTime);
      const graceEnds = (submittedAt ?? Number.NEGATIVE_INFINITY) + settings.driverPodCreationGracePeriodMs;
      if (stateOf(draft.status) === 'SUBMITTED' && now < graceEnds) {
        return stop(requeueAfter(draft, graceEnds - now));
      }
      const next = withActions(draft, {
        kind: 'ConfirmDriverMissing',
        podName: targetName,
        submissionID: submissionID ?? '',
      });
      return stop({ ...next, awaiting: 'DriverLiveCheck' });
    }
  }
  const { state: target, trigger } = DRIVER_TRIGGERS[observation.state];
  let next = used;
  if (observation.sparkApplicationId && !next.status.sparkApplicationId) {
    next = withStatus(next, { sparkApplicationId: observation.sparkApplicationId });
  }
  if (stateOf(next.status) === target) {
    return go(target === 'SUBMITTED' ? reportPendingDriver(next, observation.pod.name, observation.problem) : next);
  }
  const pod = observation.pod.name;
  const terminated = observation.state === 'COMPLETED' || observation.state === 'FAILED';
  const patch = terminated ? { terminationTime: next.status.terminationTime ?? formatTime(now) } : {};
  const messages: Readonly<Record<DriverState, string>> = {
    PENDING: `Driver ${pod} is pending`,
    RUNNING: `Driver ${pod} is running`,
    COMPLETED: `Driver ${pod} completed`,
    FAILED: `Driver ${pod} failed: ${observation.errorMessage ?? 'no details'}`,
    UNKNOWN: `Driver ${pod} is in an unknown state`,
  };
  next = transition(next, trigger, messages[observation.state], patch, observation.errorMessage);
  return go(target === 'SUBMITTED' ? reportPendingDriver(next, pod, observation.problem) : next);
};

/**
 * SUBMITTED with a pending driver pod: errorMessage says what keeps the pod from starting (DRIVER_PROBLEMS), or
 * is cleared. The Warning event goes with a problem of a kind the status did not report yet, so repeated decisions
 * on the same pod, and a message that changes within a kind (ErrImagePull and ImagePullBackOff alternate), record
 * none. The application is never failed for it: a node or an image may yet come.
 */
function reportPendingDriver(draft: Draft, podName: string, problem: DriverProblem | undefined): Draft {
  const reported = draft.status.applicationState?.errorMessage;
  const errorMessage = problem ? driverProblemMessage(podName, problem) : undefined;
  if (reported === errorMessage) return draft;
  const next = withStatus(draft, {
    applicationState: errorMessage ? { state: 'SUBMITTED', errorMessage } : { state: 'SUBMITTED' },
  });
  if (!problem || !errorMessage || reportedProblemKind(reported, podName) === problem.kind) return next;
  return withEvent(next, { type: 'Warning', reason: DRIVER_PROBLEMS[problem.kind].eventReason, message: errorMessage });
}

/** `driver pod <name> <says>: <detail>` on one line. */
function driverProblemMessage(podName: string, problem: DriverProblem): string {
  const detail =
    problem.kind === 'unschedulable'
      ? problem.message || problem.reason
      : `${problem.reason}${problem.message ? `: ${problem.message}` : ''}`;
  return `driver pod ${podName} ${DRIVER_PROBLEMS[problem.kind].says}: ${detail}`;
}

/** The kind of problem an errorMessage written by driverProblemMessage reports; undefined for any other message. */
function reportedProblemKind(errorMessage: string | undefined, podName: string): DriverProblem['kind'] | undefined {
  if (!errorMessage) return undefined;
  const kinds = Object.keys(DRIVER_PROBLEMS) as DriverProblem['kind'][];
  return kinds.find((kind) => errorMessage.startsWith(`driver pod ${podName} ${DRIVER_PROBLEMS[kind].says}: `));
}

const trackExecutorsStep: Step = (input, draft) => {
  const tracked = trackExecutors(
    draft.status.executorState,
    input.executorPods,
    draft.status.submissionID,
    stateOf(draft.status) as ApplicationState,
    input.settings.maxTrackedExecutors,
  );
  let next = withStatus(draft, { executorState: tracked.executorState });
  if (tracked.sparkApplicationId) next = withStatus(next, { sparkApplicationId: tracked.sparkApplicationId });
  for (const event of tracked.events) next = withEvent(next, event);
  return go(next);
};

const exposeUI: Step = (input, draft) => {
  const { app, settings } = input;
  const state = stateOf(draft.status);
  if (!settings.enableUIService || (state !== 'SUBMITTED' && state !== 'RUNNING')) return go(draft);
  const name = uiServiceName(app);
  const port = uiPort(app);
  const submissionID = draft.status.submissionID ?? '';
  const podName = draft.status.driverInfo?.podName ?? driverPodName(app);
  let next = draft;
  const observed = input.uiService;
  if (!observed) {
    next = withActions(next, { kind: 'EnsureUIService', name, port, driverPodName: podName, submissionID });
  }
  const ip = observed?.clusterIP && observed.clusterIP !== 'None' ? observed.clusterIP : undefined;
  const info = {
    ...next.status.driverInfo,
    webUIServiceName: name,
    webUIPort: observed?.port ?? port,
    webUIAddress: ip ? `${ip}:${observed?.port ?? port}` : undefined,
  };
  if (settings.ingressURLFormat && !info.webUIIngressName) {
    const ingress = uiIngressName(app);
    const url = uiIngressURL(settings.ingressURLFormat, app);
    next = withActions(next, { kind: 'EnsureUIIngress', name: ingress, url, serviceName: name, servicePort: port });
    Object.assign(info, { webUIIngressName: ingress, webUIIngressAddress: url });
  }
  return go(withStatus(next, { driverInfo: info }));
};

/**
 * kubeflow's driverIngressOptions: per entry a Service (and Ingress) for a port of the current run's driver pod.
 * kubeflow records nothing of them in the status, so neither does this: an entry is done when its Service, made for
 * this submission, is in the cache. They are owned by the driver pod, so they go with it (rerun, suspend, spec
 * change, deletion) whatever the spec says by then; like kubeflow's, they stay while a completed driver pod does.
 */
const exposeDriverIngresses: Step = (input, draft) => {
  const { app } = input;
  const entries = app.spec.driverIngressOptions ?? [];
  const state = stateOf(draft.status);
  if (entries.length === 0 || (state !== 'SUBMITTED' && state !== 'RUNNING')) return go(draft);
  const submissionID = draft.status.submissionID;
  const pod = input.driverPod;
  // The owner must be this run's pod; until the cache shows it, its creation event brings us back.
  if (!submissionID || !pod?.uid || pod.deletionTimestamp || pod.labels?.[SUBMISSION_ID_LABEL] !== submissionID) {
    return go(draft);
  }
  const owner = { driverPodName: pod.name, driverPodUID: pod.uid };
  let next = draft;
  const ports = new Set<number>();
  for (const [index, entry] of entries.entries()) {
    const port = entry.servicePort;
    const where = `spec.driverIngressOptions[${index}]`;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      next = withEvent(
        next,
        warning(`${where}.servicePort ${port} is not a port (1-65535); nothing is exposed for it`),
      );
      continue;
    }
    const serviceName = driverIngressServiceName(app, port);
    const observed = input.driverIngressServices?.find((s) => s.name === serviceName);
    const done = observed && !observed.terminating && observed.submissionID === submissionID;
    if (ports.has(port)) {
      // Same names as an earlier entry's: kubeflow's later entry overwrote it; here the first one wins, told once.
      if (!done) next = withEvent(next, warning(`${where} repeats servicePort ${port}; only the first entry is used`));
      continue;
    }
    ports.add(port);
    if (done) continue;
    const format = entry.ingressURLFormat ?? '';
    const url = format ? driverIngressURL(format, app, draft.status.sparkApplicationId) : undefined;
    if (format && url === undefined) continue; // {{$appId}} before the driver pod told it: the pod's events return
    const action: EnsureDriverIngress = {
      kind: 'EnsureDriverIngress',
      entry: index,
      serviceName,
      serviceType: entry.serviceType || 'ClusterIP',
      port,
      portName: driverIngressPortName(entry.servicePortName, port),
      ...(url !== undefined ? { ingressName: driverIngressName(app, port), url } : {}),
      ...owner,
      submissionID,
    };
    next = withActions(next, action);
  }
  return go(next);
};

function warning(message: string): { type: 'Warning'; reason: string; message: string } {
  return { type: 'Warning', reason: 'SparkApplicationDriverIngressInvalid', message };
}

const completeOrRerun: Step = (input, draft) => {
  const policy = resolveRestartPolicy(input.app);
  if (shouldRerunAfterSuccess(policy)) {
    const next = transition(
      draft,
      'rerunAfterSuccess',
      `SparkApplication ${appName(input)} is pending rerun (restart policy Always)`,
      runReset(draft.status),
    );
    return stop(withActions(next, deleteResources(input, draft, input.driverPod)));
  }
  return stop(transition(draft, 'completed', `SparkApplication ${appName(input)} completed`));
};

const rerunOrFail: Step = (input, draft) => {
  const status = input.app.status;
  const policy = resolveRestartPolicy(input.app);
  const error = status?.applicationState?.errorMessage || 'the driver failed';
  if (!shouldRerunAfterFailure(policy, status?.executionAttempts ?? 0)) {
    return stop(transition(draft, 'failed', `SparkApplication ${appName(input)} failed: ${error}`, {}, error));
  }
  const due = rerunDueAt(policy, status);
  if (input.now < due) return stop(requeueAfter(draft, due - input.now));
  const next = transition(
    draft,
    'rerunAfterFailure',
    `SparkApplication ${appName(input)} is pending rerun after: ${error}`,
    runReset(draft.status),
  );
  return stop(withActions(next, deleteResources(input, draft, input.driverPod)));
};

const releaseForRerun: Step = (input, draft) => {
  if (input.driverPod) {
    const next = withActions(draft, deleteResources(input, draft, input.driverPod));
    return stop(requeueAfter(next, input.settings.deletionPollIntervalMs));
  }
  return stop(
    transition(draft, 'resourcesReleased', `SparkApplication ${appName(input)} is pending rerun with its new spec`, {
      ...runReset(draft.status),
      submissionAttempts: 0,
      executionAttempts: 0,
      lastSubmissionAttemptTime: undefined,
    }),
  );
};

const releaseForSuspend: Step = (input, draft) => {
  if (input.driverPod) {
    const next = withActions(draft, deleteResources(input, draft, input.driverPod));
    return stop(requeueAfter(next, input.settings.deletionPollIntervalMs));
  }
  return stop(
    transition(draft, 'suspended', `SparkApplication ${appName(input)} is suspended`, runReset(draft.status)),
  );
};

const resumeIfRequested: Step = (input, draft) => {
  if (input.app.spec.suspend === true) return stop(draft);
  return stop(transition(draft, 'resumeRequested', `SparkApplication ${appName(input)} is resuming`));
};

const expireAfterTTL: Step = (input, draft) => {
  const specTTL = input.app.spec.timeToLiveSeconds;
  if (specTTL !== undefined && (!Number.isSafeInteger(specTTL) || specTTL < 0)) {
    return stop(
      withEvent(draft, {
        type: 'Warning',
        reason: 'SparkApplicationInvalidTimeToLive',
        message: `spec.timeToLiveSeconds must be a whole number ≥ 0, got ${specTTL}; the application is kept`,
      }),
    );
  }
  const ttlSeconds = specTTL ?? (input.settings.defaultTimeToLiveSeconds || undefined);
  if (ttlSeconds === undefined) return stop(draft);
  let next = draft;
  let terminatedAt = parseTime(draft.status.terminationTime);
  if (terminatedAt === undefined) {
    // A terminal application without a termination time (written by an older operator): the clock starts now.
    next = withStatus(next, { terminationTime: formatTime(input.now) });
    terminatedAt = parseTime(next.status.terminationTime) ?? input.now;
  }
  const expiresAt = terminatedAt + ttlSeconds * 1000;
  if (input.now >= expiresAt)
    return stop(withActions(next, { kind: 'DeleteApplication', reason: 'TimeToLiveExpired' }));
  return stop(requeueAfter(next, expiresAt - input.now));
};

export const STEPS: Readonly<Record<StepName, Step>> = {
  suspendIfRequested,
  invalidateOnSpecChange,
  submit,
  retrySubmissionOrFail,
  followDriver,
  trackExecutors: trackExecutorsStep,
  exposeUI,
  exposeDriverIngresses,
  completeOrRerun,
  rerunOrFail,
  releaseForRerun,
  releaseForSuspend,
  resumeIfRequested,
  expireAfterTTL,
};
