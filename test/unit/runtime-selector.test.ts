// Label selectors parsed and matched as the API server does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { labelMatcher, parseLabelSelector } from '../../src/runtime/cache/selector.ts';
import { fieldMatcher } from '../../src/runtime/client/cachereader.ts';

describe('label selectors', () => {
  test('equality, inequality, sets and existence', () => {
    const m = labelMatcher('app=spark, tier!=web,env in (a, b),!legacy,owner');
    assert.ok(m({ app: 'spark', env: 'a', owner: 'x' }));
    assert.ok(m({ app: 'spark', env: 'b', owner: 'x', tier: 'db' }));
    assert.ok(!m({ app: 'spark', env: 'c', owner: 'x' }));
    assert.ok(!m({ app: 'spark', env: 'a', owner: 'x', legacy: '' }));
    assert.ok(!m({ app: 'spark', env: 'a' }));
    assert.ok(!m({ app: 'spark', env: 'a', owner: 'x', tier: 'web' }));
    assert.ok(labelMatcher('x notin (1,2)')({}));
    assert.ok(labelMatcher('')(undefined), 'the empty selector matches everything');
    assert.ok(labelMatcher({ a: 'b' })({ a: 'b', c: 'd' }));
  });

  test('syntax errors are reported clearly', () => {
    assert.throws(() => parseLabelSelector('a in (x'), /unbalanced/);
    assert.throws(() => parseLabelSelector('a=b,,c'), /empty requirement/);
    assert.throws(() => parseLabelSelector('bad key=1'), /invalid label key/);
    assert.throws(() => parseLabelSelector('a=b c'), /invalid label value/);
  });

  test('cache field selectors: name and namespace only, anything else names the alternative', () => {
    const m = fieldMatcher('metadata.name=x,metadata.namespace!=y');
    assert.ok(m({ metadata: { name: 'x', namespace: 'z' } }));
    assert.ok(!m({ metadata: { name: 'x', namespace: 'y' } }));
    assert.throws(() => fieldMatcher('spec.nodeName=n1'), /register an index with Cache.indexField/);
  });
});
