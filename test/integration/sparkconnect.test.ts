// The SparkConnect controller against the real control plane, with the Spark simulator playing the server on kwok
// nodes: kubeflow's example, applied unchanged, runs a server with its Service, ConfigMap and executors; a spec
// change rolls the server; a server that dies is started again after a backoff and counted; deleting the
// SparkConnect removes everything it owns; a restarted operator never starts a second server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ApiException, CustomObjectsApi, type V1ConfigMap, type V1Pod, type V1Service } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { sharedPath } from '../../harness/shared.ts';
import {
  API_GROUP,
  SPARK_CONNECT_API_VERSION,
  SPARK_CONNECT_PLURAL,
  type SparkConnect,
  validateSparkConnect,
} from '../../src/api/index.ts';
import { DEFAULT_CONTROLLER_SETTINGS } from '../../src/controllers/sparkapplication/index.ts';
import { registerSparkConnectController, SparkConnects } from '../../src/controllers/sparkconnect/index.ts';
import { ensureBinaries } from '../../src/dev/localcluster/binaries.ts';
import { SIM_EXIT_CODE_ANNOTATION } from '../../src/dev/localcluster/kwok.ts';
import { registerSparkSimulator } from '../../src/dev/localcluster/spark-simulator.ts';
import { sparkApplicationCacheScopes } from '../../src/operator/controllers.ts';
import { isNotFound, type KubeObject, kind, mergePatch } from '../../src/runtime/index.ts';
import {
  CONNECT_NAME_LABEL,
  CONNECT_SERVER_ROLE,
  desiredServerPod,
  SERVER_POD_READY,
  SPEC_HASH_ANNOTATION,
} from '../../src/spark/connect/index.ts';
import { eventually } from '../support/kube.ts';
import { type Fixture, fixture, type Operator, startManager } from './sparkapplication-harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE_FILE = sharedPath('examples', 'kubeflow', 'sparkconnect', 'spark-connect.yaml');
const NAME = 'spark-connect';
const SERVER = 'spark-connect-server';

const Pods = kind<V1Pod & KubeObject>('v1', 'Pod');
const Services = kind<V1Service & KubeObject>('v1', 'Service');
const ConfigMaps = kind<V1ConfigMap & KubeObject>('v1', 'ConfigMap');
type Connect = SparkConnect & KubeObject;

/** The operator's SparkConnect controller and the Spark simulator, with the operator's cache scopes. */
function startConnectOperator(t: TestContext, f: Fixture): Promise<Operator> {
  const settings = { ...DEFAULT_CONTROLLER_SETTINGS, namespaces: [f.namespace] };
  return startManager(
    t,
    f,
    (manager) => {
      registerSparkConnectController(manager, { namespaces: [f.namespace] });
      registerSparkSimulator(manager);
    },
    sparkApplicationCacheScopes(settings),
  );
}

/** kubeflow's example file as it is, but for its namespace. */
function exampleText(namespace: string): string {
  const text = readFileSync(EXAMPLE_FILE, 'utf8');
  const replaced = text.replace(/^ {2}namespace: default$/m, `  namespace: ${namespace}`);
  assert.notEqual(replaced, text, 'the example names its namespace');
  return replaced;
}

async function kubectlApply(f: Fixture, text: string): Promise<string> {
  const { kubectl } = await ensureBinaries();
  return new Promise((resolve, reject) => {
    const child = execFile(kubectl, ['--kubeconfig', f.kubeconfigPath, 'apply', '-f', '-'], (err, stdout, stderr) =>
      err ? reject(new Error(`kubectl apply: ${stderr}`)) : resolve(stdout),
    );
    child.stdin?.end(text);
  });
}

async function createExample(f: Fixture): Promise<Connect> {
  await kubectlApply(f, exampleText(f.namespace));
  return getConnect(f);
}

function getConnect(f: Fixture, name = NAME): Promise<Connect> {
  return f.api.get(SparkConnects, { namespace: f.namespace, name });
}

const conditionOf = (c: SparkConnect) => c.status?.conditions?.find((x) => x.type === SERVER_POD_READY);
const describe = (c: SparkConnect) =>
  `${c.status?.state ?? '(none)'} ${conditionOf(c)?.reason ?? ''}: ${conditionOf(c)?.message ?? ''}`;

