// The pod and Service cache transforms keep what the lifecycle reads: summarizePod (and so every decision made from
// it) gives the same answer on a full pod as on its slim form.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1ContainerStatus, V1Pod, V1Service } from '@kubernetes/client-node';
import { Pods, Services, SparkApplications } from '../../src/controllers/sparkapplication/kinds.ts';
import {
  cacheScopes,
  LAST_APPLIED_ANNOTATION,
  podApplicationKey,
  slimApplication,
  slimPod,
  slimService,
} from '../../src/controllers/sparkapplication/scope.ts';
import { gvkString, type KubeObject } from '../../src/runtime/index.ts';
import { DRIVER_CONTAINER_NAME, observeDriver, summarizePod } from '../../src/spark/lifecycle/index.ts';

type Pod = V1Pod & KubeObject;

/** A driver pod as the API server returns it (managedFields, spec, conditions, IPs), with `status` changes. */
function fullPod(status: Partial<NonNullable<V1Pod['status']>> = {}, meta: Partial<V1Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'app-1-driver',
      namespace: 'ns',
      uid: '2c0e4f4e-9a1b-4c3d-8e7f-0a1b2c3d4e5f',
      resourceVersion: '4711',
      creationTimestamp: new Date('2026-01-02T03:04:05Z'),
      labels: {
        'spark-app-selector': 'spark-465b2d446451a88f',
        'spark-role': 'driver',
        'sparkoperator.k8s.io/app-name': 'app-1',
        'sparkoperator.k8s.io/launched-by-spark-operator': 'true',
        'sparkoperator.k8s.io/submission-id': 's1',
      },
      annotations: { 'example.com/team': 'data' },
      ownerReferences: [
        {
          apiVersion: 'sparkoperator.k8s.io/v1beta2',
          kind: 'SparkApplication',
          name: 'app-1',
          uid: 'u-app',
          controller: true,
        },
      ],
      managedFields: [{ manager: 'sparkop', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
      ...meta,
    },
    spec: {
      containers: [
        {
          name: DRIVER_CONTAINER_NAME,
          image: 'docker.io/apache/spark:3.5.8',
          args: ['driver', '--properties-file', '/opt/spark/conf/spark.properties'],
          env: [{ name: 'SPARK_USER', value: 'spark' }],
          resources: { requests: { cpu: '10m', memory: '448Mi' } },
        },
      ],
      nodeName: 'sim-node-0',
      volumes: [{ name: 'spark-conf-volume-driver', configMap: { name: 'spark-drv-conf-map' } }],
    },
    status: {
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date('2026-01-02T03:04:06Z') }],
      hostIP: '10.240.0.1',
      podIP: '10.244.0.2',
      podIPs: [{ ip: '10.244.0.2' }],
      qosClass: 'Burstable',
      startTime: new Date('2026-01-02T03:04:06Z'),
      ...status,
    },
  };
}

function container(name: string, state: V1ContainerStatus['state']): V1ContainerStatus {
  return {
    name,
    image: 'docker.io/apache/spark:3.5.8',
    imageID: 'sim://docker.io/apache/spark:3.5.8',
    ready: false,
    restartCount: 0,
    lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
    state,
  };
}

const pods: [string, Pod][] = [
  ['pending, no container status', fullPod({ phase: 'Pending' })],
  [
    'pending, image pull backoff',
    fullPod({
      phase: 'Pending',
      containerStatuses: [container(DRIVER_CONTAINER_NAME, { waiting: { reason: 'ImagePullBackOff', message: 'x' } })],
    }),
  ],
  [
    'running',
    fullPod({
      phase: 'Running',
      containerStatuses: [container(DRIVER_CONTAINER_NAME, { running: { startedAt: new Date() } })],
    }),
  ],
  [
    'running, driver exited 1, sidecar running',
    fullPod({
      phase: 'Running',
      containerStatuses: [
        container(DRIVER_CONTAINER_NAME, { terminated: { exitCode: 1, reason: 'Error', message: 'stack trace' } }),
        container('istio-proxy', { running: {} }),
      ],
    }),
  ],
  [
    'succeeded',
    fullPod({
      phase: 'Succeeded',
      containerStatuses: [container(DRIVER_CONTAINER_NAME, { terminated: { exitCode: 0, reason: 'Completed' } })],
    }),
  ],
  [
    'failed, evicted',
    fullPod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }),
  ],
  [
    'being deleted',
    fullPod(
      { phase: 'Running' },
      { deletionTimestamp: '2026-01-02T03:05:00Z' as unknown as Date, deletionGracePeriodSeconds: 30 },
    ),
  ],
  ['another submission', fullPod({ phase: 'Running' }, { labels: { 'sparkoperator.k8s.io/submission-id': 's0' } })],
];

