// The ScheduledSparkApplication controller's entry point: the operator process calls
// registerScheduledSparkApplicationController(manager, settings) once, before starting the manager.
import type { Clock } from '../../runtime/clock.ts';
import type { Manager } from '../../runtime/manager.ts';
import { registerController } from './controller.ts';

export interface ScheduledControllerSettings {
  /** Time for every schedule decision. Default: the manager's clock. */
  readonly clock?: Clock;
  /** Default 1. Keys are never reconciled twice at once, whatever this is. */
  readonly maxConcurrentReconciles?: number;
  /** Namespaces whose schedules this controller handles; empty or unset: all. */
  readonly namespaces?: readonly string[];
  /**
   * How late a run missed while the operator was down may still start. Only the latest missed run is ever started.
   * Default: one period of the schedule (the latest missed run always starts, as with a Kubernetes CronJob without
   * startingDeadlineSeconds, and as kubeflow's operator does).
   */
  readonly missedRunWindowMs?: number;
  /** The zone of `timeZone: Local` (or unset). Default: the operator process's zone. */
  readonly localTimeZone?: string;
  /** Controller name (metrics, logs). Default "scheduled-spark-application-controller". */
  readonly name?: string;
}

export function registerScheduledSparkApplicationController(
  manager: Manager,
  settings: ScheduledControllerSettings = {},
): void {
  registerController(manager, settings);
}