/** Waits until the SparkConnect satisfies `check`; the last status seen is in the error. */
async function waitConnect(
  f: Fixture,
  what: string,
  check: (c: Connect) => boolean,
  timeoutMs = 30_000,
): Promise<Connect> {
  let last = '';
  try {
    return await eventually(
      what,
      async () => {
        const c = await getConnect(f);
        last = describe(c);
        return check(c) ? c : undefined;
      },
      { timeoutMs, intervalMs: 150 },
    );
  } catch (err) {
    throw new Error(`${what}: last seen ${last}`, { cause: err });
  }
}

const ready = (c: SparkConnect) => c.status?.state === 'Ready';

async function serverPod(f: Fixture): Promise<(V1Pod & KubeObject) | undefined> {
  return f.api.get(Pods, { namespace: f.namespace, name: SERVER }).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
}

async function serverPods(f: Fixture): Promise<V1Pod[]> {
  return f.api.list(Pods, {
    namespace: f.namespace,
    labelSelector: `${CONNECT_NAME_LABEL}=${NAME},spark-role=${CONNECT_SERVER_ROLE}`,
  });
}

async function connectEvents(f: Fixture): Promise<{ type: string; reason: string; message: string }[]> {
  const events = await f.core.listNamespacedEvent({ namespace: f.namespace });
  return events.items
    .filter((e) => e.involvedObject.kind === 'SparkConnect' && e.involvedObject.name === NAME)
    .map((e) => ({ type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '' }));
}

const runningExecutors = (c: SparkConnect) => c.status?.executors?.running ?? 0;

async function sparkctl(f: Fixture, args: readonly string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'src/cli/sparkctl.ts'), ...args], {
    env: { ...process.env, KUBECONFIG: f.kubeconfigPath },
  });
  return stdout;
}

