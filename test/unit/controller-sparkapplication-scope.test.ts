// The pod and Service cache transforms keep what the lifecycle reads: summarizePod (and so every decision made from
// it) gives the same answer on a full pod as on its slim form.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { V1ContainerStatus, V1Pod, V1Service } from '@kubernetes/client-node';
import { Pods, Services, SparkApplications } from '../../src/controllers/sparkapplication/kinds.ts';
import {
  cacheScopes,
  decodeSlimPod,
  LAST_APPLIED_ANNOTATION,
  POD_PROJECTION,
  podApplicationKey,
  SERVICE_PROJECTION,
  slimApplication,
  slimPod,
  slimService,
} from '../../src/controllers/sparkapplication/scope.ts';
import { gvkString, type KubeObject } from '../../src/runtime/index.ts';
import { ProtoReader, readEnvelope } from '../../src/runtime/rest/protobuf.ts';
import { ownedExecutorPhases, viewService } from '../../src/spark/connect/index.ts';
import {
  DRIVER_CONTAINER_NAME,
  observeDriver,
  observedDriverIngressService,
  observedService,
  summarizePod,
} from '../../src/spark/lifecycle/index.ts';
import { bytes, int, str, time } from '../support/protobuf-encoder.ts';

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

const UNSCHEDULABLE =
  "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are " +
  'available: 3 Preemption is not helpful for scheduling.';
const NEVER_PULLED = 'Container image "docker.io/apache/spark:3.5.8" is not present with pull policy of Never';

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
  [
    'pending, unschedulable',
    fullPod({
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: UNSCHEDULABLE,
          lastTransitionTime: new Date('2026-01-02T03:04:06Z'),
        },
      ],
    }),
  ],
  [
    'pending, scheduling gated',
    fullPod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }),
  ],
  [
    'pending, image never pulled',
    fullPod({
      phase: 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status' },
      ],
      containerStatuses: [
        container(DRIVER_CONTAINER_NAME, { waiting: { reason: 'ErrImageNeverPull', message: NEVER_PULLED } }),
      ],
    }),
  ],
];

function podNamed(label: string): Pod {
  const found = pods.find(([l]) => l === label)?.[1];
  assert.ok(found, label);
  return found;
}

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

test('slimPod keeps a failed PodScheduled condition and waiting messages: the lifecycle reports them', () => {
  const unschedulable = slimPod(structuredClone(podNamed('pending, unschedulable'))) as Pod;
  assert.deepEqual(unschedulable.status?.conditions, [
    { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: UNSCHEDULABLE },
  ]);
  assert.deepEqual(summarizePod(unschedulable).notScheduled, { reason: 'Unschedulable', message: UNSCHEDULABLE });
  const observed = observeDriver(summarizePod(unschedulable), 's1', DRIVER_CONTAINER_NAME);
  assert.deepEqual(observed.kind === 'current' && observed.problem, {
    kind: 'unschedulable',
    reason: 'Unschedulable',
    message: UNSCHEDULABLE,
  });

  const neverPulled = slimPod(structuredClone(podNamed('pending, image never pulled'))) as Pod;
  assert.equal(neverPulled.status?.conditions, undefined, 'conditions other than a failed PodScheduled are dropped');
  assert.deepEqual(neverPulled.status?.containerStatuses?.[0]?.state, {
    waiting: { reason: 'ErrImageNeverPull', message: NEVER_PULLED },
  });
  const pending = observeDriver(summarizePod(neverPulled), 's1', DRIVER_CONTAINER_NAME);
  assert.deepEqual(pending.kind === 'current' && pending.problem, {
    kind: 'image',
    reason: 'ErrImageNeverPull',
    message: NEVER_PULLED,
  });
});

// Pods the API server would send in protobuf.

/** A core/v1 Pod message (generated.proto field numbers) and the JSON the API server sends for the same pod. */
function protoPod(name: string, status: number[]): Buffer {
  const labels = bytes(11, [...str(1, 'spark-role'), ...str(2, 'driver')]);
  const metadata = [...str(1, name), ...str(3, 'ns'), ...str(5, `uid-${name}`), ...str(6, '7'), ...labels];
  const spec = bytes(2, bytes(2, [...str(1, DRIVER_CONTAINER_NAME), ...str(2, 'spark:3.5.8')]));
  return Buffer.from([...bytes(1, metadata), ...spec, ...bytes(3, status)]);
}
function jsonPod(name: string, status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '7', labels: { 'spark-role': 'driver' } },
    spec: { containers: [{ name: DRIVER_CONTAINER_NAME, image: 'spark:3.5.8' }] },
    status,
  } as KubeObject;
}
/** PodCondition: type 1, status 2, lastProbeTime 3, lastTransitionTime 4, reason 5, message 6. */
const condition = (type: string, status: string, reason = '', message = '') =>
  bytes(2, [
    ...str(1, type),
    ...str(2, status),
    ...time(4, '2026-01-02T03:04:06Z'),
    ...(reason ? str(5, reason) : []),
    ...(message ? str(6, message) : []),
  ]);
