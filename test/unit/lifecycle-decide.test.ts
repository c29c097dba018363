import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type DeleteDriverResources,
  decide,
  LifecycleInputError,
  nextSubmissionID,
  resolveSettings,
  SPEC_HASH_ANNOTATION,
  type SubmitDriver,
  specHash,
} from '../../src/spark/lifecycle/index.ts';
import {
  driverPod,
  executorPod,
  FakeCluster,
  input,
  iso,
  kinds,
  makeApp,
  reasons,
  SETTINGS,
  state,
  T0,
  withState,
} from './lifecycle-helpers.ts';

const S = 1000;

describe('new application', () => {
  test('asks to submit attempt 1 (its id records the spec: no annotation write), awaiting the result', () => {
    const app = makeApp();
    const d = decide(input(app));
    assert.deepEqual(kinds(d.actions), ['SubmitDriver']);
    const submit = d.actions[0] as SubmitDriver;
    assert.equal(submit.attempt, 1);
    assert.equal(submit.driverPodName, 'pi-driver');
    assert.equal(submit.submissionID, nextSubmissionID(app, 1));
    assert.equal(d.awaiting, 'SubmissionResult');
    assert.equal(d.statusChanged, false);
    assert.deepEqual(d.events, []);
  });

  test('a successful submission moves to SUBMITTED with the counters, time and pod name', () => {
    const app = makeApp();
    const id = nextSubmissionID(app, 1);
    const d = decide(input(app, { feedback: { kind: 'SubmissionResult', submissionID: id, result: 'Submitted' } }));
    assert.equal(state(d), 'SUBMITTED');
    assert.equal(d.status.submissionID, id);
    assert.equal(d.status.submissionAttempts, 1);
    assert.equal(d.status.executionAttempts, 1);
    assert.equal(d.status.lastSubmissionAttemptTime, iso(T0));
    assert.equal(d.status.driverInfo.podName, 'pi-driver');
    assert.deepEqual(reasons(d), ['SparkApplicationSubmitted']);
    assert.equal(d.requeueAfterMs, SETTINGS.driverPodCreationGracePeriodMs);
    assert.equal(d.awaiting, undefined);
  });

  test('the driver pod name follows spec.driver.podName, then sparkConf', () => {
    const a = decide(input(makeApp({ driver: { podName: 'custom' } }))).actions[0] as SubmitDriver;
    assert.equal(a.driverPodName, 'custom');
    const b = decide(input(makeApp({ sparkConf: { 'spark.kubernetes.driver.pod.name': 'fromconf' } })))
      .actions[0] as SubmitDriver;
    assert.equal(b.driverPodName, 'fromconf');
  });

  test('a failed submission moves to SUBMISSION_FAILED with a one-line message and counts the attempt only', () => {
    const app = makeApp();
    const id = nextSubmissionID(app, 1);
    const d = decide(
      input(app, {
        feedback: {
          kind: 'SubmissionResult',
          submissionID: id,
          result: 'Failed',
          message: 'admission webhook denied the pod\n\tat some.Stack(Trace.java:1)',
        },
      }),
    );
    assert.equal(state(d), 'SUBMISSION_FAILED');
    assert.equal(d.status.submissionAttempts, 1);
    assert.equal(d.status.executionAttempts, undefined);
    assert.equal(
      d.status.applicationState?.errorMessage,
      'failed to submit the driver (attempt 1): admission webhook denied the pod',
    );
    assert.deepEqual(reasons(d), ['SparkApplicationSubmissionFailed']);
    assert.equal(d.requeueAfterMs, 0);
  });

  test('a Blocked submission (old pod the cache did not show) changes no state and waits', () => {
    const app = makeApp();
    const id = nextSubmissionID(app, 1);
    const d = decide(
      input(app, { feedback: { kind: 'SubmissionResult', submissionID: id, result: 'Blocked', message: 'exists' } }),
    );
    assert.equal(state(d), '');
    assert.equal(d.statusChanged, false);
    assert.deepEqual(reasons(d), ['SparkApplicationSubmissionBlocked']);
    assert.equal(d.requeueAfterMs, SETTINGS.deletionPollIntervalMs);
  });

  test('feedback for another submission, or feedback nobody asked for, is a LifecycleInputError', () => {
    const app = makeApp();
    assert.throws(
      () => decide(input(app, { feedback: { kind: 'SubmissionResult', submissionID: 'other', result: 'Submitted' } })),
      (e) => e instanceof LifecycleInputError && /feedback is for submission other/.test(e.message),
    );
    const running = withState(makeApp(), 'RUNNING');
    assert.throws(
      () =>
        decide(
          input(running, {
            driverPod: driverPod('Running', { submissionID: 'sub-1' }),
            feedback: { kind: 'SubmissionResult', submissionID: 'x', result: 'Submitted' },
          }),
        ),
      LifecycleInputError,
    );
  });

  test('bad now or settings are LifecycleInputErrors naming the problem', () => {
    assert.throws(() => decide(input(makeApp(), { now: Number.NaN })), /now must be a finite number/);
    assert.throws(() => resolveSettings({ maxTrackedExecutors: -1 }), /maxTrackedExecutors must be a whole number/);
    assert.throws(
      () => decide(input(makeApp(), { settings: { ...SETTINGS, deletionPollIntervalMs: 1.5 } })),
      /deletionPollIntervalMs/,
    );
  });
});

