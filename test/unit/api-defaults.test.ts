// withDefaults: kubeflow's SetSparkApplicationDefaults, applied by the operator (the CRD declares no Spark defaults).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type SparkApplication, withDefaults, withScheduledDefaults } from '../../src/api/index.ts';

function app(spec: Partial<SparkApplication['spec']> = {}): SparkApplication {
  return {
    metadata: { name: 'pi' },
    spec: { type: 'Scala', sparkVersion: '4.0.4', mainApplicationFile: 'f.jar', driver: {}, executor: {}, ...spec },
  };
}

test('an empty spec gets mode, restart policy, cores, memory and one executor', () => {
  const out = withDefaults(app());
  assert.equal(out.spec.mode, 'cluster');
  assert.deepEqual(out.spec.restartPolicy, { type: 'Never' });
  assert.deepEqual(
    [out.spec.driver.cores, out.spec.driver.memory, out.spec.executor.cores, out.spec.executor.memory],
    [1, '1g', 1, '1g'],
  );
  assert.equal(out.spec.executor.instances, 1);
});

test('the input is not modified and values already set are kept', () => {
  const input = app({ mode: 'client', driver: { cores: 3, memory: '2g' }, executor: { instances: 4 } });
  const before = structuredClone(input);
  const out = withDefaults(input);
  assert.deepEqual(input, before);
  assert.equal(out.spec.mode, 'client');
  assert.equal(out.spec.driver.cores, 3);
  assert.equal(out.spec.executor.instances, 4);
});

test('a retrying policy gets 5 s retry intervals; Never gets none', () => {
  for (const type of ['OnFailure', 'Always'] as const) {
    const out = withDefaults(app({ restartPolicy: { type, onFailureRetries: 2 } }));
    assert.deepEqual(out.spec.restartPolicy, {
      type,
      onFailureRetries: 2,
      onFailureRetryInterval: 5,
      onSubmissionFailureRetryInterval: 5,
    });
  }
  assert.deepEqual(withDefaults(app({ restartPolicy: { type: 'Never' } })).spec.restartPolicy, { type: 'Never' });
});

test('sparkConf settings suppress the matching defaults', () => {
  const out = withDefaults(
    app({ sparkConf: { 'spark.driver.cores': '2', 'spark.executor.memory': '4g', 'spark.executor.instances': '3' } }),
  );
  assert.equal(out.spec.driver.cores, undefined);
  assert.equal(out.spec.driver.memory, '1g');
  assert.equal(out.spec.executor.memory, undefined);
  assert.equal(out.spec.executor.instances, undefined);
});

test('dynamic allocation: no default instance count, shuffle tracking on unless set', () => {
  const out = withDefaults(app({ dynamicAllocation: { enabled: true, maxExecutors: 4 } }));
  assert.equal(out.spec.executor.instances, undefined);
  assert.equal(out.spec.dynamicAllocation?.shuffleTrackingEnabled, true);
  const kept = withDefaults(app({ dynamicAllocation: { enabled: true, shuffleTrackingEnabled: false } }));
  assert.equal(kept.spec.dynamicAllocation?.shuffleTrackingEnabled, false);
  const off = withDefaults(app({ dynamicAllocation: { enabled: false } }));
  assert.equal(off.spec.executor.instances, 1);
  assert.equal(off.spec.dynamicAllocation?.shuffleTrackingEnabled, undefined);
  const viaConf = withDefaults(app({ sparkConf: { 'spark.dynamicAllocation.enabled': 'true' } }));
  assert.equal(viaConf.spec.executor.instances, undefined);
});

test('schedules get history limits 1 and concurrency Allow', () => {
  const out = withScheduledDefaults({ metadata: { name: 's' }, spec: { schedule: '@hourly', template: app().spec } });
  assert.equal(out.spec.concurrencyPolicy, 'Allow');
  assert.equal(out.spec.successfulRunHistoryLimit, 1);
  assert.equal(out.spec.failedRunHistoryLimit, 1);
});
