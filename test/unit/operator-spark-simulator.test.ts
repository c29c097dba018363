// The Spark simulator's pure parts: its plan (rules in spark-simulator-plan.ts) and the executor pods it builds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import {
  executorNamePrefix,
  executorPod,
  requestedExecutors,
} from '../../src/dev/localcluster/spark-simulator-executors.ts';
import {
  type DriverView,
  planSimulation,
  simulationSettings,
} from '../../src/dev/localcluster/spark-simulator-plan.ts';

const settings = { exitCode: 0, runDurationMs: 3_000 };
const running: DriverView = { phase: 'Running', deleting: false, startedAtMs: 10_000, endRequested: false };
const exec = (execId: number, endRequested = false) => ({
  name: `p-exec-${execId}`,
  execId,
  endRequested,
  deleting: false,
});

test('a driver that is not Running, or is being deleted, is left alone', () => {
  for (const driver of [
    { ...running, phase: 'Pending' },
    { ...running, phase: 'Succeeded' },
    { ...running, deleting: true },
  ]) {
    assert.deepEqual(planSimulation({ driver, executors: [], executorCount: 2, settings, nowMs: 20_000 }).actions, []);
  }
});

test('a Running driver creates the missing executors and looks again at its end time', () => {
  const plan = planSimulation({ driver: running, executors: [exec(2)], executorCount: 3, settings, nowMs: 11_000 });
  assert.deepEqual(plan.actions, [{ type: 'createExecutors', execIds: [1, 3] }]);
  assert.equal(plan.requeueAfterMs, 2_000);
  const none = planSimulation({ driver: running, executors: [exec(1)], executorCount: 1, settings, nowMs: 11_000 });
  assert.deepEqual(none.actions, []);
});

test('at its end time the executors end (exit 0), then the driver with its exit code', () => {
  const plan = planSimulation({
    driver: running,
    executors: [exec(1), exec(2, true)],
    executorCount: 2,
    settings: { exitCode: 7, runDurationMs: 3_000 },
    nowMs: 13_000,
  });
  assert.deepEqual(plan.actions, [
    { type: 'endExecutors', names: ['p-exec-1'] },
    { type: 'endDriver', exitCode: 7 },
  ]);
  assert.equal(plan.requeueAfterMs, undefined);
});

test('once the driver was asked to end, only executors still running are ended; nothing is created', () => {
  const driver = { ...running, endRequested: true };
  const plan = planSimulation({ driver, executors: [exec(1)], executorCount: 3, settings, nowMs: 11_000 });
  assert.deepEqual(plan.actions, [{ type: 'endExecutors', names: ['p-exec-1'] }]);
});

test('annotations: the driver pod wins over the application; bad values are reported and the default used', () => {
  const app = { 'sim.sparkop.dev/driver-exit-code': '1', 'sim.sparkop.dev/driver-run-duration': '10s' };
  assert.deepEqual(simulationSettings({}, app).settings, { exitCode: 1, runDurationMs: 10_000 });
  assert.deepEqual(simulationSettings({ 'sim.sparkop.dev/driver-exit-code': '0' }, app).settings.exitCode, 0);
  assert.deepEqual(simulationSettings({}, {}).settings, { exitCode: 0, runDurationMs: 3_000 });
  const bad = simulationSettings(
    { 'sim.sparkop.dev/driver-exit-code': 'x', 'sim.sparkop.dev/driver-run-duration': 'soon' },
    {},
  );
  assert.deepEqual(bad.settings, { exitCode: 0, runDurationMs: 3_000 });
  assert.deepEqual(
    bad.problems.map((p) => p.annotation),
    ['sim.sparkop.dev/driver-exit-code', 'sim.sparkop.dev/driver-run-duration'],
  );
  assert.equal(simulationSettings({ 'sim.sparkop.dev/driver-exit-code': '256' }, {}).problems.length, 1);
});

test('executor count: spark.executor.instances, or dynamic allocation’s initial count, else Spark’s default 2', () => {
  assert.equal(requestedExecutors({ 'spark.executor.instances': '5' }), 5);
  assert.equal(requestedExecutors({}), 2);
  const dyn = { 'spark.dynamicAllocation.enabled': 'true', 'spark.dynamicAllocation.minExecutors': '1' };
  assert.equal(requestedExecutors({ ...dyn, 'spark.dynamicAllocation.initialExecutors': '3' }), 3);
  assert.equal(requestedExecutors(dyn), 1);
});

