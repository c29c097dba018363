// The shared cache against the real API server: events, scoping (namespaces, labels), transform, field indexes,
// late handlers, waitForSync.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { Cache } from '../../src/runtime/cache/cache.ts';
import type { SharedInformer } from '../../src/runtime/cache/informer.ts';
import { kind, newClient } from '../../src/runtime/client/client.ts';
import { ignoreNotFound } from '../../src/runtime/errors.ts';
import { gvkString, type KubeObject } from '../../src/runtime/object.ts';
import { eventually, testNamespace } from '../support/kube.ts';

const ConfigMaps = kind<V1ConfigMap>('v1', 'ConfigMap');

function cm(namespace: string, name: string, labels?: Record<string, string>, data: Record<string, string> = {}) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name, labels }, data } as V1ConfigMap;
}

function recorder() {
  const events: string[] = [];
  return {
    events,
    handler: {
      onAdd: (o: KubeObject, initial: boolean) => events.push(`add ${o.metadata?.name}${initial ? ' (list)' : ''}`),
      onUpdate: (_: KubeObject, n: KubeObject) => events.push(`update ${n.metadata?.name}`),
      onDelete: (o: KubeObject) => events.push(`delete ${o.metadata?.name}`),
    },
  };
}

describe('runtime cache', () => {
  test('delivers add/update/delete, keeps unlabeled objects out, indexes by field and lists by index', async (t) => {
    const { kc, namespace } = await testNamespace(t);
    const client = newClient({ kubeConfig: kc });
    await client.create(cm(namespace, 'before', { 'sparkop.dev/app': 'one' }));
    await client.create(cm(namespace, 'unlabeled'));

    const cache = new Cache({
      kubeConfig: kc,
      scopes: new Map([[gvkString(ConfigMaps), { namespaces: [namespace], labelSelector: 'sparkop.dev/app' }]]),
    });
    cache.indexField<V1ConfigMap>(ConfigMaps, 'byApp', (o) => [o.metadata?.labels?.['sparkop.dev/app'] ?? '']);
    const ac = new AbortController();
    t.after(() => ac.abort());
    const informer = await cache.getInformer<V1ConfigMap>(ConfigMaps);
    const { events, handler } = recorder();
    informer.addEventHandler(handler);
    await cache.start(ac.signal);
    assert.equal(await cache.waitForSync(ac.signal), true);
    assert.ok(informer.hasSynced());
    assert.deepEqual(events, ['add before (list)']);

    await client.create(cm(namespace, 'x1', { 'sparkop.dev/app': 'one' }));
    await client.create(cm(namespace, 'x2', { 'sparkop.dev/app': 'two' }));
    await client.create(cm(namespace, 'plain'));
    await client.patch(ConfigMaps, { namespace, name: 'x1' }, { type: 'merge', body: { data: { k: 'v' } } });
    await client.delete(cm(namespace, 'before'));
    await eventually('events', async () => events.length >= 5);
    assert.deepEqual(events, ['add before (list)', 'add x1', 'add x2', 'update x1', 'delete before']);

    const cachedClient = newClient({ kubeConfig: kc, cache });
    const names = (list: readonly KubeObject[]) => list.map((o) => o.metadata?.name);
    assert.deepEqual(
      names(await cachedClient.list(ConfigMaps, { namespace })),
      ['x1', 'x2'],
      'unlabeled objects stay out',
    );
    assert.deepEqual(names(await cachedClient.list(ConfigMaps, { index: { name: 'byApp', value: 'one' } })), ['x1']);
    assert.deepEqual(names(await cachedClient.list(ConfigMaps, { labelSelector: 'sparkop.dev/app in (two)' })), ['x2']);
    assert.deepEqual(names(await cachedClient.list(ConfigMaps, { fieldSelector: 'metadata.name=x2' })), ['x2']);

    // The index follows updates (relabel) and deletes.
    await client.patch(
      ConfigMaps,
      { namespace, name: 'x2' },
      { type: 'merge', body: { metadata: { labels: { 'sparkop.dev/app': 'one' } } } },
    );
    await eventually(
      'x2 re-indexed',
      async () => informer.list({ index: { name: 'byApp', value: 'one' } }).length === 2,
    );
    assert.deepEqual(names(informer.list({ index: { name: 'byApp', value: 'two' } })), []);
    await client.delete(cm(namespace, 'x1'));
    await eventually(
      'x1 unindexed',
      async () => names(informer.list({ index: { name: 'byApp', value: 'one' } })).join() === 'x2',
    );

    // A handler added late first hears of every object already there.
    const late = recorder();
    const registration = informer.addEventHandler(late.handler);
    assert.deepEqual(late.events, ['add x2 (list)']);
    registration.remove();
    const health = (informer as SharedInformer).health();
    assert.equal(health.healthy, true);
    assert.equal(health.objects, 1);
  });

  test('several namespaces: one watch each, nothing from other namespaces; one informer per kind', async (t) => {
    const a = await testNamespace(t);
    const b = await testNamespace(t);
    const other = await testNamespace(t);
    const client = newClient({ kubeConfig: a.kc });
    const cache = new Cache({
      kubeConfig: a.kc,
      scopes: new Map([
        [
          gvkString(ConfigMaps),
          { namespaces: [a.namespace, b.namespace], transform: (o) => ({ ...o, data: { seen: 'yes' } }) },
        ],
      ]),
    });
    const ac = new AbortController();
    t.after(() => ac.abort());
    await cache.start(ac.signal);
    // Requested after start: started at once.
    const [informer, again] = await Promise.all([cache.getInformer(ConfigMaps), cache.getInformer(ConfigMaps)]);
    assert.equal(informer, again, 'one shared informer per kind');
    assert.equal(await cache.waitForSync(ac.signal), true);
    await client.create(cm(a.namespace, 'in-a', {}, { v: '1' }));
    await client.create(cm(b.namespace, 'in-b'));
    await client.create(cm(other.namespace, 'in-other'));
    await eventually(
      'both namespaces seen',
      async () =>
        informer.get({ namespace: a.namespace, name: 'in-a' }) &&
        informer.get({ namespace: b.namespace, name: 'in-b' }),
    );
    assert.equal(informer.get({ namespace: other.namespace, name: 'in-other' }), undefined);
    assert.ok(informer.list().every((o) => o.metadata?.namespace !== other.namespace));
    assert.deepEqual(
      (informer.get({ namespace: a.namespace, name: 'in-a' }) as V1ConfigMap).data,
      { seen: 'yes' },
      'transform applied',
    );
    await client.delete(cm(a.namespace, 'in-a')).catch(ignoreNotFound);
  });

  test('waitForSync answers false when aborted before the cache runs', async (t) => {
    const { kc } = await testNamespace(t);
    const cache = new Cache({ kubeConfig: kc });
    await cache.getInformer(ConfigMaps);
    const ac = new AbortController();
    const waiting = cache.waitForSync(ac.signal);
    ac.abort();
    assert.equal(await waiting, false);
    await assert.rejects(cache.getInformer(kind('nothere.sparkop.dev/v1', 'Thing')), /no resource for kind Thing/);
  });
});
