// A driver pod that stays Pending because it cannot be scheduled or cannot start its container: SUBMITTED says why
// in errorMessage, with one Warning event per problem kind, and never fails the application for it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import {
  type ContainerSummary,
  type Decision,
  DRIVER_CONTAINER_NAME,
  decide,
  observeDriver,
  type PodSummary,
  type SparkApplication,
  summarizePod,
} from '../../src/spark/lifecycle/index.ts';
import { driverPod, FakeCluster, input, kinds, makeApp, reasons, state, T0, withState } from './lifecycle-helpers.ts';

const UNSCHEDULABLE =
  "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are " +
  'available: 3 Preemption is not helpful for scheduling.';
const NEVER_PULLED = 'Container image "spark:3.5.8" is not present with pull policy of Never';
const PULL_FAILED = 'failed to pull and unpack image "docker.io/library/spark:nope": not found';
const SECRET_MISSING = 'secret "spark-secrets" not found';

/** The current submission's driver pod, Pending, with what the scheduler or the kubelet said. */
function pendingDriver(extra: Partial<PodSummary> = {}): PodSummary {
  return { ...driverPod('Pending', { submissionID: 'sub-1' }), ...extra };
}
const unschedulable = (message = UNSCHEDULABLE) =>
  pendingDriver({ notScheduled: { reason: 'Unschedulable', message } });
const waiting = (reason: string, message?: string, name = DRIVER_CONTAINER_NAME): PodSummary =>
  pendingDriver({
    containerStatuses: [{ name, waitingReason: reason, ...(message ? { waitingMessage: message } : {}) }],
  });

const submitted = (errorMessage?: string): SparkApplication =>
  withState(makeApp(), 'SUBMITTED', {
    applicationState: { state: 'SUBMITTED', ...(errorMessage ? { errorMessage } : {}) },
  });

/** decide() for a SUBMITTED application (optionally already reporting `errorMessage`) and its driver pod. */
function decideFor(pod: PodSummary, errorMessage?: string): Decision {
  return decide(input(submitted(errorMessage), { driverPod: pod }));
}

const errorOf = (d: Decision) => d.status.applicationState?.errorMessage;

describe('observeDriver: what keeps a pending driver pod from starting', () => {
  test('the scheduler found no node: unschedulable, with its message', () => {
    const o = observeDriver(unschedulable(), 'sub-1', DRIVER_CONTAINER_NAME);
    assert.equal(o.kind === 'current' && o.state, 'PENDING');
    assert.deepEqual(o.kind === 'current' && o.problem, {
      kind: 'unschedulable',
      reason: 'Unschedulable',
      message: UNSCHEDULABLE,
    });
  });

  const waitingCases: [string, 'image' | 'container'][] = [
    ['ErrImageNeverPull', 'image'],
    ['ErrImagePull', 'image'],
    ['ImagePullBackOff', 'image'],
    ['InvalidImageName', 'image'],
    ['CreateContainerConfigError', 'container'],
    ['CreateContainerError', 'container'],
  ];
  for (const [reason, kind] of waitingCases) {
    test(`the driver container waits with ${reason}: ${kind}`, () => {
      const o = observeDriver(waiting(reason, 'why\nmore'), 'sub-1', DRIVER_CONTAINER_NAME);
      assert.deepEqual(o.kind === 'current' && o.problem, { kind, reason, message: 'why' });
    });
  }

  test('no problem: still being created, gated by design, a sidecar waiting, or not Pending', () => {
    const none: [string, PodSummary][] = [
      ['ContainerCreating', waiting('ContainerCreating')],
      ['no container status yet', pendingDriver({ containerStatuses: [] })],
      ['SchedulingGated', pendingDriver({ notScheduled: { reason: 'SchedulingGated', message: 'gated' } })],
      ['a sidecar cannot pull', waiting('ErrImagePull', PULL_FAILED, 'istio-proxy')],
    ];
    for (const [label, pod] of none) {
      const o = observeDriver(pod, 'sub-1', DRIVER_CONTAINER_NAME);
      assert.equal(o.kind === 'current' && o.state, 'PENDING', label);
      assert.equal(o.kind === 'current' && o.problem, undefined, label);
    }
    const running = { ...waiting('ErrImagePull', PULL_FAILED), phase: 'Running' };
    const o = observeDriver(running, 'sub-1', DRIVER_CONTAINER_NAME);
    assert.equal(o.kind === 'current' && o.problem, undefined);
  });

  test('summarizePod keeps a failed PodScheduled condition and waiting messages, on one line', () => {
    const v1: V1Pod = {
      metadata: { name: 'pi-driver' },
      status: {
        phase: 'Pending',
        conditions: [
          { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'not ready' },
          { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: `${UNSCHEDULABLE}\nsecond line` },
        ],
        containerStatuses: [
          {
            name: DRIVER_CONTAINER_NAME,
            image: 'spark',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: 'ErrImageNeverPull', message: NEVER_PULLED } },
          },
        ],
      },
    };
    const summary = summarizePod(v1);
    assert.deepEqual(summary.notScheduled, { reason: 'Unschedulable', message: UNSCHEDULABLE });
    assert.deepEqual(summary.containerStatuses, [
      { name: DRIVER_CONTAINER_NAME, waitingReason: 'ErrImageNeverPull', waitingMessage: NEVER_PULLED },
    ] satisfies ContainerSummary[]);
    const scheduled = summarizePod({ ...v1, status: { conditions: [{ type: 'PodScheduled', status: 'True' }] } });
    assert.equal(scheduled.notScheduled, undefined);
  });
});