describe('crash safety and idempotence', () => {
  test('a reconciler that crashed after creating the pod asks for the same submission and adopts the pod', () => {
    const cluster = new FakeCluster(makeApp());
    const first = cluster.reconcile(T0, { crashAfterActions: true });
    assert.equal(cluster.state, '');
    assert.equal(cluster.live.size, 1);
    const again = cluster.reconcile(T0 + S);
    const a1 = first.actions.find((a) => a.kind === 'SubmitDriver') as SubmitDriver;
    const a2 = cluster.log[0]?.first.actions.find((a) => a.kind === 'SubmitDriver') as SubmitDriver;
    assert.deepEqual(a2, a1);
    assert.equal(state(again), 'SUBMITTED');
    assert.equal(again.status.submissionID, a1.submissionID);
    assert.equal(cluster.live.size, 1, 'no second driver pod');
  });

  test('the same input always gives the same decision', () => {
    const app = withState(makeApp(), 'RUNNING');
    const i = input(app, {
      driverPod: driverPod('Running', { submissionID: 'sub-1' }),
      executorPods: [executorPod(1, 'Running')],
    });
    assert.deepEqual(decide(i), decide(i));
  });
});

describe('following the driver', () => {
  const table: [string, string, { phase: string; exitCode?: number }, string, string[]][] = [
    ['SUBMITTED', 'pending', { phase: 'Pending' }, 'SUBMITTED', []],
    ['SUBMITTED', 'running', { phase: 'Running' }, 'RUNNING', ['SparkDriverRunning']],
    ['SUBMITTED', 'succeeded', { phase: 'Succeeded', exitCode: 0 }, 'SUCCEEDING', ['SparkDriverCompleted']],
    [
      'RUNNING',
      'sidecar still running, driver exit 0',
      { phase: 'Running', exitCode: 0 },
      'SUCCEEDING',
      ['SparkDriverCompleted'],
    ],
    [
      'RUNNING',
      'sidecar still running, driver exit 1',
      { phase: 'Running', exitCode: 1 },
      'FAILING',
      ['SparkDriverFailed'],
    ],
    ['RUNNING', 'failed', { phase: 'Failed', exitCode: 137 }, 'FAILING', ['SparkDriverFailed']],
    [
      'RUNNING',
      'failed pod but driver exit 0',
      { phase: 'Failed', exitCode: 0 },
      'SUCCEEDING',
      ['SparkDriverCompleted'],
    ],
    ['RUNNING', 'unknown phase', { phase: 'Unknown' }, 'UNKNOWN', ['SparkDriverUnknown']],
    ['UNKNOWN', 'running again', { phase: 'Running' }, 'RUNNING', ['SparkDriverRunning']],
    ['RUNNING', 'back to pending', { phase: 'Pending' }, 'SUBMITTED', ['SparkDriverPending']],
  ];
  for (const [from, label, pod, to, events] of table) {
    test(`${from} + driver ${label} → ${to}`, () => {
      const app = withState(makeApp({}, undefined, { [SPEC_HASH_ANNOTATION]: specHash(makeApp()) }), from);
      const d = decide(
        input(app, {
          driverPod: driverPod(pod.phase, {
            submissionID: 'sub-1',
            ...(pod.exitCode !== undefined ? { exitCode: pod.exitCode } : {}),
          }),
          now: T0 + 60 * S,
        }),
      );
      assert.equal(state(d), to);
      assert.deepEqual(reasons(d), events);
      if (to === 'SUCCEEDING' || to === 'FAILING') assert.equal(d.status.terminationTime, iso(T0 + 60 * S));
      if (to !== from) assert.equal(d.statusChanged, true);
    });
  }

  test('a failed driver records its exit code and reason, never container output', () => {
    const app = withState(makeApp(), 'RUNNING');
    const d = decide(
      input(app, { driverPod: driverPod('Failed', { submissionID: 'sub-1', exitCode: 137, reason: 'OOMKilled' }) }),
    );
    assert.equal(d.status.applicationState?.errorMessage, 'driver container failed with exit code 137 (OOMKilled)');
  });

  test('records the Spark application id from the driver, prefers the executors’', () => {
    const app = withState(makeApp(), 'SUBMITTED');
    const d1 = decide(input(app, { driverPod: driverPod('Running', { submissionID: 'sub-1' }) }));
    assert.equal(d1.status.sparkApplicationId, 'spark-0123');
    const d2 = decide(
      input(app, {
        driverPod: driverPod('Running', { submissionID: 'sub-1' }),
        executorPods: [executorPod(1, 'Running')],
      }),
    );
    assert.equal(d2.status.sparkApplicationId, 'spark-exec');
  });

  test('a driver pod of an older submission is ignored (treated as missing)', () => {
    const app = withState(makeApp(), 'RUNNING');
    const old = driverPod('Failed', { submissionID: 'sub-0', exitCode: 1 });
    const d = decide(input(app, { driverPod: old, now: T0 + 60 * S }));
    assert.equal(state(d), 'RUNNING', 'not FAILING: the failed pod is an older attempt');
    assert.deepEqual(kinds(d.actions), ['RecordSpecHash', 'ConfirmDriverMissing']);
  });

  test('executor pods of an older submission are ignored', () => {
    const app = withState(makeApp(), 'RUNNING');
    const d = decide(
      input(app, {
        driverPod: driverPod('Running', { submissionID: 'sub-1' }),
        executorPods: [executorPod(1, 'Running'), executorPod(2, 'Failed', 'sub-0')],
      }),
    );
    assert.deepEqual(d.status.executorState, { 'pi-1a2b-exec-1': 'RUNNING' });
  });
});

