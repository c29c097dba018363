// One control plane for the whole test run (node --test --test-global-setup). Test files run in child processes
// and find it through SPARKOP_TEST_KUBECONFIG. It is attached to the runner: if the runner dies, it dies too.
// Set SPARKOP_TEST_KUBECONFIG yourself to run the tests against a cluster you started (`npx sparkctl cluster up`).
import { LocalCluster } from '../../src/dev/localcluster/cluster.ts';

let cluster: LocalCluster | undefined;

export async function globalSetup(): Promise<void> {
  if (process.env.SPARKOP_TEST_KUBECONFIG) return;
  // The real Spark suite (test/realspark) starts a control plane with the real node per file, and none is shared.
  if (process.env.SPARKOP_TEST_REAL_NODE === '1') return;
  const started = Date.now();
  cluster = await LocalCluster.start({ name: `test-run-${process.pid}` });
  process.env.SPARKOP_TEST_KUBECONFIG = cluster.kubeconfigPath;
  process.env.SPARKOP_TEST_CLUSTER_DIR = cluster.stateDir;
  console.error(
    `[tests] shared control plane ready in ${((Date.now() - started) / 1000).toFixed(1)}s at ${cluster.server}`,
  );
}

export async function globalTeardown(): Promise<void> {
  await cluster?.stop();
}
