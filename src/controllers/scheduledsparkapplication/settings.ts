// What the operator tells the ScheduledSparkApplication controller (its own type: the controller knows nothing of
// the operator's flags).
import type { Clock } from '../../runtime/index.ts';

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
