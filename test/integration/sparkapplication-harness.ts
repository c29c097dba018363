// Fixtures of the SparkApplication controller's integration tests: an operator (Manager + controller) scoped to the
// test's namespace, and helpers that create applications, drive their kwok pods and wait for states.
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { sparkPiApp } from '../../harness/spark-pi.ts';
import { installCrds, type SparkApplication } from '../../src/api/index.ts';
import {
  cacheScopes,
  DEFAULT_CONTROLLER_SETTINGS,
  registerSparkApplicationController,
  type SparkApplicationControllerSettings,
} from '../../src/controllers/sparkapplication/index.ts';
import {
  ConfigMaps,
  Pods,
  type SparkApplicationObject,
  SparkApplications,
} from '../../src/controllers/sparkapplication/kinds.ts';
import { prepareSparkJobNamespace } from '../../src/operator/job-namespace.ts';
import {
  type Client,
  type KindScope,
  type Logger,
  Manager,
  mergePatch,
  newClient,
  newLogger,
} from '../../src/runtime/index.ts';
import { eventually, sharedCluster, type TestNamespace, testNamespace } from '../support/kube.ts';

let crds: Promise<void> | undefined;
let garbageCollection: Promise<void> | undefined;

/**
 * Waits until kube-controller-manager's garbage collector acts on SparkApplications. It starts watching a kind up to
 * 30 s after its CRD appears (its discovery resync); an application deleted before that leaves its dependents behind
 * for good (the collector never hears of the deletion), which made tests of "gone with the application" flaky in a
 * fresh control plane. So: an application owning a ConfigMap is deleted until the ConfigMap goes with it.
 */
async function garbageCollectsApplications(api: Client, namespace: string): Promise<void> {
  await eventually(
    'the garbage collector acting on SparkApplications',
    async () => {
      const probe = minimalApp('gc-probe');
      const owner = await api.create({ ...probe, metadata: { ...probe.metadata, namespace } });
      await api.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'gc-probe',
          namespace,
          ownerReferences: [
            {
              apiVersion: owner.apiVersion ?? '',
              kind: owner.kind ?? '',
              name: 'gc-probe',
              uid: owner.metadata?.uid ?? '',
            },
          ],
        },
      });
      await api.delete(owner, { propagationPolicy: 'Background' });
      const gone = await eventually(
        'the probe ConfigMap collected',
        async () =>
          (await api.get(ConfigMaps, { namespace, name: 'gc-probe' }).catch(() => undefined)) === undefined ||
          undefined,
        { timeoutMs: 5_000, intervalMs: 200 },
      ).catch(() => false);
      if (!gone)
        await api
          .delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name: 'gc-probe' } })
          .catch(() => undefined);
      return gone || undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  );
}

export interface Operator {
  readonly manager: Manager;
  stop(): Promise<void>;
}

export interface Fixture extends TestNamespace {
  /** A client reading live (no cache): what the tests observe. */
  readonly api: Client;
}

/** A fresh namespace with the CRDs installed and the examples' service account (with the driver's Role). */
export async function fixture(t: TestContext): Promise<Fixture> {
  const cluster = await sharedCluster();
  crds ??= installCrds(cluster.kc);
  await crds;
  const ns = await testNamespace(t);
  const api = newClient({ kubeConfig: ns.kc });
  garbageCollection ??= garbageCollectsApplications(api, ns.namespace);
  await garbageCollection;
  // As kubeflow's chart prepares a job namespace: the drivers' ServiceAccount, Role and RoleBinding.
  await prepareSparkJobNamespace(api, ns.namespace);
  return { ...ns, api };
}

/** Starts an operator watching only `ns`; stopped when the test ends (or by stop()). */
export async function startOperator(
  t: TestContext,
  f: Fixture,
  overrides: Partial<SparkApplicationControllerSettings> = {},
): Promise<Operator> {
  const settings: SparkApplicationControllerSettings = {
    ...DEFAULT_CONTROLLER_SETTINGS,
    namespaces: [f.namespace],
    controllerThreads: 4,
    ...overrides,
  };
  return startManager(t, f, (manager) => registerSparkApplicationController(manager, settings), cacheScopes(settings));
}

/**
 * Starts a manager with the operator's cache scopes for `f`'s namespace (pods and Services labelled launched-by)
 * and what `register` adds to it; stopped when the test ends (or by stop()).
 */
export async function startManager(
  t: TestContext,
  f: Fixture,
  register: (manager: Manager) => void,
  scopes: Map<string, KindScope> = cacheScopes({ ...DEFAULT_CONTROLLER_SETTINGS, namespaces: [f.namespace] }),
): Promise<Operator> {
  const manager = new Manager({
    kubeConfig: f.kc,
    cacheScopes: scopes,
    gracefulShutdownTimeoutMs: 5000,
    logger: operatorLogger(t, f.namespace),
  });
  register(manager);
  const abort = new AbortController();
  const run = manager.start(abort.signal);
  run.catch(() => undefined);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    abort.abort();
    await run.catch(() => undefined);
  };
  t.after(stop);
  return { manager, stop };
}

