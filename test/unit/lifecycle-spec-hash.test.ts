import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextSubmissionID, observationTargets, specHash, uiServiceName } from '../../src/spark/lifecycle/index.ts';
import { makeApp, withState } from './lifecycle-helpers.ts';

test('suspend and timeToLiveSeconds do not change the hash; other fields do', () => {
  const h = specHash(makeApp());
  assert.equal(specHash(makeApp({ suspend: true })), h);
  assert.equal(specHash(makeApp({ timeToLiveSeconds: 30 })), h);
  assert.notEqual(specHash(makeApp({ arguments: ['10'] })), h);
  assert.notEqual(specHash(makeApp({ executor: { instances: 3 } })), h);
  assert.notEqual(
    specHash(makeApp({ sparkConf: { 'spark.a': '1' } })),
    specHash(makeApp({ sparkConf: { 'spark.a': '2' } })),
  );
});

test('key order, absent vs empty maps and lists, and nulls do not change the hash; list order does', () => {
  const a = makeApp({ sparkConf: { x: '1', y: '2' } });
  const b = makeApp({ sparkConf: { y: '2', x: '1' } });
  assert.equal(specHash(a), specHash(b));
  assert.equal(specHash(makeApp({ sparkConf: {}, arguments: [] })), specHash(makeApp()));
  assert.notEqual(specHash(makeApp({ arguments: ['a', 'b'] })), specHash(makeApp({ arguments: ['b', 'a'] })));
});

test('submission ids: deterministic, new per attempt, new after a reset of the counters', () => {
  const app = makeApp();
  assert.equal(nextSubmissionID(app, 1), nextSubmissionID(makeApp(), 1));
  assert.notEqual(nextSubmissionID(app, 1), nextSubmissionID(app, 2));
  const afterRun = withState(app, 'PENDING_RERUN', { submissionID: nextSubmissionID(app, 1), submissionAttempts: 0 });
  assert.notEqual(nextSubmissionID(afterRun, 1), nextSubmissionID(app, 1));
  assert.match(nextSubmissionID(app, 1), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test('names: long application names are shortened to 63 characters with a hash; targets follow the status', () => {
  const long = makeApp();
  long.metadata.name = 'a'.repeat(70);
  const name = uiServiceName(long);
  assert.equal(name.length, 63);
  assert.match(name, /^a{47}-[0-9a-f]{8}-ui-svc$/);
  assert.equal(observationTargets(makeApp()).driverPodName, 'pi-driver');
  const recorded = withState(makeApp({ driver: { podName: 'new-name' } }), 'RUNNING', {
    driverInfo: { podName: 'old-name' },
  });
  assert.equal(observationTargets(recorded).driverPodName, 'old-name');
});
