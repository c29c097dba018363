// A private control plane for a bench (or a reliability test): CRDs installed, namespaces with the Spark service
// account, and a live client (no cache, no client-side rate limit) for the harness.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { installCrds } from '../../src/api/index.ts';
import { LocalCluster } from '../../src/localcluster/cluster.ts';
import { type Client, isAlreadyExists, type KubeObject, kind, newClient } from '../../src/runtime/index.ts';

const ServiceAccounts = kind<KubeObject>('v1', 'ServiceAccount');

export interface BenchCluster {
  readonly cluster: LocalCluster;
  readonly kc: KubeConfig;
  /** Live reads and writes, no client-side rate limit. */
  readonly api: Client;
  /** A scratch directory (logs, profiles), removed by stop() unless kept. */
  readonly workDir: string;
  /** The pid of a running control-plane process (for CPU and memory readings); throws if it is not running. */
  pid(component: 'kube-apiserver' | 'etcd'): number;
  stop(options?: { keepWorkDir?: boolean }): Promise<void>;
}

/** An unthrottled client: QPS and burst far above anything the API server can serve. */
export function unthrottledClient(kc: KubeConfig): Client {
  return newClient({ kubeConfig: kc, qps: 1e6, burst: 1e6, userAgent: 'sparkop-bench' });
}

export async function startBenchCluster(options: {
  nodes: number;
  log?: (m: string) => void;
  /** Serve kube-apiserver's /debug/pprof. */
  profiling?: boolean;
}): Promise<BenchCluster> {
  const stateRoot = mkdtempSync(join(tmpdir(), 'sparkop-bench-'));
  const cluster = await LocalCluster.start({
    stateRoot,
    nodes: options.nodes,
    log: options.log,
    profiling: options.profiling,
  });
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  await installCrds(kc);
  const workDir = mkdtempSync(join(tmpdir(), 'sparkop-bench-work-'));
  return {
    cluster,
    kc,
    api: unthrottledClient(kc),
    workDir,
    pid(component) {
      const p = cluster.pidOf(component);
      if (p === undefined) throw new Error(`${component} is not running`);
      return p;
    },
    async stop(stopOptions = {}) {
      await cluster.stop();
      rmSync(stateRoot, { recursive: true, force: true });
      if (!stopOptions.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** Creates `namespace` and the service account the Spark examples run as; waits for the default service account. */
export async function prepareNamespace(api: Client, namespace: string): Promise<void> {
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }).catch((err: unknown) => {
    if (!isAlreadyExists(err)) throw err;
  });
  await api
    .create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'spark-operator-spark', namespace } })
    .catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = await api.apiReader.get(ServiceAccounts, { namespace, name: 'default' }).then(
      () => true,
      () => false,
    );
    if (found) return;
    if (Date.now() > deadline) throw new Error(`namespace ${namespace}: no default service account after 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