describe('SUBMITTED with a driver pod that cannot start', () => {
  test('unschedulable: errorMessage and one SparkDriverUnschedulable Warning; the state stays SUBMITTED', () => {
    const d = decideFor(unschedulable());
    assert.equal(state(d), 'SUBMITTED');
    assert.equal(d.statusChanged, true);
    assert.equal(errorOf(d), `driver pod pi-driver cannot be scheduled: ${UNSCHEDULABLE}`);
    assert.deepEqual(d.events, [
      {
        type: 'Warning',
        reason: 'SparkDriverUnschedulable',
        message: `driver pod pi-driver cannot be scheduled: ${UNSCHEDULABLE}`,
      },
    ]);
    // Nothing is deleted or submitted again (RecordSpecHash: the fixture's submission id records no spec hash).
    assert.deepEqual(
      kinds(d.actions).filter((k) => k !== 'RecordSpecHash'),
      [],
    );
  });

  test('an image the kubelet cannot get: SparkDriverImageError with the waiting reason and message', () => {
    const d = decideFor(waiting('ErrImageNeverPull', NEVER_PULLED));
    assert.equal(state(d), 'SUBMITTED');
    const message = `driver pod pi-driver cannot start its container: ErrImageNeverPull: ${NEVER_PULLED}`;
    assert.equal(errorOf(d), message);
    assert.deepEqual(d.events, [{ type: 'Warning', reason: 'SparkDriverImageError', message }]);
  });

  test('a container the kubelet cannot create: SparkDriverContainerError', () => {
    const d = decideFor(waiting('CreateContainerConfigError', SECRET_MISSING));
    assert.equal(state(d), 'SUBMITTED');
    const message = `driver pod pi-driver cannot create its container: CreateContainerConfigError: ${SECRET_MISSING}`;
    assert.equal(errorOf(d), message);
    assert.deepEqual(d.events, [{ type: 'Warning', reason: 'SparkDriverContainerError', message }]);
  });

  test('without a message: the reason alone', () => {
    assert.equal(
      errorOf(decideFor(pendingDriver({ notScheduled: { reason: 'Unschedulable' } }))),
      'driver pod pi-driver cannot be scheduled: Unschedulable',
    );
    assert.equal(
      errorOf(decideFor(waiting('ErrImagePull'))),
      'driver pod pi-driver cannot start its container: ErrImagePull',
    );
  });

  test('the same problem decided again: nothing changes, no new event', () => {
    for (const pod of [
      unschedulable(),
      waiting('ErrImageNeverPull', NEVER_PULLED),
      waiting('CreateContainerError', 'x'),
    ]) {
      const first = decideFor(pod);
      const again = decide(input({ ...submitted(), status: first.status }, { driverPod: pod }));
      assert.equal(again.statusChanged, false);
      assert.deepEqual(again.events, []);
      assert.deepEqual(decide(input({ ...submitted(), status: first.status }, { driverPod: pod })), again);
    }
  });

  test('a message that changes within a kind updates errorMessage without an event (ErrImagePull ⇄ ImagePullBackOff)', () => {
    const pulling = `driver pod pi-driver cannot start its container: ErrImagePull: ${PULL_FAILED}`;
    const backoff = decideFor(waiting('ImagePullBackOff', 'Back-off pulling image "spark:nope"'), pulling);
    assert.equal(backoff.statusChanged, true);
    assert.equal(
      errorOf(backoff),
      'driver pod pi-driver cannot start its container: ImagePullBackOff: Back-off pulling image "spark:nope"',
    );
    assert.deepEqual(backoff.events, []);
    const fewerNodes = decideFor(
      unschedulable('0/4 nodes are available: 4 Insufficient cpu.'),
      `driver pod pi-driver cannot be scheduled: ${UNSCHEDULABLE}`,
    );
    assert.equal(
      errorOf(fewerNodes),
      'driver pod pi-driver cannot be scheduled: 0/4 nodes are available: 4 Insufficient cpu.',
    );
    assert.deepEqual(fewerNodes.events, []);
  });

  test('a problem of another kind: a new event', () => {
    const scheduledNow = decideFor(
      waiting('ErrImageNeverPull', NEVER_PULLED),
      `driver pod pi-driver cannot be scheduled: ${UNSCHEDULABLE}`,
    );
    assert.deepEqual(reasons(scheduledNow), ['SparkDriverImageError']);
    const imageFixed = decideFor(
      waiting('CreateContainerConfigError', SECRET_MISSING),
      `driver pod pi-driver cannot start its container: ErrImageNeverPull: ${NEVER_PULLED}`,
    );
    assert.deepEqual(reasons(imageFixed), ['SparkDriverContainerError']);
  });

  test('the problem goes while the pod is still pending: errorMessage cleared, no event', () => {
    const d = decideFor(waiting('ContainerCreating'), `driver pod pi-driver cannot be scheduled: ${UNSCHEDULABLE}`);
    assert.equal(state(d), 'SUBMITTED');
    assert.equal(d.statusChanged, true);
    assert.equal(errorOf(d), undefined);
    assert.deepEqual(d.status.applicationState, { state: 'SUBMITTED' });
    assert.deepEqual(d.events, []);
  });

  test('the pod runs: RUNNING clears errorMessage', () => {
    const app = submitted(`driver pod pi-driver cannot be scheduled: ${UNSCHEDULABLE}`);
    const d = decide(input(app, { driverPod: driverPod('Running', { submissionID: 'sub-1' }) }));
    assert.equal(state(d), 'RUNNING');
    assert.deepEqual(d.status.applicationState, { state: 'RUNNING' });
    assert.deepEqual(reasons(d), ['SparkDriverRunning']);
  });

  test('back to SUBMITTED from RUNNING or UNKNOWN with a problem: the transition event, then the problem', () => {
    for (const from of ['RUNNING', 'UNKNOWN']) {
      const d = decide(input(withState(makeApp(), from), { driverPod: waiting('ErrImagePull', PULL_FAILED) }));
      assert.equal(state(d), 'SUBMITTED');
      assert.equal(errorOf(d), `driver pod pi-driver cannot start its container: ErrImagePull: ${PULL_FAILED}`);
      assert.deepEqual(reasons(d), ['SparkDriverPending', 'SparkDriverImageError']);
    }
  });

  test('never fails the application, however long it stays so', () => {
    const first = decideFor(unschedulable());
    const monthLater = T0 + 30 * 24 * 3600 * 1000;
    const d = decide(input({ ...submitted(), status: first.status }, { driverPod: unschedulable(), now: monthLater }));
    assert.equal(state(d), 'SUBMITTED');
    assert.equal(d.statusChanged, false);
    assert.deepEqual(d.events, []);
  });
});

test('through a reconciler: one event while the pod stays unschedulable, then RUNNING without the message', () => {
  const cluster = new FakeCluster(makeApp());
  cluster.reconcile(T0);
  assert.equal(cluster.state, 'SUBMITTED');
  const name = cluster.app.status?.driverInfo?.podName ?? '';
  const pod = cluster.live.get(name);
  assert.ok(pod);
  cluster.putPod({ ...pod, notScheduled: { reason: 'Unschedulable', message: UNSCHEDULABLE } });
  const warnings: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const d = cluster.reconcile(T0 + i * 1000);
    warnings.push(...d.events.filter((e) => e.type === 'Warning').map((e) => e.reason));
  }
  assert.deepEqual(warnings, ['SparkDriverUnschedulable']);
  assert.equal(cluster.state, 'SUBMITTED');
  assert.equal(
    cluster.app.status?.applicationState?.errorMessage,
    `driver pod ${name} cannot be scheduled: ${UNSCHEDULABLE}`,
  );
  cluster.driverTo('Running');
  cluster.reconcile(T0 + 10_000);
  assert.equal(cluster.state, 'RUNNING');
  assert.equal(cluster.app.status?.applicationState?.errorMessage, undefined);
});
