// The SparkApplication lifecycle: a pure decision core. See docs/lifecycle.md (generated from table.ts).
export { decide, isApplicationState, normalizeStatus } from './decide.ts';
export { executorId, trackExecutors } from './executors.ts';
export {
  driverIngressName,
  driverIngressPortName,
  driverIngressServiceName,
  driverIngressURL,
  driverPodName,
  nextSubmissionID,
  type ObservationTargets,
  observationTargets,
  uiIngressName,
  uiPort,
  uiServiceName,
} from './naming.ts';
export {
  type DriverObservation,
  type DriverProblem,
  driverFailureMessage,
  observeDriver,
  observedDriverIngressService,
  observedService,
  observeExecutor,
  summarizePod,
} from './observe.ts';
export { type ResolvedRestartPolicy, resolveRestartPolicy } from './policy.ts';
export { DEFAULT_LIFECYCLE_SETTINGS, resolveSettings } from './settings.ts';
export { SPEC_FIELDS_OUTSIDE_HASH, specChangedSinceSubmission, specFingerprint, specHash } from './spec-hash.ts';
export {
  DRIVER_PROBLEMS,
  type DriverProblemInfo,
  STATES,
  STEP_DOCS,
  type StateInfo,
  type StepName,
  TRANSITIONS,
  type Transition,
  type Trigger,
} from './table.ts';
export { formatTime, parseTime } from './time.ts';
export * from './types.ts';