describe('missing driver pod: grace period and live check (kubeflow #2302)', () => {
  const submitted = withState(makeApp(), 'SUBMITTED');

  test('within the grace period: wait, no live check, requeue when the grace period ends', () => {
    const d = decide(input(submitted, { now: T0 + 4 * S }));
    assert.equal(state(d), 'SUBMITTED');
    assert.deepEqual(
      kinds(d.actions).filter((k) => k !== 'RecordSpecHash'),
      [],
    );
    assert.equal(d.requeueAfterMs, SETTINGS.driverPodCreationGracePeriodMs - 4 * S);
  });

  test('after the grace period: ask for a live read, change nothing yet', () => {
    const d = decide(input(submitted, { now: T0 + 11 * S }));
    assert.equal(d.awaiting, 'DriverLiveCheck');
    assert.deepEqual(d.actions.at(-1), { kind: 'ConfirmDriverMissing', podName: 'pi-driver', submissionID: 'sub-1' });
    assert.equal(d.statusChanged, false);
  });

  test('the live read finds the pod: follow it, do not fail', () => {
    const d = decide(
      input(submitted, {
        now: T0 + 11 * S,
        feedback: {
          kind: 'DriverLiveCheck',
          submissionID: 'sub-1',
          pod: driverPod('Running', { submissionID: 'sub-1' }),
        },
      }),
    );
    assert.equal(state(d), 'RUNNING');
  });

  test('the live read finds nothing either: FAILING with a clear message', () => {
    const d = decide(
      input(submitted, { now: T0 + 11 * S, feedback: { kind: 'DriverLiveCheck', submissionID: 'sub-1', pod: null } }),
    );
    assert.equal(state(d), 'FAILING');
    assert.equal(d.status.applicationState?.errorMessage, 'driver pod pi-driver not found');
    assert.deepEqual(reasons(d), ['SparkDriverNotFound']);
    assert.equal(d.status.terminationTime, iso(T0 + 11 * S));
  });

  test('end to end: a cache that lags does not fail a good application', () => {
    const cluster = new FakeCluster(makeApp());
    cluster.cacheFollows = false;
    cluster.reconcile(T0);
    assert.equal(cluster.state, 'SUBMITTED');
    assert.equal(cluster.cache.size, 0, 'the cache has not seen the driver pod');
    cluster.reconcile(T0 + 20 * S);
    assert.equal(cluster.state, 'SUBMITTED', 'the live read found the pending pod');
    cluster.driverTo('Running');
    cluster.reconcile(T0 + 30 * S);
    assert.equal(cluster.state, 'RUNNING');
  });

  test('RUNNING with the pod gone asks for a live read without a grace period', () => {
    const app = withState(makeApp(), 'RUNNING', { lastSubmissionAttemptTime: iso(T0) });
    const d = decide(input(app, { now: T0 + S }));
    assert.equal(d.awaiting, 'DriverLiveCheck');
  });
});

