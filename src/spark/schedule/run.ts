// A run of a schedule as a SparkApplication: the schedule's template, labelled with the schedule's name (kubeflow's
// label, so kubeflow tooling finds the runs too), annotated with the time it was scheduled for, and owned by the
// schedule (controller reference: deleting the schedule deletes its runs). Used by the controller and by
// `sparkctl create --from`. Pure.
import { API_GROUP_VERSION, SCHEDULED_SPARK_APPLICATION_KIND, SPARK_APPLICATION_KIND } from '../../api/constants.ts';
import type { ScheduledSparkApplication, SparkApplication } from '../../api/index.ts';
import { RUN_TRIGGER_ANNOTATION, SCHEDULED_APP_NAME_LABEL, SCHEDULED_TIME_ANNOTATION } from '../../api/vocabulary.ts';
import { formatTimestamp } from './decide.ts';

export { RUN_TRIGGER_ANNOTATION, SCHEDULED_APP_NAME_LABEL, SCHEDULED_TIME_ANNOTATION } from '../../api/vocabulary.ts';

export type RunTrigger = 'schedule' | 'manual';

export class RunBuildError extends Error {
  override readonly name = 'RunBuildError';
}

export function buildRun(
  schedule: ScheduledSparkApplication,
  name: string,
  runTime: number,
  trigger: RunTrigger,
): SparkApplication {
  const { name: scheduleName, namespace, uid } = schedule.metadata;
  if (!scheduleName || !uid)
    throw new RunBuildError('the schedule has no name or uid: read it from the API server first');
  return {
    apiVersion: API_GROUP_VERSION,
    kind: SPARK_APPLICATION_KIND,
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      // The schedule's own labels carry over (as in kubeflow); the schedule-name label is always ours.
      labels: { ...schedule.metadata.labels, [SCHEDULED_APP_NAME_LABEL]: scheduleName },
      annotations: { [SCHEDULED_TIME_ANNOTATION]: formatTimestamp(runTime), [RUN_TRIGGER_ANNOTATION]: trigger },
      ownerReferences: [
        {
          apiVersion: API_GROUP_VERSION,
          kind: SCHEDULED_SPARK_APPLICATION_KIND,
          name: scheduleName,
          uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: structuredClone(schedule.spec.template),
  };
}

/** Whether `app` is a run of the schedule with this uid (its controller owner). */
export function isRunOf(app: SparkApplication, scheduleUid: string): boolean {
  // kubeflow's operator owns its runs without `controller: true`; a run it left behind is a run all the same.
  return (app.metadata.ownerReferences ?? []).some(
    (ref) => ref.kind === SCHEDULED_SPARK_APPLICATION_KIND && ref.uid === scheduleUid,
  );
}

/** A run sparkop did not create (kubeflow's, made before a switch of operators): it carries no scheduled time. */
export function isForeignRun(app: SparkApplication): boolean {
  return app.metadata.annotations?.[SCHEDULED_TIME_ANNOTATION] === undefined;
}

/** The run time of a run: its scheduled-time annotation, else its creation time. */
export function runTimeOf(app: SparkApplication): number {
  const annotated = Date.parse(app.metadata.annotations?.[SCHEDULED_TIME_ANNOTATION] ?? '');
  if (!Number.isNaN(annotated)) return annotated;
  const created = Date.parse(String(app.metadata.creationTimestamp ?? ''));
  return Number.isNaN(created) ? 0 : created;
}
