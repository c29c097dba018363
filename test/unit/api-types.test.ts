// The TypeScript types derived from the schema: checked by `tsc` (npm run check), the @ts-expect-error lines fail the
// type check if a wrong value were ever accepted; the runtime part checks the exported names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  API_GROUP_VERSION,
  APPLICATION_STATES,
  type ApplicationState,
  SCHEDULED_SPARK_APPLICATION_CRD_NAME,
  type ScheduledSparkApplication,
  SPARK_APPLICATION_CRD_NAME,
  type SparkApplication,
} from '../../src/api/index.ts';

test('a typical SparkApplication type-checks, with client-node types for embedded Kubernetes objects', () => {
  const app: SparkApplication = {
    apiVersion: API_GROUP_VERSION,
    kind: 'SparkApplication',
    metadata: { name: 'pi', namespace: 'default' },
    spec: {
      type: 'Scala',
      sparkVersion: '4.0.4',
      mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar',
      driver: { cores: 1, env: [{ name: 'A', value: 'b' }], template: { spec: { containers: [] } } },
      executor: { instances: 2, tolerations: [{ operator: 'Exists' }] },
      restartPolicy: { type: 'OnFailure', onFailureRetries: 3 },
      batchSchedulerOptions: { resources: { cpu: '1', memory: 1024 } },
    },
    status: { driverInfo: {}, applicationState: { state: 'RUNNING' }, lastSubmissionAttemptTime: null },
  };
  assert.equal(app.spec.executor.instances, 2);

  // @ts-expect-error mode is an enum
  const mode: SparkApplication['spec']['mode'] = 'nope';
  // @ts-expect-error states are a closed union
  const state: ApplicationState = 'BOGUS';
  // @ts-expect-error cores is a number
  const cores: ScheduledSparkApplication['spec']['template']['driver']['cores'] = '1';
  assert.ok(mode && state && cores);
});

test('names and states', () => {
  assert.equal(API_GROUP_VERSION, 'sparkoperator.k8s.io/v1beta2');
  assert.equal(SPARK_APPLICATION_CRD_NAME, 'sparkapplications.sparkoperator.k8s.io');
  assert.equal(SCHEDULED_SPARK_APPLICATION_CRD_NAME, 'scheduledsparkapplications.sparkoperator.k8s.io');
  assert.equal(APPLICATION_STATES.length, 14);
  assert.ok(APPLICATION_STATES.includes(''));
});