describe('restart policy', () => {
  test('Never: FAILING → FAILED, keeping the error message', () => {
    const app = withState(makeApp(), 'FAILING', {
      applicationState: { state: 'FAILING', errorMessage: 'driver container failed with exit code 1' },
    });
    const d = decide(input(app));
    assert.equal(state(d), 'FAILED');
    assert.equal(d.status.applicationState?.errorMessage, 'driver container failed with exit code 1');
    assert.deepEqual(reasons(d), ['SparkApplicationFailed']);
  });

  test('Never: SUCCEEDING → COMPLETED', () => {
    const d = decide(input(withState(makeApp(), 'SUCCEEDING')));
    assert.equal(state(d), 'COMPLETED');
    assert.deepEqual(reasons(d), ['SparkApplicationCompleted']);
  });

  test('Always: SUCCEEDING → PENDING_RERUN, deleting the driver resources and resetting the run', () => {
    const app = withState(makeApp({ restartPolicy: { type: 'Always' } }), 'SUCCEEDING', {
      sparkApplicationId: 'spark-1',
      terminationTime: iso(T0),
      executorState: { 'pi-exec-1': 'COMPLETED' },
    });
    const d = decide(input(app, { driverPod: driverPod('Succeeded', { submissionID: 'sub-1', exitCode: 0 }) }));
    assert.equal(state(d), 'PENDING_RERUN');
    assert.deepEqual(kinds(d.actions), ['RecordSpecHash', 'DeleteDriverResources']);
    assert.equal(d.status.sparkApplicationId, undefined);
    assert.equal(d.status.terminationTime, undefined);
    assert.equal(d.status.executorState, undefined);
    assert.equal(d.status.submissionAttempts, 1, 'counters kept');
  });

  test('OnFailure with 2 retries: waits interval × runs after the failure, reruns twice, then FAILED', () => {
    const cluster = new FakeCluster(
      makeApp({ restartPolicy: { type: 'OnFailure', onFailureRetries: 2, onFailureRetryInterval: 10 } }),
    );
    let now = T0;
    const submitIDs = new Set<string>();
    for (let run = 1; run <= 3; run++) {
      cluster.reconcile(now);
      assert.equal(cluster.state, 'SUBMITTED', `run ${run} submitted`);
      assert.equal(cluster.app.status?.executionAttempts, run);
      submitIDs.add(cluster.app.status?.submissionID ?? '');
      cluster.driverTo('Failed', 1);
      now += 60 * S;
      cluster.reconcile(now);
      assert.equal(cluster.state, 'FAILING');
      if (run === 3) break;
      const waiting = cluster.reconcile(now + 1 * S);
      assert.equal(cluster.state, 'FAILING', 'still waiting for the interval');
      assert.equal(waiting.requeueAfterMs, 10 * S * run - 1 * S);
      now += 10 * S * run;
      cluster.reconcile(now);
      assert.equal(cluster.state, 'PENDING_RERUN');
      assert.equal(cluster.live.size, 0, 'old driver deleted');
    }
    cluster.reconcile(now);
    assert.equal(cluster.state, 'FAILED');
    assert.equal(submitIDs.size, 3, 'a new submission id per attempt');
  });

  test('PENDING_RERUN waits while the old driver pod still exists, then submits the next attempt', () => {
    const app = withState(makeApp(), 'PENDING_RERUN', { submissionID: 'sub-1', submissionAttempts: 1 });
    const old = driverPod('Failed', { submissionID: 'sub-1', exitCode: 1, uid: 'old-uid' });
    const waiting = decide(input(app, { driverPod: old }));
    assert.equal(state(waiting), 'PENDING_RERUN');
    const del = waiting.actions[0] as DeleteDriverResources;
    assert.equal(del.kind, 'DeleteDriverResources');
    assert.equal(del.podUID, 'old-uid', 'the delete is guarded by the old pod’s uid');
    assert.equal(waiting.requeueAfterMs, SETTINGS.deletionPollIntervalMs);
    const go = decide(input(app));
    const submit = go.actions.find((a) => a.kind === 'SubmitDriver') as SubmitDriver;
    assert.equal(submit.attempt, 2);
    assert.notEqual(submit.submissionID, 'sub-1');
  });

  test('SUBMISSION_FAILED with OnFailure: retries after interval × attempts, then gives up with FAILED', () => {
    const cluster = new FakeCluster(
      makeApp({
        restartPolicy: { type: 'OnFailure', onSubmissionFailureRetries: 1, onSubmissionFailureRetryInterval: 20 },
      }),
    );
    cluster.failSubmissions = ['quota exceeded', 'quota exceeded'];
    cluster.reconcile(T0);
    assert.equal(cluster.state, 'SUBMISSION_FAILED');
    const early = cluster.reconcile(T0 + 5 * S);
    assert.equal(cluster.state, 'SUBMISSION_FAILED');
    assert.equal(early.requeueAfterMs, 15 * S);
    cluster.reconcile(T0 + 20 * S);
    assert.equal(cluster.state, 'SUBMISSION_FAILED');
    assert.equal(cluster.app.status?.submissionAttempts, 2);
    const last = cluster.reconcile(T0 + 20 * S + 40 * S);
    assert.equal(cluster.state, 'FAILED');
    assert.equal(last.status.terminationTime, iso(T0 + 60 * S));
    assert.match(last.status.applicationState?.errorMessage ?? '', /attempt 2\): quota exceeded/);
  });

  test('SUBMISSION_FAILED with Never gives up at once; default retry interval is 5 s', () => {
    const never = withState(makeApp(), 'SUBMISSION_FAILED', {
      applicationState: { state: 'SUBMISSION_FAILED', errorMessage: 'x' },
    });
    assert.equal(state(decide(input(never))), 'FAILED');
    const always = withState(makeApp({ restartPolicy: { type: 'Always' } }), 'SUBMISSION_FAILED', {
      submissionAttempts: 3,
    });
    assert.equal(decide(input(always, { now: T0 + 1 * S })).requeueAfterMs, 15 * S - 1 * S);
  });
});

