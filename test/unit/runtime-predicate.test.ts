import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../../src/runtime/object.ts';
import {
  and,
  annotationsChanged,
  funcs,
  generationChanged,
  labelSelector,
  labelsChanged,
  not,
  objectFilter,
  or,
  type Predicate,
  resourceVersionChanged,
  updateFilter,
} from '../../src/runtime/predicate.ts';

const obj = (meta: NonNullable<KubeObject['metadata']>): KubeObject => ({ metadata: { name: 'x', ...meta } });
const update = (p: Predicate, o: KubeObject, n: KubeObject) => p.update({ objectOld: o, objectNew: n });
const allHooks = (p: Predicate, o: KubeObject) => [
  p.create({ object: o, isInInitialList: false }),
  update(p, o, o),
  p.delete({ object: o }),
  p.generic({ object: o }),
];

describe('predicates', () => {
  test('funcs: a missing hook lets events through, a given hook decides', () => {
    const p = funcs({ delete: () => false });
    assert.deepEqual(allHooks(p, obj({})), [true, true, false, true]);
  });

  test('generationChanged passes updates with a new generation and every other event', () => {
    assert.equal(
      update(generationChanged, obj({ generation: 1 }), obj({ generation: 1, resourceVersion: '9' })),
      false,
    );
    assert.equal(update(generationChanged, obj({ generation: 1 }), obj({ generation: 2 })), true);
    assert.deepEqual(
      allHooks(generationChanged, obj({})).filter((_, i) => i !== 1),
      [true, true, true],
    );
  });

  test('resourceVersionChanged drops resync replays', () => {
    assert.equal(update(resourceVersionChanged, obj({ resourceVersion: '5' }), obj({ resourceVersion: '5' })), false);
    assert.equal(update(resourceVersionChanged, obj({ resourceVersion: '5' }), obj({ resourceVersion: '6' })), true);
  });

  test('labelsChanged / annotationsChanged compare maps, not identity or key order', () => {
    assert.equal(
      update(labelsChanged, obj({ labels: { a: '1', b: '2' } }), obj({ labels: { b: '2', a: '1' } })),
      false,
    );
    assert.equal(update(labelsChanged, obj({ labels: { a: '1' } }), obj({ labels: { a: '2' } })), true);
    assert.equal(update(labelsChanged, obj({}), obj({ labels: {} })), false);
    assert.equal(update(labelsChanged, obj({ labels: { a: '1' } }), obj({})), true);
    assert.equal(update(annotationsChanged, obj({ annotations: { a: '1' } }), obj({ annotations: { a: '1' } })), false);
    assert.equal(update(annotationsChanged, obj({}), obj({ annotations: { a: '' } })), true);
  });

  test('labelSelector: matchLabels and every operator; updates judged by the new object', () => {
    const p = labelSelector({
      matchLabels: { app: 'spark' },
      matchExpressions: [
        { key: 'role', operator: 'In', values: ['driver', 'executor'] },
        { key: 'tier', operator: 'NotIn', values: ['web'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    const good = obj({ labels: { app: 'spark', role: 'driver', team: 'x' } });
    assert.deepEqual(allHooks(p, good), [true, true, true, true]);
    for (const labels of [
      { app: 'spark', role: 'other', team: 'x' },
      { app: 'spark', role: 'driver', team: 'x', tier: 'web' },
      { app: 'spark', role: 'driver' },
      { app: 'spark', role: 'driver', team: 'x', legacy: '' },
      { role: 'driver', team: 'x' },
    ] as Record<string, string>[]) {
      assert.equal(p.create({ object: obj({ labels }), isInInitialList: true }), false, JSON.stringify(labels));
    }
    assert.equal(update(p, obj({}), good), true);
    assert.equal(update(p, good, obj({})), false);
  });

  test('labelSelector refuses invalid selectors when built', () => {
    assert.throws(
      () => labelSelector({ matchExpressions: [{ key: 'a', operator: 'Equals' }] }),
      /unknown operator "Equals"/,
    );
    assert.throws(() => labelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] }), /In needs values/);
    assert.throws(
      () => labelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
      /Exists takes no values/,
    );
    assert.throws(() => labelSelector({ matchExpressions: [{ key: '', operator: 'Exists' }] }), /key is empty/);
  });

  test('and / or / not follow boolean logic on every hook (property)', () => {
    const constant = (v: boolean): Predicate => objectFilter(() => v);
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 0, maxLength: 5 }), (values) => {
        const ps = values.map(constant);
        const o = obj({});
        assert.deepEqual(allHooks(and(...ps), o), Array(4).fill(values.every(Boolean)));
        assert.deepEqual(allHooks(or(...ps), o), Array(4).fill(values.some(Boolean)));
        assert.deepEqual(allHooks(not(and(...ps)), o), Array(4).fill(!values.every(Boolean)));
      }),
    );
  });

  test('updateFilter: a custom old/new test applies to updates only', () => {
    const replicasGrew = updateFilter<KubeObject & { spec?: { replicas?: number } }>(
      (o, n) => (n.spec?.replicas ?? 0) > (o.spec?.replicas ?? 0),
    );
    assert.equal(
      replicasGrew.update({ objectOld: { spec: { replicas: 1 } }, objectNew: { spec: { replicas: 2 } } }),
      true,
    );
    assert.equal(
      replicasGrew.update({ objectOld: { spec: { replicas: 2 } }, objectNew: { spec: { replicas: 1 } } }),
      false,
    );
    assert.equal(replicasGrew.delete({ object: {} }), true);
  });
});
