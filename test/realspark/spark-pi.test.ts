// Real Spark on the local cluster's real node, submitted natively by sparkop: kubeflow's SparkPi examples, unchanged,
// compute Pi; the driver asks the API server for executors, they register through the driver's Service, compute,
// and the driver deletes them at the end. Failures come from real Spark too.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { tokenKubeconfig } from '../../harness/conformance.ts';
import { sharedPath } from '../../harness/shared.ts';
import { Pods, type SparkApplicationObject } from '../../src/controllers/sparkapplication/kinds.ts';
import { REAL_NODE_NAME } from '../../src/dev/localcluster/realnode.ts';
import { DRIVER_CONTAINER_NAME } from '../../src/spark/lifecycle/types.ts';
import { coreSubmissionClient } from '../../src/spark/submit/kube-client.ts';
import { SparkSubmitSubmitter } from '../../src/spark/submit/spark-submit.ts';
import { createApp, eventReasons, startOperator, waitState } from '../integration/sparkapplication-harness.ts';
import { eventually } from '../support/kube.ts';
import {
  appNamed,
  cleanUpAfter,
  podLog,
  pysparkHome,
  realSparkFixture,
  SPARKCTL,
  sparkctl,
  stopRealSparkCluster,
} from './harness.ts';

const EXAMPLES = sharedPath('examples', 'kubeflow');
after(stopRealSparkCluster);
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

test('dynamic allocation adds executors under a backlog and removes idle ones; sparkctl ui serves the UI', async (t) => {
  const f = await realSparkFixture();
  await startOperator(t, f, { namespaces: [f.namespace] });
  const app = example('spark-pi-dynamic-allocation.yaml');
  app.metadata = { name: 'waves' };
  app.spec.mainClass = 'dev.sparkop.examples.Waves';
  // 12 tasks of 3 s on one core: a backlog; then 40 s without work, so idle executors go.
  app.spec.arguments = ['12', '3', '40'];
  app.spec.dynamicAllocation = { enabled: true, initialExecutors: 1, minExecutors: 1, maxExecutors: 3 };
  app.spec.sparkConf = {
    'spark.dynamicAllocation.schedulerBacklogTimeout': '1s',
    'spark.dynamicAllocation.sustainedSchedulerBacklogTimeout': '1s',
    'spark.dynamicAllocation.executorIdleTimeout': '5s',
  };
  // The node has 2 CPUs: small requests let the driver and three executors fit at once.
  app.spec.driver = { ...app.spec.driver, coreRequest: '300m' };
  app.spec.executor = { ...app.spec.executor, coreRequest: '300m' };
  cleanUpAfter(t, f, 'waves');
  await createApp(f, app);
  const running = (a: SparkApplicationObject) =>
    Object.values(a.status?.executorState ?? {}).filter((s) => s === 'RUNNING').length;
  const peak = await eventually(
    'more than one executor RUNNING',
    async () => {
      const current = await appNamed(f, 'waves');
      return running(current) >= 2 ? current : undefined;
    },
    { timeoutMs: RUN_TIMEOUT_MS, intervalMs: 500 },
  );
  t.diagnostic(`at the peak: ${JSON.stringify(peak.status?.executorState)}`);

  // The driver's UI through the API server's port-forward, while the application runs.
  const ui = spawn(process.execPath, [SPARKCTL, 'ui', 'waves', '-n', f.namespace, '--port', '0'], {
    env: { ...process.env, KUBECONFIG: f.kubeconfigPath },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => ui.kill('SIGINT'));
  let printed = '';
  ui.stdout.on('data', (d: Buffer) => {
    printed += d.toString();
  });
  const url = await eventually(
    'sparkctl ui prints its URL',
    async () => /http:\/\/127\.0\.0\.1:\d+/.exec(printed)?.[0],
  );
  const page = await fetch(`${url}/jobs/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Waves - Spark Jobs/);

  const scaledDown = await eventually(
    'idle executors removed while the application still runs',
    async () => {
      const current = await appNamed(f, 'waves');
      const states = Object.values(current.status?.executorState ?? {});
      return current.status?.applicationState?.state === 'RUNNING' && running(current) === 1 && states.length >= 2
        ? current
        : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  t.diagnostic(`scaled down: ${JSON.stringify(scaledDown.status?.executorState)}`);
  const done = await waitState(f, 'waves', ['COMPLETED', 'FAILED'], RUN_TIMEOUT_MS);
  assert.equal(done.status?.applicationState?.state, 'COMPLETED', done.status?.applicationState?.errorMessage);
});

test('the spark-submit submitter runs the same SparkPi on the real node', async (t) => {
  const f = await realSparkFixture();
  const sparkHome = pysparkHome('4.0.4');
  // spark-submit 4.0's Kubernetes client reads the cluster's EC client keys poorly: it gets a ServiceAccount token.
  const token = await tokenKubeconfig(f.kc, mkdtempSync(join(tmpdir(), 'sparkop-submit-')), 'real-spark');
  t.after(token.cleanup);
  const submitter = new SparkSubmitSubmitter({
    sparkHome,
    env: { ...process.env, KUBECONFIG: token.path },
    client: coreSubmissionClient(f.core),
  });
  const server = f.kc.getCurrentCluster()?.server ?? '';
  await startOperator(t, f, { namespaces: [f.namespace], submitter, submission: { masterURL: `k8s://${server}` } });
  const app = example('spark-pi.yaml');
  app.metadata = { name: 'spark-pi-submit' };
  app.spec.arguments = ['200'];
  cleanUpAfter(t, f, 'spark-pi-submit');
  await createApp(f, app);
  await expectPiComputed(f, 'spark-pi-submit');
});

test("imagePullPolicy Always pulls the locally built image from the node's registry", async () => {
  const f = await realSparkFixture();
  const name = 'pull-always';
  await f.core.createNamespacedPod({
    namespace: f.namespace,
    body: {
      metadata: { name },
      spec: {
        restartPolicy: 'Never',
        containers: [
          { name: 'spark', image: 'docker.io/apache/spark:4.0.4', imagePullPolicy: 'Always', args: ['true'] },
        ],
      },
    },
  });
  try {
    await eventually(
      'the pod ran to completion',
      async () => (await f.core.readNamespacedPod({ name, namespace: f.namespace })).status?.phase === 'Succeeded',
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const events = await f.core.listNamespacedEvent({
      namespace: f.namespace,
      fieldSelector: `involvedObject.name=${name}`,
    });
    assert.ok(
      events.items.some((e) => e.reason === 'Pulled' && /Successfully pulled/.test(e.message ?? '')),
      events.items.map((e) => `${e.reason}: ${e.message}`).join('\n'),
    );
  } finally {
    await f.core.deleteNamespacedPod({ name, namespace: f.namespace, gracePeriodSeconds: 0 });
  }
});
