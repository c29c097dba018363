// Real Spark on the local cluster's real node, submitted natively by sparkop: kubeflow's SparkPi examples, unchanged,
// compute Pi; the driver asks the API server for executors, they register through the driver's Service, compute,
// and the driver deletes them at the end. Failures come from real Spark too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { Pods, type SparkApplicationObject } from '../../src/controllers/sparkapplication/kinds.ts';
import { REAL_NODE_NAME } from '../../src/localcluster/realnode.ts';
import { DRIVER_CONTAINER_NAME } from '../../src/spark/lifecycle/types.ts';
import { createApp, eventReasons, startOperator, waitState } from '../integration/sparkapplication-harness.ts';
import { eventually } from '../support/kube.ts';
import { sharedPath } from '../support/shared.ts';
import { appNamed, cleanUpAfter, podLog, realSparkFixture, sparkctl } from './harness.ts';

const EXAMPLES = sharedPath('examples', 'kubeflow');
const RUN_TIMEOUT_MS = 300_000;

function example(file: string): SparkApplicationObject {
  return parse(readFileSync(`${EXAMPLES}/${file}`, 'utf8')) as SparkApplicationObject;
}

async function expectPiComputed(f: Awaited<ReturnType<typeof realSparkFixture>>, name: string): Promise<void> {
  const app = await waitState(f, name, ['COMPLETED', 'FAILED'], RUN_TIMEOUT_MS);
  assert.equal(app.status?.applicationState?.state, 'COMPLETED', app.status?.applicationState?.errorMessage);
  const driver = app.status?.driverInfo?.podName ?? `${name}-driver`;
  const pod = await f.core.readNamespacedPod({ namespace: f.namespace, name: driver });
  assert.equal(pod.spec?.nodeName, REAL_NODE_NAME, 'the driver ran on the real node');
  const log = await podLog(f, driver, DRIVER_CONTAINER_NAME);
  assert.match(log, /Pi is roughly 3\.1/);
  // Executors really registered with the driver, and the operator saw them.
  assert.match(log, /Registered executor/);
  const executors = Object.entries(app.status?.executorState ?? {});
  assert.ok(executors.length >= 1, `executors in the status: ${JSON.stringify(app.status?.executorState)}`);
  // The driver deletes its executor pods when it ends.
  await eventually(
    `${name}'s executor pods deleted by the driver`,
    async () => {
      const pods = await f.api.list(Pods, {
        namespace: f.namespace,
        labelSelector: `sparkoperator.k8s.io/app-name=${name},spark-role=executor`,
      });
      return pods.length === 0;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  // `sparkctl logs` reads the same driver log through the API server.
  assert.match(await sparkctl(f, ['logs', name, '-n', f.namespace]), /Pi is roughly 3\.1/);
}

test("kubeflow's spark-pi.yaml (Scala), unchanged, computes Pi with real executors", async (t) => {
  const f = await realSparkFixture();
  await startOperator(t, f, { namespaces: [f.namespace] });
  cleanUpAfter(t, f, 'spark-pi');
  const out = await sparkctl(f, ['create', '-f', `${EXAMPLES}/spark-pi.yaml`]);
  assert.match(out, /spark-pi/);
  await expectPiComputed(f, 'spark-pi');
});

test("kubeflow's spark-pi-python.yaml (PySpark), unchanged, computes Pi", async (t) => {
  const f = await realSparkFixture();
  await startOperator(t, f, { namespaces: [f.namespace] });
  cleanUpAfter(t, f, 'spark-pi-python');
  await sparkctl(f, ['create', '-f', `${EXAMPLES}/spark-pi-python.yaml`]);
  await expectPiComputed(f, 'spark-pi-python');
});

test('a main class that throws fails the application with the exit code; OnFailure retries it', async (t) => {
  const f = await realSparkFixture();
  await startOperator(t, f, { namespaces: [f.namespace] });
  const app = example('spark-pi.yaml');
  app.metadata = { name: 'fails-retried' };
  app.spec.mainClass = 'dev.sparkop.examples.Fails';
  app.spec.arguments = [];
  app.spec.restartPolicy = { type: 'OnFailure', onFailureRetries: 1, onFailureRetryInterval: 1 };
  cleanUpAfter(t, f, 'fails-retried');
  await createApp(f, app);
  const failed = await waitState(f, 'fails-retried', 'FAILED', RUN_TIMEOUT_MS);
  assert.match(failed.status?.applicationState?.errorMessage ?? '', /exit code 1\b/);
  assert.equal(failed.status?.executionAttempts, 2, 'one run and one retry');
  const driver = failed.status?.driverInfo?.podName ?? 'fails-retried-driver';
  assert.match(await podLog(f, driver, DRIVER_CONTAINER_NAME), /sparkop example failure after counting 100 rows/);
  const reasons = await eventReasons(f, 'fails-retried');
  assert.ok(reasons.includes('SparkDriverFailed'), `events: ${reasons.join(', ')}`);
});

test('a missing application file fails the application with the driver exit code', async (t) => {
  const f = await realSparkFixture();
  await startOperator(t, f, { namespaces: [f.namespace] });
  const app = example('spark-pi.yaml');
  app.metadata = { name: 'missing-file' };
  app.spec.mainApplicationFile = 'local:///opt/spark/examples/jars/no-such.jar';
  cleanUpAfter(t, f, 'missing-file');
  await createApp(f, app);
  const failed = await waitState(f, 'missing-file', 'FAILED', RUN_TIMEOUT_MS);
  assert.match(failed.status?.applicationState?.errorMessage ?? '', /driver container failed with exit code [1-9]/);
  const driver = failed.status?.driverInfo?.podName ?? 'missing-file-driver';
  assert.match(await podLog(f, driver, DRIVER_CONTAINER_NAME), /no-such\.jar/);
});

test('a driver image the node does not have is reported while the application waits', async (t) => {
  const f = await realSparkFixture();
  await startOperator(t, f, { namespaces: [f.namespace] });
  const app = example('spark-pi.yaml');
  app.metadata = { name: 'no-image' };
  app.spec.image = 'docker.io/apache/spark:0.0.0-not-built-here';
  app.spec.imagePullPolicy = 'Never';
  cleanUpAfter(t, f, 'no-image');
  await createApp(f, app);
  const reported = await eventually(
    'the image problem in the status',
    async () => {
      const current = await appNamed(f, 'no-image');
      return /cannot start its container: ErrImageNeverPull/.test(current.status?.applicationState?.errorMessage ?? '')
        ? current
        : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  assert.equal(reported.status?.applicationState?.state, 'SUBMITTED');
  assert.ok((await eventReasons(f, 'no-image')).includes('SparkDriverImageError'));
  assert.match(await sparkctl(f, ['status', 'no-image', '-n', f.namespace]), /ErrImageNeverPull/);
});
