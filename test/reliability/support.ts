// Helpers of the reliability tests: the operator as a child process (`node dist/cli/sparkop.js`, what ships),
// drivers ended through kwok's exit-code annotation, and the checks every test makes at the end.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { prepareNamespace, unthrottledClient } from '../../harness/cluster.ts';
import { OperatorProcess } from '../../harness/operator-process.ts';
import { installCrds } from '../../src/api/index.ts';
import { Pods, type SparkApplicationObject, SparkApplications } from '../../src/controllers/sparkapplication/kinds.ts';
import { LocalCluster } from '../../src/dev/localcluster/cluster.ts';
import { type Client, isNotFound, mergePatch } from '../../src/runtime/index.ts';
import { eventually } from '../support/kube.ts';

export const TERMINAL = new Set(['COMPLETED', 'FAILED']);

export interface PrivateFixture {
  readonly kubeconfigPath: string;
  readonly namespace: string;
  /** Live reads and writes, no client-side rate limit. */
  readonly api: Client;
  /** For the tests that restart its components. */
  readonly cluster: LocalCluster;
}

/**
 * A control plane of the test's own (about 8 s and 1 GB), CRDs installed and a namespace ready; stopped when the
 * test ends. For the tests that load the cluster with hundreds of applications: their thousands of objects would
 * otherwise keep the shared cluster's garbage collector and namespace controller busy for the other test files.
 */
export async function privateFixture(t: TestContext, namespace = 'reliability', nodes = 2): Promise<PrivateFixture> {
  const stateRoot = mkdtempSync(join(tmpdir(), 'sparkop-reliability-cluster-'));
  const cluster = await LocalCluster.start({ stateRoot, nodes });
  t.after(async () => {
    await cluster.stop();
    rmSync(stateRoot, { recursive: true, force: true });
  });
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  await installCrds(kc);
  const api = unthrottledClient(kc);
  await prepareNamespace(api, namespace);
  return { kubeconfigPath: cluster.kubeconfigPath, namespace, api, cluster };
}
const APP_NAME_LABEL = 'sparkoperator.k8s.io/app-name';

export function stateOf(app: SparkApplicationObject): string {
  return app.status?.applicationState?.state ?? '';
}

/**
 * Starts `node dist/cli/sparkop.js` scoped to `namespace` with its default client (no client-side rate limit);
 * SIGKILLed when the test ends; its log shown on failure.
 */
export async function startOperator(
  t: TestContext,
  kubeconfigPath: string,
  namespace: string,
  flags: readonly string[] = [],
  options: { waitReady?: boolean; logDir?: string } = {},
): Promise<OperatorProcess> {
  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'sparkop-reliability-'));
  const op = await OperatorProcess.start(
    {
      kubeconfigPath,
      namespaces: namespace,
      logFile: join(logDir, 'operator.log'),
      flags: ['--controller-threads=8', ...flags],
    },
    60_000,
    options.waitReady ?? true,
  );
  t.after(async () => {
    await op.kill();
  });
  return op;
}

/**
 * One pass over the driver pods: each Running one not ended yet (by uid, in `ended`) gets the exit code
 * `exitCodeFor(appName)`; with `deleteUnschedulable`, drivers no node can take are deleted (a driver that asks
 * for more memory than any node has stays Pending for ever — a real cluster might grow a node), as an
 * administrator would: the operator then fails the application, saying its driver is gone.
 */
export async function endRunningDrivers(
  api: Client,
  namespace: string,
  exitCodeFor: (app: string) => number,
  ended: Set<string>,
  options: { deleteUnschedulable?: boolean } = {},
): Promise<void> {
  const pods = await api.list(Pods, { namespace, labelSelector: 'spark-role=driver' });
  const ignoreGone = (err: unknown) => {
    if (!isNotFound(err)) throw err;
  };
  if (options.deleteUnschedulable) {
    const unschedulable = pods.filter((p) =>
      p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'),
    );
    await Promise.all(
      unschedulable.map((p) =>
        api
          .delete({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name: p.metadata?.name ?? '' } })
          .catch(ignoreGone),
      ),
    );
  }
  const toEnd = pods.filter(
    (p) => p.status?.phase === 'Running' && !ended.has(p.metadata?.uid ?? '') && !p.metadata?.deletionTimestamp,
  );
  for (let i = 0; i < toEnd.length; i += 50) {
    await Promise.all(
      toEnd.slice(i, i + 50).map(async (p) => {
        const code = exitCodeFor(p.metadata?.labels?.[APP_NAME_LABEL] ?? '');
        await api
          .patch(
            Pods,
            { namespace, name: p.metadata?.name ?? '' },
            mergePatch({ metadata: { annotations: { 'sim.sparkop.dev/exit-code': String(code) } } }),
          )
          .catch(ignoreGone);
        ended.add(p.metadata?.uid ?? '');
      }),
    );
  }
}

