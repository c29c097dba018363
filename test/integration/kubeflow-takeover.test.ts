// Taking over from kubeflow's operator: objects exactly as kubeflow's spark-operator wrote them (recorded from a run
// of it, test/fixtures/kubeflow/recorded.json) are put back into a namespace — applications in each state with their
// status, driver and executor pods, Services and ConfigMaps, and a ScheduledSparkApplication with its runs — and
// sparkop starts on them. It must submit nothing, follow the running applications to their end, delete finished ones
// by their TTL, fire the schedule once at its nextRun, and let objects carrying kubeflow's finalizer be deleted.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { KUBEFLOW_FINALIZER } from '../../src/api/vocabulary.ts';
import { registerScheduledSparkApplicationController } from '../../src/controllers/scheduledsparkapplication/index.ts';
import {
  DEFAULT_CONTROLLER_SETTINGS,
  registerSparkApplicationController,
  type SparkApplicationControllerSettings,
} from '../../src/controllers/sparkapplication/index.ts';
import { Pods, type SparkApplicationObject, SparkApplications } from '../../src/controllers/sparkapplication/kinds.ts';
import { cacheScopes } from '../../src/controllers/sparkapplication/scope.ts';
import { isNotFound, type KubeObject, kind, mergePatch } from '../../src/runtime/index.ts';
import { gvkString } from '../../src/runtime/object.ts';
import { runName, SCHEDULED_APP_NAME_LABEL } from '../../src/spark/schedule/index.ts';
import { eventually } from '../support/kube.ts';
import { type Fixture, finishPod, fixture, startManager } from './sparkapplication-harness.ts';

interface Recorded {
  readonly recordedWith: Record<string, string>;
  readonly applications: readonly { name: string; state?: string; objects: KubeObject[] }[];
  readonly scheduled: readonly {
    object: ScheduleObject;
    runs: readonly { name?: string; state?: string; objects: KubeObject[] }[];
  }[];
}

interface ScheduleObject extends KubeObject {
  spec: { schedule: string; [field: string]: unknown };
  status?: {
    lastRun?: string;
    nextRun?: string;
    lastRunName?: string;
    pastSuccessfulRunNames?: string[];
    pastFailedRunNames?: string[];
    scheduleState?: string;
  };
}

const Schedules = kind<ScheduleObject>('sparkoperator.k8s.io/v1beta2', 'ScheduledSparkApplication');
const RECORDED = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'kubeflow', 'recorded.json'), 'utf8'),
) as Recorded;

type Restorable = KubeObject & { status?: unknown; spec?: Record<string, unknown> };

/** The times an application's status holds: what the state machine measures retry intervals and TTLs from. */
const STATUS_TIMES = ['lastSubmissionAttemptTime', 'terminationTime'] as const;

/** The last time written into a recorded application's status: the moment the recording was taken. */
function recordingEnd(recorded: Recorded): number {
  const times = recorded.applications
    .flatMap((a) => a.objects)
    .filter((o) => o.kind === 'SparkApplication')
    .flatMap((o) =>
      STATUS_TIMES.map((field) => Date.parse(((o as Restorable).status as Record<string, string>)?.[field] ?? '')),
    )
    .filter(Number.isFinite);
  assert.ok(times.length > 0, 'the recorded applications carry status times');
  return Math.max(...times);
}