/** ContainerStatus: name 1, state 2 (ContainerState: waiting 1 {reason 1, message 2}), image 6. */
const waitingContainer = (name: string, reason: string, message: string) =>
  bytes(8, [
    ...str(1, name),
    ...bytes(2, bytes(1, [...str(1, reason), ...str(2, message)])),
    ...int(4, 0),
    ...str(6, 'spark:3.5.8'),
  ]);
const jsonCondition = (type: string, status: string, reason?: string, message?: string) => ({
  type,
  status,
  lastProbeTime: null,
  lastTransitionTime: '2026-01-02T03:04:06Z',
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});
const jsonWaiting = (name: string, reason: string, message: string) => ({
  name,
  state: { waiting: { reason, message } },
  ready: false,
  restartCount: 0,
  image: 'spark:3.5.8',
  imageID: '',
});

const protobufPods: [string, Buffer, KubeObject][] = [
  [
    'unschedulable',
    protoPod('unschedulable', [
      ...str(1, 'Pending'),
      ...condition('PodScheduled', 'False', 'Unschedulable', UNSCHEDULABLE),
      ...str(9, 'BestEffort'),
    ]),
    jsonPod('unschedulable', {
      phase: 'Pending',
      conditions: [jsonCondition('PodScheduled', 'False', 'Unschedulable', UNSCHEDULABLE)],
      qosClass: 'BestEffort',
    }),
  ],
  [
    'image never pulled',
    protoPod('never', [
      ...str(1, 'Pending'),
      ...condition('PodReadyToStartContainers', 'True'),
      ...condition('Initialized', 'True'),
      ...condition('Ready', 'False', 'ContainersNotReady', 'containers with unready status'),
      ...condition('PodScheduled', 'True'),
      ...str(5, '10.240.0.1'),
      ...time(7, '2026-01-02T03:04:06Z'),
      ...waitingContainer(DRIVER_CONTAINER_NAME, 'ErrImageNeverPull', NEVER_PULLED),
    ]),
    jsonPod('never', {
      phase: 'Pending',
      conditions: [
        jsonCondition('PodReadyToStartContainers', 'True'),
        jsonCondition('Initialized', 'True'),
        jsonCondition('Ready', 'False', 'ContainersNotReady', 'containers with unready status'),
        jsonCondition('PodScheduled', 'True'),
      ],
      hostIP: '10.240.0.1',
      startTime: '2026-01-02T03:04:06Z',
      containerStatuses: [jsonWaiting(DRIVER_CONTAINER_NAME, 'ErrImageNeverPull', NEVER_PULLED)],
    }),
  ],
];

for (const [label, pb, json] of protobufPods) {
  test(`decodeSlimPod gives what slimPod makes of the JSON, new fields included: ${label}`, () => {
    const decoded = decodeSlimPod(new ProtoReader(pb));
    const expected = slimPod(structuredClone(json));
    // Same members in the same order, as the integration test checks against the API server.
    assert.equal(JSON.stringify(decoded), JSON.stringify(expected));
    assert.deepEqual(summarizePod(decoded as V1Pod), summarizePod(json as V1Pod));
  });
}

test('decodeSlimPod reports the problems the lifecycle reads', () => {
  const [unschedulable, never] = protobufPods.map(([, pb]) => summarizePod(decodeSlimPod(new ProtoReader(pb))));
  assert.deepEqual(unschedulable?.notScheduled, { reason: 'Unschedulable', message: UNSCHEDULABLE });
  assert.deepEqual(never?.notScheduled, undefined);
  assert.deepEqual(never?.containerStatuses, [
    { name: DRIVER_CONTAINER_NAME, waitingReason: 'ErrImageNeverPull', waitingMessage: NEVER_PULLED },
  ]);
});

