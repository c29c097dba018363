import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import {
  DRIVER_CONTAINER_NAME,
  driverFailureMessage,
  observeDriver,
  observeExecutor,
  type PodSummary,
  SUBMISSION_ID_LABEL,
  summarizePod,
} from '../../src/spark/lifecycle/index.ts';

function pod(
  phase: string | undefined,
  containers: PodSummary['containerStatuses'] = [],
  extra: Partial<PodSummary> = {},
) {
  return {
    name: 'd',
    labels: { [SUBMISSION_ID_LABEL]: 's1' },
    ...(phase ? { phase } : {}),
    containerStatuses: containers,
    ...extra,
  };
}
const driverExit = (exitCode: number, reason?: string) => [
  { name: DRIVER_CONTAINER_NAME, terminated: { exitCode, ...(reason ? { reason } : {}) } },
];
const sidecarRunning = { name: 'istio-proxy' };

const cases: [string, PodSummary, string][] = [
  ['Pending', pod('Pending'), 'PENDING'],
  ['Running', pod('Running', [{ name: DRIVER_CONTAINER_NAME }, sidecarRunning]), 'RUNNING'],
  ['Running, driver exited 0, sidecar running', pod('Running', [...driverExit(0), sidecarRunning]), 'COMPLETED'],
  ['Running, driver exited 1, sidecar running', pod('Running', [...driverExit(1), sidecarRunning]), 'FAILED'],
  [
    'Running, a sidecar exited 1, driver running',
    pod('Running', [{ name: DRIVER_CONTAINER_NAME }, { name: 'x', terminated: { exitCode: 1 } }]),
    'RUNNING',
  ],
  ['Succeeded', pod('Succeeded', driverExit(0)), 'COMPLETED'],
  ['Failed', pod('Failed', driverExit(1)), 'FAILED'],
  ['Failed without container status (evicted)', pod('Failed', [], { reason: 'Evicted' }), 'FAILED'],
  [
    'Failed, driver exit 0 but sidecar failed',
    pod('Failed', [...driverExit(0), { name: 'x', terminated: { exitCode: 2 } }]),
    'COMPLETED',
  ],
  ['Unknown', pod('Unknown'), 'UNKNOWN'],
  ['no phase', pod(undefined), 'UNKNOWN'],
];
for (const [label, p, expected] of cases) {
  test(`observeDriver: ${label} → ${expected}`, () => {
    const o = observeDriver(p, 's1', DRIVER_CONTAINER_NAME);
    assert.equal(o.kind, 'current');
    assert.equal(o.kind === 'current' && o.state, expected);
    assert.equal(o.kind === 'current' && o.errorMessage !== undefined, expected === 'FAILED');
  });
}

test('observeDriver: missing, stale (older submission), and unlabelled pods', () => {
  assert.deepEqual(observeDriver(undefined, 's1', DRIVER_CONTAINER_NAME), { kind: 'missing' });
  assert.equal(observeDriver(pod('Running'), 's2', DRIVER_CONTAINER_NAME).kind, 'stale');
  assert.equal(observeDriver({ name: 'd', phase: 'Running' }, 's2', DRIVER_CONTAINER_NAME).kind, 'current');
  assert.equal(observeDriver(pod('Running'), undefined, DRIVER_CONTAINER_NAME).kind, 'current');
});

test('driverFailureMessage: exit code, reason and pod message on one line, no container output', () => {
  assert.equal(
    driverFailureMessage(pod('Failed', driverExit(137, 'OOMKilled')), DRIVER_CONTAINER_NAME),
    'driver container failed with exit code 137 (OOMKilled)',
  );
  const evicted = pod('Failed', [], { reason: 'Evicted', message: 'The node was low on resource: memory.\nmore' });
  assert.equal(
    driverFailureMessage(evicted, DRIVER_CONTAINER_NAME),
    'driver pod d failed; driver container status missing; pod: Evicted: The node was low on resource: memory.',
  );
});

test('observeExecutor maps pod phases', () => {
  const phases: [string | undefined, string][] = [
    ['Pending', 'PENDING'],
    ['Running', 'RUNNING'],
    ['Succeeded', 'COMPLETED'],
    ['Failed', 'FAILED'],
    ['Unknown', 'UNKNOWN'],
    [undefined, 'UNKNOWN'],
  ];
  for (const [phase, state] of phases) assert.equal(observeExecutor(pod(phase)), state);
});

test('summarizePod keeps what the lifecycle reads from a V1Pod', () => {
  const v1: V1Pod = {
    metadata: { name: 'pi-driver', uid: 'u1', labels: { a: 'b' }, deletionTimestamp: new Date(Date.UTC(2026, 0, 1)) },
    status: {
      phase: 'Running',
      reason: 'R',
      containerStatuses: [
        {
          name: DRIVER_CONTAINER_NAME,
          image: 'spark',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 3, reason: 'Error', message: 'Exception in thread main\n at x' } },
        },
      ],
    },
  };
  assert.deepEqual(summarizePod(v1), {
    name: 'pi-driver',
    uid: 'u1',
    labels: { a: 'b' },
    phase: 'Running',
    reason: 'R',
    deletionTimestamp: '2026-01-01T00:00:00.000Z',
    containerStatuses: [{ name: DRIVER_CONTAINER_NAME, terminated: { exitCode: 3, reason: 'Error' } }],
  });
});