describe('spec changes', () => {
  const base = makeApp();
  const hashed = { [SPEC_HASH_ANNOTATION]: specHash(base) };

  test('a changed spec moves a running app to INVALIDATING, then PENDING_RERUN with counters reset', () => {
    const changed = withState(makeApp({ arguments: ['1000'] }, undefined, hashed), 'RUNNING', {
      submissionAttempts: 2,
      executionAttempts: 2,
    });
    const pod = driverPod('Running', { submissionID: 'sub-1' });
    const d = decide(input(changed, { driverPod: pod }));
    assert.equal(state(d), 'INVALIDATING');
    assert.deepEqual(reasons(d), ['SparkApplicationSpecUpdateProcessed']);
    assert.deepEqual(kinds(d.actions), ['DeleteDriverResources']);
    const inv = { ...changed, status: d.status };
    const waiting = decide(input(inv, { driverPod: pod }));
    assert.equal(state(waiting), 'INVALIDATING');
    const released = decide(input(inv));
    assert.equal(state(released), 'PENDING_RERUN');
    assert.equal(released.status.submissionAttempts, 0);
    assert.equal(released.status.executionAttempts, 0);
    assert.equal(released.status.lastSubmissionAttemptTime, undefined);
    const resubmit = decide(input({ ...inv, status: released.status }));
    assert.deepEqual(kinds(resubmit.actions), ['RecordSpecHash', 'SubmitDriver']);
    assert.equal(resubmit.actions[0]?.kind === 'RecordSpecHash' && resubmit.actions[0].hash, specHash(changed));
    const id = (resubmit.actions[1] as SubmitDriver).submissionID;
    assert.notEqual(id, nextSubmissionID(base, 1), 'attempt 1 of the new run has a new id');
  });

  test('changing only suspend or timeToLiveSeconds does not invalidate', () => {
    const app = withState(makeApp({ timeToLiveSeconds: 60 }, undefined, hashed), 'RUNNING');
    const d = decide(input(app, { driverPod: driverPod('Running', { submissionID: 'sub-1' }) }));
    assert.equal(state(d), 'RUNNING');
    assert.deepEqual(d.actions, []);
  });

  test('an adopted application without a recorded hash gets one, without a rerun', () => {
    const app = withState(makeApp(), 'RUNNING');
    const d = decide(input(app, { driverPod: driverPod('Running', { submissionID: 'sub-1' }) }));
    assert.equal(state(d), 'RUNNING');
    assert.deepEqual(d.actions, [{ kind: 'RecordSpecHash', annotation: SPEC_HASH_ANNOTATION, hash: specHash(app) }]);
  });

  describe('recorded in the submission id (no annotation)', () => {
    const submittedAs = (spec: Parameters<typeof makeApp>[0], current: Parameters<typeof makeApp>[0]) => {
      const id = nextSubmissionID(makeApp(spec), 1);
      const app = withState(makeApp(current), 'RUNNING', { submissionID: id, submissionAttempts: 1 });
      return { app, pod: driverPod('Running', { submissionID: id }) };
    };

    test('the id is a UUIDv8 whose last group is the spec fingerprint', () => {
      const id = nextSubmissionID(base, 1);
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(id.slice(-12), specHash(base).slice('sha256:'.length, 'sha256:'.length + 12));
    });

    test('an unchanged spec writes nothing', () => {
      const { app, pod } = submittedAs({}, {});
      const d = decide(input(app, { driverPod: pod }));
      assert.equal(state(d), 'RUNNING');
      assert.deepEqual(d.actions, []);
    });

    test('a changed spec invalidates the run, and the new run is submitted without an annotation write', () => {
      const { app, pod } = submittedAs({}, { arguments: ['1000'] });
      const d = decide(input(app, { driverPod: pod }));
      assert.equal(state(d), 'INVALIDATING');
      assert.deepEqual(kinds(d.actions), ['DeleteDriverResources']);
      const released = decide(input({ ...app, status: d.status }));
      assert.equal(state(released), 'PENDING_RERUN');
      const resubmit = decide(input({ ...app, status: released.status }));
      assert.deepEqual(kinds(resubmit.actions), ['SubmitDriver']);
      const id = (resubmit.actions[0] as SubmitDriver).submissionID;
      const rerun = withState(app, 'RUNNING', { submissionID: id, submissionAttempts: 1 });
      const after = decide(input(rerun, { driverPod: driverPod('Running', { submissionID: id }) }));
      assert.equal(state(after), 'RUNNING', 'the new id records the new spec');
      assert.deepEqual(after.actions, []);
    });

    test('changing only suspend or timeToLiveSeconds does not invalidate', () => {
      const { app, pod } = submittedAs({}, { timeToLiveSeconds: 60 });
      assert.equal(state(decide(input(app, { driverPod: pod }))), 'RUNNING');
    });

    test('the annotation, when present, takes precedence over an id that looks like a fingerprint', () => {
      const { app, pod } = submittedAs({ arguments: ['other'] }, {});
      const annotated = { ...app, metadata: { ...app.metadata, annotations: hashed } };
      const d = decide(input(annotated, { driverPod: pod }));
      assert.equal(state(d), 'RUNNING');
      assert.deepEqual(d.actions, []);
    });

    test('a kubeflow (UUIDv4) id is not a record: the application is adopted and its hash annotated', () => {
      const kubeflowId = '0f6f3b1e-4d2a-4c1b-9a7e-2b9c8d7e6f5a';
      const app = withState(makeApp(), 'RUNNING', { submissionID: kubeflowId, submissionAttempts: 1 });
      const d = decide(input(app, { driverPod: driverPod('Running', { submissionID: kubeflowId }) }));
      assert.equal(state(d), 'RUNNING');
      assert.deepEqual(d.actions, [{ kind: 'RecordSpecHash', annotation: SPEC_HASH_ANNOTATION, hash: specHash(app) }]);
    });
  });

  test('terminal applications ignore spec changes', () => {
    const app = withState(makeApp({ arguments: ['x'] }, undefined, hashed), 'COMPLETED', { terminationTime: iso(T0) });
    const d = decide(input(app));
    assert.equal(state(d), 'COMPLETED');
    assert.deepEqual(d.actions, []);
  });
});

