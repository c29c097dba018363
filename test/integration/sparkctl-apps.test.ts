// sparkctl's application commands against the shared control plane (no operator runs here: the status shown is
// written through the status subresource, as the operator would), and their error cases.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { installCrds } from '../../src/api/index.ts';
import { sharedCluster, testNamespace } from '../support/kube.ts';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const example = readFileSync(join(root, 'examples/spark-pi.yaml'), 'utf8');

async function sparkctl(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'src/cli/sparkctl.ts'), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sparkctl-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('create refuses bad input before touching the cluster, naming the problem (and creates nothing)', async (t) => {
  const { namespace, kubeconfigPath, kc } = await testNamespace(t);
  await installCrds(kc);
  const k = [`--kubeconfig=${kubeconfigPath}`, '-n', namespace];
  const missing = await sparkctl(['create', '-f', '/nonexistent/app.yaml', ...k]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /\/nonexistent\/app.yaml: file not found/);
  const syntax = await sparkctl(['create', '-f', file('bad.yaml', 'kind: [unclosed\n'), ...k]);
  assert.equal(syntax.code, 2);
  assert.match(syntax.stderr, /YAML syntax error at line \d+, column \d+/);
  // Two applications, the second invalid: neither is created.
  const good = example.replace('namespace: default', `namespace: ${namespace}`);
  const invalid = good
    .replace('name: spark-pi', 'name: broken')
    .replace(
      '    cores: 1\n    memory: 512m\n    serviceAccount',
      '    cores: -2\n    memory: 512m\n    serviceAccount',
    );
  assert.notEqual(
    invalid,
    good.replace('name: spark-pi', 'name: broken'),
    'the example changed: make it invalid again',
  );
  const both = await sparkctl(['create', '-f', file('two.yaml', `${good}\n---\n${invalid}`), ...k]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /nothing created/);
  assert.match(both.stderr, /SparkApplication broken is invalid:\n.*spec\.driver\.cores/);
  // Other kinds pass to the API server as kubectl's would, but an object without a name is refused first.
  const unnamed = await sparkctl([
    'create',
    '-f',
    file('cm.yaml', `apiVersion: v1\nkind: ConfigMap\n---\n${good}`),
    ...k,
  ]);
  assert.equal(unnamed.code, 2);
  assert.match(
    unnamed.stderr,
    /ConfigMap \(document 1\) is invalid:\n\(object\): a Kubernetes object needs apiVersion, kind and metadata.name/,
  );
  const list = await sparkctl(['list', ...k]);
  assert.equal(list.stdout, `No SparkApplications found in namespace ${namespace}.\n`);
  const conflict = await sparkctl([
    'create',
    '-f',
    file('ns.yaml', good),
    `--kubeconfig=${kubeconfigPath}`,
    '-n',
    'other',
  ]);
  assert.match(conflict.stderr, /namespace .* differs from -n other; nothing created/);
});

