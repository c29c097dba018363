// The ScheduledSparkApplication controller against the real control plane. The manager and the controller share a
// FakeClock, so a run happens when the test moves time to it: the controller's requeue timer (RequeueAfter at the
// next run time) fires, nothing polls. The SparkApplication controller does not run here: a run finishes when the
// test patches its status subresource to COMPLETED or FAILED.
// The runtime's own short waits (cache-sync polling, retry backoff) also run on the manager's clock, so a ticker
// moves the fake clock on slowly (half real speed); schedule times are minutes to hours apart, so that drift is
// harmless, and every run in these tests is reached by moving the clock, not by waiting.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { sparkPiApp } from '../../harness/spark-pi.ts';
import { installCrds, type ScheduledSparkApplication } from '../../src/api/index.ts';
import {
  ScheduledSparkApplications,
  SparkApplications,
} from '../../src/controllers/scheduledsparkapplication/controller.ts';
import {
  registerScheduledSparkApplicationController,
  type ScheduledControllerSettings,
} from '../../src/controllers/scheduledsparkapplication/index.ts';
import { mergePatch } from '../../src/runtime/client/patch.ts';
import { FakeClock } from '../../src/runtime/clock.ts';
import { isNotFound } from '../../src/runtime/errors.ts';
import { newLogger } from '../../src/runtime/log.ts';
import { Manager } from '../../src/runtime/manager.ts';
import { gvkString } from '../../src/runtime/object.ts';
import { runName, SCHEDULED_APP_NAME_LABEL } from '../../src/spark/schedule/index.ts';
import { eventually, sharedCluster, type TestNamespace, testNamespace } from '../support/kube.ts';

const at = (iso: string) => Date.parse(iso);
const MINUTE = 60_000;

let crds: Promise<void> | undefined;

interface Operator {
  readonly manager: Manager;
  readonly clock: FakeClock;
  readonly ns: TestNamespace;
  stop(): Promise<void>;
}

async function startOperator(
  t: TestContext,
  ns: TestNamespace,
  clock: FakeClock,
  settings: ScheduledControllerSettings = {},
): Promise<Operator> {
  const scope = { namespaces: [ns.namespace] };
  const manager = new Manager({
    kubeConfig: ns.kc,
    clock,
    cacheScopes: new Map([
      [gvkString(ScheduledSparkApplications), scope],
      [gvkString(SparkApplications), scope],
    ]),
    logger: newLogger({ level: process.env.SPARKOP_TEST_LOG ?? 'silent' }),
  });
  registerScheduledSparkApplicationController(manager, {
    clock,
    namespaces: [ns.namespace],
    localTimeZone: 'UTC',
    ...settings,
  });
  const ticker = setInterval(() => clock.advance(5), 10);
  const abort = new AbortController();
  const running = manager.start(abort.signal);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    abort.abort();
    await running;
    clearInterval(ticker);
  };
  t.after(stop);
  return { manager, clock, ns, stop };
}

async function setup(t: TestContext, start: string, settings: ScheduledControllerSettings = {}): Promise<Operator> {
  crds ??= sharedCluster().then((c) => installCrds(c.kc));
  await crds;
  const ns = await testNamespace(t);
  return startOperator(t, ns, new FakeClock(at(start)), settings);
}

function scheduled(
  op: Operator,
  name: string,
  spec: Partial<ScheduledSparkApplication['spec']>,
): ScheduledSparkApplication {
  return {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'ScheduledSparkApplication',
    metadata: { name, namespace: op.ns.namespace, labels: { team: 'data' } },
    spec: {
      schedule: '0 * * * *',
      template: { ...sparkPiApp('template').spec, executor: { instances: 1 } },
      ...spec,
    },
  };
}

const key = (op: Operator, name: string) => ({ namespace: op.ns.namespace, name });

/** The schedule as the API server has it, once `check` holds (the live reader: no cache lag). */
function scheduleWhen(op: Operator, name: string, what: string, check: (s: ScheduledSparkApplication) => boolean) {
  return eventually(what, async () => {
    const s = await op.manager.client.apiReader.get(ScheduledSparkApplications, key(op, name));
    return check(s) ? s : undefined;
  });
}

async function runNames(op: Operator, schedule: string): Promise<string[]> {
  const apps = await op.manager.client.apiReader.list(SparkApplications, {
    namespace: op.ns.namespace,
    labelSelector: `${SCHEDULED_APP_NAME_LABEL}=${schedule}`,
  });
  return apps.map((a) => a.metadata.name ?? '').sort();
}

function runsWhen(op: Operator, schedule: string, expected: readonly string[]) {
  return eventually(`runs of ${schedule} to be [${expected.join(', ')}]`, async () => {
    const names = await runNames(op, schedule);
    return JSON.stringify(names) === JSON.stringify([...expected].sort()) ? names : undefined;
  });
}