test("kubeflow's example, applied unchanged, runs its server with Service, ConfigMap and executors", async (t) => {
  const f = await fixture(t);
  assert.deepEqual(validateSparkConnect(parse(exampleText(f.namespace))), []);
  await startConnectOperator(t, f);
  const created = await createExample(f);
  const c = await waitConnect(f, 'Ready with two running executors', (x) => ready(x) && runningExecutors(x) === 2);

  assert.equal(c.status?.server?.podName, SERVER);
  assert.equal(c.status?.server?.serviceName, SERVER);
  assert.match(c.status?.server?.podIp ?? '', /^\d+\.\d+\.\d+\.\d+$/);
  assert.ok(c.status?.startTime && c.status.lastUpdateTime, 'start and last-update times');
  assert.equal(conditionOf(c)?.status, 'True');
  assert.equal(conditionOf(c)?.reason, 'ServerPodReady');
  assert.equal(conditionOf(c)?.observedGeneration, created.metadata.generation);

  const pod = await serverPod(f);
  assert.ok(pod, 'the server pod exists');
  assert.equal(pod.metadata?.ownerReferences?.[0]?.uid, created.metadata.uid);
  assert.equal(pod.metadata?.labels?.['spark-role'], CONNECT_SERVER_ROLE);
  assert.equal(pod.metadata?.labels?.key1, 'value1', "the template's labels");
  assert.equal(pod.metadata?.annotations?.key3, 'value3', "the template's annotations");
  assert.equal(pod.spec?.serviceAccountName, 'spark-operator-spark');
  assert.equal(pod.spec?.securityContext?.runAsUser, 185);
  const container = pod.spec?.containers.find((x) => x.name === 'spark-kubernetes-driver');
  assert.equal(container?.image, 'docker.io/apache/spark:4.0.4');
  assert.match(container?.command?.join(' ') ?? '', /sbin\/start-connect-server\.sh/);
  const args = container?.args ?? [];
  for (const conf of [
    `spark.kubernetes.namespace=${f.namespace}`,
    `spark.driver.host=${SERVER}.${f.namespace}.svc`,
    'spark.driver.port=7078',
    'spark.driver.blockManager.port=7079',
    `spark.kubernetes.driver.pod.name=${SERVER}`,
    `spark.kubernetes.executor.podNamePrefix=${NAME}`,
    'spark.executor.instances=2',
    'spark.executor.memory=512m',
  ]) {
    assert.ok(args.includes(conf), `--conf ${conf} in ${args.join(' ')}`);
  }

  const service = await f.api.get(Services, { namespace: f.namespace, name: SERVER });
  assert.deepEqual(
    service.spec?.ports?.map((p) => p.port).sort((a, b) => a - b),
    [4040, 7078, 7079, 15002],
  );
  assert.equal(service.spec?.selector?.['spark-role'], CONNECT_SERVER_ROLE);
  const cm = await f.api.get(ConfigMaps, { namespace: f.namespace, name: `${NAME}-conf` });
  assert.match(cm.data?.['executor-pod-template.yaml'] ?? '', /spark-kubernetes-executor/);

  const executors = await f.api.list(Pods, {
    namespace: f.namespace,
    labelSelector: `${CONNECT_NAME_LABEL}=${NAME},spark-role=executor`,
  });
  assert.deepEqual(executors.map((p) => p.metadata?.name).sort(), [`${NAME}-exec-1`, `${NAME}-exec-2`]);
  for (const e of executors) assert.equal(e.metadata?.ownerReferences?.[0]?.uid, pod.metadata?.uid);
  assert.equal(executors[0]?.metadata?.labels?.key1, 'value1', "the executor template's labels");

  const reasons = (await connectEvents(f)).map((e) => e.reason);
  assert.ok(
    reasons.includes('SparkConnectServerStarting') && reasons.includes('SparkConnectServerReady'),
    `${reasons}`,
  );

  // sparkctl.
  const k = ['-n', f.namespace];
  assert.match(
    await sparkctl(f, ['connect', 'list', ...k]),
    new RegExp(`${NAME}\\s+Ready\\s+${SERVER}\\s+${SERVER}\\s+2 running\\s+0`),
  );
  const status = await sparkctl(f, ['connect', 'status', NAME, ...k]);
  assert.match(status, /State:\s+Ready/);
  assert.match(status, new RegExp(`Address:\\s+sc://${SERVER}\\.${f.namespace}\\.svc:15002`));
  const url = (await sparkctl(f, ['connect', 'url', NAME, ...k])).split('\n');
  assert.equal(url[0], `sc://${SERVER}.${f.namespace}.svc:15002`);
  assert.match(url[1] ?? '', new RegExp(`npx sparkctl connect url ${NAME} -n ${f.namespace} --port-forward`));
});

test('sparkctl connect create validates and creates; delete removes it', async (t) => {
  const f = await fixture(t);
  const k = ['-n', f.namespace];
  const dir = mkdtempSync(join(tmpdir(), 'sparkconnect-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, exampleText(f.namespace).replace('instances: 2', 'instances: -1'));
  const refused = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'src/cli/sparkctl.ts'), 'connect', 'create', '-f', bad, ...k],
    {
      env: { ...process.env, KUBECONFIG: f.kubeconfigPath },
    },
  ).then(
    () => assert.fail('an invalid SparkConnect was created'),
    (err: { code: number; stderr: string }) => err,
  );
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /spec\.executor\.instances: /);
  const good = join(dir, 'good.yaml');
  writeFileSync(good, exampleText(f.namespace));
  assert.equal(
    await sparkctl(f, ['connect', 'create', '-f', good, ...k]),
    `sparkconnect.sparkoperator.k8s.io/${NAME} created\n`,
  );
  assert.equal((await getConnect(f)).spec.executor.instances, 2);
  assert.equal(
    await sparkctl(f, ['connect', 'delete', NAME, ...k]),
    `sparkconnect.sparkoperator.k8s.io "${NAME}" deleted\n`,
  );
});