describe('suspend and resume', () => {
  test('suspend → SUSPENDING (delete) → SUSPENDED once the pod is gone → resume → RESUMING → SUBMITTED', () => {
    const cluster = new FakeCluster(makeApp());
    cluster.reconcile(T0);
    cluster.driverTo('Running');
    cluster.reconcile(T0 + S);
    assert.equal(cluster.state, 'RUNNING');
    cluster.app = { ...cluster.app, spec: { ...cluster.app.spec, suspend: true } };
    const s1 = cluster.reconcile(T0 + 2 * S);
    assert.equal(cluster.state, 'SUSPENDING');
    assert.deepEqual(reasons(s1), ['SparkApplicationSuspending']);
    assert.equal(cluster.live.size, 0);
    const s2 = cluster.reconcile(T0 + 3 * S);
    assert.equal(cluster.state, 'SUSPENDED');
    assert.deepEqual(reasons(s2), ['SparkApplicationSuspended']);
    const idle = cluster.reconcile(T0 + 4 * S);
    assert.equal(idle.statusChanged, false);
    assert.deepEqual(idle.actions, []);
    cluster.app = { ...cluster.app, spec: { ...cluster.app.spec, suspend: false } };
    const r = cluster.reconcile(T0 + 5 * S);
    assert.equal(cluster.state, 'RESUMING');
    assert.deepEqual(reasons(r), ['SparkApplicationResuming']);
    cluster.reconcile(T0 + 6 * S);
    assert.equal(cluster.state, 'SUBMITTED');
    assert.equal(cluster.app.status?.submissionAttempts, 2);
  });

  test('SUSPENDING waits while the driver pod exists', () => {
    const app = withState(makeApp({ suspend: true }), 'SUSPENDING');
    const d = decide(input(app, { driverPod: driverPod('Running', { submissionID: 'sub-1' }) }));
    assert.equal(state(d), 'SUSPENDING');
    assert.deepEqual(kinds(d.actions), ['DeleteDriverResources']);
  });

  test('a new application created suspended is never submitted', () => {
    const d = decide(input(makeApp({ suspend: true })));
    assert.equal(state(d), 'SUSPENDING');
    assert.ok(!kinds(d.actions).includes('SubmitDriver'));
  });

  test('terminal applications are not suspended', () => {
    const d = decide(input(withState(makeApp({ suspend: true }), 'FAILED', { terminationTime: iso(T0) })));
    assert.equal(state(d), 'FAILED');
  });
});