test('decodeSlimPod and slimPod agree on a driver pod the API server sent (bench fixtures: protobuf and JSON)', () => {
  const fixture = (name: string) => new URL(`../../bench/fixtures/${name}`, import.meta.url);
  const json = JSON.parse(readFileSync(fixture('driver-pod.api.json'), 'utf8')) as KubeObject;
  const decoded = decodeSlimPod(readEnvelope(readFileSync(fixture('driver-pod.api.pb'))).raw);
  assert.equal(JSON.stringify(decoded), JSON.stringify(slimPod(json)));
  assert.equal((decoded as V1Pod).status?.conditions, undefined, 'PodScheduled True is not kept');
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

/**
 * Every property path `read` reads of `obj`, set or not (JSON names, `[]` for a list element), through recording
 * proxies. Inherited members (a list's find, map) are not paths; Dates are values, not entered.
 */
function pathsRead<T extends object>(obj: T, read: (o: T) => unknown): string[][] {
  const seen = new Map<string, string[]>();
  const note = (path: string[]) => seen.set(path.join(' '), path);
  const wrap = (value: unknown, path: string[]): unknown => {
    if (value === null || typeof value !== 'object' || value instanceof Date) return value;
    return new Proxy(value, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (typeof key === 'symbol' || (!Object.hasOwn(target, key) && key in target)) return v;
        const step = Array.isArray(target) && key !== 'length' ? '[]' : key;
        note([...path, step]);
        return wrap(v, [...path, step]);
      },
      has(target, key) {
        if (typeof key === 'string') note([...path, Array.isArray(target) ? '[]' : key]);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        note(path); // the whole object: its keys, a spread, a copy
        return Reflect.ownKeys(target);
      },
    });
  };
  read(wrap(structuredClone(obj), []) as T);
  return [...seen.values()];
}

function uncovered(projection: { covers(path: readonly string[]): boolean }, paths: string[][]): string[] {
  return paths.filter((p) => !projection.covers(p)).map((p) => p.join('.'));
}

/** Every reader of cached pods, as the controllers call it. */
const POD_READERS: [string, (pod: Pod) => unknown][] = [
  ['summarizePod + observeDriver', (pod) => observeDriver(summarizePod(pod), 's1', DRIVER_CONTAINER_NAME)],
  ['podApplicationKey', (pod) => podApplicationKey(pod)],
  ['SparkConnect ownedExecutorPhases', (pod) => ownedExecutorPhases([pod], 'u-app')],
];

for (const [reader, read] of POD_READERS) {
  test(`${reader} reads only what the pod cache keeps`, () => {
    for (const [label, pod] of pods) {
      assert.deepEqual(uncovered(POD_PROJECTION, pathsRead(pod, read)), [], `${reader} on the pod "${label}"`);
    }
  });
}

test('a reader of a field the pod cache drops is found', () => {
  const pod = podNamed('running');
  const nodeOf = (p: Pod) => [p.spec?.nodeName, p.status?.podIP, p.status?.conditions?.[0]?.lastTransitionTime];
  assert.deepEqual(uncovered(POD_PROJECTION, pathsRead(pod, nodeOf)), [
    'spec',
    'spec.nodeName',
    'status.podIP',
    'status.conditions.[].lastTransitionTime',
  ]);
});

const uiService: V1Service & KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'app-1-ui-svc',
    namespace: 'ns',
    uid: 'u-svc',
    labels: { 'sparkoperator.k8s.io/app-name': 'app-1', 'sparkoperator.k8s.io/submission-id': 's1' },
    annotations: { 'sparkoperator.k8s.io/spec-hash': 'h' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'SparkConnect', name: 'c', uid: 'u-c', controller: true }],
    deletionTimestamp: new Date('2026-01-02T03:04:05Z'),
  },
  spec: { type: 'ClusterIP', clusterIP: '10.96.0.9', ports: [{ name: 'ui', port: 4040, targetPort: 4040 }] },
};

test('every reader of cached Services reads only what the Service cache keeps', () => {
  const readers: [string, (svc: V1Service) => unknown][] = [
    ['observedService', observedService],
    ['observedDriverIngressService', observedDriverIngressService],
    ['SparkConnect viewService', (svc) => viewService(svc, 'u-c')],
    ['podApplicationKey (the event mapping)', podApplicationKey],
  ];
  for (const [reader, read] of readers) {
    assert.deepEqual(uncovered(SERVICE_PROJECTION, pathsRead(uiService, read)), [], reader);
  }
});