/**
 * The operator's log: SPARKOP_TEST_LOG=debug shows it while a test runs; SPARKOP_TEST_LOG_DIR=dir writes it, at debug
 * level, to `dir/<namespace>.log`. Otherwise its last lines (debug level) are kept in memory and printed when the
 * test fails, so that a failure in CI, where nobody can rerun it with logs, still shows what the operator decided.
 */
function operatorLogger(t: TestContext, namespace: string): Logger {
  const dir = process.env.SPARKOP_TEST_LOG_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    return newLogger({ level: 'debug', destination: createWriteStream(join(dir, `${namespace}.log`)) });
  }
  if (process.env.SPARKOP_TEST_LOG) return newLogger({ level: process.env.SPARKOP_TEST_LOG });
  const tail: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      tail.push(chunk.toString().trimEnd());
      if (tail.length > LOG_TAIL_LINES) tail.splice(0, tail.length - LOG_TAIL_LINES);
      done();
    },
  });
  t.after(() => {
    // TestContext.passed exists at run time (Node 24) but not yet in @types/node's TestContext.
    if ((t as TestContext & { readonly passed?: boolean }).passed !== false) return;
    console.log(`--- ${t.name}: the operator's last ${tail.length} log lines ---\n${tail.join('\n')}\n---`);
  });
  return newLogger({ level: 'debug', destination });
}

const LOG_TAIL_LINES = 300;

/** The smallest application kwok can run: the driver pod is all there is (no executors without a simulator). */
export function minimalApp(name: string, spec: Partial<SparkApplication['spec']> = {}): SparkApplicationObject {
  return sparkPiApp(name, { spec: { image: 'docker.io/apache/spark:3.5.8', ...spec } }) as SparkApplicationObject;
}

export async function createApp(f: Fixture, app: SparkApplicationObject): Promise<SparkApplicationObject> {
  return f.api.create({ ...app, metadata: { ...app.metadata, namespace: f.namespace } });
}

export async function getApp(f: Fixture, name: string): Promise<SparkApplicationObject> {
  return f.api.get(SparkApplications, { namespace: f.namespace, name });
}

export function stateOf(app: SparkApplication): string {
  return app.status?.applicationState?.state ?? '';
}

/** Waits until the application is in `state` (or one of them); returns it. */
export async function waitState(
  f: Fixture,
  name: string,
  state: string | readonly string[],
  timeoutMs = 30_000,
): Promise<SparkApplicationObject> {
  const wanted = typeof state === 'string' ? [state] : state;
  let last = '';
  try {
    return await eventually(
      `${name} in ${wanted.join('|')}`,
      async () => {
        const app = await getApp(f, name);
        last = `${stateOf(app)} ${app.status?.applicationState?.errorMessage ?? ''}`;
        return wanted.includes(stateOf(app)) ? app : undefined;
      },
      { timeoutMs, intervalMs: 150 },
    );
  } catch (err) {
    throw new Error(`${name}: wanted ${wanted.join('|')}, last seen ${last}`, { cause: err });
  }
}

/** Ends every container of the pod with `exitCode` (kwok): Succeeded for 0, Failed otherwise. */
export async function finishPod(f: Fixture, name: string, exitCode: number): Promise<void> {
  await f.api.patch(
    Pods,
    { namespace: f.namespace, name },
    mergePatch({ metadata: { annotations: { 'sim.sparkop.dev/exit-code': String(exitCode) } } }),
  );
}

export async function driverPods(f: Fixture, app: string): Promise<V1Pod[]> {
  const pods = await f.api.list(Pods, {
    namespace: f.namespace,
    labelSelector: `sparkoperator.k8s.io/app-name=${app},spark-role=driver`,
  });
  return pods;
}

/** Waits for the app's driver pod of its current submission to run, then ends it with `exitCode`. */
export async function runDriverTo(f: Fixture, name: string, exitCode: number): Promise<void> {
  const app = await waitState(f, name, 'RUNNING');
  const pod = app.status?.driverInfo?.podName ?? `${name}-driver`;
  await finishPod(f, pod, exitCode);
}

/** A ResourceQuota `name` allowing none of `resource` (a real refusal at creation time), once the quota is active. */
export async function zeroQuota(f: Fixture, name: string, resource: string): Promise<void> {
  await f.api.create({
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name, namespace: f.namespace },
    spec: { hard: { [resource]: '0' } },
  });
  await eventually('quota active', async () => {
    const q = await f.core.readNamespacedResourceQuota({ name, namespace: f.namespace });
    return q.status?.hard?.[resource] === '0' ? q : undefined;
  });
}

export async function eventReasons(f: Fixture, name: string): Promise<string[]> {
  const events = await f.core.listNamespacedEvent({ namespace: f.namespace });
  return events.items
    .filter((e) => e.involvedObject.kind === 'SparkApplication' && e.involvedObject.name === name)
    .map((e) => e.reason ?? '');
}
