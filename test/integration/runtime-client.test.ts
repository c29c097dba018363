// The client against the real API server: CRUD, the status subresource, the four patch types, typed errors,
// cache reads versus live reads, discovery of a CRD installed later, and request metrics.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { V1ConfigMap, V1CustomResourceDefinition } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { Cache } from '../../src/runtime/cache/cache.ts';
import { type Client, kind, newClient } from '../../src/runtime/client/client.ts';
import { applyPatch, jsonPatch, mergePatch, strategicMergePatch } from '../../src/runtime/client/patch.ts';
import {
  AlreadyExistsError,
  ConflictError,
  InvalidError,
  ignoreNotFound,
  NoKindMatchError,
  NotFoundError,
  UnsupportedMediaTypeError,
} from '../../src/runtime/errors.ts';
import type { KubeObject } from '../../src/runtime/object.ts';
import { eventually, testNamespace } from '../support/kube.ts';
import { widgetCrd, widgetGroup } from '../support/widget-crd.ts';

const ConfigMaps = kind<V1ConfigMap>('v1', 'ConfigMap');
const CRDs = kind<V1CustomResourceDefinition>('apiextensions.k8s.io/v1', 'CustomResourceDefinition');

interface Widget extends KubeObject {
  spec?: { size?: number; tags?: string[] };
  status?: { phase?: string };
}

function configMap(
  namespace: string,
  name: string,
  data: Record<string, string>,
  labels?: Record<string, string>,
): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name, labels }, data };
}

/** Installs a Widget CRD in a group of its own (cluster-scoped: unique per test), removed after the test. */
async function installWidgets(client: Client, t: import('node:test').TestContext) {
  const group = widgetGroup();
  const crd = widgetCrd(group);
  const name = crd.metadata.name;
  await client.create<V1CustomResourceDefinition>(crd);
  t.after(() =>
    client
      .delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } })
      .catch(ignoreNotFound),
  );
  await eventually('CRD established', async () => {
    const crd = await client.get(CRDs, { name });
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  });
  return { group, Widgets: kind<Widget>(`${group}/v1`, 'Widget'), apiVersion: `${group}/v1` };
}

