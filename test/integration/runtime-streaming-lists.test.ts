// Informers get their initial state by streaming it (a watch with sendInitialEvents, KEP-3157) where kube-apiserver
// can, and by paginated lists where it cannot: the first against the shared control plane (WatchList on, as
// kube-apiserver 1.36 ships), the second against a private one started with the WatchList feature gate off. Both
// must give the same store and go on with the changes; a protobuf kind streams as well as a JSON one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig, type V1ConfigMap, type V1PodTemplate } from '@kubernetes/client-node';
import { LocalCluster } from '../../src/dev/localcluster/cluster.ts';
import { Cache } from '../../src/runtime/cache/cache.ts';
import type { SharedInformer } from '../../src/runtime/cache/informer.ts';
import { type Client, kind, newClient } from '../../src/runtime/client/client.ts';
import { gvkString, type KubeObject } from '../../src/runtime/object.ts';
import { decodeObjectMeta } from '../../src/runtime/rest/metav1.ts';
import type { ProtobufObjectDecoder } from '../../src/runtime/rest/protobuf.ts';
import { RestClient } from '../../src/runtime/rest/restclient.ts';
import { eventually, sharedCluster } from '../support/kube.ts';

const ConfigMaps = kind<V1ConfigMap>('v1', 'ConfigMap');
const PodTemplates = kind<V1PodTemplate>('v1', 'PodTemplate');
// More than two pages of the cache's lists (500 a page): the paginated path really paginates.
const OBJECTS = 1_100;
const FAST = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.2 };

/** PodTemplates read from protobuf as their name, namespace, resourceVersion and labels: a projection. */
const podTemplateNames: ProtobufObjectDecoder = (message) => {
  while (message.next()) {
    if (message.field === 1) {
      return {
        apiVersion: 'v1',
        kind: 'PodTemplate',
        metadata: decodeObjectMeta(message.message(), ['name', 'namespace', 'resourceVersion', 'labels']),
      };
    }
    message.skip();
  }
  return { apiVersion: 'v1', kind: 'PodTemplate', metadata: {} };
};
const projectTemplate = (o: KubeObject): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PodTemplate',
  metadata: {
    name: o.metadata?.name,
    namespace: o.metadata?.namespace,
    resourceVersion: o.metadata?.resourceVersion,
    labels: o.metadata?.labels,
  },
});

async function fill(client: Client, namespace: string): Promise<void> {
  const names = Array.from({ length: OBJECTS }, (_, i) => `o-${String(i).padStart(4, '0')}`);
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(
      names.slice(i, i + 50).flatMap((name) => [
        client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name, labels: { mine: 'yes' } } }),
        client.create({
          apiVersion: 'v1',
          kind: 'PodTemplate',
          metadata: { namespace, name, labels: { mine: 'yes' } },
          template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } },
        }),
      ]),
    );
  }
}

