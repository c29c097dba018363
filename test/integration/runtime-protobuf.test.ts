// Protobuf reads against the real API server: the pod cache's decodeSlimPod must give exactly what slimPod makes of
// the same pod's JSON (lists and watches), error answers in protobuf must become the same ApiError as in JSON, and
// kinds without protobuf (custom resources) must fall back to JSON.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1CustomResourceDefinition, V1Pod } from '@kubernetes/client-node';
import { Pods } from '../../src/controllers/sparkapplication/kinds.ts';
import {
  decodeSlimPod,
  decodeSlimService,
  slimPod,
  slimService,
} from '../../src/controllers/sparkapplication/scope.ts';
import { Cache, type KindScope } from '../../src/runtime/cache/cache.ts';
import { kind, newClient } from '../../src/runtime/client/client.ts';
import { ignoreNotFound, isNotFound } from '../../src/runtime/errors.ts';
import { gvkString, type KubeObject } from '../../src/runtime/object.ts';
import { decodeList } from '../../src/runtime/rest/protobuf.ts';
import { RestClient } from '../../src/runtime/rest/restclient.ts';
import type { WatchEvent } from '../../src/runtime/rest/watchstream.ts';
import { eventually, testNamespace } from '../support/kube.ts';
import { widgetCrd, widgetGroup } from '../support/widget-crd.ts';

const CRDs = kind<V1CustomResourceDefinition>('apiextensions.k8s.io/v1', 'CustomResourceDefinition');

function podPath(namespace: string, name: string): string {
  return `/api/v1/namespaces/${namespace}/pods/${name}`;
}

// A node that does not exist: neither the scheduler nor kwok touches these pods, so the statuses written here stay.
const NOWHERE = 'no-such-node';

function pod(namespace: string, name: string, extra: Partial<V1Pod['metadata']> = {}): V1Pod & KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      name,
      labels: { 'spark-role': 'executor', 'spark-exec-id': '1', empty: '' },
      annotations: { note: 'a "quoted" value, ünïcode', blank: '' },
      ...extra,
    },
    spec: {
      nodeName: NOWHERE,
      containers: [
        { name: 'spark-kubernetes-executor', image: 'spark:4', env: [{ name: 'A', value: 'x'.repeat(2000) }] },
        { name: 'sidecar', image: 'busybox' },
      ],
    },
  };
}

function containerStatus(name: string, state: Record<string, unknown>) {
  return { name, image: 'img', imageID: '', ready: false, restartCount: 0, state };
}

const STATUSES: Record<string, Record<string, unknown>> = {
  failed: {
    phase: 'Failed',
    reason: 'Evicted',
    message: 'The node was low on resource: memory.',
    startTime: '2026-11-26T01:02:03Z',
    containerStatuses: [
      containerStatus('spark-kubernetes-executor', {
        terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2026-11-26T01:02:04Z' },
      }),
      containerStatus('sidecar', { terminated: { exitCode: -1 } }),
    ],
  },
  succeeded: {
    phase: 'Succeeded',
    startTime: '2026-11-26T01:02:03Z',
    containerStatuses: [
      containerStatus('spark-kubernetes-executor', { terminated: { exitCode: 0, reason: 'Completed' } }),
      containerStatus('sidecar', { terminated: { exitCode: 0 } }),
    ],
  },
  waiting: {
    phase: 'Pending',
    containerStatuses: [
      containerStatus('spark-kubernetes-executor', { waiting: { reason: 'ImagePullBackOff', message: 'no' } }),
      containerStatus('sidecar', { running: { startedAt: '2026-11-26T01:02:03Z' } }),
    ],
  },
};

