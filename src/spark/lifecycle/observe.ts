// Pure observers: (pod) → what it says about the driver or an executor. No I/O, no clock.
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { DRIVER_PROBLEMS, type DriverProblemInfo } from './table.ts';
import type { DriverProblem } from './types.ts';

export type { DriverProblem } from './types.ts';

import {
  type DriverState,
  type ExecutorState,
  type ObservedDriverIngressService,
  type ObservedService,
  type PodSummary,
  SPARK_APP_SELECTOR_LABEL,
  SUBMISSION_ID_LABEL,
} from './types.ts';

export type DriverObservation =
  /** No pod of that name in the reader. */
  | { readonly kind: 'missing' }
  /** A pod of that name from another submission (an older attempt): it says nothing about the current one. */
  | { readonly kind: 'stale'; readonly pod: PodSummary }
  | {
      readonly kind: 'current';
      readonly pod: PodSummary;
      readonly state: DriverState;
      /** Set for FAILED: one human line (exit code and reason), never container output. */
      readonly errorMessage?: string;
      /** Set for PENDING when the pod cannot start as it is: unschedulable, or no usable driver image or container. */
      readonly problem?: DriverProblem;
      readonly sparkApplicationId?: string;
    };

/** Waiting reasons of the driver container that keep it from starting until something changes, by kind. */
const WAITING_PROBLEMS: ReadonlyMap<string, DriverProblem['kind']> = new Map(
  (Object.entries(DRIVER_PROBLEMS) as [DriverProblem['kind'], DriverProblemInfo][]).flatMap(([kind, info]) =>
    info.waitingReasons.map((reason) => [reason, kind] as const),
  ),
);

/**
 * The driver's state from its pod. Rules, in order:
 * 1. No pod: `missing`.
 * 2. The pod's submission-id label is set and differs from `submissionID`: `stale` (pods of an older
 *    submission are ignored). A pod without the label, or an application with no submission id yet, counts as current.
 * 3. Phase Pending → PENDING, with a `problem` when the pod's PodScheduled condition is False with reason
 *    Unschedulable, or the driver container waits with a reason DRIVER_PROBLEMS lists (ErrImagePull, …).
 * 4. Phase Running → RUNNING, unless the driver container has terminated already (sidecars still running):
 *    exit code 0 → COMPLETED, else FAILED.
 * 5. Phase Succeeded → COMPLETED.
 * 6. Phase Failed → FAILED, unless the driver container terminated with exit code 0 (a sidecar failed after the
 *    driver succeeded) → COMPLETED.
 * 7. Any other phase (Unknown, absent) → UNKNOWN.
 */
export function observeDriver(
  pod: PodSummary | undefined,
  submissionID: string | undefined,
  driverContainerName: string,
): DriverObservation {
  if (!pod) return { kind: 'missing' };
  const podSubmission = pod.labels?.[SUBMISSION_ID_LABEL];
  if (submissionID && podSubmission && podSubmission !== submissionID) return { kind: 'stale', pod };
  const sparkApplicationId = pod.labels?.[SPARK_APP_SELECTOR_LABEL];
  const base = { kind: 'current' as const, pod, ...(sparkApplicationId ? { sparkApplicationId } : {}) };
  const terminated = pod.containerStatuses?.find((c) => c.name === driverContainerName)?.terminated;
  switch (pod.phase) {
    case 'Pending': {
      const problem = pendingProblem(pod, driverContainerName);
      return { ...base, state: 'PENDING', ...(problem ? { problem } : {}) };
    }
    case 'Running':
      if (!terminated) return { ...base, state: 'RUNNING' };
      return terminated.exitCode === 0
        ? { ...base, state: 'COMPLETED' }
        : { ...base, state: 'FAILED', errorMessage: driverFailureMessage(pod, driverContainerName) };
    case 'Succeeded':
      return { ...base, state: 'COMPLETED' };
    case 'Failed':
      return terminated?.exitCode === 0
        ? { ...base, state: 'COMPLETED' }
        : { ...base, state: 'FAILED', errorMessage: driverFailureMessage(pod, driverContainerName) };
    default:
      return { ...base, state: 'UNKNOWN' };
  }
}

/** What keeps a pending pod from starting, if anything the lifecycle reports (see observeDriver, rule 3). */
export function pendingProblem(pod: PodSummary, driverContainerName: string): DriverProblem | undefined {
  const notScheduled = pod.notScheduled;
  if (notScheduled?.reason === 'Unschedulable') {
    return { kind: 'unschedulable', reason: notScheduled.reason, message: oneLine(notScheduled.message ?? '', 512) };
  }
  const driver = pod.containerStatuses?.find((c) => c.name === driverContainerName);
  const reason = driver?.waitingReason;
  const kind = reason ? WAITING_PROBLEMS.get(reason) : undefined;
  if (!reason || !kind) return undefined;
  return { kind, reason, message: oneLine(driver?.waitingMessage ?? '', 512) };
}

