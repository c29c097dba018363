// The decision of the ScheduledSparkApplication controller, as one pure function: from the schedule, its runs and
// the time, which runs to delete and create, the status to write, the events to record and when to look again.
//
// Rules, in order:
// 1. History: finished runs (COMPLETED / FAILED) beyond successfulRunHistoryLimit / failedRunHistoryLimit (1 each
//    unless set) are deleted, oldest first, on every reconcile — so also as runs finish, not only when one starts.
// 2. Validation: a schedule, time zone, concurrency policy or history limit that is wrong puts the schedule in
//    FailedValidation with a reason naming the field and the part; nothing runs until the spec is fixed.
// 3. Suspended: no run starts and nextRun is cleared; runs missed while suspended are not started on resume.
// 4. nextRun missing, or stale after a schedule change: computed from now, without starting anything.
// 5. nextRun in the future: wait until then (requeueAfter), no polling. The last due time's skip or miss reason
//    stays in status.reason until then.
// 6. nextRun due: only the latest due time runs (never a burst after downtime), and only if it is at most the
//    missed-run window late (default: one period of the schedule). Its name derives from that time, so a run that
//    already exists is the one this schedule created before a crash: it is adopted, not created again. So is a run
//    another operator (kubeflow) created at or after that time.
//    concurrencyPolicy: Allow starts it; Forbid skips it while a run is unfinished; Replace deletes unfinished runs
//    first. nextRun moves to the time after it.
import type {
  ConcurrencyPolicy,
  ScheduledSparkApplicationSpec,
  ScheduledSparkApplicationStatus,
} from '../../api/index.ts';
import { parseSchedule, type Schedule, ScheduleError } from './cron.ts';
import { isScheduledAt, latestRunBetween, nextRunAfter } from './next.ts';
import { runName } from './run-name.ts';

/** What the controller knows of one run (a SparkApplication this schedule owns). */
export interface RunObservation {
  readonly name: string;
  /** The time the run was scheduled for (ms), or its creation time when it carries none. */
  readonly runTime: number;
  /** `status.applicationState.state`, "" when it has none yet. */
  readonly state: string;
  /**
   * Made by another operator (kubeflow's, before a switch): its run time is its creation time, and its name follows
   * that operator's rule, so a due time it already ran is recognised by time rather than by name.
   */
  readonly foreign?: boolean;
}

export interface ScheduleInput {
  readonly name: string;
  readonly spec: Omit<ScheduledSparkApplicationSpec, 'template'>;
  readonly status: ScheduledSparkApplicationStatus | undefined;
}

export interface DecideContext {
  readonly now: number;
  /** The zone of `timeZone: Local` or unset. */
  readonly localTimeZone: string;
  /** How late the latest missed run may start; default: the schedule's period at that time. */
  readonly missedRunWindowMs?: number;
}

export type RunAction =
  | { readonly kind: 'delete'; readonly name: string; readonly why: 'history' | 'replace' }
  | { readonly kind: 'create'; readonly name: string; readonly runTime: number };

export interface ScheduleEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export interface SchedulePlan {
  /** In order: deletions first, then at most one creation. */
  readonly actions: readonly RunAction[];
  readonly status: ScheduledSparkApplicationStatus;
  readonly events: readonly ScheduleEvent[];
  /** Reconcile again after this long (ms, > 0): at the next run. Unset: wait for a change. */
  readonly requeueAfterMs?: number;
}

export const DEFAULT_HISTORY_LIMIT = 1;
const CONCURRENCY_POLICIES: readonly ConcurrencyPolicy[] = ['Allow', 'Forbid', 'Replace'];

export function isFinished(state: string): boolean {
  return state === 'COMPLETED' || state === 'FAILED';
}