/**
 * Ends drivers (endRunningDrivers) until every application in `names` is COMPLETED or FAILED; returns them. Reads
 * live (no cache). On timeout the error lists applications still not terminal.
 */
export async function runToTerminal(
  api: Client,
  namespace: string,
  names: readonly string[],
  exitCodeFor: (app: string) => number,
  timeoutMs: number,
  options: { deleteUnschedulable?: boolean; ended?: Set<string> } = {},
): Promise<SparkApplicationObject[]> {
  const ended = options.ended ?? new Set<string>();
  const wanted = new Set(names);
  let last: SparkApplicationObject[] = [];
  const stuck = () =>
    last
      .filter((a) => !TERMINAL.has(stateOf(a)))
      .slice(0, 10)
      .map((a) => `${a.metadata?.name}: ${stateOf(a) || '(none)'} ${a.status?.applicationState?.errorMessage ?? ''}`)
      .join('; ');
  return eventually(
    `${names.length} applications terminal`,
    async () => {
      await endRunningDrivers(api, namespace, exitCodeFor, ended, options);
      const apps = (await api.list(SparkApplications, { namespace })).filter((a) => wanted.has(a.metadata?.name ?? ''));
      last = apps;
      const terminal = apps.filter((a) => TERMINAL.has(stateOf(a)));
      return terminal.length === names.length ? apps : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; not terminal: ${stuck()}`, { cause: err });
  });
}

/** Driver pods of `namespace` by application name. */
export async function driversByApp(api: Client, namespace: string): Promise<Map<string, V1Pod[]>> {
  const pods = await api.list(Pods, { namespace, labelSelector: 'spark-role=driver' });
  const out = new Map<string, V1Pod[]>();
  for (const p of pods) {
    const app = p.metadata?.labels?.[APP_NAME_LABEL] ?? '';
    out.set(app, [...(out.get(app) ?? []), p]);
  }
  return out;
}

/**
 * The end state every test checks: every application present, in the state its driver's exit code asks for, with
 * exactly one submission, one run and one driver pod (the pod of its recorded submission), and an error message
 * exactly when it failed.
 */
export async function assertOneDriverEach(
  api: Client,
  namespace: string,
  names: readonly string[],
  exitCodeFor: (app: string) => number,
): Promise<void> {
  const apps = new Map((await api.list(SparkApplications, { namespace })).map((a) => [a.metadata?.name ?? '', a]));
  const drivers = await driversByApp(api, namespace);
  for (const name of names) {
    const app = apps.get(name);
    assert.ok(app, `${name}: lost`);
    const expected = exitCodeFor(name) === 0 ? 'COMPLETED' : 'FAILED';
    assert.equal(stateOf(app), expected, `${name}: ${app.status?.applicationState?.errorMessage ?? ''}`);
    assert.equal(app.status?.submissionAttempts, 1, `${name}: one submission`);
    assert.equal(app.status?.executionAttempts, 1, `${name}: one run`);
    const pods = drivers.get(name) ?? [];
    assert.equal(pods.length, 1, `${name}: one driver pod`);
    assert.equal(pods[0]?.metadata?.name, app.status?.driverInfo?.podName, `${name}: the driver of its status`);
    assert.equal(
      pods[0]?.metadata?.labels?.['sparkoperator.k8s.io/submission-id'],
      app.status?.submissionID,
      `${name}: the driver of its submission`,
    );
    const message = app.status?.applicationState?.errorMessage ?? '';
    if (expected === 'FAILED') assert.match(message, /\S/, `${name}: a FAILED application says why`);
  }
}
