import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseProperties, storeProperties } from '../../src/spark/properties.ts';

test('stored properties parse back to the same map, whatever the characters', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string({ minLength: 1, unit: 'binary' }), fc.string({ unit: 'binary' })), (props) => {
      assert.deepEqual(parseProperties(storeProperties(props, 'comment')), { ...props });
    }),
    { numRuns: 2000 },
  );
});

test('escapes like java.util.Properties and sorts keys', () => {
  const text = storeProperties({ 'spark.master': 'k8s://https://h:6443', 'a key': ' lead#!' }, 'c');
  assert.equal(text, '#c\na\\ key=\\ lead\\#\\!\nspark.master=k8s\\://https\\://h\\:6443\n');
});
