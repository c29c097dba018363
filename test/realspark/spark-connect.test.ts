// A real Spark Connect server on the local cluster's real node: kubeflow's example SparkConnect runs its server
// (Spark's start-connect-server.sh in the image), `sparkctl connect url --port-forward` forwards a local port to its
// gRPC port through the API server, and PySpark's Spark Connect client runs a query there; the server's executors
// (real pods asked for by the server) show in the SparkConnect's status.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, type TestContext, test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { sharedPath } from '../../harness/shared.ts';
import type { SparkConnect } from '../../src/api/index.ts';
import { DEFAULT_CONTROLLER_SETTINGS } from '../../src/controllers/sparkapplication/index.ts';
import { registerSparkConnectController, SparkConnects } from '../../src/controllers/sparkconnect/index.ts';
import { REAL_NODE_NAME } from '../../src/dev/localcluster/realnode.ts';
import { sparkApplicationCacheScopes } from '../../src/operator/controllers.ts';
import { isNotFound, type KubeObject } from '../../src/runtime/index.ts';
import { CONNECT_NAME_LABEL, SERVER_CONTAINER_NAME } from '../../src/spark/connect/index.ts';
import { type Fixture, startManager } from '../integration/sparkapplication-harness.ts';
import { eventually } from '../support/kube.ts';
import { NAMESPACE, podLog, realSparkFixture, SPARKCTL, sparkctl, stopRealSparkCluster } from './harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');
after(stopRealSparkCluster);
const EXAMPLE = sharedPath('examples', 'kubeflow', 'sparkconnect', 'spark-connect.yaml');
const NAME = 'spark-connect';
const PYSPARK_VERSION = '4.0.4';
const RUN_TIMEOUT_MS = 300_000;

type Connect = SparkConnect & KubeObject;

/**
 * kubeflow's example as it is, in the `default` namespace. Its images are pulled with imagePullPolicy Always: the real
 * node's registry serves the locally built ones.
 */
function exampleConnect(): Connect {
  const c = parse(readFileSync(EXAMPLE, 'utf8')) as Connect;
  c.metadata.namespace = NAMESPACE;
  return c;
}

/** The python of the pyspark venv with the Spark Connect client (scripts/pyspark/install-connect-client.sh). */
function connectClientPython(): string {
  const out = execFileSync('bash', [join(ROOT, 'scripts', 'pyspark', 'install-connect-client.sh'), PYSPARK_VERSION], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const key = `PYSPARK_CONNECT_${PYSPARK_VERSION.replaceAll('.', '_')}_PYTHON`;
  const python = new RegExp(`^${key}=(.+)$`, 'm').exec(out)?.[1];
  if (!python) throw new Error(`scripts/pyspark/install-connect-client.sh printed no ${key}`);
  return python.trim();
}

/** The SparkConnect controller alone (no simulator: the node runs real Spark), scoped to `default`. */
async function startConnectOperator(t: TestContext, f: Fixture): Promise<void> {
  const scopes = sparkApplicationCacheScopes({ ...DEFAULT_CONTROLLER_SETTINGS, namespaces: [f.namespace] });
  await startManager(t, f, (m) => registerSparkConnectController(m, { namespaces: [f.namespace] }), scopes);
}

/** Deletes the SparkConnect when the test ends and waits until its server and executors are gone. */
function cleanUpConnectAfter(t: TestContext, f: Fixture, name: string): void {
  t.after(async () => {
    await f.api
      .get(SparkConnects, { namespace: f.namespace, name })
      .then((c) => f.api.delete(c, { propagationPolicy: 'Background' }))
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    await eventually(
      `${name}'s pods gone`,
      async () => {
        const pods = await f.core.listNamespacedPod({
          namespace: f.namespace,
          labelSelector: `${CONNECT_NAME_LABEL}=${name}`,
        });
        return pods.items.length === 0;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  });
}

test("kubeflow's example SparkConnect serves a PySpark client through sparkctl connect url --port-forward", async (t) => {
  const python = connectClientPython();
  const f = await realSparkFixture();
  await startConnectOperator(t, f);
  cleanUpConnectAfter(t, f, NAME);
  await f.api.create(exampleConnect());

  let last = '';
  const ready = await eventually(
    'the SparkConnect Ready',
    async () => {
      const c = await f.api.get(SparkConnects, { namespace: f.namespace, name: NAME });
      const condition = c.status?.conditions?.find((x) => x.type === 'ServerPodReady');
      last = `${c.status?.state} ${condition?.reason}: ${condition?.message}`;
      return c.status?.state === 'Ready' ? c : undefined;
    },
    { timeoutMs: RUN_TIMEOUT_MS, intervalMs: 1_000 },
  ).catch((err: unknown) => {
    throw new Error(`${NAME} never became Ready; last seen ${last}`, { cause: err });
  });
  const podName = ready.status?.server?.podName ?? `${NAME}-server`;
  const pod = await f.core.readNamespacedPod({ namespace: f.namespace, name: podName });
  assert.equal(pod.spec?.nodeName, REAL_NODE_NAME, 'the server runs on the real node');
  assert.match(await podLog(f, podName, SERVER_CONTAINER_NAME), /Spark Connect server started/);

  // The port-forward, as a user outside the cluster opens it.
  const forward = spawn(process.execPath, [SPARKCTL, 'connect', 'url', NAME, '--port-forward'], {
    env: { ...process.env, KUBECONFIG: f.kubeconfigPath },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => forward.kill('SIGINT'));
  let printed = '';
  forward.stdout.on('data', (d: Buffer) => {
    printed += d.toString();
  });
  const address = await eventually(
    'sparkctl connect url --port-forward prints its address',
    async () => /sc:\/\/127\.0\.0\.1:\d+/.exec(printed)?.[0],
    { timeoutMs: 60_000, intervalMs: 200 },
  );

  const query =
    'from pyspark.sql import SparkSession; ' +
    `s=SparkSession.builder.remote('${address}').getOrCreate(); ` +
    "print(s.range(1000).selectExpr('sum(id)').collect()[0][0])";
  const { stdout } = await promisify(execFile)(python, ['-c', query], {
    timeout: RUN_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.equal(stdout.trim().split('\n').at(-1), '499500');

  const withExecutors = await eventually(
    'executors in the status',
    async () => {
      const c = await f.api.get(SparkConnects, { namespace: f.namespace, name: NAME });
      return (c.status?.executors?.running ?? 0) >= 1 ? c : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 1_000 },
  );
  t.diagnostic(`executors: ${JSON.stringify(withExecutors.status?.executors)}`);
  const log = await podLog(f, podName, SERVER_CONTAINER_NAME);
  assert.match(log, /Registered executor/, 'an executor registered with the server');
  assert.match(await sparkctl(f, ['connect', 'status', NAME]), /State:\s+Ready/);
});