for (const [label, pod] of pods) {
  test(`slimPod keeps what summarizePod and the pod index read: ${label}`, () => {
    const slim = slimPod(structuredClone(pod)) as Pod;
    assert.deepEqual(summarizePod(slim), summarizePod(pod));
    assert.deepEqual(
      observeDriver(summarizePod(slim), 's1', DRIVER_CONTAINER_NAME),
      observeDriver(summarizePod(pod), 's1', DRIVER_CONTAINER_NAME),
    );
    assert.deepEqual(podApplicationKey(slim), podApplicationKey(pod));
    // What the store, the event recorder and the Spark simulator read.
    assert.equal(slim.apiVersion, 'v1');
    assert.equal(slim.kind, 'Pod');
    for (const field of ['namespace', 'resourceVersion', 'annotations', 'ownerReferences'] as const) {
      assert.deepEqual(slim.metadata?.[field], pod.metadata?.[field], field);
    }
    assert.deepEqual(slim.status?.startTime, pod.status?.startTime);
  });
}

test('slimPod drops what no reader uses: spec, managedFields, conditions, IPs', () => {
  const pod = pods[3]?.[1] as Pod;
  const slim = slimPod(pod) as Pod;
  assert.equal(slim.spec, undefined);
  assert.equal(slim.metadata?.managedFields, undefined);
  assert.deepEqual(Object.keys(slim.status ?? {}).sort(), ['containerStatuses', 'phase', 'startTime']);
  assert.deepEqual(slim.status?.containerStatuses?.[0], {
    name: DRIVER_CONTAINER_NAME,
    state: { terminated: { exitCode: 1, reason: 'Error' } },
  });
  assert.ok(JSON.stringify(slim).length < JSON.stringify(pod).length / 2);
});

test('slimService keeps the UI port, cluster IP and labels; drops selector and managedFields', () => {
  const svc: V1Service & KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'app-1-ui-svc',
      namespace: 'ns',
      uid: 'u-svc',
      resourceVersion: '12',
      labels: { 'sparkoperator.k8s.io/app-name': 'app-1' },
      managedFields: [{ manager: 'sparkop', operation: 'Update' }],
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.241.211',
      clusterIPs: ['10.96.241.211'],
      ports: [{ name: 'spark-driver-ui-port', port: 4040, protocol: 'TCP', targetPort: 4040 }],
      selector: { 'spark-role': 'driver', 'sparkoperator.k8s.io/app-name': 'app-1' },
      sessionAffinity: 'None',
    },
  };
  const slim = slimService(structuredClone(svc)) as V1Service & KubeObject;
  assert.equal(slim.metadata?.name, svc.metadata?.name);
  assert.deepEqual(slim.metadata?.labels, svc.metadata?.labels);
  assert.equal(slim.spec?.clusterIP, '10.96.241.211');
  assert.equal(slim.spec?.ports?.[0]?.port, 4040);
  assert.equal(slim.spec?.selector, undefined);
  assert.equal(slim.metadata?.managedFields, undefined);
});

test('cacheScopes slims pods, Services and SparkApplications', () => {
  const scopes = cacheScopes({ namespaces: [], labelSelectorFilter: '' });
  assert.equal(scopes.get(gvkString(Pods))?.transform, slimPod);
  assert.equal(scopes.get(gvkString(Services))?.transform, slimService);
  assert.equal(scopes.get(gvkString(SparkApplications))?.transform, slimApplication);
});

test("slimApplication drops managedFields and kubectl's last-applied copy, and keeps everything else", () => {
  const app: KubeObject = {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: {
      name: 'pi',
      namespace: 'ns',
      labels: { team: 'a' },
      annotations: { [LAST_APPLIED_ANNOTATION]: '{"spec":{}}', keep: 'me' },
      managedFields: [{ manager: 'kubectl' }],
    },
    spec: { type: 'Scala', driver: { cores: 1 } },
    status: { applicationState: { state: 'RUNNING' } },
  } as KubeObject;
  const slim = slimApplication(app) as KubeObject & { spec: unknown; status: unknown };
  assert.deepEqual(slim.metadata, { name: 'pi', namespace: 'ns', labels: { team: 'a' }, annotations: { keep: 'me' } });
  assert.deepEqual(slim.spec, { type: 'Scala', driver: { cores: 1 } });
  assert.deepEqual(slim.status, { applicationState: { state: 'RUNNING' } });
  const onlyApplied = slimApplication({
    ...app,
    metadata: { name: 'x', annotations: { [LAST_APPLIED_ANNOTATION]: '{}' } },
  });
  assert.deepEqual(onlyApplied.metadata, { name: 'x' });
});