async function finish(op: Operator, name: string, state: 'COMPLETED' | 'FAILED'): Promise<void> {
  await op.manager.client
    .status()
    .patch(SparkApplications, key(op, name), mergePatch({ status: { driverInfo: {}, applicationState: { state } } }));
}

/** Moves the fake clock to `iso` (firing the controller's requeue timer if it is due by then). */
function moveTo(op: Operator, iso: string): void {
  op.clock.advance(at(iso) - op.clock.now());
}

const runAt = (schedule: string, iso: string) => runName(schedule, at(iso));

test('Allow: a run at each scheduled time, owned and labelled; history pruned as runs finish', async (t) => {
  const op = await setup(t, '2026-01-01T00:20:00Z');
  const created = await op.manager.client.create(
    scheduled(op, 'hourly', { successfulRunHistoryLimit: 1, failedRunHistoryLimit: 1 }),
  );
  await scheduleWhen(op, 'hourly', 'nextRun 01:00', (s) => s.status?.nextRun === '2026-01-01T01:00:00Z');
  assert.deepEqual(await runNames(op, 'hourly'), []);

  moveTo(op, '2026-01-01T01:00:00Z');
  const first = runAt('hourly', '2026-01-01T01:00:00Z');
  await runsWhen(op, 'hourly', [first]);
  const app = await op.manager.client.apiReader.get(SparkApplications, key(op, first));
  assert.equal(app.metadata.labels?.[SCHEDULED_APP_NAME_LABEL], 'hourly');
  assert.equal(app.metadata.labels?.team, 'data');
  assert.deepEqual(
    app.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
    [['ScheduledSparkApplication', 'hourly', created.metadata.uid, true]],
  );
  assert.equal(app.spec.mainClass, 'org.apache.spark.examples.SparkPi');
  const status = await scheduleWhen(op, 'hourly', 'lastRunName', (s) => s.status?.lastRunName === first);
  assert.equal(status.status?.lastRun, '2026-01-01T01:00:00Z');
  assert.equal(status.status?.nextRun, '2026-01-01T02:00:00Z');
  assert.equal(status.status?.scheduleState, 'Scheduled');

  // Allow: the next run starts while the first is still running.
  moveTo(op, '2026-01-01T02:00:00Z');
  const second = runAt('hourly', '2026-01-01T02:00:00Z');
  await runsWhen(op, 'hourly', [first, second]);

  // History is pruned when runs finish, without waiting for the next run time.
  await finish(op, first, 'COMPLETED');
  await scheduleWhen(
    op,
    'hourly',
    'first in successful history',
    (s) => JSON.stringify(s.status?.pastSuccessfulRunNames) === JSON.stringify([first]),
  );
  await finish(op, second, 'COMPLETED');
  await runsWhen(op, 'hourly', [second]);
  await scheduleWhen(
    op,
    'hourly',
    'second replaces first in history',
    (s) => JSON.stringify(s.status?.pastSuccessfulRunNames) === JSON.stringify([second]),
  );

  moveTo(op, '2026-01-01T03:00:00Z');
  const third = runAt('hourly', '2026-01-01T03:00:00Z');
  await runsWhen(op, 'hourly', [second, third]);
  await finish(op, third, 'FAILED');
  const final = await scheduleWhen(
    op,
    'hourly',
    'failed history',
    (s) => JSON.stringify(s.status?.pastFailedRunNames) === JSON.stringify([third]),
  );
  assert.deepEqual(final.status?.pastSuccessfulRunNames, [second]);
});