test('invalid SparkConnects are rejected by the API server and the validator, at the same field', async (t) => {
  const f = await fixture(t);
  const api = f.kc.makeApiClient(CustomObjectsApi);
  /** Server-side dry-run create with strict field validation (kubectl's default): the error message, if any. */
  const serverVerdict = async (body: Connect): Promise<string | undefined> => {
    try {
      await api.createNamespacedCustomObject({
        group: API_GROUP,
        version: SPARK_CONNECT_API_VERSION,
        namespace: f.namespace,
        plural: SPARK_CONNECT_PLURAL,
        body,
        dryRun: 'All',
        fieldValidation: 'Strict',
      });
      return undefined;
    } catch (err) {
      if (!(err instanceof ApiException)) throw err;
      const status = typeof err.body === 'string' ? (JSON.parse(err.body) as { message?: string }) : undefined;
      return status?.message ?? String(err.body);
    }
  };
  const example = parse(exampleText(f.namespace)) as Connect;
  assert.equal(await serverVerdict(example), undefined, "kubeflow's example is valid");
  const cases: [string, (c: Connect) => void, string][] = [
    ['a negative executor count', (c) => (c.spec.executor.instances = -1), 'spec.executor.instances'],
    ['server cores below 1', (c) => (c.spec.server.cores = 0), 'spec.server.cores'],
    ['no sparkVersion', (c) => delete (c.spec as Partial<Connect['spec']>).sparkVersion, 'spec.sparkVersion'],
    ['an unknown field', (c) => ((c.spec as Record<string, unknown>).sparkConfig = {}), 'spec.sparkConfig'],
    ['a name Spark cannot prefix executors with', (c) => (c.metadata.name = `x${'y'.repeat(47)}`), 'metadata.name'],
    [
      'more executors than dynamic allocation allows',
      (c) => (c.spec.dynamicAllocation = { enabled: true, maxExecutors: 1 }),
      'spec.executor.instances',
    ],
  ];
  for (const [what, change, field] of cases) {
    const c = structuredClone(example);
    change(c);
    const issues = validateSparkConnect(c);
    assert.ok(
      issues.some((i) => i.path === field),
      `${what}: the validator names ${field}: ${JSON.stringify(issues)}`,
    );
    const server = await serverVerdict(c);
    assert.ok(server?.includes(field), `${what}: the API server names ${field}: ${server}`);
  }
});

test('a spec change rolls the server: a new pod with the new settings and hash', async (t) => {
  const f = await fixture(t);
  await startConnectOperator(t, f);
  await createExample(f);
  const before = await waitConnect(f, 'Ready with two executors', (x) => ready(x) && runningExecutors(x) === 2);
  const old = await serverPod(f);
  assert.ok(old);
  await f.api.patch(
    SparkConnects,
    { namespace: f.namespace, name: NAME },
    mergePatch({ spec: { executor: { instances: 1 } } }),
  );
  const after = await waitConnect(
    f,
    'Ready again with one executor on a new server',
    (x) => ready(x) && runningExecutors(x) === 1 && (x.metadata.generation ?? 0) > (before.metadata.generation ?? 0),
  );
  const pod = await serverPod(f);
  assert.ok(pod);
  assert.notEqual(pod.metadata?.uid, old.metadata?.uid, 'a new server pod');
  assert.notEqual(pod.metadata?.annotations?.[SPEC_HASH_ANNOTATION], old.metadata?.annotations?.[SPEC_HASH_ANNOTATION]);
  assert.ok(pod.spec?.containers[0]?.args?.includes('spark.executor.instances=1'), 'the new settings');
  assert.equal(after.status?.restartAttempts ?? 0, 0, 'a roll is not a restart');
  assert.equal((await serverPods(f)).length, 1);
  assert.ok((await connectEvents(f)).some((e) => e.reason === 'SparkConnectSpecChanged'));
});

