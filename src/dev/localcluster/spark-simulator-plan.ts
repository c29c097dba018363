// The Spark simulator's decisions, pure: given a driver pod, its executors and the time, what should Spark do next?
// A real driver, once running, asks for its executors, computes for a while and stops; the simulator does the same
// with kwok's exit-code annotation standing in for the work finishing.
import { parseDuration } from '../../operator/options.ts';

/** On the SparkApplication (or the driver pod, which wins): the driver's exit code. Default 0. */
export const SIM_DRIVER_EXIT_CODE_ANNOTATION = 'sim.sparkop.dev/driver-exit-code';
/** On the SparkApplication (or the driver pod): how long the driver runs once Running (Go duration). Default 3s. */
export const SIM_DRIVER_RUN_DURATION_ANNOTATION = 'sim.sparkop.dev/driver-run-duration';

export const DEFAULT_RUN_DURATION_MS = 3_000;

export interface SimulationSettings {
  readonly exitCode: number;
  readonly runDurationMs: number;
}

export interface SettingsProblem {
  readonly annotation: string;
  readonly message: string;
}

/**
 * The run's settings from annotations (the driver pod's over the application's). A bad value is reported and the
 * default used instead, so a typo never leaves a driver running forever.
 */
export function simulationSettings(
  podAnnotations: Readonly<Record<string, string>>,
  appAnnotations: Readonly<Record<string, string>>,
  defaultRunDurationMs = DEFAULT_RUN_DURATION_MS,
): { settings: SimulationSettings; problems: readonly SettingsProblem[] } {
  const problems: SettingsProblem[] = [];
  const pick = (key: string) => podAnnotations[key] ?? appAnnotations[key];
  let exitCode = 0;
  const codeText = pick(SIM_DRIVER_EXIT_CODE_ANNOTATION);
  if (codeText !== undefined) {
    const n = Number(codeText);
    if (/^\d+$/.test(codeText.trim()) && n <= 255) exitCode = n;
    else problems.push({ annotation: SIM_DRIVER_EXIT_CODE_ANNOTATION, message: `"${codeText}" is not 0–255` });
  }
  let runDurationMs = defaultRunDurationMs;
  const durationText = pick(SIM_DRIVER_RUN_DURATION_ANNOTATION);
  if (durationText !== undefined) {
    const d = parseDuration(durationText);
    if (d !== undefined) runDurationMs = d;
    else
      problems.push({
        annotation: SIM_DRIVER_RUN_DURATION_ANNOTATION,
        message: `"${durationText}" is not a duration such as 3s or 1m30s`,
      });
  }
  return { settings: { exitCode, runDurationMs }, problems };
}

export interface DriverView {
  /** Pod phase. */
  readonly phase?: string;
  readonly deleting: boolean;
  /** status.startTime in ms since the epoch. */
  readonly startedAtMs?: number;
  /** The exit code already asked for (kwok's annotation), if any. */
  readonly endRequested: boolean;
}

export interface ExecutorView {
  readonly name: string;
  readonly execId: number;
  readonly endRequested: boolean;
  readonly deleting: boolean;
}

export type SimulationAction =
  | { readonly type: 'createExecutors'; readonly execIds: readonly number[] }
  | { readonly type: 'endExecutors'; readonly names: readonly string[] }
  | { readonly type: 'endDriver'; readonly exitCode: number };

export interface SimulationPlan {
  readonly actions: readonly SimulationAction[];
  /** When to look again (the driver's end time), if anything is still to do. */
  readonly requeueAfterMs?: number;
}

/**
 * The rules, in order:
 * 1. A driver that is not Running, or is being deleted, is left alone (kwok moves it on).
 * 2. A driver whose end was asked for: its executors still running are ended too (exit 0, as the driver stops them).
 * 3. A Running driver before its end time: missing executors (ids 1..executorCount) are created; look again at the end.
 * 4. At or after its end time: every executor not yet ended is ended, then the driver with its exit code.
 */
export function planSimulation(input: {
  readonly driver: DriverView;
  readonly executors: readonly ExecutorView[];
  readonly executorCount: number;
  readonly settings: SimulationSettings;
  readonly nowMs: number;
}): SimulationPlan {
  const { driver, executors, settings, nowMs } = input;
  if (driver.deleting || driver.phase !== 'Running') return { actions: [] };
  const running = executors.filter((e) => !e.endRequested && !e.deleting).map((e) => e.name);
  const endExecutors: SimulationAction[] = running.length > 0 ? [{ type: 'endExecutors', names: running }] : [];
  if (driver.endRequested) return { actions: endExecutors };
  const endsAt = (driver.startedAtMs ?? nowMs) + settings.runDurationMs;
  if (nowMs >= endsAt) return { actions: [...endExecutors, { type: 'endDriver', exitCode: settings.exitCode }] };
  const have = new Set(executors.map((e) => e.execId));
  const missing = Array.from({ length: input.executorCount }, (_, i) => i + 1).filter((id) => !have.has(id));
  return {
    actions: missing.length > 0 ? [{ type: 'createExecutors', execIds: missing }] : [],
    requeueAfterMs: endsAt - nowMs,
  };
}

/** A Spark Connect server pod (spark-role=connect-server), as planConnectServer reads it. */
export interface ConnectServerView {
  readonly phase?: string;
  readonly deleting: boolean;
  /** kwok's exit-code annotation is set: the server is about to end. */
  readonly endRequested: boolean;
}

/**
 * A Spark Connect server runs until it is told to end (kwok's exit-code annotation on its pod). The rules:
 * 1. A server being deleted is left alone (its executors go with it: it owns them).
 * 2. A server that has ended, or is about to, ends its executors still running (exit 0, as Spark stops them).
 * 3. A Running server creates its missing executors (ids 1..executorCount), once; it never ends by itself.
 */
export function planConnectServer(input: {
  readonly server: ConnectServerView;
  readonly executors: readonly ExecutorView[];
  readonly executorCount: number;
}): SimulationPlan {
  const { server, executors } = input;
  if (server.deleting) return { actions: [] };
  const ended = server.phase === 'Succeeded' || server.phase === 'Failed';
  if (ended || server.endRequested) {
    const running = executors.filter((e) => !e.endRequested && !e.deleting).map((e) => e.name);
    return { actions: running.length > 0 ? [{ type: 'endExecutors', names: running }] : [] };
  }
  if (server.phase !== 'Running') return { actions: [] };
  const have = new Set(executors.map((e) => e.execId));
  const missing = Array.from({ length: input.executorCount }, (_, i) => i + 1).filter((id) => !have.has(id));
  return { actions: missing.length > 0 ? [{ type: 'createExecutors', execIds: missing }] : [] };
}
