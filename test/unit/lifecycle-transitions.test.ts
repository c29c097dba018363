// Every row of the transition table, driven through decide(): one test per row. scenario() switches over every
// Trigger, so a new trigger without a scenario fails the type check, and a new row is tested automatically.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type DecideInput,
  decide,
  nextSubmissionID,
  SPEC_HASH_ANNOTATION,
  type SparkApplication,
  specHash,
  TRANSITIONS,
  type Trigger,
} from '../../src/spark/lifecycle/index.ts';
import { driverPod, input, makeApp, state, T0, withState } from './lifecycle-helpers.ts';

const LATER = T0 + 3600_000;
const hashed = (spec: Partial<SparkApplication['spec']> = {}) =>
  makeApp(spec, undefined, { [SPEC_HASH_ANNOTATION]: specHash(makeApp(spec)) });

function inState(from: string, spec: Partial<SparkApplication['spec']> = {}): SparkApplication {
  return from === '' ? hashed(spec) : withState(hashed(spec), from);
}

function submission(from: string, result: 'Submitted' | 'Failed'): DecideInput {
  const app = inState(from, { restartPolicy: { type: 'Always' } });
  const attempt = (app.status?.submissionAttempts ?? 0) + 1;
  const submissionID = nextSubmissionID(app, attempt);
  const feedback =
    result === 'Submitted'
      ? ({ kind: 'SubmissionResult', submissionID, result } as const)
      : ({ kind: 'SubmissionResult', submissionID, result, message: 'denied' } as const);
  return input(app, { now: LATER, feedback });
}

const driverPhase: Partial<Record<Trigger, { phase: string; exitCode?: number }>> = {
  driverPending: { phase: 'Pending' },
  driverRunning: { phase: 'Running' },
  driverSucceeded: { phase: 'Succeeded', exitCode: 0 },
  driverFailed: { phase: 'Failed', exitCode: 2 },
  driverUnknown: { phase: 'Unknown' },
};

function scenario(from: string, trigger: Trigger): DecideInput {
  switch (trigger) {
    case 'submitted':
      return submission(from, 'Submitted');
    case 'submissionFailed':
      return submission(from, 'Failed');
    case 'submissionRetriesExhausted':
      return input(inState(from));
    case 'driverPending':
    case 'driverRunning':
    case 'driverSucceeded':
    case 'driverFailed':
    case 'driverUnknown': {
      const p = driverPhase[trigger] ?? { phase: 'Unknown' };
      const pod = driverPod(p.phase, {
        submissionID: 'sub-1',
        ...(p.exitCode !== undefined ? { exitCode: p.exitCode } : {}),
      });
      return input(inState(from), { driverPod: pod, now: LATER });
    }
    case 'driverMissing':
      return input(inState(from), {
        now: LATER,
        feedback: { kind: 'DriverLiveCheck', submissionID: 'sub-1', pod: null },
      });
    case 'completed':
      return input(inState(from));
    case 'rerunAfterSuccess':
      return input(inState(from, { restartPolicy: { type: 'Always' } }));
    case 'rerunAfterFailure':
      return input(inState(from, { restartPolicy: { type: 'OnFailure', onFailureRetries: 1 } }), { now: LATER });
    case 'failed':
      return input(inState(from));
    case 'specChanged':
      return input(withState(makeApp({}, undefined, { [SPEC_HASH_ANNOTATION]: 'sha256:old' }), from), { now: LATER });
    case 'resourcesReleased':
    case 'suspended':
      return input(inState(from, trigger === 'suspended' ? { suspend: true } : {}));
    case 'suspendRequested':
      return input(inState(from, { suspend: true }));
    case 'resumeRequested':
      return input(inState(from, { suspend: false }));
  }
}

for (const row of TRANSITIONS) {
  test(`${row.from || '""'} --${row.trigger}--> ${row.to} records ${row.reason}`, () => {
    const d = decide(scenario(row.from, row.trigger));
    assert.equal(state(d), row.to);
    assert.ok(
      d.events.some((e) => e.reason === row.reason && e.type === row.eventType),
      `events: ${JSON.stringify(d.events)}`,
    );
    assert.equal(d.statusChanged, true);
  });
}

test('the table has one row per (from, trigger) and only known target states', () => {
  const keys = TRANSITIONS.map((t) => `${t.from}|${t.trigger}`);
  assert.equal(new Set(keys).size, keys.length);
  assert.ok(!TRANSITIONS.some((t) => t.from === 'COMPLETED' || t.from === 'FAILED'), 'terminal states have no exits');
});
