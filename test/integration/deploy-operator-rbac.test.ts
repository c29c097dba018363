// The operator runs with nothing but the chart's RBAC: the chart's ServiceAccount, Roles and bindings are created
// in the test cluster, the operator process (node src/cli/sparkop.ts, with the args of the chart's Deployment) gets
// a kubeconfig holding a token of that ServiceAccount (TokenRequest, as a pod would), and a SparkApplication runs
// to COMPLETED: driver submitted, driver pod ended by the kwok simulation (sim.sparkop.dev/exit-code: "0"), status
// written, leader Lease taken; then a SparkConnect's server starts and it becomes Ready. Any Forbidden in the
// operator's log fails the test.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { sparkPiApp } from '../../harness/spark-pi.ts';
import { installCrds } from '../../src/api/install.ts';
import { renderChart } from '../../src/deploy/helm.ts';
import { ensureBinaries } from '../../src/dev/localcluster/binaries.ts';
import { SIM_EXIT_CODE_ANNOTATION } from '../../src/dev/localcluster/kwok.ts';
import { eventually, sharedCluster, testNamespace } from '../support/kube.ts';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const ENTRYPOINT = join(root, 'src/cli/sparkop.ts');

async function kubectl(args: readonly string[], input?: string): Promise<string> {
  const { kubectl: bin } = await ensureBinaries();
  const { kubeconfigPath } = await sharedCluster();
  return new Promise((done, fail) => {
    const child = execFile(bin, ['--kubeconfig', kubeconfigPath, ...args], (err, stdout, stderr) =>
      err ? fail(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : done(stdout),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

interface KubeconfigFile {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  'current-context'?: string;
  contexts: { name: string; context: { cluster: string } }[];
}

/** A kubeconfig for the same API server that authenticates as the ServiceAccount with a bound token. */
function serviceAccountKubeconfig(adminPath: string, token: string): string {
  const admin = parse(readFileSync(adminPath, 'utf8')) as KubeconfigFile;
  const context = admin.contexts.find((c) => c.name === admin['current-context']) ?? admin.contexts[0]!;
  const cluster = admin.clusters.find((c) => c.name === context.context.cluster)!;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [cluster],
    users: [{ name: 'sparkop', user: { token } }],
    contexts: [{ name: 'sparkop', context: { cluster: cluster.name, user: 'sparkop' } }],
    'current-context': 'sparkop',
  });
}

test('the operator completes a SparkApplication with only the RBAC of the chart', async (t) => {
  const cluster = await sharedCluster();
  const { namespace: operatorNs } = await testNamespace(t);
  const { namespace: jobNs, core } = await testNamespace(t);
  await installCrds(cluster.kc);
  const release = `rbac-${Math.random().toString(36).slice(2, 7)}`;
  // Two replicas: the chart turns leader election on, so the Lease rules are exercised too.
  const { text, objects } = await renderChart({
    release,
    namespace: operatorNs,
    set: { replicaCount: 2, 'spark.jobNamespaces': [jobNs] },
  });
  const rbac = text
    .split(/^---$/m)
    .filter((d) => /^kind: (Role|RoleBinding|ServiceAccount)$/m.test(d))
    .join('\n---\n');
  await kubectl(['apply', '--server-side', '--field-manager=sparkop-rbac-test', '-f', '-'], rbac);

  const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
    spec: { template: { spec: { serviceAccountName: string; containers: { args: string[] }[] } } };
  };
  const pod = deployment.spec.template.spec;
  const token = (await kubectl(['create', 'token', pod.serviceAccountName, '-n', operatorNs, '--duration=1h'])).trim();
  const dir = mkdtempSync(join(tmpdir(), 'sparkop-rbac-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, serviceAccountKubeconfig(cluster.kubeconfigPath, token), { mode: 0o600 });

  // The chart's args, with the kubeconfig (in a pod: the in-cluster config) and no listening ports (tests share
  // the machine's ports).
  const args = pod.containers[0]!.args.map((a) =>
    /^--(metrics-bind-address|health-probe-bind-address)=/.test(a) ? a.replace(/=.*$/, '=0') : a,
  );
  const lockName = /^--leader-election-lock-name=(.*)$/.exec(
    args.find((a) => a.startsWith('--leader-election-lock-name=')) ?? '',
  )?.[1];
  assert.ok(args.includes('--leader-election=true') && lockName, 'the chart turns on leader election for 2 replicas');
  let log = '';
  const child: ChildProcess = spawn(process.execPath, [ENTRYPOINT, ...args, `--kubeconfig=${kubeconfig}`], {
    cwd: root,
    env: { ...process.env, POD_NAMESPACE: operatorNs, POD_NAME: `${release}-0`, KUBECONFIG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    log += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    log += c;
  });
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  t.after(async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
  const tail = () => `\n--- operator log (tail) ---\n${log.split('\n').slice(-40).join('\n')}`;

  const app = 'rbac-pi';
  await kubectl(
    ['apply', '-n', jobNs, '-f', '-'],
    stringify(
      sparkPiApp(app, {
        namespace: jobNs,
        spec: { restartPolicy: { type: 'Never' }, driver: { serviceAccount: `${release}-spark-operator-spark` } },
      }),
    ),
  );

  const driver = await eventually(
    'the driver pod',
    async () => {
      if (exited !== undefined) throw new Error(`the operator exited with ${exited}${tail()}`);
      const pods = await core.listNamespacedPod({ namespace: jobNs, labelSelector: 'spark-role=driver' });
      return pods.items[0]?.metadata?.name;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  ).catch((err: Error) => assert.fail(`${err.message}${tail()}`));
  await kubectl(['annotate', 'pod', driver, '-n', jobNs, `${SIM_EXIT_CODE_ANNOTATION}=0`]);

  await eventually(
    'the application to complete',
    async () => {
      if (exited !== undefined) throw new Error(`the operator exited with ${exited}`);
      const state = await kubectl([
        'get',
        'sparkapplication',
        app,
        '-n',
        jobNs,
        '-o',
        'jsonpath={.status.applicationState.state}',
      ]);
      return state === 'COMPLETED';
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  ).catch((err: Error) => assert.fail(`${err.message}${tail()}`));

  // A Spark Connect server: its pod, Service and ConfigMap, and the SparkConnect's status, through the same Roles.
  const connect = 'rbac-connect';
  await kubectl(
    ['apply', '-n', jobNs, '-f', '-'],
    stringify({
      apiVersion: 'sparkoperator.k8s.io/v1alpha1',
      kind: 'SparkConnect',
      metadata: { name: connect, namespace: jobNs },
      spec: {
        sparkVersion: '4.0.4',
        image: 'docker.io/apache/spark:4.0.4',
        server: { template: { spec: { serviceAccountName: `${release}-spark-operator-spark` } } },
        executor: { instances: 1 },
      },
    }),
  );
  await eventually(
    'the SparkConnect to be Ready',
    async () => {
      if (exited !== undefined) throw new Error(`the operator exited with ${exited}`);
      const state = await kubectl(['get', 'sparkconnect', connect, '-n', jobNs, '-o', 'jsonpath={.status.state}']);
      return state === 'Ready';
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  ).catch((err: Error) => assert.fail(`${err.message}${tail()}`));

  // The leader's Lease, in the release namespace, through the chart's leader-election Role.
  const holder = await kubectl(['get', 'lease', lockName, '-n', operatorNs, '-o', 'jsonpath={.spec.holderIdentity}']);
  assert.ok(holder !== '', 'the operator holds the Lease');
  assert.doesNotMatch(log, /forbidden/i, `the operator hit a permission it lacks${tail()}`);
});
