// Fixtures of the real Spark suite. Each file runs on a control plane of its own with the real node (one real node
// per machine: the suite runs one file at a time, and npm test starts no shared control plane for it); the tests use
// its `default` namespace, prepared as kubeflow's chart prepares a job namespace, as users of kubeflow's examples do.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { installCrds } from '../../src/api/index.ts';
import { Pods, type SparkApplicationObject, SparkApplications } from '../../src/controllers/sparkapplication/kinds.ts';
import { LocalCluster } from '../../src/dev/localcluster/cluster.ts';
import { prepareSparkJobNamespace } from '../../src/operator/job-namespace.ts';
import { isNotFound, newClient } from '../../src/runtime/index.ts';
import type { Fixture } from '../integration/sparkapplication-harness.ts';
import { eventually, type SharedCluster } from '../support/kube.ts';

const execFileAsync = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
export const SPARKCTL = join(ROOT, 'src', 'cli', 'sparkctl.ts');
export const NAMESPACE = 'default';

let started: Promise<{ shared: SharedCluster; cluster: LocalCluster }> | undefined;

/**
 * This file's control plane with the real node. A file that uses it stops it in a top-level `after` hook
 * (stopRealSparkCluster): its processes would otherwise keep the test file's process alive.
 */
export async function realSparkCluster(): Promise<SharedCluster> {
  started ??= (async () => {
    const cluster = await LocalCluster.start({
      name: `realspark-${process.pid}`,
      realNode: true,
      nodes: 1,
      log: (m) => console.error(`[realspark] ${m}`),
    });
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    return { shared: { kubeconfigPath: cluster.kubeconfigPath, kc, core: kc.makeApiClient(CoreV1Api) }, cluster };
  })();
  return (await started).shared;
}

/** Stops this file's control plane and its real node (which undoes what the node changed on the machine). */
export async function stopRealSparkCluster(): Promise<void> {
  const running = started;
  started = undefined;
  if (running) await (await running).cluster.stop();
}

/** The `default` namespace of the real-node cluster, with the CRDs and the Spark ServiceAccount and Role. */
export async function realSparkFixture(): Promise<Fixture> {
  const cluster = await realSparkCluster();
  await installCrds(cluster.kc);
  const api = newClient({ kubeConfig: cluster.kc });
  await prepareSparkJobNamespace(api, NAMESPACE);
  return { ...cluster, namespace: NAMESPACE, api };
}

/** Deletes the application when the test ends and waits until its pods are gone (the node has room for one app). */
export function cleanUpAfter(t: TestContext, f: Fixture, name: string): void {
  t.after(async () => {
    await appNamed(f, name)
      .then((app) => f.api.delete(app, { propagationPolicy: 'Background' }))
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    await eventually(
      `${name}'s pods gone`,
      async () => {
        const pods = await f.api.list(Pods, {
          namespace: f.namespace,
          labelSelector: `sparkoperator.k8s.io/app-name=${name}`,
        });
        return pods.length === 0;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  });
}

/** Runs sparkctl (the sources) against the test cluster; resolves with its stdout, rejects with its stderr. */
export async function sparkctl(f: Fixture, args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [SPARKCTL, ...args], {
    env: { ...process.env, KUBECONFIG: f.kubeconfigPath },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** The log of a pod's container through the API server. */
export async function podLog(f: Fixture, pod: string, container: string): Promise<string> {
  return f.core.readNamespacedPodLog({ namespace: f.namespace, name: pod, container });
}

export async function appNamed(f: Fixture, name: string): Promise<SparkApplicationObject> {
  return f.api.get(SparkApplications, { namespace: f.namespace, name });
}

/** SPARK_HOME of pyspark `version` (installed and cached by scripts/pyspark/install.sh). */
export function pysparkHome(version: string): string {
  const out = execFileSync('bash', [join(ROOT, 'scripts', 'pyspark', 'install.sh'), version], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const home = new RegExp(`^PYSPARK_${version.replaceAll('.', '_')}_HOME=(.+)$`, 'm').exec(out)?.[1];
  if (!home) throw new Error(`scripts/pyspark/install.sh ${version} printed no SPARK_HOME`);
  return home.trim();
}