async function createPods(rest: RestClient, namespace: string): Promise<void> {
  const base = `/api/v1/namespaces/${namespace}/pods`;
  const owner = await rest.request<KubeObject>({
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/configmaps`,
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } },
  });
  const ownerReferences = [
    { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata?.uid ?? '', controller: true },
    { apiVersion: 'v1', kind: 'ConfigMap', name: 'other', uid: 'u-2', blockOwnerDeletion: false },
  ];
  await rest.request({ method: 'POST', path: base, body: pod(namespace, 'fresh') });
  await rest.request({ method: 'POST', path: base, body: pod(namespace, 'owned', { ownerReferences }) });
  for (const [name, status] of Object.entries(STATUSES)) {
    await rest.request({ method: 'POST', path: base, body: pod(namespace, name) });
    await rest.request({
      method: 'PATCH',
      path: `${base}/${name}/status`,
      contentType: 'application/merge-patch+json',
      body: { status },
    });
  }
  // Deleting a pod held by a finalizer sets deletionTimestamp and deletionGracePeriodSeconds, and leaves it there.
  await rest.request({
    method: 'POST',
    path: base,
    body: pod(namespace, 'leaving', { finalizers: ['sparkop.dev/t'] }),
  });
  await rest.request({ method: 'DELETE', path: `${base}/leaving`, body: { gracePeriodSeconds: 0 } });
}

async function collect(events: AsyncGenerator<WatchEvent>, count: number): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  for await (const event of events) {
    out.push(event);
    if (out.length === count) break;
  }
  return out;
}

describe('protobuf reads', () => {
  test('decodeSlimPod equals slimPod of the JSON answer, in lists and watches; errors decode alike', async (t) => {
    const { kc, namespace } = await testNamespace(t);
    const rest = new RestClient({ kubeConfig: kc, qps: 1000, burst: 1000 });
    t.after(() => rest.transport.close());
    await createPods(rest, namespace);
    const path = `/api/v1/namespaces/${namespace}/pods`;
    const asJson = (o: KubeObject) => slimPod({ ...o, apiVersion: 'v1', kind: 'Pod' });

    const json = await rest.request<{ items: KubeObject[] }>({ method: 'GET', path });
    let sawProtobuf = false;
    const fromProtobuf = await rest.requestNegotiated(
      { method: 'GET', path },
      (body) => {
        sawProtobuf = true;
        return decodeList(body, decodeSlimPod);
      },
      () => assert.fail('the API server answered a pod list in JSON'),
    );
    assert.ok(sawProtobuf);
    assert.equal(json.items.length, 6);
    const expected = json.items.map(asJson);
    // Same members in the same order (the cache never compares by order, but JSON.stringify of a pod must not change).
    assert.equal(JSON.stringify(fromProtobuf.items), JSON.stringify(expected));
    assert.deepEqual(fromProtobuf.items, expected);
    const failed = expected.find((p) => p.metadata?.name === 'failed') as V1Pod;
    assert.deepEqual(failed.status?.containerStatuses?.[1]?.state, { terminated: { exitCode: -1 } });
    const leaving = expected.find((p) => p.metadata?.name === 'leaving') as V1Pod;
    assert.ok(leaving.metadata?.deletionTimestamp, 'the finalizer keeps a pod with deletionTimestamp');

    // Watches from resourceVersion 0 begin with an ADDED event per pod: JSON and protobuf must agree.
    const signal = AbortSignal.timeout(30_000);
    const watchPath = `${path}?watch=true&resourceVersion=0`;
    const jsonEvents = await collect(rest.watch(watchPath, { signal, idleTimeoutMs: 30_000 }), 6);
    const protoEvents = await collect(
      rest.watch(watchPath, { signal, idleTimeoutMs: 30_000, decodeProtobuf: decodeSlimPod }),
      6,
    );
    const byName = (events: WatchEvent[]) =>
      Object.fromEntries(
        events.map((e) => [(e.object as KubeObject).metadata?.name, { type: e.type, object: e.object }]),
      );
    const jsonByName = byName(jsonEvents.map((e) => ({ ...e, object: asJson(e.object as KubeObject) }) as WatchEvent));
    assert.deepEqual(byName(protoEvents), jsonByName);

    // An error answer in protobuf (a Status) gives the same ApiError as in JSON.
    const missing = { method: 'GET' as const, path: `${path}/nope` };
    const jsonError = await rest.request(missing).then(
      () => assert.fail('found'),
      (e: unknown) => e,
    );
    const protoError = await rest
      .requestNegotiated(
        missing,
        () => assert.fail('found'),
        () => assert.fail('found'),
      )
      .then(
        () => assert.fail('found'),
        (e: unknown) => e,
      );
    assert.ok(isNotFound(protoError), String(protoError));
    assert.equal((protoError as Error).message, (jsonError as Error).message);
    assert.deepEqual((protoError as { status?: unknown }).status, (jsonError as { status?: unknown }).status);
  });

  test('decodeSlimService equals slimService of the JSON answer', async (t) => {
    const { kc, namespace } = await testNamespace(t);
    const rest = new RestClient({ kubeConfig: kc, qps: 1000, burst: 1000 });
    t.after(() => rest.transport.close());
    const path = `/api/v1/namespaces/${namespace}/services`;
    const services: Record<string, unknown>[] = [
      { clusterIP: 'None', ports: [{ name: 'driver-rpc-port', port: 7078, targetPort: 7078 }] },
      {
        type: 'NodePort',
        ports: [
          { name: 'spark-ui', port: 4040, targetPort: 'ui', appProtocol: 'http' },
          { name: 'udp', port: 4041, protocol: 'UDP' },
        ],
      },
      { type: 'ClusterIP', ports: [{ port: 80 }] },
    ];
    for (const [i, spec] of services.entries()) {
      await rest.request({
        method: 'POST',
        path,
        body: { apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, labels: { a: 'b' } }, spec },
      });
    }
    const json = await rest.request<{ items: KubeObject[] }>({ method: 'GET', path });
    const fromProtobuf = await rest.requestNegotiated(
      { method: 'GET', path },
      (body) => decodeList(body, decodeSlimService),
      () => assert.fail('the API server answered a Service list in JSON'),
    );
    const expected = json.items.map((o) => slimService({ ...o, apiVersion: 'v1', kind: 'Service' }));
    assert.equal(expected.length, 3);
    assert.equal(JSON.stringify(fromProtobuf.items), JSON.stringify(expected));
  });

  test('the cache decodes pods from protobuf (list and watch) and reads a custom resource as JSON', async (t) => {
    const { kc, namespace } = await testNamespace(t);
    const rest = new RestClient({ kubeConfig: kc, qps: 1000, burst: 1000 });
    const client = newClient({ kubeConfig: kc });
    t.after(() => rest.transport.close());
    const group = widgetGroup();
    const crd = widgetCrd(group);
    await client.create(crd);
    t.after(() =>
      client
        .delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: crd.metadata })
        .catch(ignoreNotFound),
    );
    await eventually('CRD established', async () => {
      const got = await client.get(CRDs, { name: crd.metadata.name });
      return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });
    const Widgets = kind(`${group}/v1`, 'Widget');
    const widget = (name: string) => ({
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { namespace, name },
      spec: { size: 1 },
    });
    // Established comes before discovery lists the kind (the client maps kinds through discovery).
    await eventually('Widget kind discovered', () => client.create(widget('listed')));
    await createPods(rest, namespace);

    const cache = new Cache({
      kubeConfig: kc,
      pageSize: 2, // several protobuf pages
      scopes: new Map<string, KindScope>([
        [gvkString(Pods), { namespaces: [namespace], transform: slimPod, decodeProtobuf: decodeSlimPod }],
        // Custom resources have no protobuf: this decoder must never be called.
        [gvkString(Widgets), { namespaces: [namespace], decodeProtobuf: () => assert.fail('protobuf for a CR') }],
      ]),
    });
    const stop = new AbortController();
    t.after(() => stop.abort());
    const pods = await cache.getInformer(Pods);
    const widgets = await cache.getInformer(Widgets);
    await cache.start(stop.signal);
    assert.ok(await cache.waitForSync(AbortSignal.timeout(30_000)));
    assert.equal(widgets.list().length, 1);

    const slimOf = async (name: string) =>
      slimPod({ ...(await rest.request<KubeObject>({ method: 'GET', path: podPath(namespace, name) })) });
    for (const name of ['fresh', 'owned', 'failed', 'succeeded', 'waiting', 'leaving']) {
      assert.deepEqual(pods.get({ namespace, name }), await slimOf(name), name);
    }
    // Watch events: a status change of a cached pod, and a new custom resource.
    await rest.request({
      method: 'PATCH',
      path: `${podPath(namespace, 'fresh')}/status`,
      contentType: 'application/merge-patch+json',
      body: { status: { phase: 'Running', startTime: '2026-11-26T02:00:00Z' } },
    });
    await client.create(widget('watched'));
    await eventually('watch events in the cache', async () => {
      const fresh = pods.get({ namespace, name: 'fresh' }) as V1Pod | undefined;
      return fresh?.status?.phase === 'Running' && widgets.list().length === 2;
    });
    assert.deepEqual(pods.get({ namespace, name: 'fresh' }), await slimOf('fresh'));
    assert.ok(Object.isFrozen(pods.get({ namespace, name: 'fresh' })?.metadata), 'cached objects are frozen');
  });
});
