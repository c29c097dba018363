// Executor tracking: status.executorState from the executor pods, capped, with an event per change.
import { observeExecutor } from './observe.ts';
import {
  type ApplicationState,
  type ExecutorState,
  type LifecycleEvent,
  type PodSummary,
  SPARK_APP_SELECTOR_LABEL,
  SUBMISSION_ID_LABEL,
} from './types.ts';

export interface ExecutorTracking {
  /** The new executorState map, keys in sorted order; undefined when empty. */
  readonly executorState: Readonly<Record<string, ExecutorState>> | undefined;
  readonly events: readonly LifecycleEvent[];
  /** Spark's application id from an executor pod, when one carries it (preferred over the driver's: SPARK-25922). */
  readonly sparkApplicationId?: string;
}

const EXECUTOR_CONTAINER_NAMES = ['spark-kubernetes-executor', 'executor'];

/**
 * Rules:
 * - Pods whose submission-id label differs from `submissionID` are ignored (an older attempt's executors).
 * - An observed pod's state comes from observeExecutor; an event is emitted when it is new or changed.
 * - A tracked executor whose pod is gone and whose state is not final becomes UNKNOWN while the application is
 *   SUBMITTED / RUNNING / UNKNOWN, COMPLETED once it is SUCCEEDING / COMPLETED, FAILED otherwise.
 * - Cap (`max` > 0): final and UNKNOWN entries go first, lowest executor id first; if still over, live entries
 *   go, highest id first (kubeflow's rule). Ids are the pod name's trailing number; ties break by name.
 *   Events are only emitted for entries that are kept, so a dropped executor does not repeat its event.
 */
export function trackExecutors(
  previous: Readonly<Record<string, string>> | undefined,
  pods: readonly PodSummary[],
  submissionID: string | undefined,
  appState: ApplicationState,
  max: number,
): ExecutorTracking {
  const current = pods
    .filter((p) => !submissionID || !p.labels?.[SUBMISSION_ID_LABEL] || p.labels[SUBMISSION_ID_LABEL] === submissionID)
    .slice()
    .sort((a, b) => compare(a.name, b.name));
  const next = new Map<string, ExecutorState>();
  const observed = new Map<string, PodSummary>();
  for (const pod of current) {
    next.set(pod.name, observeExecutor(pod));
    observed.set(pod.name, pod);
  }
  for (const name of Object.keys(previous ?? {}).sort(compare)) {
    if (next.has(name)) continue;
    const old = previous?.[name] as ExecutorState;
    next.set(name, isFinal(old) ? old : missingExecutorState(appState));
  }

  const kept = applyCap(next, max);
  const events: LifecycleEvent[] = [];
  for (const [name, state] of kept) {
    if (previous?.[name] === state) continue;
    events.push(executorEvent(name, state, observed.get(name)));
  }
  const sparkApplicationId = current.map((p) => p.labels?.[SPARK_APP_SELECTOR_LABEL]).find(Boolean);
  return {
    executorState: kept.size === 0 ? undefined : Object.fromEntries(kept),
    events,
    ...(sparkApplicationId ? { sparkApplicationId } : {}),
  };
}

function missingExecutorState(appState: ApplicationState): ExecutorState {
  if (appState === 'SUBMITTED' || appState === 'RUNNING' || appState === 'UNKNOWN') return 'UNKNOWN';
  if (appState === 'SUCCEEDING' || appState === 'COMPLETED') return 'COMPLETED';
  return 'FAILED';
}

function isFinal(state: string | undefined): boolean {
  return state === 'COMPLETED' || state === 'FAILED';
}

/** The entries kept under the cap, sorted by name. */
function applyCap(states: Map<string, ExecutorState>, max: number): Map<string, ExecutorState> {
  const names = [...states.keys()].sort(compare);
  if (max <= 0 || names.length <= max) return new Map(names.map((n) => [n, states.get(n) as ExecutorState]));
  const byIdAsc = (a: string, b: string) => executorId(a) - executorId(b) || compare(a, b);
  const evictable = names.filter((n) => isFinal(states.get(n)) || states.get(n) === 'UNKNOWN').sort(byIdAsc);
  const live = names.filter((n) => !evictable.includes(n)).sort((a, b) => byIdAsc(b, a));
  const dropped = new Set<string>();
  let size = names.length;
  for (const n of [...evictable, ...live]) {
    if (size <= max) break;
    dropped.add(n);
    size--;
  }
  return new Map(names.filter((n) => !dropped.has(n)).map((n) => [n, states.get(n) as ExecutorState]));
}

/** The trailing number of an executor pod name ("app-1a2b-exec-12" → 12); 0 when there is none. */
export function executorId(podName: string): number {
  const m = /-(\d+)$/.exec(podName);
  return m ? Number(m[1]) : 0;
}

function executorEvent(name: string, state: ExecutorState, pod: PodSummary | undefined): LifecycleEvent {
  switch (state) {
    case 'PENDING':
      return { type: 'Normal', reason: 'SparkExecutorPending', message: `Executor ${name} is pending` };
    case 'RUNNING':
      return { type: 'Normal', reason: 'SparkExecutorRunning', message: `Executor ${name} is running` };
    case 'COMPLETED':
      return { type: 'Normal', reason: 'SparkExecutorCompleted', message: `Executor ${name} completed` };
    case 'FAILED': {
      const t = pod?.containerStatuses?.find((c) => EXECUTOR_CONTAINER_NAMES.includes(c.name))?.terminated;
      const detail = t
        ? ` with exit code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}`
        : pod
          ? ''
          : ' (pod no longer exists)';
      return { type: 'Warning', reason: 'SparkExecutorFailed', message: `Executor ${name} failed${detail}` };
    }
    default:
      return { type: 'Warning', reason: 'SparkExecutorUnknown', message: `Executor ${name} is in an unknown state` };
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
