// A private control plane for a bench (or a reliability test): CRDs installed, namespaces with the Spark service
// account, and a live client (no cache, no client-side rate limit) for the harness.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { installCrds } from '../src/api/index.ts';
import { type ComponentName, LocalCluster } from '../src/dev/localcluster/cluster.ts';
import { ignoreAlreadyExists } from '../src/runtime/errors.ts';
import { type Client, type KubeObject, kind, newClient } from '../src/runtime/index.ts';
import { RestClient } from '../src/runtime/rest/restclient.ts';

const ServiceAccounts = kind<KubeObject>('v1', 'ServiceAccount');

export interface BenchCluster {
  readonly cluster: LocalCluster;
  readonly kc: KubeConfig;
  /** Live reads and writes, no client-side rate limit. */
  readonly api: Client;
  /** A scratch directory (logs, profiles), removed by stop() unless kept. */
  readonly workDir: string;
  /** The pid of a running control-plane process (for CPU and memory readings); throws if it is not running. */
  pid(component: ComponentName): number;
  /** Every control-plane process and the harness (this process), by name: what a CpuMeter reads. */
  controlPlanePids(): Map<string, number>;
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
  /** Add the real node (kubelet, containerd, CoreDNS) that runs real Spark images. */
  realNode?: boolean;
}): Promise<BenchCluster> {
  const stateRoot = mkdtempSync(join(tmpdir(), 'sparkop-bench-'));
  const cluster = await LocalCluster.start({
    stateRoot,
    nodes: options.nodes,
    log: options.log,
    profiling: options.profiling,
    realNode: options.realNode,
  });
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  await installCrds(kc);
  const workDir = mkdtempSync(join(tmpdir(), 'sparkop-bench-work-'));
  const pid = (component: ComponentName) => {
    const p = cluster.pidOf(component);
    if (p === undefined) throw new Error(`${component} is not running`);
    return p;
  };
  return {
    cluster,
    kc,
    api: unthrottledClient(kc),
    workDir,
    pid,
    controlPlanePids() {
      const components = ['kube-apiserver', 'etcd', 'kube-scheduler', 'kube-controller-manager', 'kwok'] as const;
      return new Map([...components.map((c) => [c, pid(c)] as [string, number]), ['harness', process.pid]]);
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
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }).catch(ignoreAlreadyExists);
  await api
    .create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'spark-operator-spark', namespace } })
    .catch(ignoreAlreadyExists);
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

/**
 * A kubeconfig for the bench cluster's API server that authenticates with a bound ServiceAccount token (bound to
 * cluster-admin), as the operator does in a pod. The admin kubeconfig authenticates with a client certificate, whose
 * chain kube-apiserver verifies (an ECDSA signature check) on every request; a token's check is cached. Benches
 * that count the API server's CPU per application use this to measure what a deployed operator costs it.
 */
export async function serviceAccountKubeconfig(
  bc: BenchCluster,
  name: string,
): Promise<{ readonly path: string; readonly kc: KubeConfig }> {
  const namespace = 'kube-system';
  await bc.api
    .create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace, name } })
    .catch(ignoreAlreadyExists);
  await bc.api
    .create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${name}-cluster-admin` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', namespace, name }],
    } as KubeObject)
    .catch(ignoreAlreadyExists);
  const rest = new RestClient({ kubeConfig: bc.kc });
  let token: string;
  try {
    const answer = await rest.request<{ status?: { token?: string } }>({
      method: 'POST',
      path: `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 4 * 3600 } },
    });
    token = answer.status?.token ?? '';
    if (!token) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
  } finally {
    rest.transport.close();
  }
  const cluster = bc.kc.getCurrentCluster();
  if (!cluster) throw new Error('the bench kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  const path = join(bc.workDir, `${name}.kubeconfig`);
  writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
  return { path, kc };
}
