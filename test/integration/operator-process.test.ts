// The operator as users run it: `node src/cli/sparkop.ts` as a child process against the shared control plane,
// limited to a test namespace, with the Spark simulator on. Applications go to COMPLETED (or FAILED when the
// driver is asked to fail); sparkctl reads them back; SIGTERM stops the process cleanly.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { sparkPiApp } from '../../harness/spark-pi.ts';
import { installCrds } from '../../src/api/index.ts';
import { eventually, sharedCluster, testNamespace } from '../support/kube.ts';

const root = join(import.meta.dirname, '..', '..');
const node = process.execPath;
const run = promisify(execFile);

function startOperator(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(node, [join(root, 'src/cli/sparkop.ts'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return { child, output: () => output };
}

function app(name: string, namespace: string, annotations: Record<string, string> = {}) {
  return sparkPiApp(name, {
    namespace,
    annotations,
    spec: { restartPolicy: { type: 'Never' }, executor: { instances: 2 } },
  });
}

test('bad flags are refused with exit code 2 and a message naming the flag; --help lists every flag', async () => {
  const bad = startOperator(['--controller-threads=lots']);
  const [code] = await once(bad.child, 'exit');
  assert.equal(code, 2);
  assert.match(bad.output(), /--controller-threads: "lots" is not an integer/);
  const unknown = startOperator(['--namespace=x']);
  assert.equal((await once(unknown.child, 'exit'))[0], 2);
  assert.match(unknown.output(), /unknown flag --namespace \(did you mean --namespaces\?\)/);
  const { stdout } = await run(node, [join(root, 'src/cli/sparkop.ts'), '--help'], { cwd: root });
  for (const flag of [
    'namespaces',
    'leader-election',
    'metrics-bind-address',
    'enable-ui-service',
    'log-format',
    'kube-api-qps',
  ]) {
    assert.match(stdout, new RegExp(`--${flag}\\n`));
  }
});

test('sparkop runs SparkApplications to COMPLETED and FAILED, and stops on SIGTERM', async (t) => {
  const { kc, namespace, kubeconfigPath } = await testNamespace(t);
  await installCrds(kc);
  const api = kc.makeApiClient(CustomObjectsApi);
  const op = startOperator([
    `--kubeconfig=${kubeconfigPath}`,
    `--namespaces=${namespace}`,
    '--spark-simulator',
    '--metrics-bind-address=127.0.0.1:0',
    '--health-probe-bind-address=127.0.0.1:0',
    '--controller-threads=2',
    '--log-level=debug',
  ]);
  t.after(() => {
    if (op.child.exitCode === null) op.child.kill('SIGKILL');
  });
  await eventually('the controllers start', async () => /starting workers/.test(op.output()), { timeoutMs: 30_000 });
  assert.match(
    op.output(),
    /"controllers":\["spark-application-controller","scheduled-spark-application-controller","spark-connect-controller"\]/,
  );
  const group = { group: 'sparkoperator.k8s.io', version: 'v1beta2', namespace, plural: 'sparkapplications' };
  await api.createNamespacedCustomObject({ ...group, body: app('pi', namespace) });
  await api.createNamespacedCustomObject({
    ...group,
    body: app('fails', namespace, {
      'sim.sparkop.dev/driver-exit-code': '1',
      'sim.sparkop.dev/driver-run-duration': '1s',
    }),
  });
  const stateOf = async (name: string) => {
    const obj = (await api.getNamespacedCustomObject({ ...group, name })) as {
      status?: { applicationState?: { state?: string } };
    };
    return obj.status?.applicationState?.state;
  };
  await eventually('pi COMPLETED', async () => (await stateOf('pi')) === 'COMPLETED', { timeoutMs: 45_000 });
  await eventually('fails FAILED', async () => (await stateOf('fails')) === 'FAILED', { timeoutMs: 45_000 });

  // sparkctl reads the real results back.
  const sparkctl = (...args: string[]) =>
    run(node, [join(root, 'src/cli/sparkctl.ts'), ...args, '-n', namespace, `--kubeconfig=${kubeconfigPath}`], {
      cwd: root,
    });
  const list = await sparkctl('list');
  assert.match(list.stdout, /^NAME\s+STATUS\s+ATTEMPTS\s+START\s+FINISH\s+AGE$/m);
  assert.match(list.stdout, /^fails\s+FAILED\s+1\s+\S+Z\s+\S+Z\s+\d+s$/m);
  assert.match(list.stdout, /^pi\s+COMPLETED\s+1\s+\S+Z\s+\S+Z\s+\d+s$/m);
  const status = await sparkctl('status', 'pi');
  assert.match(status.stdout, /^State:\s+COMPLETED$/m);
  assert.match(status.stdout, /^Driver pod:\s+pi-driver$/m);
  assert.match(status.stdout, /^Executors \(2\):$/m);
  assert.match(status.stdout, /pi-[0-9a-f]{16}-exec-1\s+COMPLETED/);
  const failed = await sparkctl('status', 'fails');
  assert.match(failed.stdout, /^State:\s+FAILED$/m);
  assert.match(failed.stdout, /^Error:\s+.*exit code 1/m);
  const events = await sparkctl('events', 'pi');
  assert.match(events.stdout, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
  assert.match(events.stdout, /SparkApplicationCompleted\s+sparkapplication\/pi/);
  assert.match(events.stdout, /SimulatedExecutorsCreated\s+pod\/pi-driver/);

  op.child.kill('SIGTERM');
  const [code] = await once(op.child, 'exit');
  assert.equal(code, 0, op.output().slice(-2000));
  assert.match(op.output(), /"msg":"stopped"/);
});

test('--namespace-selector that matches nothing is a clear error (exit 1)', async () => {
  const { kubeconfigPath } = await sharedCluster();
  const op = startOperator([
    `--kubeconfig=${kubeconfigPath}`,
    '--namespace-selector=sparkop.dev/none=here',
    '--no-install-crds',
  ]);
  const [code] = await once(op.child, 'exit');
  assert.equal(code, 1);
  assert.match(op.output(), /--namespace-selector sparkop.dev\/none=here: no namespace matches/);
});