const driver: V1Pod = {
  metadata: {
    name: 'spark-pi-driver',
    namespace: 'ns',
    uid: 'uid-1',
    labels: {
      'spark-app-selector': 'spark-abc',
      'spark-app-name': 'spark-pi',
      'spark-role': 'driver',
      'spark-version': '3.5.8',
      'sparkoperator.k8s.io/app-name': 'spark-pi',
      'sparkoperator.k8s.io/submission-id': 's-1',
      version: 'not-copied',
    },
  },
  spec: { containers: [{ name: 'spark-kubernetes-driver', image: 'apache/spark:3.5.8' }] },
};

test('executor pods: name, labels, owner reference, resources and env as the driver would make them', () => {
  const props = {
    'spark.app.id': 'spark-abc',
    'spark.app.name': 'spark-pi',
    'spark.executor.memory': '1g',
    'spark.executor.cores': '2',
    'spark.driver.host': 'spark-pi-svc.ns.svc',
    'spark.kubernetes.executor.label.team': 'a',
    'spark.kubernetes.executor.annotation.note': 'n',
    'spark.kubernetes.node.selector.zone': 'z1',
  };
  const pod = executorPod({ driver, props, execId: 2 });
  assert.equal(pod.metadata?.name, `${executorNamePrefix(props, 'spark-pi')}-exec-2`);
  assert.match(pod.metadata?.name ?? '', /^spark-pi-[0-9a-f]{16}-exec-2$/);
  assert.deepEqual(pod.metadata?.labels, {
    team: 'a',
    'sparkoperator.k8s.io/app-name': 'spark-pi',
    'sparkoperator.k8s.io/submission-id': 's-1',
    'spark-app-selector': 'spark-abc',
    'spark-role': 'executor',
    'spark-exec-id': '2',
    'spark-exec-resourceprofile-id': '0',
    'spark-app-name': 'spark-pi',
    'spark-version': '3.5.8',
  });
  assert.deepEqual(pod.metadata?.annotations, { note: 'n' });
  assert.deepEqual(pod.metadata?.ownerReferences, [
    { apiVersion: 'v1', kind: 'Pod', name: 'spark-pi-driver', uid: 'uid-1', controller: true },
  ]);
  const c = pod.spec?.containers[0];
  assert.equal(c?.name, 'spark-kubernetes-executor');
  assert.equal(c?.image, 'apache/spark:3.5.8');
  assert.deepEqual(c?.args, ['executor']);
  assert.deepEqual(c?.resources, { requests: { cpu: '2', memory: '1408Mi' }, limits: { memory: '1408Mi' } });
  const env = Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value]));
  assert.equal(env.SPARK_DRIVER_URL, 'spark://CoarseGrainedScheduler@spark-pi-svc.ns.svc:7078');
  assert.equal(env.SPARK_EXECUTOR_ID, '2');
  assert.equal(env.SPARK_APPLICATION_ID, 'spark-abc');
  assert.deepEqual(pod.spec?.nodeSelector, { zone: 'z1' });
  assert.equal(pod.spec?.restartPolicy, 'Never');
  // Deterministic: the same inputs give the same pod.
  assert.deepEqual(executorPod({ driver, props, execId: 2 }), pod);
});

test('executor pods keep what the pod template says (tolerations, sidecars) and a configured name prefix', () => {
  const template: V1Pod = {
    metadata: { labels: { from: 'template' } },
    spec: {
      tolerations: [{ key: 'spark', operator: 'Exists' }],
      containers: [
        { name: 'main', env: [{ name: 'FROM_TEMPLATE', value: '1' }] },
        { name: 'sidecar', image: 'busybox' },
      ],
    },
  };
  const props = {
    'spark.kubernetes.executor.podNamePrefix': 'custom',
    'spark.kubernetes.executor.podTemplateContainerName': 'main',
    'spark.executor.memoryOverhead': '100m',
    'spark.executor.memory': '512m',
  };
  const pod = executorPod({ driver, props, execId: 1, template });
  assert.equal(pod.metadata?.name, 'custom-exec-1');
  assert.equal(pod.metadata?.labels?.from, 'template');
  assert.deepEqual(pod.spec?.tolerations, [{ key: 'spark', operator: 'Exists' }]);
  assert.deepEqual(
    pod.spec?.containers.map((c) => c.name),
    ['spark-kubernetes-executor', 'sidecar'],
  );
  assert.equal(pod.spec?.containers[0]?.env?.[0]?.name, 'FROM_TEMPLATE');
  assert.equal(pod.spec?.containers[0]?.resources?.requests?.memory, '612Mi');
});
