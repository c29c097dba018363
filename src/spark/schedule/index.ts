// The pure core of scheduled applications: cron parsing in a time zone, next-run arithmetic, run names, decisions.
export { type CronFields, parseSchedule, type Schedule, ScheduleError, type ScheduleField } from './cron.ts';
export {
  DEFAULT_HISTORY_LIMIT,
  type DecideContext,
  decide,
  formatTimestamp,
  isFinished,
  type RunAction,
  type RunObservation,
  type ScheduleEvent,
  type ScheduleInput,
  type SchedulePlan,
} from './decide.ts';
export { isScheduledAt, latestRunBetween, NoNextRunError, nextRunAfter } from './next.ts';
export {
  buildRun,
  isForeignRun,
  isRunOf,
  RUN_TRIGGER_ANNOTATION,
  RunBuildError,
  type RunTrigger,
  runTimeOf,
  SCHEDULED_APP_NAME_LABEL,
  SCHEDULED_TIME_ANNOTATION,
} from './run.ts';
export { MAX_RUN_NAME_LENGTH, runName } from './run-name.ts';
export { instantsAt, isValidTimeZone, offsetAt, wallTimeOf } from './zone.ts';