describe('runtime client', () => {
  test('create, get, list, update, delete with typed errors', async (t) => {
    const { kc, namespace } = await testNamespace(t);
    const client = newClient({ kubeConfig: kc });
    const created = await client.create(configMap(namespace, 'a', { k: 'v' }, { app: 'x' }));
    assert.equal(created.kind, 'ConfigMap');
    assert.ok(created.metadata?.uid);
    await client.create(configMap(namespace, 'b', { k: 'w' }));

    const got = await client.get(ConfigMaps, { namespace, name: 'a' });
    assert.equal(got.data?.k, 'v');
    assert.deepEqual(
      (await client.list(ConfigMaps, { namespace, labelSelector: 'app=x' })).map((c) => c.metadata?.name),
      ['a'],
    );
    const all = await client.list(ConfigMaps, { namespace });
    assert.ok(
      all.every((c) => c.kind === 'ConfigMap' && c.apiVersion === 'v1'),
      'list items carry their kind',
    );
    assert.equal((await client.list(ConfigMaps, { namespace, limit: 1 })).length, 1);

    await assert.rejects(client.create(configMap(namespace, 'a', {})), AlreadyExistsError);

    const updated = await client.update({ ...got, data: { k: 'v2' } });
    assert.equal(updated.data?.k, 'v2');
    // The first read's resourceVersion is stale now: optimistic concurrency says Conflict.
    await assert.rejects(client.update({ ...got, data: { k: 'v3' } }), (err) => {
      assert.ok(err instanceof ConflictError);
      assert.equal(err.code, 409);
      return true;
    });

    await client.delete(updated, { preconditions: { uid: updated.metadata?.uid } });
    await assert.rejects(client.get(ConfigMaps, { namespace, name: 'a' }), NotFoundError);
    await assert.rejects(client.delete(updated), NotFoundError);
    assert.equal(await client.delete(updated).catch(ignoreNotFound), undefined);

    await assert.rejects(client.create(configMap(namespace, 'Bad_Name', {})), (err) => {
      assert.ok(err instanceof InvalidError);
      assert.ok(
        err.causes.some((c) => c.field === 'metadata.name'),
        JSON.stringify(err.causes),
      );
      return true;
    });
    await assert.rejects(client.create({ metadata: { name: 'x' } }), /has no apiVersion\/kind/);
    await assert.rejects(client.get(ConfigMaps, { name: 'x' }), /namespaced, but no namespace/);
  });

  test('the four patch types, and server-side apply conflicts between field managers', async (t) => {
    const { kc, namespace } = await testNamespace(t);
    const client = newClient({ kubeConfig: kc });
    const key = { namespace, name: 'p' };
    await client.create(configMap(namespace, 'p', { a: '1', b: '2' }));

    let cm = await client.patch(ConfigMaps, key, mergePatch({ data: { b: null, c: '3' } }));
    assert.deepEqual(cm.data, { a: '1', c: '3' });

    cm = await client.patch(
      cm,
      jsonPatch([
        { op: 'test', path: '/data/a', value: '1' },
        { op: 'replace', path: '/data/a', value: 'one' },
      ]),
    );
    assert.equal(cm.data?.a, 'one');
    await assert.rejects(client.patch(cm, jsonPatch([{ op: 'test', path: '/data/a', value: 'nope' }])), InvalidError);

    cm = await client.patch(
      ConfigMaps,
      key,
      strategicMergePatch({ metadata: { labels: { s: 'yes' } }, data: { d: '4' } }),
    );
    assert.deepEqual(cm.data, { a: 'one', c: '3', d: '4' });
    assert.equal(cm.metadata?.labels?.s, 'yes');

    const intent = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name: 'p' }, data: { owned: 'mine' } };
    cm = await client.patch(ConfigMaps, key, applyPatch(intent, 'manager-one'));
    assert.equal(cm.data?.owned, 'mine');
    assert.ok(cm.metadata?.managedFields?.some((f) => f.manager === 'manager-one' && f.operation === 'Apply'));
    const rival = { ...intent, data: { owned: 'theirs' } };
    await assert.rejects(client.patch(ConfigMaps, key, applyPatch(rival, 'manager-two')), ConflictError);
    cm = await client.patch(ConfigMaps, key, applyPatch(rival, 'manager-two', { force: true }));
    assert.equal(cm.data?.owned, 'theirs');

    const dry = await client.patch(ConfigMaps, key, mergePatch({ data: { dry: 'run' } }), { dryRun: true });
    assert.equal(dry.data?.dry, 'run');
    assert.equal((await client.get(ConfigMaps, key)).data?.dry, undefined, 'dry run persists nothing');
  });

  test('custom resources: status subresource, Invalid with field path, no strategic merge, discovery refresh', async (t) => {
    const { kc, namespace } = await testNamespace(t);
    const client = newClient({ kubeConfig: kc });
    // Asked before the CRD exists: no kind match; asked after, discovery is refreshed on the miss.
    const early = kind<Widget>(`early${randomBytes(3).toString('hex')}.sparkop.dev/v1`, 'Widget');
    await assert.rejects(client.get(early, { namespace, name: 'x' }), NoKindMatchError);
    const { Widgets, apiVersion } = await installWidgets(client, t);
    const w = await eventually('Widget kind discovered', () =>
      client.create<Widget>({ apiVersion, kind: 'Widget', metadata: { namespace, name: 'w' }, spec: { size: 2 } }),
    );

    await assert.rejects(
      client.create<Widget>({ apiVersion, kind: 'Widget', metadata: { namespace, name: 'bad' }, spec: { size: 0 } }),
      (err) => {
        assert.ok(err instanceof InvalidError);
        assert.ok(
          err.causes.some((c) => c.field === 'spec.size'),
          JSON.stringify(err.causes),
        );
        return true;
      },
    );

    // The main resource ignores status; the status subresource ignores spec.
    const afterMain = await client.update<Widget>({ ...w, spec: { size: 3 }, status: { phase: 'Ignored' } });
    assert.equal(afterMain.spec?.size, 3);
    assert.equal(afterMain.status, undefined);
    const afterStatus = await client
      .status()
      .update<Widget>({ ...afterMain, spec: { size: 9 }, status: { phase: 'Running' } });
    assert.equal(afterStatus.status?.phase, 'Running');
    assert.equal(afterStatus.spec?.size, 3);
    const patched = await client
      .status()
      .patch(Widgets, { namespace, name: 'w' }, mergePatch({ status: { phase: 'Done' } }));
    assert.equal(patched.status?.phase, 'Done');
    const applied = await client
      .status()
      .patch(
        Widgets,
        { namespace, name: 'w' },
        applyPatch(
          { apiVersion, kind: 'Widget', metadata: { namespace, name: 'w' }, status: { phase: 'Applied' } },
          'status-owner',
          { force: true },
        ),
      );
    assert.equal(applied.status?.phase, 'Applied');

    await assert.rejects(
      client.patch(Widgets, { namespace, name: 'w' }, strategicMergePatch({ spec: { size: 4 } })),
      UnsupportedMediaTypeError,
    );

    await client.create<Widget>({
      apiVersion,
      kind: 'Widget',
      metadata: { namespace, name: 'w2', labels: { batch: '1' } },
      spec: { size: 1 },
    });
    await client.create<Widget>({
      apiVersion,
      kind: 'Widget',
      metadata: { namespace, name: 'w3', labels: { batch: '1' } },
      spec: { size: 1 },
    });
    await client.deleteAllOf(Widgets, { namespace, labelSelector: 'batch=1' });
    assert.deepEqual(
      (await client.list(Widgets, { namespace })).map((x) => x.metadata?.name),
      ['w'],
    );
    await assert.rejects(client.deleteAllOf(Widgets, {}), /namespaced, but no namespace/);
  });

  test('reads come from the cache for kinds it holds (frozen, eventually current); apiReader reads live', async (t) => {
    const { kc, namespace } = await testNamespace(t);
    const cache = new Cache({ kubeConfig: kc, scopes: new Map([['v1, Kind=ConfigMap', { namespaces: [namespace] }]]) });
    const ac = new AbortController();
    t.after(() => ac.abort());
    await cache.getInformer(ConfigMaps);
    await cache.start(ac.signal);
    assert.equal(await cache.waitForSync(ac.signal), true);
    const metrics = new Registry();
    const client = newClient({ kubeConfig: kc, cache, metrics });

    await client.create(configMap(namespace, 'c', { v: '1' }));
    const live = await client.apiReader.get(ConfigMaps, { namespace, name: 'c' });
    assert.equal(live.data?.v, '1');
    const cached = await eventually('cache has c', () =>
      client.get(ConfigMaps, { namespace, name: 'c' }).catch(ignoreNotFound),
    );
    assert.ok(Object.isFrozen(cached) && Object.isFrozen(cached.metadata), 'cache objects are frozen');
    assert.equal(cached.metadata?.managedFields, undefined, 'managedFields are stripped by default');
    assert.ok(live.metadata?.managedFields?.length, 'the live read has them');
    assert.equal(await client.get(ConfigMaps, { namespace, name: 'c' }), cached, 'shared, not copied per read');

    // A write is visible live at once and in the cache once its watch event arrives.
    await client.update({ ...structuredClone(cached), data: { v: '2' } });
    assert.equal((await client.apiReader.get(ConfigMaps, { namespace, name: 'c' })).data?.v, '2');
    await eventually(
      'cache sees v=2',
      async () => (await client.get(ConfigMaps, { namespace, name: 'c' })).data?.v === '2',
    );
    await assert.rejects(client.get(ConfigMaps, { namespace, name: 'nope' }), NotFoundError);

    // A kind the cache does not hold is read live.
    assert.ok(
      (await client.list(kind('v1', 'ServiceAccount'), { namespace })).some((s) => s.metadata?.name === 'default'),
    );

    const text = await metrics.metrics();
    assert.match(text, /rest_client_requests_total\{code="201",method="POST",host="127\.0\.0\.1:\d+"\} 1/);
    assert.match(text, /rest_client_request_duration_seconds_count\{verb="GET",host="127\.0\.0\.1:\d+"\} \d+/);
  });
});