/** Syncs a cache on `namespace`; checks the store, then that a change made after the sync arrives. */
async function syncsAndFollows(kc: KubeConfig, namespace: string, t: import('node:test').TestContext) {
  const cache = new Cache({
    kubeConfig: kc,
    backoff: FAST,
    scopes: new Map([
      [gvkString(ConfigMaps), { namespaces: [namespace], labelSelector: 'mine' }],
      [
        gvkString(PodTemplates),
        {
          namespaces: [namespace],
          labelSelector: 'mine',
          transform: projectTemplate,
          decodeProtobuf: podTemplateNames,
        },
      ],
    ]),
  });
  const configMaps = (await cache.getInformer<V1ConfigMap>(ConfigMaps)) as SharedInformer<V1ConfigMap>;
  const templates = (await cache.getInformer<V1PodTemplate>(PodTemplates)) as SharedInformer<V1PodTemplate>;
  const ac = new AbortController();
  t.after(() => ac.abort());
  await cache.start(ac.signal);
  assert.equal(await cache.waitForSync(ac.signal), true);
  for (const informer of [configMaps, templates]) {
    assert.equal(informer.list().length, OBJECTS, informer.health().gvk);
    assert.equal(informer.health().healthy, true);
  }
  assert.deepEqual(Object.keys(templates.list()[0]?.metadata ?? {}).sort(), [
    'labels',
    'name',
    'namespace',
    'resourceVersion',
  ]);
  const client = newClient({ kubeConfig: kc });
  await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name: 'o-0000' } });
  await client.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { namespace, name: 'late', labels: { mine: 'yes' } },
  });
  await client.delete({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { namespace, name: 'o-0001' } });
  await eventually('the changes after the sync', async () => {
    const names = new Set(configMaps.list().map((o) => o.metadata?.name));
    return (
      (names.has('late') &&
        !names.has('o-0000') &&
        templates.get({ namespace, name: 'o-0001' }) === undefined &&
        templates.list().length === OBJECTS - 1) ||
      undefined
    );
  });
  return { configMaps, templates };
}

/** kube-apiserver's count of watch-lists served (streams of initial events that ended) of this test's kinds. */
async function watchListCount(kc: KubeConfig): Promise<number> {
  const rest = new RestClient({ kubeConfig: kc, qps: 100, burst: 100, userAgent: 'sparkop-test-metrics' });
  let text: string;
  try {
    const res = await rest.transport.request({ method: 'GET', path: '/metrics', accept: 'text/plain' });
    assert.equal(res.status, 200, '/metrics');
    text = res.body.toString('utf8');
  } finally {
    rest.transport.close();
  }
  return [...text.matchAll(/^apiserver_watch_list_duration_seconds_count\{([^}]*)\} (\d+)/gm)]
    .filter(
      ([, labels]) =>
        /resource="(configmaps|podtemplates)"/.test(labels ?? '') && /scope="namespace"/.test(labels ?? ''),
    )
    .reduce((sum, [, , count]) => sum + Number(count), 0);
}

test('where kube-apiserver streams (WatchList on), informers stream their initial state and list nothing', async (t) => {
  const cluster = await sharedCluster();
  const namespace = `streaming-${process.pid}`;
  const core = cluster.kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  t.after(() => core.deleteNamespace({ name: namespace }).catch(() => undefined));
  const client = newClient({ kubeConfig: cluster.kc });
  await fill(client, namespace);
  const streamedBefore = await watchListCount(cluster.kc);
  const { configMaps, templates } = await syncsAndFollows(cluster.kc, namespace, t);
  assert.equal(configMaps.health().initialState, 'stream');
  assert.equal(templates.health().initialState, 'stream');
  // kube-apiserver counts each finished stream of initial events: one per informer here.
  assert.ok((await watchListCount(cluster.kc)) >= streamedBefore + 2, 'kube-apiserver served two watch-lists');
});

describe('where kube-apiserver does not stream (WatchList off)', () => {
  let cluster: LocalCluster;
  let stateRoot: string;
  let kc: KubeConfig;
  before(async () => {
    stateRoot = mkdtempSync(join(tmpdir(), 'sparkop-watchlist-off-'));
    cluster = await LocalCluster.start({ stateRoot, nodes: 1, apiserverFeatureGates: { WatchList: false } });
    kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
  });
  after(async () => {
    await cluster?.stop();
    rmSync(stateRoot, { recursive: true, force: true });
  });

  test('informers fall back to paginated lists, with the same store and the changes after it', async (t) => {
    const namespace = 'fallback';
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const client = newClient({ kubeConfig: kc });
    await fill(client, namespace);
    const { configMaps, templates } = await syncsAndFollows(kc, namespace, t);
    assert.equal(configMaps.health().initialState, 'list');
    assert.equal(templates.health().initialState, 'list');
    assert.equal(await watchListCount(kc), 0, 'no watch-list served');
  });
});
