// decide(): the ScheduledSparkApplication controller's decisions, scenario by scenario, with times given directly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decide,
  MAX_RUN_NAME_LENGTH,
  type RunObservation,
  runName,
  type ScheduleInput,
} from '../../src/spark/schedule/index.ts';

const at = (iso: string) => Date.parse(iso);
const ctx = (now: string, extra: { missedRunWindowMs?: number } = {}) => ({
  now: at(now),
  localTimeZone: 'UTC',
  ...extra,
});
const input = (spec: Partial<ScheduleInput['spec']>, status?: ScheduleInput['status']): ScheduleInput => ({
  name: 'nightly',
  spec: { schedule: '0 * * * *', ...spec },
  status,
});
const run = (hour: string, state: string): RunObservation => ({
  name: runName('nightly', at(`2026-01-01T${hour}:00:00Z`)),
  runTime: at(`2026-01-01T${hour}:00:00Z`),
  state,
});

test('a new schedule gets its nextRun and waits exactly until then, starting nothing', () => {
  const plan = decide(input({}), [], ctx('2026-01-01T00:20:00Z'));
  assert.deepEqual(plan.actions, []);
  assert.equal(plan.status.scheduleState, 'Scheduled');
  assert.equal(plan.status.nextRun, '2026-01-01T01:00:00Z');
  assert.equal(plan.requeueAfterMs, 40 * 60_000);
});

test('due: creates the run named after its time, moves nextRun on, requeues at the next one', () => {
  const plan = decide(
    input({}, { scheduleState: 'Scheduled', nextRun: '2026-01-01T01:00:00Z' }),
    [],
    ctx('2026-01-01T01:00:00Z'),
  );
  const name = runName('nightly', at('2026-01-01T01:00:00Z'));
  assert.equal(name, 'nightly-1767229200');
  assert.deepEqual(plan.actions, [{ kind: 'create', name, runTime: at('2026-01-01T01:00:00Z') }]);
  assert.equal(plan.status.lastRunName, name);
  assert.equal(plan.status.lastRun, '2026-01-01T01:00:00Z');
  assert.equal(plan.status.nextRun, '2026-01-01T02:00:00Z');
  assert.equal(plan.requeueAfterMs, 3_600_000);
  assert.deepEqual(
    plan.events.map((e) => e.reason),
    ['ScheduledRunCreated'],
  );
});

test('after a crash, an existing run of that time is adopted, not created again', () => {
  const plan = decide(
    input({}, { nextRun: '2026-01-01T01:00:00Z' }),
    [run('01', 'RUNNING')],
    ctx('2026-01-01T01:00:05Z'),
  );
  assert.deepEqual(plan.actions, []);
  assert.equal(plan.status.lastRunName, run('01', '').name);
});

test('taken over from kubeflow: its run of the due time (its own name, created then) is adopted; its earlier runs are history', () => {
  // kubeflow names runs <schedule>-<nanoseconds> and writes lastRun/nextRun from the time it ran them.
  const kubeflowRun = (name: string, created: string, state: string): RunObservation => ({
    name,
    runTime: at(created),
    state,
    foreign: true,
  });
  const earlier = kubeflowRun('nightly-1767225600123456789', '2026-01-01T00:00:00Z', 'COMPLETED');
  // kubeflow created the 01:00 run, then stopped before writing its status: nextRun still says 01:00.
  const started = kubeflowRun('nightly-1767229200250000000', '2026-01-01T01:00:00Z', 'RUNNING');
  const taken = decide(
    input({}, { scheduleState: 'Scheduled', nextRun: '2026-01-01T01:00:00Z', lastRunName: earlier.name }),
    [earlier, started],
    ctx('2026-01-01T01:00:03Z'),
  );
  assert.deepEqual(taken.actions, [], 'no second run for 01:00');
  assert.equal(taken.status.lastRunName, started.name);
  assert.equal(taken.status.nextRun, '2026-01-01T02:00:00Z');
  assert.deepEqual(taken.status.pastSuccessfulRunNames, [earlier.name]);
  // A kubeflow run older than the due time is not that time's run: the due run starts.
  const due = decide(
    input({}, { scheduleState: 'Scheduled', nextRun: '2026-01-01T01:00:00Z' }),
    [earlier],
    ctx('2026-01-01T01:00:03Z'),
  );
  assert.deepEqual(due.actions, [
    { kind: 'create', name: runName('nightly', at('2026-01-01T01:00:00Z')), runTime: at('2026-01-01T01:00:00Z') },
  ]);
});

test('downtime: only the latest missed run starts, never a burst', () => {
  const plan = decide(input({}, { nextRun: '2026-01-01T01:00:00Z' }), [], ctx('2026-01-01T05:30:00Z'));
  assert.deepEqual(plan.actions, [
    { kind: 'create', name: runName('nightly', at('2026-01-01T05:00:00Z')), runTime: at('2026-01-01T05:00:00Z') },
  ]);
  assert.match(plan.events[0]?.message ?? '', /4 earlier missed run\(s\) not started/);
  assert.equal(plan.status.nextRun, '2026-01-01T06:00:00Z');
});