/**
 * Why the driver failed, in one line: the driver container's exit code and reason, plus the pod's reason and
 * message when the kubelet set them (eviction, node loss). Container output (termination messages, which may
 * hold stack traces) is never included.
 */
export function driverFailureMessage(pod: PodSummary, driverContainerName: string): string {
  const terminated = pod.containerStatuses?.find((c) => c.name === driverContainerName)?.terminated;
  const parts: string[] = [];
  if (terminated) {
    parts.push(
      `driver container failed with exit code ${terminated.exitCode}` +
        (terminated.reason ? ` (${oneLine(terminated.reason, 80)})` : ''),
    );
  } else {
    parts.push(`driver pod ${pod.name} failed; driver container status missing`);
  }
  if (pod.reason || pod.message) {
    const detail = [pod.reason, pod.message].filter(Boolean).map((t) => oneLine(t ?? '', 200));
    parts.push(`pod: ${detail.join(': ')}`);
  }
  return parts.join('; ');
}

/** An executor's state from its pod phase: Pending, Running, Succeeded, Failed, anything else UNKNOWN. */
export function observeExecutor(pod: PodSummary): ExecutorState {
  switch (pod.phase) {
    case 'Pending':
      return 'PENDING';
    case 'Running':
      return 'RUNNING';
    case 'Succeeded':
      return 'COMPLETED';
    case 'Failed':
      return 'FAILED';
    default:
      return 'UNKNOWN';
  }
}

/** The first line of `text`, at most `max` characters. */
export function oneLine(text: string, max: number): string {
  const first = (text.split(/\r?\n/, 1)[0] ?? '').trim();
  return first.length <= max ? first : `${first.slice(0, max - 1)}…`;
}

/** The PodSummary of a V1Pod as the Kubernetes client returns it. */
export function summarizePod(pod: V1Pod): PodSummary {
  const meta = pod.metadata ?? {};
  const status = pod.status ?? {};
  const deletion = meta.deletionTimestamp as unknown;
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  return {
    name: meta.name ?? '',
    ...(meta.uid ? { uid: meta.uid } : {}),
    ...(meta.labels ? { labels: { ...meta.labels } } : {}),
    ...(status.phase ? { phase: status.phase } : {}),
    ...(status.reason ? { reason: status.reason } : {}),
    ...(status.message ? { message: status.message } : {}),
    ...(deletion instanceof Date
      ? { deletionTimestamp: deletion.toISOString() }
      : typeof deletion === 'string'
        ? { deletionTimestamp: deletion }
        : {}),
    ...(scheduled?.status === 'False'
      ? {
          notScheduled: {
            ...(scheduled.reason ? { reason: scheduled.reason } : {}),
            ...(scheduled.message ? { message: oneLine(scheduled.message, 512) } : {}),
          },
        }
      : {}),
    containerStatuses: (status.containerStatuses ?? []).map((c) => {
      const t = c.state?.terminated;
      const waitingReason = c.state?.waiting?.reason;
      const waitingMessage = c.state?.waiting?.message;
      return {
        name: c.name,
        ...(t ? { terminated: { exitCode: t.exitCode, ...(t.reason ? { reason: t.reason } : {}) } } : {}),
        ...(waitingReason ? { waitingReason } : {}),
        ...(waitingMessage ? { waitingMessage: oneLine(waitingMessage, 512) } : {}),
      };
    }),
  };
}

/** What the lifecycle reads of a driver ingress Service. */
export function observedDriverIngressService(svc: V1Service): ObservedDriverIngressService {
  const submissionID = svc.metadata?.labels?.[SUBMISSION_ID_LABEL];
  return {
    name: svc.metadata?.name ?? '',
    ...(submissionID ? { submissionID } : {}),
    ...(svc.metadata?.deletionTimestamp ? { terminating: true } : {}),
  };
}

/** What the lifecycle reads of the UI Service: its name, cluster IP and port. */
export function observedService(svc: V1Service): ObservedService {
  return {
    name: svc.metadata?.name ?? '',
    ...(svc.spec?.clusterIP ? { clusterIP: svc.spec.clusterIP } : {}),
    port: svc.spec?.ports?.[0]?.port ?? 0,
  };
}