/** An RFC 3339 time moved by `shiftMs`, at the whole second the API stores. */
const shiftedTime = (iso: string | undefined, shiftMs: number): string | undefined =>
  iso ? new Date(Math.floor((Date.parse(iso) + shiftMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z') : iso;

/**
 * Puts recorded objects back as kubeflow left them, in `f`'s namespace: created without what the API server
 * assigns (uid, resourceVersion, timestamps, a Service's cluster IP), owner references pointed at the new uids of
 * their owners, then the status written through the status subresource (pods: onto a node of this cluster).
 */
class Restorer {
  readonly #f: Fixture;
  readonly #node: string;
  readonly #shiftMs: number;
  /** Recorded uid → uid of the object restored from it. */
  readonly uids = new Map<string, string>();

  /**
   * `shiftMs` moves the times of applications' statuses as if the recording had been taken just now: otherwise a
   * FAILING application's retry interval (an hour) runs out an hour after the recording, and sparkop would rightly
   * resubmit it.
   */
  constructor(f: Fixture, node: string, shiftMs: number) {
    this.#f = f;
    this.#node = node;
    this.#shiftMs = shiftMs;
  }

  async restore<T extends Restorable>(recorded: T, extra: { finalizers?: string[] } = {}): Promise<T> {
    const meta = recorded.metadata ?? {};
    const {
      uid,
      resourceVersion: _rv,
      creationTimestamp: _created,
      generation: _generation,
      managedFields: _managed,
      ...kept
    } = meta as Record<string, unknown> & { uid?: string };
    const ownerReferences = (meta.ownerReferences ?? []).map((ref) => {
      const owner = this.uids.get(ref.uid);
      if (!owner) throw new Error(`${recorded.kind} ${meta.name}: owner ${ref.kind} ${ref.name} not restored first`);
      return { ...ref, uid: owner };
    });
    const body = structuredClone(recorded) as Restorable & { spec?: Record<string, unknown> };
    body.metadata = {
      ...kept,
      namespace: this.#f.namespace,
      ...(ownerReferences.length > 0 ? { ownerReferences } : {}),
      ...(extra.finalizers ? { finalizers: [...(meta.finalizers ?? []), ...extra.finalizers] } : {}),
    };
    delete body.status;
    if (recorded.kind === 'Service' && body.spec && body.spec.clusterIP !== 'None') {
      delete body.spec.clusterIP;
      delete body.spec.clusterIPs;
    }
    if (recorded.kind === 'Pod' && body.spec) body.spec.nodeName = this.#node;
    const created = await this.#f.api.create(body as T);
    if (uid && created.metadata?.uid) this.uids.set(uid, created.metadata.uid);
    if (recorded.kind === 'Pod') {
      // kwok runs the pod and writes its status; an ended pod gets its recorded end (merged: kwok writes too).
      const phase = (recorded.status as { phase?: string } | undefined)?.phase;
      if (phase !== 'Succeeded' && phase !== 'Failed') return created;
      return this.#f.api.status().patch(created, mergePatch({ status: recorded.status as object }));
    }
    if (recorded.status !== undefined && recorded.kind === 'SparkApplication') {
      const status = structuredClone(recorded.status) as Record<string, string | undefined>;
      for (const field of STATUS_TIMES) if (status[field]) status[field] = shiftedTime(status[field], this.#shiftMs);
      return this.#f.api.status().update({ ...created, status } as T);
    }
    if (recorded.status !== undefined && recorded.kind?.includes('Spark')) {
      return this.#f.api.status().update({ ...created, status: recorded.status } as T);
    }
    return created;
  }
}

/** The recorded objects of one application, owners before what they own. */
function ordered(objects: readonly KubeObject[]): KubeObject[] {
  const rank = (o: KubeObject) =>
    o.kind === 'SparkApplication'
      ? 0
      : o.kind === 'Pod' && o.metadata?.labels?.['spark-role'] === 'driver'
        ? 1
        : o.kind === 'Pod'
          ? 2
          : 3;
  return [...objects].sort((a, b) => rank(a) - rank(b));
}

const stateOf = (app: SparkApplicationObject | undefined) => app?.status?.applicationState?.state ?? '';

/** What sparkop must make of each recorded state, without submitting anything. */
const FOLLOWED = ['SUBMITTED', 'RUNNING']; // its driver runs on: followed, then COMPLETED when it ends
const FINISHED = ['COMPLETED', 'FAILED']; // left as they are; deleted by a time to live
// FAILING under OnFailure with retries left and a retry interval of an hour: waits; SUSPENDED: stays.
const WAITING = ['FAILING', 'SUSPENDED'];

async function gone(f: Fixture, k: typeof SparkApplications, name: string): Promise<true | undefined> {
  try {
    await f.api.get(k, { namespace: f.namespace, name });
    return undefined;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

test("kubeflow's objects, as it wrote them, are taken over: nothing submitted again, each followed to its end", async (t) => {
  const states = RECORDED.applications.map((a) => a.state ?? '');
  for (const state of [...FOLLOWED, ...FINISHED, ...WAITING]) assert.ok(states.includes(state), `recorded ${state}`);
  const schedule = RECORDED.scheduled[0];
  assert.ok(schedule, 'a recorded ScheduledSparkApplication');

  const f = await fixture(t);
  const node = (await f.core.listNode()).items.find((n) => n.metadata?.name?.startsWith('sim-node-'))?.metadata?.name;
  assert.ok(node, 'a simulated node');
  const restorer = new Restorer(f, node, Date.now() - recordingEnd(RECORDED));
  // kubeflow defines the finalizer sparkoperator.k8s.io/finalizer for both kinds (the v2.5.2 run recorded here put
  // none on them): every restored application and the schedule carry it, so deleting them shows it is released.
  const finalizers = { finalizers: [KUBEFLOW_FINALIZER] };
  for (const recorded of RECORDED.applications) {
    for (const obj of ordered(recorded.objects)) {
      await restorer.restore(obj as Restorable, obj.kind === 'SparkApplication' ? finalizers : {});
    }
  }
  // The schedule (an @every schedule: no grid to keep its times on): kubeflow ran it moments ago, and its next run is
  // due in 20 s — its times shifted to now, one interval apart as kubeflow wrote them.
  assert.match(schedule.object.spec.schedule, /^@every /);
  const recordedNext = Date.parse(schedule.object.status?.nextRun ?? '');
  assert.ok(Number.isFinite(recordedNext), 'the recorded schedule has a nextRun');
  const shift = Date.now() + 20_000 - recordedNext;
  const shifted = (iso: string | undefined) => shiftedTime(iso, shift);
  const scheduleObject = structuredClone(schedule.object);
  if (scheduleObject.status) {
    scheduleObject.status.lastRun = shifted(scheduleObject.status.lastRun);
    scheduleObject.status.nextRun = shifted(scheduleObject.status.nextRun);
  }
  const restoredSchedule = await restorer.restore(scheduleObject, finalizers);
  for (const run of schedule.runs) for (const obj of ordered(run.objects)) await restorer.restore(obj as Restorable);
  const kubeflowRuns = schedule.runs.map((r) => r.name ?? '');
  const scheduleName = restoredSchedule.metadata?.name ?? '';
  const nextRunAt = Date.parse(restoredSchedule.status?.nextRun ?? '');

  const before = new Map(
    (await f.api.list(SparkApplications, { namespace: f.namespace })).map((a) => [a.metadata?.name ?? '', a]),
  );
  const drivers = async () =>
    (await f.api.list(Pods, { namespace: f.namespace }))
      .filter((p: V1Pod) => p.metadata?.labels?.['spark-role'] === 'driver')
      .map((p: V1Pod) => ({ uid: p.metadata?.uid ?? '', app: p.metadata?.labels?.['sparkoperator.k8s.io/app-name'] }));
  const driversBefore = new Set((await drivers()).map((d) => d.uid));

  const settings: SparkApplicationControllerSettings = {
    ...DEFAULT_CONTROLLER_SETTINGS,
    namespaces: [f.namespace],
    controllerThreads: 4,
  };
  const scopes = cacheScopes(settings);
  scopes.set(gvkString(Schedules), { namespaces: [f.namespace] });
  await startManager(
    t,
    f,
    (manager) => {
      registerSparkApplicationController(manager, settings);
      registerScheduledSparkApplicationController(manager, { namespaces: [f.namespace], localTimeZone: 'UTC' });
    },
    scopes,
  );
  const current = async (name: string) => f.api.get(SparkApplications, { namespace: f.namespace, name });

  // Running drivers (the SUBMITTED one's pod starts here): followed while they run, COMPLETED when they end, on the
  // submission kubeflow made.
  const followed = RECORDED.applications.filter((a) => FOLLOWED.includes(a.state ?? ''));
  for (const { name } of followed) {
    await eventually(`${name} RUNNING, followed by sparkop`, async () => {
      const app = await current(name);
      return (
        (stateOf(app) === 'RUNNING' && app.metadata?.annotations?.['sparkop.dev/spec-hash'] !== undefined) || undefined
      );
    });
    await finishPod(f, before.get(name)?.status?.driverInfo?.podName ?? '', 0);
  }
  for (const { name } of followed) {
    const done = await eventually(`${name} COMPLETED`, async () => {
      const app = await current(name);
      return stateOf(app) === 'COMPLETED' ? app : undefined;
    });
    assert.equal(done.status?.submissionID, before.get(name)?.status?.submissionID, `${name}: the same submission`);
    assert.equal(done.status?.submissionAttempts, before.get(name)?.status?.submissionAttempts, name);
  }
  // Waiting ones stay as kubeflow left them.
  for (const { name, state } of RECORDED.applications.filter((a) => WAITING.includes(a.state ?? ''))) {
    const app = await current(name);
    assert.equal(stateOf(app), state, name);
    assert.equal(app.status?.submissionID, before.get(name)?.status?.submissionID, name);
  }
  // Finished ones stay as they were; a time to live (the user's) then deletes them, kubeflow's finalizer or not.
  const finished = RECORDED.applications.filter((a) => FINISHED.includes(a.state ?? ''));
  for (const { name, state } of finished) {
    const app = await current(name);
    assert.equal(stateOf(app), state, `${name} unchanged`);
    assert.equal(app.status?.submissionID, before.get(name)?.status?.submissionID, name);
    await f.api.patch(app, mergePatch({ spec: { timeToLiveSeconds: 1 } }));
  }
  for (const { name } of finished) {
    await eventually(`${name} deleted by its TTL`, () => gone(f, SparkApplications, name), { timeoutMs: 30_000 });
  }

  // The schedule: nothing before its nextRun, then exactly one run, named for that time; kubeflow's runs are its
  // history.
  const ours = async () =>
    (
      await f.api.list(SparkApplications, {
        namespace: f.namespace,
        labelSelector: `${SCHEDULED_APP_NAME_LABEL}=${scheduleName}`,
      })
    )
      .map((a) => a.metadata?.name ?? '')
      .filter((n) => !kubeflowRuns.includes(n));
  if (Date.now() < nextRunAt - 1000) assert.deepEqual(await ours(), [], 'no run before nextRun');
  const expectedRun = runName(scheduleName, nextRunAt);
  await eventually('the scheduled run at nextRun', async () => (await ours()).includes(expectedRun) || undefined, {
    timeoutMs: Math.max(0, nextRunAt - Date.now()) + 30_000,
  });
  await sleep(3000);
  assert.deepEqual(await ours(), [expectedRun], 'one run for that time');
  const afterRun = await f.api.get(Schedules, { namespace: f.namespace, name: scheduleName });
  assert.equal(afterRun.status?.lastRunName, expectedRun);
  assert.ok(
    afterRun.status?.pastSuccessfulRunNames?.some((n) => kubeflowRuns.includes(n)),
    `kubeflow's runs are the history: ${afterRun.status?.pastSuccessfulRunNames}`,
  );

  // Nothing submitted again: every driver pod is one kubeflow made, except the new scheduled run's.
  const created = (await drivers()).filter((d) => !driversBefore.has(d.uid) && d.app !== expectedRun);
  assert.deepEqual(created, [], 'no driver pod of a kubeflow application was created by sparkop');

  // Deleting objects that carry kubeflow's finalizer completes.
  const remaining = RECORDED.applications.filter((a) => !FINISHED.includes(a.state ?? '')).map((a) => a.name);
  for (const name of remaining) await f.api.delete(await current(name));
  await f.api.delete(afterRun);
  for (const name of remaining) {
    await eventually(`${name} deleted despite kubeflow's finalizer`, () => gone(f, SparkApplications, name), {
      timeoutMs: 30_000,
    });
  }
  await eventually(
    `${scheduleName} deleted despite kubeflow's finalizer`,
    () => gone(f, Schedules as unknown as typeof SparkApplications, scheduleName),
    { timeoutMs: 30_000 },
  );
});
