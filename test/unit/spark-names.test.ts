import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { appNameLabel, driverServiceName, resourceNamePrefix, submissionIds } from '../../src/spark/names.ts';

describe('submission ids', () => {
  test('are the same for the same app and submission, different for another submission', () => {
    const a = submissionIds('uid-1', 'sub-1');
    assert.deepEqual(submissionIds('uid-1', 'sub-1'), a);
    for (const other of [submissionIds('uid-1', 'sub-2'), submissionIds('uid-2', 'sub-1')]) {
      assert.notEqual(other.appId, a.appId);
      assert.notEqual(other.uniqueId, a.uniqueId);
      assert.notEqual(other.confMapId, a.confMapId);
    }
  });
  test("have spark-submit's formats", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (uid, submission) => {
        const ids = submissionIds(uid, submission);
        assert.match(ids.appId, /^spark-[0-9a-f]{32}$/);
        assert.match(ids.uniqueId, /^[0-9a-f]{16}$/);
        assert.match(ids.confMapId, /^[0-9a-f]{16}$/);
        assert.match(ids.localDirId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      }),
    );
  });
});

describe('names', () => {
  test('resource prefix is DNS-safe like Spark makes it', () => {
    assert.equal(resourceNamePrefix('Spark_Pi..App', 'abc'), 'spark-pi-app-abc');
    assert.equal(resourceNamePrefix('1st-app', 'abc'), 'xst-app-abc');
  });
  test('app name label is at most 63 characters and does not end with a dash', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (name) => {
        const label = appNameLabel(name);
        assert.ok(label.length <= 63);
        assert.doesNotMatch(label, /^-|-$|[^a-z0-9-]/);
      }),
    );
  });
  test('driver service name falls back to spark-<id>-driver-svc beyond 63 characters', () => {
    assert.equal(
      driverServiceName('spark-pi-0123456789abcdef', '0123456789abcdef'),
      'spark-pi-0123456789abcdef-driver-svc',
    );
    const long = resourceNamePrefix('long-application-name-for-service-fallback', '0123456789abcdef');
    assert.equal(driverServiceName(long, '0123456789abcdef'), 'spark-0123456789abcdef-driver-svc');
  });
});
