// The cache survives its API server: a kube-apiserver restart loses no event, and a watch too old for the server
// (410 after etcd compaction) relists, reporting deletes for objects that vanished meanwhile. A private control
// plane, since these tests stop its components.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { LocalCluster } from '../../src/dev/localcluster/cluster.ts';
import { httpCall } from '../../src/dev/localcluster/http.ts';
import { Cache } from '../../src/runtime/cache/cache.ts';
import type { SharedInformer } from '../../src/runtime/cache/informer.ts';
import { kind, newClient } from '../../src/runtime/client/client.ts';
import { gvkString, type KubeObject } from '../../src/runtime/object.ts';
import { eventually } from '../support/kube.ts';

const ConfigMaps = kind<V1ConfigMap>('v1', 'ConfigMap');
// Retries come quickly here, so the tests do not wait out a 30 s backoff.
const FAST = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.2 };

let cluster: LocalCluster;
let kc: KubeConfig;
let stateRoot: string;

before(async () => {
  stateRoot = mkdtempSync(join(tmpdir(), 'sparkop-cache-restart-'));
  cluster = await LocalCluster.start({ stateRoot, nodes: 1 });
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
});
after(async () => {
  await cluster?.stop();
  rmSync(stateRoot, { recursive: true, force: true });
});

async function namespaceFor(name: string): Promise<string> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

function cm(namespace: string, name: string, data: Record<string, string> = {}): V1ConfigMap {
  // Labelled, so the cache ignores the namespace's own kube-root-ca.crt.
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name, labels: { mine: 'yes' } }, data };
}

async function startCache(namespace: string, t: import('node:test').TestContext) {
  const cache = new Cache({
    kubeConfig: kc,
    backoff: FAST,
    scopes: new Map([[gvkString(ConfigMaps), { namespaces: [namespace], labelSelector: 'mine' }]]),
  });
  const informer = (await cache.getInformer<V1ConfigMap>(ConfigMaps)) as SharedInformer<V1ConfigMap>;
  const events: string[] = [];
  informer.addEventHandler({
    onAdd: (o: KubeObject, initial) => events.push(`add ${o.metadata?.name}${initial ? ' (list)' : ''}`),
    onUpdate: (_, n: KubeObject) =>
      events.push(`update ${n.metadata?.name} ${JSON.stringify((n as V1ConfigMap).data)}`),
    onDelete: (o: KubeObject) => events.push(`delete ${o.metadata?.name}`),
  });
  const ac = new AbortController();
  t.after(() => ac.abort());
  await cache.start(ac.signal);
  assert.equal(await cache.waitForSync(ac.signal), true);
  return { informer, events };
}

describe('runtime cache across control-plane disruptions', () => {
  test('a kube-apiserver restart loses no event: changes made just before it and after it arrive', async (t) => {
    const namespace = await namespaceFor('restart');
    const client = newClient({ kubeConfig: kc });
    await client.create(cm(namespace, 'a', { v: '1' }));
    const { informer, events } = await startCache(namespace, t);
    assert.deepEqual(events, ['add a (list)']);

    // Changed right before the restart: the informer may or may not have seen these before its watch broke.
    await client.patch(ConfigMaps, { namespace, name: 'a' }, { type: 'merge', body: { data: { v: '2' } } });
    await client.create(cm(namespace, 'b'));
    await cluster.restartComponent('kube-apiserver');
    await client.create(cm(namespace, 'c'));
    await client.delete(cm(namespace, 'b'));

    await eventually(
      'all changes seen',
      async () => informer.get({ namespace, name: 'c' }) && !informer.get({ namespace, name: 'b' }),
      { timeoutMs: 20_000 },
    );
    assert.deepEqual((informer.get({ namespace, name: 'a' }) as V1ConfigMap).data, { v: '2' });
    // Each change is reported once, in order, whether it came through the resumed watch or a relist.
    const relevant = events.filter((e) => !e.startsWith('add a'));
    assert.deepEqual(relevant, ['update a {"v":"2"}', 'add b', 'add c', 'delete b']);
    assert.equal(informer.health().healthy, true);
  });

  test('410 after etcd compaction: the informer relists and emits deletes for objects that vanished', async (t) => {
    const namespace = await namespaceFor('compaction');
    const client = newClient({ kubeConfig: kc });
    for (const name of ['keep', 'vanish-1', 'vanish-2', 'change']) await client.create(cm(namespace, name, { v: '1' }));
    const { informer, events } = await startCache(namespace, t);
    assert.equal(events.length, 4);

    // Take the API server away so no watch can progress, change etcd behind its back, and compact the history:
    // when the server returns, the informer's resourceVersion is older than anything it can resume from.
    await cluster.stopComponent('kube-apiserver');
    for (const name of ['vanish-1', 'vanish-2']) {
      const key = Buffer.from(`/registry/configmaps/${namespace}/${name}`).toString('base64');
      const res = await httpCall(`${cluster.etcdUrl}/v3/kv/deleterange`, { method: 'POST', body: { key } });
      assert.equal(res.status, 200, res.body);
      assert.match(res.body, /"deleted":"1"/);
    }
    await cluster.compactEtcd();
    await cluster.startComponent('kube-apiserver');
    await client.patch(ConfigMaps, { namespace, name: 'change' }, { type: 'merge', body: { data: { v: '2' } } });

    await eventually(
      'vanished objects deleted',
      async () => !informer.get({ namespace, name: 'vanish-1' }) && !informer.get({ namespace, name: 'vanish-2' }),
      { timeoutMs: 20_000 },
    );
    await eventually(
      'change seen',
      async () => (informer.get({ namespace, name: 'change' }) as V1ConfigMap | undefined)?.data?.v === '2',
    );
    const after = events.slice(4);
    assert.ok(after.includes('delete vanish-1') && after.includes('delete vanish-2'), after.join('; '));
    assert.ok(after.includes('update change {"v":"2"}'), after.join('; '));
    assert.ok(!after.some((e) => e.includes('keep')), 'unchanged objects raise no event on relist');
    assert.ok(informer.health().relists >= 1, 'the 410 forced a relist');
    assert.deepEqual(
      informer.list().map((o) => o.metadata?.name),
      ['change', 'keep'],
    );
  });
});
