// sparkop: the operator process (the README's main command, `npm start`).
// With a cluster configured (in-cluster, KUBECONFIG, or ~/.kube/config) it runs against it; with none, or with
// --local, it starts the embedded local control plane and runs there until Ctrl-C.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { LocalCluster } from '../localcluster/cluster.ts';
import { UsageError } from './errors.ts';

const USAGE = `Usage: sparkop [--local] [--kubeconfig PATH]

  --local            always start the embedded local control plane (default when no cluster is configured)
  --kubeconfig PATH  run against the cluster of this kubeconfig (default: in-cluster, $KUBECONFIG, ~/.kube/config)`;

type Target = { kind: 'kubeconfig'; path: string } | { kind: 'in-cluster' } | { kind: 'local' };

export function chooseTarget(options: { local: boolean; kubeconfig?: string }, env: NodeJS.ProcessEnv): Target {
  if (options.local) return { kind: 'local' };
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) throw new UsageError(`--kubeconfig ${options.kubeconfig}: no such file`);
    return { kind: 'kubeconfig', path: options.kubeconfig };
  }
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) return { kind: 'in-cluster' };
  const fromEnv = env.KUBECONFIG?.split(':').find((p) => p && existsSync(p));
  if (fromEnv) return { kind: 'kubeconfig', path: fromEnv };
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return { kind: 'kubeconfig', path: home };
  return { kind: 'local' };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      local: { type: 'boolean', default: false },
      kubeconfig: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const target = chooseTarget({ local: values.local, kubeconfig: values.kubeconfig }, process.env);
  let cluster: LocalCluster | undefined;
  const kc = new KubeConfig();
  if (target.kind === 'local') {
    console.error('[sparkop] no cluster configured: starting the embedded local control plane (first run builds it)');
    cluster = await LocalCluster.start({ name: 'sparkop', log: (m) => console.error(`[sparkop] ${m}`) });
    kc.loadFromFile(cluster.kubeconfigPath);
  } else if (target.kind === 'in-cluster') {
    kc.loadFromCluster();
  } else {
    kc.loadFromFile(target.path);
  }
  const version = await kc.makeApiClient(VersionApi).getCode();
  console.error(`[sparkop] connected to Kubernetes ${version.gitVersion} at ${kc.getCurrentCluster()?.server}`);
  if (cluster) {
    console.log(`\nThe local control plane is ready. In another shell:\n`);
    console.log(`  export KUBECONFIG=${cluster.kubeconfigPath}`);
    console.log(`  export PATH=${cluster.binaries.kubernetesBinDir}:$PATH`);
    console.log(`  kubectl get nodes\n`);
    console.log('Press Ctrl-C to stop it.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    console.error('\n[sparkop] stopping the local control plane…');
    await cluster.stop();
    console.error('[sparkop] stopped');
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