describe('time to live', () => {
  test('requeues until terminationTime + TTL, then deletes the application', () => {
    const app = withState(makeApp({ timeToLiveSeconds: 300 }), 'COMPLETED', { terminationTime: iso(T0) });
    const early = decide(input(app, { now: T0 + 100 * S }));
    assert.equal(early.requeueAfterMs, 200 * S);
    assert.deepEqual(early.actions, []);
    const justBefore = decide(input(app, { now: T0 + 300 * S - 1 }));
    assert.deepEqual(justBefore.actions, []);
    assert.equal(justBefore.requeueAfterMs, 1);
    const due = decide(input(app, { now: T0 + 300 * S }));
    assert.deepEqual(due.actions, [{ kind: 'DeleteApplication', reason: 'TimeToLiveExpired' }]);
  });

  test('the operator default applies when the spec sets none; no TTL means no requeue', () => {
    const app = withState(makeApp(), 'FAILED', { terminationTime: iso(T0) });
    assert.equal(decide(input(app, { now: T0 + S })).requeueAfterMs, undefined);
    const d = decide(input(app, { now: T0 + S, settings: { ...SETTINGS, defaultTimeToLiveSeconds: 60 } }));
    assert.equal(d.requeueAfterMs, 59 * S);
  });

  test('a terminal app without terminationTime starts its TTL now; a negative TTL is reported, not acted on', () => {
    const app = withState(makeApp({ timeToLiveSeconds: 10 }), 'COMPLETED', { terminationTime: null });
    const d = decide(input(app, { now: T0 }));
    assert.equal(d.status.terminationTime, iso(T0));
    assert.equal(d.requeueAfterMs, 10 * S);
    const bad = decide(input(withState(makeApp({ timeToLiveSeconds: -5 }), 'COMPLETED', { terminationTime: iso(T0) })));
    assert.deepEqual(bad.actions, []);
    assert.deepEqual(reasons(bad), ['SparkApplicationInvalidTimeToLive']);
  });
});