test('Forbid skips a run while the previous one is unfinished; Replace deletes it first', async (t) => {
  const op = await setup(t, '2026-01-01T00:30:00Z');
  await op.manager.client.create(scheduled(op, 'forbid', { concurrencyPolicy: 'Forbid' }));
  await op.manager.client.create(scheduled(op, 'replace', { concurrencyPolicy: 'Replace' }));
  await scheduleWhen(op, 'forbid', 'nextRun', (s) => s.status?.nextRun === '2026-01-01T01:00:00Z');
  await scheduleWhen(op, 'replace', 'nextRun', (s) => s.status?.nextRun === '2026-01-01T01:00:00Z');

  moveTo(op, '2026-01-01T01:00:00Z');
  await runsWhen(op, 'forbid', [runAt('forbid', '2026-01-01T01:00:00Z')]);
  await runsWhen(op, 'replace', [runAt('replace', '2026-01-01T01:00:00Z')]);

  moveTo(op, '2026-01-01T02:00:00Z');
  await runsWhen(op, 'replace', [runAt('replace', '2026-01-01T02:00:00Z')]);
  await scheduleWhen(op, 'forbid', 'skip recorded', (s) => s.status?.nextRun === '2026-01-01T03:00:00Z');
  // The skip is said in an Event and in status.reason, which stays until the next due time (checked below, after a
  // reconcile in between).
  await eventually('ScheduledRunSkipped event', async () => {
    const events = await op.ns.core.listNamespacedEvent({ namespace: op.ns.namespace });
    return events.items.some(
      (e) =>
        e.reason === 'ScheduledRunSkipped' &&
        e.involvedObject.name === 'forbid' &&
        /skipped the run at 2026-01-01T02:00:00Z: concurrencyPolicy Forbid/.test(e.message ?? ''),
    );
  });
  assert.deepEqual(await runNames(op, 'forbid'), [runAt('forbid', '2026-01-01T01:00:00Z')]);

  // Once the run finishes, Forbid starts the next one. The clock moves only once the controller has seen the
  // run finish (it records it in the history); moving it earlier races the cache and Forbid would rightly skip.
  await finish(op, runAt('forbid', '2026-01-01T01:00:00Z'), 'COMPLETED');
  const between = await scheduleWhen(op, 'forbid', 'the finished run in the history', (s) =>
    (s.status?.pastSuccessfulRunNames ?? []).includes(runAt('forbid', '2026-01-01T01:00:00Z')),
  );
  assert.match(between.status?.reason ?? '', /skipped the run at 2026-01-01T02:00:00Z: concurrencyPolicy Forbid/);
  moveTo(op, '2026-01-01T03:00:00Z');
  await runsWhen(op, 'forbid', [runAt('forbid', '2026-01-01T01:00:00Z'), runAt('forbid', '2026-01-01T03:00:00Z')]);
});

test('suspend stops runs and clears nextRun; resuming schedules from now without catching up', async (t) => {
  const op = await setup(t, '2026-01-01T00:30:00Z');
  await op.manager.client.create(scheduled(op, 'paused', { suspend: true }));
  await scheduleWhen(op, 'paused', 'Scheduled without nextRun', (s) => s.status?.scheduleState === 'Scheduled');
  moveTo(op, '2026-01-01T03:30:00Z');
  await op.manager.client.patch(
    ScheduledSparkApplications,
    key(op, 'paused'),
    mergePatch({ spec: { suspend: false } }),
  );
  const resumed = await scheduleWhen(op, 'paused', 'nextRun after resume', (s) => Boolean(s.status?.nextRun));
  assert.equal(resumed.status?.nextRun, '2026-01-01T04:00:00Z');
  assert.deepEqual(await runNames(op, 'paused'), []);
  moveTo(op, '2026-01-01T04:00:00Z');
  await runsWhen(op, 'paused', [runAt('paused', '2026-01-01T04:00:00Z')]);
});

test('a bad schedule or time zone: FailedValidation naming the field, a Warning event, fixed by an edit', async (t) => {
  const op = await setup(t, '2026-01-01T00:30:00Z');
  await op.manager.client.create(scheduled(op, 'bad-cron', { schedule: '0 24 * * *' }));
  await op.manager.client.create(scheduled(op, 'bad-zone', { timeZone: 'Europe/Atlantis' }));
  const cron = await scheduleWhen(
    op,
    'bad-cron',
    'FailedValidation',
    (s) => s.status?.scheduleState === 'FailedValidation',
  );
  assert.equal(cron.status?.reason, 'spec.schedule: hour field "24": 24 is above the maximum 23');
  const zone = await scheduleWhen(
    op,
    'bad-zone',
    'FailedValidation',
    (s) => s.status?.scheduleState === 'FailedValidation',
  );
  assert.match(zone.status?.reason ?? '', /^spec\.timeZone: unknown time zone "Europe\/Atlantis"/);
  await eventually('Warning event', async () => {
    const events = await op.ns.core.listNamespacedEvent({ namespace: op.ns.namespace });
    return events.items.some(
      (e) => e.type === 'Warning' && e.reason === 'FailedValidation' && e.involvedObject.name === 'bad-cron',
    );
  });
  await op.manager.client.patch(
    ScheduledSparkApplications,
    key(op, 'bad-cron'),
    mergePatch({ spec: { schedule: '0 23 * * *' } }),
  );
  const fixed = await scheduleWhen(op, 'bad-cron', 'Scheduled', (s) => s.status?.scheduleState === 'Scheduled');
  assert.equal(fixed.status?.nextRun, '2026-01-01T23:00:00Z');
  assert.equal(fixed.status?.reason, undefined);
});

