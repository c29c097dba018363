// decide(): the whole lifecycle decision for one reconcile, as a value. Runs the steps that table.ts lists for the
// application's state, in order, until one stops.
import { type Draft, stateOf } from './draft.ts';
import { resolveSettings } from './settings.ts';
import { STEPS } from './steps.ts';
import { STATES } from './table.ts';
import {
  type ApplicationState,
  type DecideInput,
  type Decision,
  LifecycleInputError,
  type SparkApplicationStatus,
} from './types.ts';

export function isApplicationState(value: string): value is ApplicationState {
  return Object.hasOwn(STATES, value);
}

/**
 * The decision for one reconcile of `input.app`. Pure: the same input always gives the same decision.
 *
 * The reconciler's contract:
 * 1. Read the app, the pods and the UI Service named by observationTargets(app), and take `now` from its clock.
 * 2. Call decide(); perform `actions` in order, stopping at the first that fails (then requeue with backoff and
 *    write nothing).
 * 3. If `awaiting` is set, call decide() again with the same input plus the `feedback` the last action produced,
 *    and continue with that decision instead (it never awaits again).
 * 4. If `statusChanged`, write `status` (status subresource); record `events`; requeue after `requeueAfterMs`.
 *
 * Throws LifecycleInputError for a caller's mistake (non-finite `now`, invalid settings, feedback that answers no
 * question this decision asks). Anything the cluster or the user wrote yields a decision, never an exception.
 */
export function decide(input: DecideInput): Decision {
  if (!Number.isFinite(input.now))
    throw new LifecycleInputError(`decide: now must be a finite number of ms, got ${input.now}`);
  resolveSettings(input.settings);
  const before = normalizeStatus(input.app.status);
  const state = stateOf(before);
  if (!isApplicationState(state)) {
    return {
      status: before,
      statusChanged: false,
      actions: [],
      events: [
        {
          type: 'Warning',
          reason: 'SparkApplicationUnknownState',
          message: `status.applicationState.state ${JSON.stringify(state)} is not a known state; the application is left as it is`,
        },
      ],
    };
  }

  let draft: Draft = { status: before, actions: [], events: [], feedbackUsed: false };
  for (const name of STATES[state].steps) {
    const result = STEPS[name](input, draft);
    draft = result.draft;
    if (result.stop) break;
  }

  if (input.feedback && !draft.feedbackUsed) {
    throw new LifecycleInputError(
      `decide: feedback ${input.feedback.kind} answers no question the decision for state "${state}" asks`,
    );
  }
  const status = normalizeStatus(draft.status);
  const statusChanged = !sameJSON(status, before);
  const after = stateOf(status) as ApplicationState;
  let requeueAfterMs = draft.requeueAfterMs;
  if (after !== state && STATES[after].transient) requeueAfterMs = 0;
  if (draft.awaiting && (statusChanged || draft.events.length > 0)) {
    throw new Error('lifecycle bug: a decision awaiting feedback must not change the status or record events');
  }
  return {
    status,
    statusChanged,
    actions: draft.actions,
    events: draft.events,
    ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}),
    ...(draft.awaiting ? { awaiting: draft.awaiting } : {}),
  };
}

/** The status with undefined fields left out, driverInfo present and executorState keys sorted. */
export function normalizeStatus(status: SparkApplicationStatus | undefined): SparkApplicationStatus {
  const clean = dropUndefined({ ...(status ?? {}), driverInfo: status?.driverInfo ?? {} }) as SparkApplicationStatus;
  if (clean.executorState) {
    const sorted = Object.keys(clean.executorState).sort();
    clean.executorState = Object.fromEntries(sorted.map((k) => [k, clean.executorState?.[k] ?? 'UNKNOWN']));
  }
  return clean;
}

function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = dropUndefined(v);
  return out;
}

/**
 * Whether `a` and `b` give the same JSON, member order aside. Both are normalised (no undefined members). Compared
 * in place: at 10 000 applications a restart reconciles each once, and serialising both sides with sorted keys was
 * a visible part of that.
 */
function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJSON(item, b[i]));
  }
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  const bRecord = b as Record<string, unknown>;
  return aKeys.every((k) => Object.hasOwn(bRecord, k) && sameJSON((a as Record<string, unknown>)[k], bRecord[k]));
}