test('a server that dies is started again after a backoff, counted, with a Warning event', async (t) => {
  const f = await fixture(t);
  await startConnectOperator(t, f);
  await createExample(f);
  await waitConnect(f, 'Ready', ready);
  const first = await serverPod(f);
  assert.ok(first);

  // Deleted by someone.
  await f.api.delete(first, { gracePeriodSeconds: 0 });
  const once = await waitConnect(f, 'Ready after one restart', (x) => ready(x) && x.status?.restartAttempts === 1);
  const second = await serverPod(f);
  assert.notEqual(second?.metadata?.uid, first.metadata?.uid);
  assert.ok(once.status?.lastRestartTime);
  const died = (await connectEvents(f)).filter((e) => e.reason === 'SparkConnectServerDied');
  assert.equal(died[0]?.type, 'Warning');
  assert.match(died[0]?.message ?? '', /was deleted|is being deleted/);

  // Failed: the server's container exits with 1.
  await f.api.patch(
    Pods,
    { namespace: f.namespace, name: SERVER },
    mergePatch({ metadata: { annotations: { [SIM_EXIT_CODE_ANNOTATION]: '1' } } }),
  );
  const restarting = await waitConnect(
    f,
    'Restarting after the failure',
    (x) => conditionOf(x)?.reason === 'Restarting',
  );
  assert.match(conditionOf(restarting)?.message ?? '', /failed: container spark-kubernetes-driver exited with code 1/);
  assert.equal(restarting.status?.state, 'NotReady');
  const twice = await waitConnect(f, 'Ready after two restarts', (x) => ready(x) && x.status?.restartAttempts === 2);
  // The second restart waited for its backoff (2 s) after the failure was seen.
  const seen = Date.parse(conditionOf(restarting)?.lastTransitionTime ?? '');
  assert.ok(Date.parse(twice.status?.lastRestartTime ?? '') - seen >= 1_000, 'the backoff was waited for');
  assert.equal((await serverPods(f)).length, 1);
  const warnings = (await connectEvents(f)).filter((e) => e.reason === 'SparkConnectServerDied');
  assert.ok(
    warnings.some((e) => /exited with code 1/.test(e.message)),
    JSON.stringify(warnings),
  );
});

test('deleting the SparkConnect removes its server pod, Service and ConfigMap', async (t) => {
  const f = await fixture(t);
  await startConnectOperator(t, f);
  const c = await createExample(f);
  await waitConnect(f, 'Ready with executors', (x) => ready(x) && runningExecutors(x) === 2);
  await f.api.delete(c, { propagationPolicy: 'Background' });
  await eventually(
    'the garbage collector removed pod, Service, ConfigMap and executors',
    async () => {
      const pods = await f.api.list(Pods, { namespace: f.namespace, labelSelector: `${CONNECT_NAME_LABEL}=${NAME}` });
      const service = await f.api.get(Services, { namespace: f.namespace, name: SERVER }).catch(() => undefined);
      const cm = await f.api.get(ConfigMaps, { namespace: f.namespace, name: `${NAME}-conf` }).catch(() => undefined);
      return pods.length === 0 && !service && !cm;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
});

test('a restarted operator adopts the server it finds and never starts a second one', async (t) => {
  const f = await fixture(t);
  const first = await startConnectOperator(t, f);
  await createExample(f);
  const c = await waitConnect(f, 'Ready', ready);
  const pod = await serverPod(f);
  await first.stop();
  await startConnectOperator(t, f);
  // A change of an executor makes the new operator look at the SparkConnect again.
  await f.api.patch(
    Pods,
    { namespace: f.namespace, name: `${NAME}-exec-2` },
    mergePatch({ metadata: { annotations: { [SIM_EXIT_CODE_ANNOTATION]: '0' } } }),
  );
  const seen = await waitConnect(f, 'the new operator counted the ended executor', (x) => runningExecutors(x) === 1);
  assert.equal(seen.status?.state, 'Ready');
  assert.equal((await serverPod(f))?.metadata?.uid, pod?.metadata?.uid, 'the same server pod');
  assert.equal((await serverPods(f)).length, 1);
  assert.equal(seen.status?.restartAttempts ?? 0, 0);
  assert.equal(conditionOf(seen)?.lastTransitionTime, conditionOf(c)?.lastTransitionTime);
});

test('a server pod created before the operator started (a crash after its creation) is adopted', async (t) => {
  const f = await fixture(t);
  const c = await createExample(f);
  // What an operator that stopped right after creating the pod left behind.
  await f.api.create(desiredServerPod(c) as V1Pod & KubeObject);
  const pod = await serverPod(f);
  await startConnectOperator(t, f);
  const now = await waitConnect(f, 'Ready', ready);
  assert.equal((await serverPod(f))?.metadata?.uid, pod?.metadata?.uid, 'the existing pod is the server');
  assert.equal(now.status?.restartAttempts ?? 0, 0);
  await sleep(1_500);
  assert.equal((await serverPods(f)).length, 1);
});
