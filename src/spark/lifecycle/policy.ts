// The restart policy, resolved once with kubeflow's defaults, and the retry arithmetic.
import { parseTime } from './time.ts';
import type { SparkApplication, SparkApplicationStatus } from './types.ts';

export type RestartPolicyType = 'Never' | 'OnFailure' | 'Always';

export interface ResolvedRestartPolicy {
  readonly type: RestartPolicyType;
  /** Reruns allowed after a failed run (OnFailure). Absent: 0, as kubeflow treats a missing value. */
  readonly onFailureRetries: number;
  /** Retries allowed after a failed submission (OnFailure). Absent: 0. */
  readonly onSubmissionFailureRetries: number;
  /** Seconds in the spec; kubeflow defaults both to 5 s when the type is not Never. */
  readonly onFailureRetryIntervalMs: number;
  readonly onSubmissionFailureRetryIntervalMs: number;
}

export const DEFAULT_RETRY_INTERVAL_SECONDS = 5;

export function resolveRestartPolicy(app: SparkApplication): ResolvedRestartPolicy {
  const p = app.spec.restartPolicy ?? {};
  // The CRD restricts the type to these values; anything else (an old object, a hand-made one) is Never.
  const type: RestartPolicyType = p.type === 'OnFailure' || p.type === 'Always' ? p.type : 'Never';
  return {
    type,
    onFailureRetries: count(p.onFailureRetries),
    onSubmissionFailureRetries: count(p.onSubmissionFailureRetries),
    onFailureRetryIntervalMs: seconds(p.onFailureRetryInterval) * 1000,
    onSubmissionFailureRetryIntervalMs: seconds(p.onSubmissionFailureRetryInterval) * 1000,
  };
}

/** After a failed run: Always reruns; OnFailure reruns while executionAttempts ≤ onFailureRetries (kubeflow). */
export function shouldRerunAfterFailure(policy: ResolvedRestartPolicy, executionAttempts: number): boolean {
  if (policy.type === 'Always') return true;
  return policy.type === 'OnFailure' && executionAttempts <= policy.onFailureRetries;
}

/** After a successful run: only Always reruns. */
export function shouldRerunAfterSuccess(policy: ResolvedRestartPolicy): boolean {
  return policy.type === 'Always';
}

/** After a failed submission: Always retries; OnFailure while submissionAttempts ≤ onSubmissionFailureRetries. */
export function shouldRetrySubmission(policy: ResolvedRestartPolicy, submissionAttempts: number): boolean {
  if (policy.type === 'Always') return true;
  return policy.type === 'OnFailure' && submissionAttempts <= policy.onSubmissionFailureRetries;
}

/**
 * When a rerun after a failed run is due: the interval times the number of runs so far (kubeflow's linear
 * backoff), counted from the termination of the failed run (kubeflow counts from the last submission, which
 * makes a long run that failed retry at once; we wait the interval after the failure).
 */
export function rerunDueAt(policy: ResolvedRestartPolicy, status: SparkApplicationStatus | undefined): number {
  const base = parseTime(status?.terminationTime) ?? parseTime(status?.lastSubmissionAttemptTime) ?? 0;
  return base + policy.onFailureRetryIntervalMs * Math.max(1, status?.executionAttempts ?? 0);
}

/** When a retry after a failed submission is due: interval × submission attempts after the last attempt. */
export function submissionRetryDueAt(
  policy: ResolvedRestartPolicy,
  status: SparkApplicationStatus | undefined,
): number {
  const base = parseTime(status?.lastSubmissionAttemptTime) ?? 0;
  return base + policy.onSubmissionFailureRetryIntervalMs * Math.max(1, status?.submissionAttempts ?? 0);
}

function count(v: number | undefined): number {
  return v !== undefined && Number.isSafeInteger(v) && v > 0 ? v : 0;
}

function seconds(v: number | undefined): number {
  return v !== undefined && Number.isSafeInteger(v) && v > 0 ? v : DEFAULT_RETRY_INTERVAL_SECONDS;
}