test('time zones: 02:30 Europe/Berlin is skipped on spring-forward and runs twice on fall-back; CRON_TZ wins', async (t) => {
  const op = await setup(t, '2026-03-28T12:00:00Z');
  await op.manager.client.create(scheduled(op, 'berlin', { schedule: '30 2 * * *', timeZone: 'Europe/Berlin' }));
  await op.manager.client.create(
    scheduled(op, 'prefixed', { schedule: 'CRON_TZ=America/New_York 30 2 * * *', timeZone: 'Europe/Berlin' }),
  );
  // 2026-03-29 has no 02:30 in Berlin: the next run is on the 30th, 02:30 CEST.
  await scheduleWhen(op, 'berlin', 'nextRun on the 30th', (s) => s.status?.nextRun === '2026-03-30T00:30:00Z');
  await scheduleWhen(op, 'prefixed', 'New York 02:30 EDT', (s) => s.status?.nextRun === '2026-03-29T06:30:00Z');

  // Fall-back: restart the clock on 2026-10-24 by moving there (runs in between are not the point here).
  await op.manager.client.patch(
    ScheduledSparkApplications,
    key(op, 'prefixed'),
    mergePatch({ spec: { suspend: true } }),
  );
  moveTo(op, '2026-10-25T00:00:00Z');
  await runsWhen(op, 'berlin', [runAt('berlin', '2026-10-24T00:30:00Z')]);
  await finish(op, runAt('berlin', '2026-10-24T00:30:00Z'), 'COMPLETED');
  await scheduleWhen(op, 'berlin', 'first 02:30 (CEST)', (s) => s.status?.nextRun === '2026-10-25T00:30:00Z');
  moveTo(op, '2026-10-25T00:30:00Z');
  const cest = runAt('berlin', '2026-10-25T00:30:00Z');
  await scheduleWhen(op, 'berlin', 'second 02:30 (CET)', (s) => s.status?.nextRun === '2026-10-25T01:30:00Z');
  await finish(op, cest, 'COMPLETED');
  moveTo(op, '2026-10-25T01:30:00Z');
  const cet = runAt('berlin', '2026-10-25T01:30:00Z');
  await scheduleWhen(op, 'berlin', 'next day', (s) => s.status?.nextRun === '2026-10-26T01:30:00Z');
  await eventually('both 02:30 runs exist', async () => {
    const names = await runNames(op, 'berlin');
    return names.includes(cest) && names.includes(cet);
  });
});

test('operator downtime: only the latest missed run starts, once, after a restart', async (t) => {
  const op = await setup(t, '2026-01-01T00:30:00Z');
  await op.manager.client.create(scheduled(op, 'catchup', {}));
  await scheduleWhen(op, 'catchup', 'nextRun', (s) => s.status?.nextRun === '2026-01-01T01:00:00Z');
  await op.stop();

  // Down from 00:30 to 05:30: 01:00 … 05:00 were missed; only 05:00 runs.
  const clock = new FakeClock(at('2026-01-01T05:30:00Z'));
  const second = await startOperator(t, op.ns, clock);
  const latest = runAt('catchup', '2026-01-01T05:00:00Z');
  await runsWhen(second, 'catchup', [latest]);
  await scheduleWhen(second, 'catchup', 'nextRun 06:00', (s) => s.status?.nextRun === '2026-01-01T06:00:00Z');
  // A third start with the status rolled back (as after a crash before the status write) adopts the run.
  await second.stop();
  const current = await second.manager.client.apiReader.get(ScheduledSparkApplications, key(second, 'catchup'));
  await second.manager.client
    .status()
    .update({ ...structuredClone(current), status: { ...current.status, nextRun: '2026-01-01T05:00:00Z' } });
  const third = await startOperator(t, op.ns, new FakeClock(at('2026-01-01T05:31:00Z')));
  await scheduleWhen(
    third,
    'catchup',
    'nextRun 06:00 again',
    (s) => s.status?.lastRunName === latest && s.status?.nextRun === '2026-01-01T06:00:00Z',
  );
  assert.deepEqual(await runNames(third, 'catchup'), [latest]);
});

test('deleting the schedule deletes its runs (owner references, garbage collector)', async (t) => {
  const op = await setup(t, '2026-01-01T00:59:00Z');
  await op.manager.client.create(scheduled(op, 'owned', {}));
  await scheduleWhen(op, 'owned', 'nextRun', (s) => Boolean(s.status?.nextRun));
  op.clock.advance(MINUTE);
  const run = runAt('owned', '2026-01-01T01:00:00Z');
  await runsWhen(op, 'owned', [run]);
  const schedule = await op.manager.client.apiReader.get(ScheduledSparkApplications, key(op, 'owned'));
  await op.manager.client.delete(schedule, { propagationPolicy: 'Background' });
  await eventually('run garbage-collected', async () => {
    try {
      await op.manager.client.apiReader.get(SparkApplications, key(op, run));
      return false;
    } catch (err) {
      return isNotFound(err);
    }
  });
});
