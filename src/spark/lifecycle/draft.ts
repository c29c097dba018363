// The decision being built while decide() runs the steps of a state: an immutable value, replaced, not mutated.
import { findTransition, type Trigger } from './table.ts';
import type { Action, ApplicationState, DecideInput, LifecycleEvent, SparkApplicationStatus } from './types.ts';

export interface Draft {
  readonly status: SparkApplicationStatus;
  readonly actions: readonly Action[];
  readonly events: readonly LifecycleEvent[];
  readonly requeueAfterMs?: number;
  readonly awaiting?: 'SubmissionResult' | 'DriverLiveCheck';
  /** Whether a step answered input.feedback (decide() rejects feedback nobody asked for). */
  readonly feedbackUsed: boolean;
}

export interface StepResult {
  readonly draft: Draft;
  /** Stop running the state's steps after this one. */
  readonly stop: boolean;
}

export type Step = (input: DecideInput, draft: Draft) => StepResult;

export function stateOf(status: SparkApplicationStatus | undefined): string {
  return status?.applicationState?.state ?? '';
}

export function go(draft: Draft): StepResult {
  return { draft, stop: false };
}

export function stop(draft: Draft): StepResult {
  return { draft, stop: true };
}

export function withStatus(draft: Draft, patch: Partial<SparkApplicationStatus>): Draft {
  return { ...draft, status: { ...draft.status, ...patch } };
}

export function withActions(draft: Draft, ...actions: Action[]): Draft {
  return { ...draft, actions: [...draft.actions, ...actions] };
}

export function withEvent(draft: Draft, event: LifecycleEvent): Draft {
  return { ...draft, events: [...draft.events, event] };
}

/** Requeue after `ms`, keeping the earliest of several requests. */
export function requeueAfter(draft: Draft, ms: number): Draft {
  const at = Math.max(0, Math.ceil(ms));
  return { ...draft, requeueAfterMs: draft.requeueAfterMs === undefined ? at : Math.min(draft.requeueAfterMs, at) };
}

/**
 * Moves the draft along the table's row for `trigger` out of its current state: sets the new state (and the
 * error message: the given one, else none), applies `patch`, and records the row's event with `message`.
 * A transition the table does not list is a bug in the steps: it throws.
 */
export function transition(
  draft: Draft,
  trigger: Trigger,
  message: string,
  patch: Partial<SparkApplicationStatus> = {},
  errorMessage?: string,
): Draft {
  const from = stateOf(draft.status) as ApplicationState;
  const row = findTransition(from, trigger);
  if (!row) throw new Error(`lifecycle bug: no transition for trigger ${trigger} out of state "${from}"`);
  const applicationState = errorMessage ? { state: row.to, errorMessage } : { state: row.to };
  return withEvent(withStatus(draft, { ...patch, applicationState }), {
    type: row.eventType,
    reason: row.reason,
    message,
  });
}
