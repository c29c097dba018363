// The Spark simulator against the real control plane: a driver pod (with its spark.properties ConfigMap, as native
// submission creates it) runs, gets its executors, and everything ends through kwok.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { registerSparkSimulator } from '../../src/dev/localcluster/spark-simulator.ts';
import { gvkString, kind, Manager } from '../../src/runtime/index.ts';
import { eventually, testNamespace } from '../support/kube.ts';

const Pods = kind<V1Pod & { apiVersion?: string; kind?: string }>('v1', 'Pod');

async function startSimulator(
  t: import('node:test').TestContext,
  kc: import('@kubernetes/client-node').KubeConfig,
  namespace: string,
) {
  const manager = new Manager({
    kubeConfig: kc,
    cacheScopes: new Map([[gvkString(Pods), { namespaces: [namespace] }]]),
  });
  registerSparkSimulator(manager, { defaultRunDurationMs: 2_000 });
  const stop = new AbortController();
  const running = manager.start(stop.signal);
  t.after(async () => {
    stop.abort();
    await running;
  });
}

async function createDriver(
  core: import('@kubernetes/client-node').CoreV1Api,
  namespace: string,
  name: string,
  props: string,
  annotations: Record<string, string> = {},
) {
  const confMap = `${name}-conf-map`;
  await core.createNamespacedConfigMap({
    namespace,
    body: { metadata: { name: confMap }, data: { 'spark.properties': props } },
  });
  return core.createNamespacedPod({
    namespace,
    body: {
      metadata: {
        name: `${name}-driver`,
        annotations,
        labels: {
          'spark-role': 'driver',
          'spark-app-selector': `spark-${name}`,
          'spark-app-name': name,
          'sparkoperator.k8s.io/app-name': name,
          'sparkoperator.k8s.io/launched-by-spark-operator': 'true',
          'sparkoperator.k8s.io/submission-id': 'sub-1',
        },
      },
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'spark-kubernetes-driver', image: 'apache/spark:3.5.8' }],
        volumes: [{ name: 'spark-conf-volume-driver', configMap: { name: confMap } }],
      },
    },
  });
}

test('a running driver gets its executors (owner reference, labels), then all of them end', async (t) => {
  const { kc, core, namespace } = await testNamespace(t);
  await startSimulator(t, kc, namespace);
  const driver = await createDriver(
    core,
    namespace,
    'pi',
    `spark.app.id=spark-pi\nspark.app.name=pi\nspark.executor.instances=3\nspark.executor.memory=512m\n`,
  );
  const executors = await eventually('three executors', async () => {
    const pods = await core.listNamespacedPod({ namespace, labelSelector: 'spark-role=executor' });
    return pods.items.length === 3 ? pods.items : undefined;
  });
  for (const pod of executors) {
    const labels = pod.metadata?.labels ?? {};
    assert.match(pod.metadata?.name ?? '', /^pi-[0-9a-f]{16}-exec-[123]$/);
    assert.equal(labels['spark-app-selector'], 'spark-pi');
    assert.equal(labels['spark-exec-id'], pod.metadata?.name?.slice(-1));
    assert.equal(labels['sparkoperator.k8s.io/app-name'], 'pi');
    assert.equal(labels['sparkoperator.k8s.io/submission-id'], 'sub-1');
    assert.equal(labels['sparkoperator.k8s.io/launched-by-spark-operator'], 'true');
    assert.deepEqual(JSON.parse(JSON.stringify(pod.metadata?.ownerReferences)), [
      { apiVersion: 'v1', kind: 'Pod', name: 'pi-driver', uid: driver.metadata?.uid, controller: true },
    ]);
  }
  const ended = await eventually(
    'driver and executors Succeeded',
    async () => {
      const pods = (await core.listNamespacedPod({ namespace })).items;
      return pods.length === 4 && pods.every((p) => p.status?.phase === 'Succeeded') ? pods : undefined;
    },
    { timeoutMs: 30_000 },
  );
  const d = ended.find((p) => p.metadata?.name === 'pi-driver');
  assert.equal(d?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0);
});

test('the exit-code annotation fails the driver with that code after the asked run duration', async (t) => {
  const { kc, core, namespace } = await testNamespace(t);
  await startSimulator(t, kc, namespace);
  await createDriver(core, namespace, 'bad', 'spark.executor.instances=1\n', {
    'sim.sparkop.dev/driver-exit-code': '3',
    'sim.sparkop.dev/driver-run-duration': '1s',
  });
  const driver = await eventually('driver Failed', async () => {
    const pod = await core.readNamespacedPod({ namespace, name: 'bad-driver' });
    return pod.status?.phase === 'Failed' ? pod : undefined;
  });
  assert.equal(driver.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
  const executors = await core.listNamespacedPod({ namespace, labelSelector: 'spark-role=executor' });
  assert.equal(executors.items.length, 1);
  await eventually('the executor ended too', async () => {
    const pod = await core.readNamespacedPod({ namespace, name: executors.items[0]?.metadata?.name ?? '' });
    return pod.status?.phase === 'Succeeded';
  });
});
