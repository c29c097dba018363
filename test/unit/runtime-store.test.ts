// The informer store: indexes kept right on upsert/delete/replace, and the relist swap's delta.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { deepFreeze } from '../../src/runtime/cache/freeze.ts';
import { Store } from '../../src/runtime/cache/store.ts';
import type { KubeObject } from '../../src/runtime/object.ts';

function obj(ns: string, name: string, rv: string, app?: string): KubeObject {
  return { metadata: { namespace: ns, name, resourceVersion: rv, ...(app ? { labels: { app } } : {}) } };
}
const names = (objs: readonly KubeObject[]) => objs.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`);
const byApp = (o: KubeObject) => (o.metadata?.labels?.app ? [o.metadata.labels.app] : []);

describe('store', () => {
  test('upsert and delete keep the index in step', () => {
    const store = new Store();
    store.addIndex('app', byApp);
    store.upsert(obj('a', 'x', '1', 'one'));
    store.upsert(obj('a', 'y', '2', 'one'));
    assert.deepEqual(names(store.byIndex('app', 'one')), ['a/x', 'a/y']);
    store.upsert(obj('a', 'x', '3', 'two'));
    assert.deepEqual(names(store.byIndex('app', 'one')), ['a/y']);
    assert.deepEqual(names(store.byIndex('app', 'two')), ['a/x']);
    store.delete(obj('a', 'y', '4'));
    assert.deepEqual(names(store.byIndex('app', 'one')), []);
    assert.deepEqual(names(store.byIndex('metadata.namespace', 'a')), ['a/x']);
  });

  test('an index added later covers the objects already there; unknown indexes are an error', () => {
    const store = new Store();
    store.upsert(obj('a', 'x', '1', 'one'));
    store.addIndex('app', byApp);
    assert.deepEqual(names(store.byIndex('app', 'one')), ['a/x']);
    assert.throws(() => store.byIndex('nope', 'x'), /no index named "nope"/);
    assert.throws(() => store.addIndex('app', byApp), /already registered/);
  });

  test('replace reports added, updated (by resourceVersion) and deleted, and swaps indexes with the objects', () => {
    const store = new Store();
    store.addIndex('app', byApp);
    const kept = obj('a', 'same', '1', 'one');
    store.upsert(kept);
    store.upsert(obj('a', 'changed', '1', 'one'));
    store.upsert(obj('a', 'gone', '1', 'one'));
    const delta = store.replace([obj('a', 'same', '1', 'one'), obj('a', 'changed', '2', 'two'), obj('a', 'new', '5')]);
    assert.deepEqual(names(delta.added), ['a/new']);
    assert.deepEqual(
      delta.updated.map(([o, n]) => [o.metadata?.resourceVersion, n.metadata?.resourceVersion]),
      [['1', '2']],
    );
    assert.deepEqual(names(delta.deleted), ['a/gone']);
    assert.equal(store.get('a/same'), kept, 'unchanged objects keep their identity');
    assert.deepEqual(names(store.byIndex('app', 'one')), ['a/same']);
    assert.deepEqual(names(store.byIndex('app', 'two')), ['a/changed']);
  });

  test('replace limited to one namespace leaves the others alone', () => {
    const store = new Store();
    store.upsert(obj('a', 'x', '1'));
    store.upsert(obj('b', 'y', '1'));
    const delta = store.replace([obj('a', 'z', '2')], (o) => o.metadata?.namespace === 'a');
    assert.deepEqual(names(delta.deleted), ['a/x']);
    assert.deepEqual(names(store.list()), ['a/z', 'b/y']);
  });

  test('property: after any sequence of operations, every index agrees with a scan of the objects', () => {
    const op = fc.oneof(
      fc.record({
        t: fc.constant('upsert' as const),
        name: fc.constantFrom('p', 'q', 'r', 's'),
        app: fc.constantFrom('', 'one', 'two'),
        ns: fc.constantFrom('a', 'b'),
      }),
      fc.record({
        t: fc.constant('delete' as const),
        name: fc.constantFrom('p', 'q', 'r', 's'),
        app: fc.constant(''),
        ns: fc.constantFrom('a', 'b'),
      }),
      fc.record({
        t: fc.constant('replace' as const),
        name: fc.constantFrom('p', 'q'),
        app: fc.constantFrom('one', 'two'),
        ns: fc.constantFrom('a', 'b'),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const store = new Store();
        store.addIndex('app', byApp);
        let rv = 0;
        for (const o of ops) {
          rv++;
          if (o.t === 'upsert') store.upsert(obj(o.ns, o.name, String(rv), o.app || undefined));
          else if (o.t === 'delete') store.delete(obj(o.ns, o.name, String(rv)));
          else store.replace([obj(o.ns, o.name, String(rv), o.app)], (x) => x.metadata?.namespace === o.ns);
        }
        for (const app of ['one', 'two']) {
          const scanned = store.list().filter((x) => x.metadata?.labels?.app === app);
          assert.deepEqual(names(store.byIndex('app', app)), names(scanned));
        }
        for (const ns of ['a', 'b']) {
          const scanned = store.list().filter((x) => x.metadata?.namespace === ns);
          assert.deepEqual(names(store.byIndex('metadata.namespace', ns)), names(scanned));
        }
      }),
    );
  });

  test('deepFreeze freezes nested objects and arrays', () => {
    const frozen = deepFreeze({ metadata: { labels: { a: 'b' } }, spec: { list: [{ x: 1 }] } });
    assert.throws(() => {
      (frozen.metadata.labels as Record<string, string>).a = 'c';
    }, TypeError);
    assert.throws(() => {
      frozen.spec.list.push({ x: 2 });
    }, TypeError);
    assert.ok(Object.isFrozen(frozen.spec.list[0]));
  });
});