test('downtime beyond the missed-run window: nothing starts, a warning says why', () => {
  const plan = decide(
    input({}, { nextRun: '2026-01-01T01:00:00Z' }),
    [],
    ctx('2026-01-01T05:30:00Z', { missedRunWindowMs: 10 * 60_000 }),
  );
  assert.deepEqual(plan.actions, []);
  assert.equal(plan.events[0]?.reason, 'ScheduledRunMissed');
  assert.match(
    plan.status.reason ?? '',
    /missed the run at 2026-01-01T05:00:00Z: 1800s late, beyond the missed-run window of 600s/,
  );
  assert.equal(plan.status.nextRun, '2026-01-01T06:00:00Z');
});

test('Forbid skips while a run is unfinished; Replace deletes it first; Allow runs alongside', () => {
  const status = { nextRun: '2026-01-01T02:00:00Z' };
  const runs = [run('01', 'RUNNING')];
  const forbid = decide(input({ concurrencyPolicy: 'Forbid' }, status), runs, ctx('2026-01-01T02:00:00Z'));
  assert.deepEqual(forbid.actions, []);
  assert.match(forbid.status.reason ?? '', /concurrencyPolicy Forbid and nightly-1767229200 not finished/);
  assert.equal(forbid.status.nextRun, '2026-01-01T03:00:00Z');
  const replace = decide(input({ concurrencyPolicy: 'Replace' }, status), runs, ctx('2026-01-01T02:00:00Z'));
  assert.deepEqual(
    replace.actions.map((a) => `${a.kind} ${a.name}`),
    ['delete nightly-1767229200', 'create nightly-1767232800'],
  );
  const allow = decide(input({}, status), runs, ctx('2026-01-01T02:00:00Z'));
  assert.deepEqual(
    allow.actions.map((a) => a.kind),
    ['create'],
  );
  const forbidDone = decide(
    input({ concurrencyPolicy: 'Forbid' }, status),
    [run('01', 'COMPLETED')],
    ctx('2026-01-01T02:00:00Z'),
  );
  assert.deepEqual(
    forbidDone.actions.map((a) => a.kind),
    ['create'],
  );
});

test('a skip or miss reason stays until the next due time, and goes when the schedule changes', () => {
  const runs = [run('01', 'RUNNING')];
  const skipped = decide(
    input({ concurrencyPolicy: 'Forbid' }, { scheduleState: 'Scheduled', nextRun: '2026-01-01T02:00:00Z' }),
    runs,
    ctx('2026-01-01T02:00:00Z'),
  );
  const reason = skipped.status.reason ?? '';
  assert.match(reason, /skipped the run at 2026-01-01T02:00:00Z/);
  // The run finishing maps to its schedule: the reconcile before 03:00 keeps the reason and records nothing.
  const between = decide(
    input({ concurrencyPolicy: 'Forbid' }, skipped.status),
    [run('01', 'COMPLETED')],
    ctx('2026-01-01T02:10:00Z'),
  );
  assert.equal(between.status.reason, reason);
  assert.deepEqual(between.events, []);
  assert.equal(between.status.nextRun, '2026-01-01T03:00:00Z');
  // The next due time is handled: a created run clears it.
  const next = decide(
    input({ concurrencyPolicy: 'Forbid' }, between.status),
    [run('01', 'COMPLETED')],
    ctx('2026-01-01T03:00:00Z'),
  );
  assert.deepEqual(
    next.actions.map((a) => a.kind),
    ['create'],
  );
  assert.equal(next.status.reason, undefined);
  // A changed schedule makes nextRun stale: the old reason no longer applies.
  const changed = decide(
    input({ concurrencyPolicy: 'Forbid', schedule: '30 * * * *' }, skipped.status),
    runs,
    ctx('2026-01-01T02:10:00Z'),
  );
  assert.equal(changed.status.nextRun, '2026-01-01T02:30:00Z');
  assert.equal(changed.status.reason, undefined);
  // A missed run's reason stays the same way.
  const missed = decide(
    input({}, { scheduleState: 'Scheduled', nextRun: '2026-01-01T01:00:00Z' }),
    [],
    ctx('2026-01-01T05:30:00Z', { missedRunWindowMs: 10 * 60_000 }),
  );
  const later = decide(input({}, missed.status), [], ctx('2026-01-01T05:45:00Z', { missedRunWindowMs: 10 * 60_000 }));
  assert.match(later.status.reason ?? '', /missed the run at 2026-01-01T05:00:00Z/);
});