/** RFC 3339 to the second, as Kubernetes writes timestamps. */
export function formatTimestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function parseTimestamp(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Newest first; the name breaks ties so the order never depends on list order. */
function newestFirst(a: RunObservation, b: RunObservation): number {
  return b.runTime - a.runTime || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
}

export function decide(input: ScheduleInput, runs: readonly RunObservation[], context: DecideContext): SchedulePlan {
  const { spec } = input;
  const previous = input.status ?? {};
  const actions: RunAction[] = [];
  const events: ScheduleEvent[] = [];

  const problems = specProblems(spec);
  const history = pruneHistory(runs, spec, problems.length === 0);
  actions.push(...history.deletes);

  let schedule: Schedule | undefined;
  try {
    schedule = parseSchedule(spec.schedule, spec.timeZone ?? undefined, context.localTimeZone);
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    problems.unshift(err.message);
  }
  if (problems.length > 0) schedule = undefined;
  const base: ScheduledSparkApplicationStatus = {
    ...previous,
    pastSuccessfulRunNames: history.successful,
    pastFailedRunNames: history.failed,
  };

  if (!schedule) {
    const reason = problems.join('; ');
    if (previous.scheduleState !== 'FailedValidation' || previous.reason !== reason) {
      events.push({ type: 'Warning', reason: 'FailedValidation', message: reason });
    }
    const { nextRun: _dropped, ...rest } = base;
    return { actions, events, status: { ...rest, scheduleState: 'FailedValidation', reason } };
  }

  if (spec.suspend === true) {
    const { nextRun: _dropped, reason: _none, ...rest } = base;
    return { actions, events, status: { ...rest, scheduleState: 'Scheduled' } };
  }

  const { now } = context;
  const recorded = parseTimestamp(previous.nextRun);
  const upcoming = nextRunAfter(schedule, now);
  const stale =
    recorded === undefined ||
    (recorded > now && upcoming < recorded) ||
    (recorded <= now && !isScheduledAt(schedule, recorded));
  if (stale || recorded > now) {
    const nextRun = stale ? upcoming : recorded;
    // A skip or miss reason is about the last due time: it stays until the next one is handled, so the
    // reconciles in between (a run changing state maps to its schedule) do not erase it. A stale nextRun means
    // the schedule changed (or validation failed before): the old reason no longer applies.
    const { reason, ...rest } = base;
    const kept = !stale && previous.scheduleState === 'Scheduled' && reason ? { reason } : {};
    return {
      actions,
      events,
      status: { ...rest, scheduleState: 'Scheduled', nextRun: formatTimestamp(nextRun), ...kept },
      requeueAfterMs: Math.max(1, nextRun - now),
    };
  }

  // Due: the latest scheduled time in [recorded, now] is the one to run.
  const due = latestRunBetween(schedule, recorded, now) ?? recorded;
  const following = nextRunAfter(schedule, due);
  const window = context.missedRunWindowMs ?? following - due;
  const name = runName(input.name, due);
  const status: ScheduledSparkApplicationStatus = {
    ...base,
    scheduleState: 'Scheduled',
    nextRun: formatTimestamp(following),
  };
  delete status.reason;
  const plan = (): SchedulePlan => ({ actions, events, status, requeueAfterMs: Math.max(1, following - now) });

  const skippedRuns =
    due > recorded ? ` (${countBetween(schedule, recorded, due)} earlier missed run(s) not started)` : '';
  if (now - due > window) {
    status.reason = `missed the run at ${formatTimestamp(due)}: ${Math.round((now - due) / 1000)}s late, beyond the missed-run window of ${Math.round(window / 1000)}s`;
    events.push({ type: 'Warning', reason: 'ScheduledRunMissed', message: `${status.reason}${skippedRuns}` });
    return plan();
  }
  const existing = runs.find((r) => r.name === name || (r.foreign === true && r.runTime >= due));
  if (existing) {
    // Created before (by this schedule before a crash or a lost status write, or by the operator sparkop replaced
    // after it started the run and before it wrote its status): adopt it.
    Object.assign(status, { lastRun: formatTimestamp(due), lastRunName: existing.name });
    return plan();
  }
  const unfinished = runs.filter((r) => !isFinished(r.state)).sort(newestFirst);
  const policy = spec.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && unfinished.length > 0) {
    const names = unfinished.map((r) => r.name).join(', ');
    status.reason = `skipped the run at ${formatTimestamp(due)}: concurrencyPolicy Forbid and ${names} not finished`;
    events.push({ type: 'Normal', reason: 'ScheduledRunSkipped', message: status.reason });
    return plan();
  }
  if (policy === 'Replace') {
    for (const run of unfinished) {
      actions.push({ kind: 'delete', name: run.name, why: 'replace' });
      events.push({
        type: 'Normal',
        reason: 'ScheduledRunReplaced',
        message: `deleted unfinished run ${run.name} to start ${name} (concurrencyPolicy Replace)`,
      });
    }
  }
  actions.push({ kind: 'create', name, runTime: due });
  events.push({
    type: 'Normal',
    reason: 'ScheduledRunCreated',
    message: `created run ${name} for ${formatTimestamp(due)}${skippedRuns}`,
  });
  Object.assign(status, { lastRun: formatTimestamp(due), lastRunName: name });
  return plan();
}

/** Problems of the fields besides schedule and time zone, each naming its field. */
function specProblems(spec: ScheduleInput['spec']): string[] {
  const problems: string[] = [];
  const policy = spec.concurrencyPolicy;
  if (policy !== undefined && !CONCURRENCY_POLICIES.includes(policy as ConcurrencyPolicy)) {
    problems.push(`spec.concurrencyPolicy: "${policy}" is not one of ${CONCURRENCY_POLICIES.join(', ')}`);
  }
  for (const field of ['successfulRunHistoryLimit', 'failedRunHistoryLimit'] as const) {
    const limit = spec[field];
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      problems.push(`spec.${field}: ${limit} must be a whole number ≥ 0`);
    }
  }
  return problems;
}

interface History {
  readonly deletes: RunAction[];
  readonly successful: string[];
  readonly failed: string[];
}

function pruneHistory(runs: readonly RunObservation[], spec: ScheduleInput['spec'], limitsValid: boolean): History {
  const deletes: RunAction[] = [];
  const keep = (state: string, limit: number | undefined): string[] => {
    const finished = runs.filter((r) => r.state === state).sort(newestFirst);
    const kept = limitsValid ? finished.slice(0, limit ?? DEFAULT_HISTORY_LIMIT) : finished;
    for (const run of finished.slice(kept.length)) deletes.push({ kind: 'delete', name: run.name, why: 'history' });
    return kept.map((r) => r.name);
  };
  return {
    successful: keep('COMPLETED', spec.successfulRunHistoryLimit),
    failed: keep('FAILED', spec.failedRunHistoryLimit),
    deletes,
  };
}

const COUNT_LIMIT = 1000;

/** Scheduled times in [from, until): the runs a downtime skipped, for a message only ("1000+" beyond that). */
function countBetween(schedule: Schedule, from: number, until: number): string {
  let count = 0;
  for (let t = from; t < until && count < COUNT_LIMIT; t = nextRunAfter(schedule, t)) count++;
  return count >= COUNT_LIMIT ? `${COUNT_LIMIT}+` : String(count);
}
