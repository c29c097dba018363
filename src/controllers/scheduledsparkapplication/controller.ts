// The ScheduledSparkApplication reconciler: a thin shell that reads the schedule and its runs, asks the pure
// decide() (src/spark/schedule/decide.ts) what to do, and writes — run deletions, at most one run creation, the
// status — then records the plan's events and requeues at the next run time.
import { API_GROUP_VERSION, SCHEDULED_SPARK_APPLICATION_KIND, SPARK_APPLICATION_KIND } from '../../api/constants.ts';
import type { ScheduledSparkApplication, SparkApplication } from '../../api/index.ts';
import {
  type Clock,
  controllerFor,
  type EventRecorder,
  ignoreNotFound,
  isAlreadyExists,
  type KubeObject,
  kind,
  type Manager,
  predicates,
  type ReconcileContext,
  type Request,
  type Result,
  TerminalError,
} from '../../runtime/index.ts';
import {
  buildRun,
  decide,
  isForeignRun,
  isRunOf,
  type RunObservation,
  runTimeOf,
  SCHEDULED_APP_NAME_LABEL,
  type SchedulePlan,
} from '../../spark/schedule/index.ts';
import { removeKubeflowFinalizer, waitsForKubeflowFinalizer } from '../kubeflow-finalizer.ts';
import type { ScheduledControllerSettings } from './settings.ts';

export const ScheduledSparkApplications = kind<ScheduledSparkApplication>(
  API_GROUP_VERSION,
  SCHEDULED_SPARK_APPLICATION_KIND,
);
export const SparkApplications = kind<SparkApplication>(API_GROUP_VERSION, SPARK_APPLICATION_KIND);

export const DEFAULT_CONTROLLER_NAME = 'scheduled-spark-application-controller';

/** A run name that exists but belongs to something else: retrying cannot fix it, the user must. */
export class RunNameTakenError extends TerminalError {}

const stateOf = (obj: KubeObject): string => (obj as SparkApplication).status?.applicationState?.state ?? '';

export function registerController(manager: Manager, settings: ScheduledControllerSettings): void {
  const name = settings.name ?? DEFAULT_CONTROLLER_NAME;
  const namespaces = new Set(settings.namespaces ?? []);
  const inScope = predicates.objectFilter(
    (obj) => namespaces.size === 0 || namespaces.has(obj.metadata?.namespace ?? ''),
  );
  const reconciler = new ScheduledReconciler({
    manager,
    clock: settings.clock ?? manager.clock,
    recorder: manager.getEventRecorderFor(name),
    localTimeZone: settings.localTimeZone ?? hostTimeZone,
    ...(settings.missedRunWindowMs === undefined ? {} : { missedRunWindowMs: settings.missedRunWindowMs }),
  });
  controllerFor(manager)
    // Own status writes change no generation: they do not wake the schedule up again.
    .for(ScheduledSparkApplications, inScope, predicates.generationChanged)
    // A run matters when it appears, changes state (finishes: history, Forbid) or goes away.
    .owns(
      SparkApplications,
      inScope,
      predicates.updateFilter((o, n) => stateOf(o) !== stateOf(n)),
    )
    .withOptions({ name, maxConcurrentReconciles: settings.maxConcurrentReconciles ?? 1 })
    .complete(reconciler);
}

interface ReconcilerDeps {
  readonly manager: Pick<Manager, 'client'>;
  readonly clock: Clock;
  readonly recorder: EventRecorder;
  /** The zone of schedules that name none: a zone, or how to find it when first needed. */
  readonly localTimeZone: string | (() => string);
  readonly missedRunWindowMs?: number;
}

// Asked when a schedule first needs it, not at start: Intl's answer loads ICU's time-zone data (about 6 MiB of
// resident pages), which an operator with no ScheduledSparkApplication never needs.
let hostZone: string | undefined;
function hostTimeZone(): string {
  hostZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone;
  return hostZone;
}

export class ScheduledReconciler {
  readonly #deps: ReconcilerDeps;

  constructor(deps: ReconcilerDeps) {
    this.#deps = deps;
  }

  async reconcile(ctx: ReconcileContext, request: Request): Promise<Result | undefined> {
    const { client } = this.#deps.manager;
    const schedule = await client.get(ScheduledSparkApplications, request).catch(ignoreNotFound);
    if (!schedule || schedule.metadata.deletionTimestamp) {
      if (schedule && waitsForKubeflowFinalizer(schedule)) await removeKubeflowFinalizer(client, schedule);
      return undefined;
    }
    const uid = schedule.metadata.uid ?? '';
    const runs = (
      await client.list(SparkApplications, {
        namespace: request.namespace,
        labelSelector: `${SCHEDULED_APP_NAME_LABEL}=${request.name}`,
      })
    ).filter((app) => isRunOf(app, uid));

    const plan = decide({ name: request.name, spec: schedule.spec, status: schedule.status }, runs.map(observe), {
      now: this.#deps.clock.now(),
      localTimeZone:
        typeof this.#deps.localTimeZone === 'string' ? this.#deps.localTimeZone : this.#deps.localTimeZone(),
      ...(this.#deps.missedRunWindowMs === undefined ? {} : { missedRunWindowMs: this.#deps.missedRunWindowMs }),
    });
    await this.#apply(ctx, schedule, runs, plan);
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfter: plan.requeueAfterMs };
  }

  async #apply(
    ctx: ReconcileContext,
    schedule: ScheduledSparkApplication,
    runs: readonly SparkApplication[],
    plan: SchedulePlan,
  ): Promise<void> {
    const { client } = this.#deps.manager;
    for (const action of plan.actions) {
      if (action.kind === 'delete') {
        const run = runs.find((r) => r.metadata.name === action.name);
        if (!run) continue;
        ctx.log.info({ run: action.name, why: action.why }, 'deleting run');
        await client
          .delete(run, { propagationPolicy: 'Background', preconditions: { uid: run.metadata.uid ?? '' } })
          .catch(ignoreNotFound);
      } else {
        ctx.log.info({ run: action.name }, 'creating run');
        await client.create(buildRun(schedule, action.name, action.runTime, 'schedule')).catch(async (err) => {
          if (!isAlreadyExists(err)) throw err;
          // Same name, same run time: the run this schedule created before (e.g. before a crash) — unless not ours.
          const existing = await client.apiReader.get(SparkApplications, {
            namespace: schedule.metadata.namespace ?? '',
            name: action.name,
          });
          if (!isRunOf(existing, schedule.metadata.uid ?? '')) {
            throw new RunNameTakenError(
              `run name ${action.name} is taken by a SparkApplication this schedule does not own`,
              {
                cause: err,
              },
            );
          }
        });
      }
    }
    if (!sameJson(schedule.status ?? {}, plan.status)) {
      await client.status().update({ ...structuredClone(schedule), status: plan.status });
    }
    for (const event of plan.events) this.#deps.recorder.event(schedule, event.type, event.reason, event.message);
  }
}

function observe(app: SparkApplication): RunObservation {
  return {
    name: app.metadata.name ?? '',
    runTime: runTimeOf(app),
    state: stateOf(app),
    ...(isForeignRun(app) ? { foreign: true } : {}),
  };
}

/** Equality of JSON values regardless of key order. */
function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