test('history: finished runs beyond the limits are deleted, oldest first, even when nothing is due', () => {
  const runs = [
    run('01', 'COMPLETED'),
    run('02', 'COMPLETED'),
    run('03', 'COMPLETED'),
    run('04', 'FAILED'),
    run('05', 'FAILED'),
    run('06', 'RUNNING'),
  ];
  const plan = decide(
    input({ successfulRunHistoryLimit: 2 }, { nextRun: '2026-01-01T07:00:00Z' }),
    [...runs].reverse(),
    ctx('2026-01-01T06:30:00Z'),
  );
  assert.deepEqual(plan.actions, [
    { kind: 'delete', name: run('01', '').name, why: 'history' },
    { kind: 'delete', name: run('04', '').name, why: 'history' },
  ]);
  assert.deepEqual(plan.status.pastSuccessfulRunNames, [run('03', '').name, run('02', '').name]);
  assert.deepEqual(plan.status.pastFailedRunNames, [run('05', '').name]);
  assert.equal(plan.requeueAfterMs, 30 * 60_000);
  const none = decide(
    input({ successfulRunHistoryLimit: 0, failedRunHistoryLimit: 0 }, { nextRun: '2026-01-01T07:00:00Z' }),
    runs,
    ctx('2026-01-01T06:30:00Z'),
  );
  assert.equal(none.actions.length, 5);
});

test('suspend: nothing starts, nextRun is cleared, no requeue; resuming computes nextRun from now', () => {
  const plan = decide(
    input({ suspend: true }, { scheduleState: 'Scheduled', nextRun: '2026-01-01T01:00:00Z' }),
    [],
    ctx('2026-01-01T03:00:00Z'),
  );
  assert.deepEqual(plan.actions, []);
  assert.equal(plan.status.nextRun, undefined);
  assert.equal(plan.requeueAfterMs, undefined);
  const resumed = decide(input({}, plan.status), [], ctx('2026-01-01T03:10:00Z'));
  assert.deepEqual(resumed.actions, []);
  assert.equal(resumed.status.nextRun, '2026-01-01T04:00:00Z');
});

test('validation: FailedValidation with the field and part, one warning per distinct reason, no requeue', () => {
  const plan = decide(
    input({ schedule: '0 24 * * *' }, { nextRun: '2026-01-01T01:00:00Z' }),
    [],
    ctx('2026-01-01T03:00:00Z'),
  );
  assert.equal(plan.status.scheduleState, 'FailedValidation');
  assert.equal(plan.status.reason, 'spec.schedule: hour field "24": 24 is above the maximum 23');
  assert.equal(plan.status.nextRun, undefined);
  assert.equal(plan.requeueAfterMs, undefined);
  assert.deepEqual(
    plan.events.map((e) => e.type),
    ['Warning'],
  );
  assert.deepEqual(decide(input({ schedule: '0 24 * * *' }, plan.status), [], ctx('2026-01-01T03:01:00Z')).events, []);
  const many = decide(
    input({
      timeZone: 'Atlantis/City',
      concurrencyPolicy: 'Sometimes' as 'Allow' /* what a user can still write */,
      failedRunHistoryLimit: -1,
    }),
    [],
    ctx('2026-01-01T03:00:00Z'),
  );
  assert.equal(
    many.status.reason,
    'spec.timeZone: unknown time zone "Atlantis/City" (expected an IANA name such as "Europe/Berlin", or "Local"); spec.concurrencyPolicy: "Sometimes" is not one of Allow, Forbid, Replace; spec.failedRunHistoryLimit: -1 must be a whole number ≥ 0',
  );
  const fixed = decide(input({}, plan.status), [], ctx('2026-01-01T03:02:00Z'));
  assert.equal(fixed.status.scheduleState, 'Scheduled');
  assert.equal(fixed.status.reason, undefined);
});

test('a changed schedule replaces a stale nextRun instead of running at the old time', () => {
  const earlier = decide(
    input({ schedule: '*/5 * * * *' }, { nextRun: '2026-01-02T00:00:00Z' }),
    [],
    ctx('2026-01-01T03:01:00Z'),
  );
  assert.equal(earlier.status.nextRun, '2026-01-01T03:05:00Z');
  const offGrid = decide(
    input({ schedule: '30 * * * *' }, { nextRun: '2026-01-01T03:00:00Z' }),
    [],
    ctx('2026-01-01T03:01:00Z'),
  );
  assert.deepEqual(offGrid.actions, []);
  assert.equal(offGrid.status.nextRun, '2026-01-01T03:30:00Z');
});

test('run names: deterministic, ≤ 63 characters, DNS-1035, distinct for long names sharing a prefix', () => {
  const t = at('2026-01-01T01:00:00Z');
  assert.equal(runName('nightly', t), runName('nightly', t));
  assert.notEqual(runName('nightly', t), runName('nightly', t + 60_000));
  const long = 'a'.repeat(60);
  const a = runName(`${long}-x`, t);
  const b = runName(`${long}-y`, t);
  assert.notEqual(a, b);
  for (const name of [a, b, runName('x'.repeat(52), t), runName('9lives.example', t), runName('x'.repeat(253), t)]) {
    assert.ok(name.length <= MAX_RUN_NAME_LENGTH, name);
    assert.match(name, /^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    assert.ok(name.endsWith('-1767229200'), name);
  }
  assert.equal(runName('x'.repeat(52), t), `${'x'.repeat(52)}-1767229200`);
});
