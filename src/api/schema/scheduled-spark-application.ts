// The ScheduledSparkApplication schema: a cron schedule plus a SparkApplication spec used as template for each run.
import { type Static, Type } from 'typebox';
import { ArrayOf, Int32, OpenString, Timestamp } from './primitives.ts';
import { ObjectMetaSchema, SparkApplicationSpecSchema } from './spark-application.ts';

export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace';
/** Kubeflow's schedule states; "" is new. */
export type ScheduleState = '' | 'Validating' | 'Scheduled' | 'FailedValidation';

export const ScheduledSparkApplicationSpecSchema = Type.Object({
  schedule: Type.String({ description: 'Cron schedule of the runs.' }),
  timeZone: Type.Optional(
    Type.String({ description: 'IANA time zone of the schedule; local time of the operator if unset.' }),
  ),
  template: SparkApplicationSpecSchema,
  suspend: Type.Optional(Type.Boolean({ description: 'Stops starting new runs.' })),
  concurrencyPolicy: Type.Optional(OpenString<ConcurrencyPolicy>({ description: 'Allow, Forbid or Replace.' })),
  successfulRunHistoryLimit: Type.Optional(Int32({ description: 'Successful runs to keep; 1 unless set.' })),
  failedRunHistoryLimit: Type.Optional(Int32({ description: 'Failed runs to keep; 1 unless set.' })),
});

export const ScheduledSparkApplicationStatusSchema = Type.Object({
  lastRun: Type.Optional(Timestamp()),
  nextRun: Type.Optional(Timestamp()),
  lastRunName: Type.Optional(Type.String()),
  pastSuccessfulRunNames: Type.Optional(ArrayOf(Type.String())),
  pastFailedRunNames: Type.Optional(ArrayOf(Type.String())),
  scheduleState: Type.Optional(OpenString<ScheduleState>()),
  reason: Type.Optional(Type.String()),
});

export const ScheduledSparkApplicationSchema = Type.Object({
  apiVersion: Type.Optional(Type.String()),
  kind: Type.Optional(Type.String()),
  metadata: ObjectMetaSchema,
  spec: ScheduledSparkApplicationSpecSchema,
  status: Type.Optional(ScheduledSparkApplicationStatusSchema),
});

export type ScheduledSparkApplicationSpec = Static<typeof ScheduledSparkApplicationSpecSchema>;
export type ScheduledSparkApplicationStatus = Static<typeof ScheduledSparkApplicationStatusSchema>;
export type ScheduledSparkApplication = Static<typeof ScheduledSparkApplicationSchema>;