test('commands without a cluster or a name say what is missing', async () => {
  const noCluster = await sparkctl(['list'], { KUBECONFIG: '/nonexistent/kubeconfig', HOME: tmpdir() });
  assert.equal(noCluster.code, 2);
  assert.match(
    noCluster.stderr,
    /no cluster configured: set KUBECONFIG or pass --kubeconfig|cannot load the kubeconfig/,
  );
  const noName = await sparkctl(['status']);
  assert.equal(noName.code, 2);
  assert.match(noName.stderr, /status needs the application's NAME/);
  const badOutput = await sparkctl(['list', '-o', 'xml']);
  assert.match(badOutput.stderr, /-o xml: expected yaml or json/);
});

test('create, list (-o json|yaml, -A), status, events and delete', async (t) => {
  const { namespace, kubeconfigPath, kc } = await testNamespace(t);
  await installCrds(kc);
  const k = [`--kubeconfig=${kubeconfigPath}`, '-n', namespace];
  const path = file('pi.yaml', example.replace('  namespace: default\n', ''));
  const created = await sparkctl(['create', '-f', path, ...k]);
  assert.equal(created.stdout, 'sparkapplication.sparkoperator.k8s.io/spark-pi created\n');
  const again = await sparkctl(['create', '-f', path, ...k]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /spark-pi already exists in namespace/);

  // Status as the operator would write it.
  const api = kc.makeApiClient(CustomObjectsApi);
  const group = { group: 'sparkoperator.k8s.io', version: 'v1beta2', namespace, plural: 'sparkapplications' };
  const obj = (await api.getNamespacedCustomObject({ ...group, name: 'spark-pi' })) as Record<string, unknown>;
  await api.replaceNamespacedCustomObjectStatus({
    ...group,
    name: 'spark-pi',
    body: {
      ...obj,
      status: {
        applicationState: { state: 'FAILED', errorMessage: 'driver container failed with ExitCode: 1, Reason: Error' },
        submissionAttempts: 1,
        executionAttempts: 1,
        lastSubmissionAttemptTime: '2026-01-01T00:00:01Z',
        terminationTime: '2026-01-01T00:00:09Z',
        sparkApplicationId: 'spark-123',
        driverInfo: { podName: 'spark-pi-driver', webUIServiceName: 'spark-pi-ui-svc', webUIPort: 4040 },
        executorState: { 'spark-pi-x-exec-10': 'FAILED', 'spark-pi-x-exec-2': 'COMPLETED' },
      },
    },
  });
  const list = await sparkctl(['list', ...k]);
  assert.match(
    list.stdout,
    /^NAME\s+STATUS\s+ATTEMPTS\s+START\s+FINISH\s+AGE\nspark-pi\s+FAILED\s+1\s+2026-01-01T00:00:01Z\s+2026-01-01T00:00:09Z\s+\d+s\n$/,
  );
  const all = await sparkctl(['list', '-A', `--kubeconfig=${kubeconfigPath}`]);
  assert.match(all.stdout, new RegExp(`^${namespace}\\s+spark-pi\\s+FAILED`, 'm'));
  const json = JSON.parse((await sparkctl(['list', '-o', 'json', ...k])).stdout) as {
    kind: string;
    items: { metadata: { name: string } }[];
  };
  assert.equal(json.kind, 'List');
  assert.deepEqual(
    json.items.map((i) => i.metadata.name),
    ['spark-pi'],
  );
  const yaml = parse((await sparkctl(['status', 'spark-pi', '-o', 'yaml', ...k])).stdout) as {
    status: { sparkApplicationId: string };
  };
  assert.equal(yaml.status.sparkApplicationId, 'spark-123');

  const status = await sparkctl(['status', 'spark-pi', ...k]);
  assert.match(status.stdout, /^State:\s+FAILED$/m);
  assert.match(status.stdout, /^Submission attempts:\s+1$/m);
  assert.match(status.stdout, /^Driver pod:\s+spark-pi-driver$/m);
  assert.match(status.stdout, /^Spark UI:\s+spark-pi-ui-svc:4040$/m);
  assert.match(status.stdout, /^Error:\s+driver container failed with ExitCode: 1/m);
  assert.match(
    status.stdout,
    /Executors \(2\):\n\s+NAME\s+STATE\n\s+spark-pi-x-exec-2\s+COMPLETED\n\s+spark-pi-x-exec-10\s+FAILED/,
  );

  const core = (await sharedCluster()).core;
  for (const [kind, name, reason] of [
    ['SparkApplication', 'spark-pi', 'SparkApplicationFailed'],
    ['Pod', 'spark-pi-driver', 'Scheduled'],
    ['Pod', 'someone-else', 'Ignored'],
  ] as const) {
    await core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: `${name}.${reason}`.toLowerCase() },
        involvedObject: { kind, name, namespace },
        reason,
        message: `${reason} happened`,
        type: 'Normal',
        lastTimestamp: new Date(),
      },
    });
  }
  const events = await sparkctl(['events', 'spark-pi', ...k]);
  assert.match(events.stdout, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
  assert.match(events.stdout, /SparkApplicationFailed\s+sparkapplication\/spark-pi\s+SparkApplicationFailed happened/);
  assert.match(events.stdout, /Scheduled\s+pod\/spark-pi-driver/);
  assert.doesNotMatch(events.stdout, /someone-else/);

  const unknown = await sparkctl(['status', 'nope', ...k]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /sparkapplication.sparkoperator.k8s.io "nope" in namespace .* not found/);
  const deleted = await sparkctl(['delete', 'spark-pi', ...k]);
  assert.equal(deleted.stdout, 'sparkapplication.sparkoperator.k8s.io "spark-pi" deleted\n');
  const gone = await sparkctl(['delete', 'spark-pi', ...k]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /not found/);
});