describe('executors', () => {
  test('an event per new or changed executor state, none when unchanged', () => {
    const app = withState(makeApp(), 'RUNNING', { executorState: { 'pi-1a2b-exec-1': 'RUNNING' } });
    const d = decide(
      input(app, {
        driverPod: driverPod('Running', { submissionID: 'sub-1' }),
        executorPods: [executorPod(1, 'Running'), executorPod(2, 'Pending'), executorPod(3, 'Failed')],
      }),
    );
    assert.deepEqual(d.status.executorState, {
      'pi-1a2b-exec-1': 'RUNNING',
      'pi-1a2b-exec-2': 'PENDING',
      'pi-1a2b-exec-3': 'FAILED',
    });
    assert.deepEqual(reasons(d), ['SparkExecutorPending', 'SparkExecutorFailed']);
  });

  test('a vanished executor is UNKNOWN while running, COMPLETED once the app completed', () => {
    const running = withState(makeApp(), 'RUNNING', { executorState: { 'pi-1a2b-exec-1': 'RUNNING' } });
    const d = decide(input(running, { driverPod: driverPod('Running', { submissionID: 'sub-1' }) }));
    assert.deepEqual(d.status.executorState, { 'pi-1a2b-exec-1': 'UNKNOWN' });
    const done = withState(makeApp(), 'COMPLETED', {
      executorState: { 'pi-1a2b-exec-1': 'RUNNING' },
      terminationTime: iso(T0),
    });
    assert.deepEqual(decide(input(done)).status.executorState, { 'pi-1a2b-exec-1': 'COMPLETED' });
  });

  test('the cap drops finished executors (oldest id first), then the newest live ones', () => {
    const app = withState(makeApp(), 'RUNNING');
    const pods = [
      executorPod(1, 'Failed'),
      executorPod(2, 'Succeeded'),
      executorPod(3, 'Running'),
      executorPod(10, 'Running'),
      executorPod(11, 'Running'),
    ];
    const settings = { ...SETTINGS, maxTrackedExecutors: 3 };
    const d = decide(
      input(app, { driverPod: driverPod('Running', { submissionID: 'sub-1' }), executorPods: pods, settings }),
    );
    assert.deepEqual(Object.keys(d.status.executorState ?? {}), [
      'pi-1a2b-exec-10',
      'pi-1a2b-exec-11',
      'pi-1a2b-exec-3',
    ]);
    const tight = decide(
      input(app, {
        driverPod: driverPod('Running', { submissionID: 'sub-1' }),
        executorPods: pods,
        settings: { ...settings, maxTrackedExecutors: 2 },
      }),
    );
    assert.deepEqual(Object.keys(tight.status.executorState ?? {}), ['pi-1a2b-exec-10', 'pi-1a2b-exec-3']);
    assert.equal(tight.events.length, 2, 'no events for executors dropped by the cap');
  });
});

describe('UI service', () => {
  test('asks for the UI Service until it exists, then records its address', () => {
    const settings = resolveSettings({ ingressURLFormat: '{{$appName}}.{{$appNamespace}}.spark.example.com' });
    const app = withState(makeApp(), 'RUNNING');
    const pod = driverPod('Running', { submissionID: 'sub-1' });
    const d = decide(input(app, { driverPod: pod, settings }));
    assert.deepEqual(kinds(d.actions), ['RecordSpecHash', 'EnsureUIService', 'EnsureUIIngress']);
    assert.equal(d.status.driverInfo.webUIServiceName, 'pi-ui-svc');
    assert.equal(d.status.driverInfo.webUIIngressAddress, 'pi.ns.spark.example.com');
    const seen = decide(
      input(
        { ...app, status: d.status },
        { driverPod: pod, settings, uiService: { name: 'pi-ui-svc', clusterIP: '10.0.0.9', port: 4040 } },
      ),
    );
    assert.deepEqual(kinds(seen.actions), ['RecordSpecHash']);
    assert.equal(seen.status.driverInfo.webUIAddress, '10.0.0.9:4040');
  });
});

describe('unknown state', () => {
  test('an unknown state string is left alone with a warning', () => {
    const d = decide(input(withState(makeApp(), 'BOGUS')));
    assert.equal(d.statusChanged, false);
    assert.deepEqual(d.actions, []);
    assert.deepEqual(reasons(d), ['SparkApplicationUnknownState']);
  });
});
