// sparkop: the operator process (the README's main command, `npm start`).
// With a cluster configured (--kubeconfig, in-cluster, $KUBECONFIG, or ~/.kube/config) it runs against it; with none,
// or with --local, it starts the embedded local control plane, installs the CRDs, runs the operator and the Spark
// simulator there, and stops everything on Ctrl-C.
import { join, relative } from 'node:path';
import type { LocalCluster } from '../dev/localcluster/cluster.ts';
import { embeddedBanner } from '../operator/banner.ts';
import { OperatorConfigError } from '../operator/config.ts';
import { ensureCrds } from '../operator/crds.ts';
import { configuredHeapGrowingPercent, relaxHeapGrowth } from '../operator/heap-growth.ts';
import { prepareSparkJobNamespace } from '../operator/job-namespace.ts';
import { buildOperator } from '../operator/operator.ts';
import { type OperatorOptions, OptionError, operatorFlagsHelp, parseOperatorOptions } from '../operator/options.ts';
import { chooseTarget } from '../operator/target.ts';
import { type KubeAccess, loadKubeAccess, newClient, newLogger, serverVersion } from '../runtime/index.ts';
import { UsageError } from './errors.ts';

const USAGE = `Usage: sparkop [flags]

Runs the sparkop operator. The cluster: --kubeconfig, else the in-cluster config, $KUBECONFIG or ~/.kube/config;
with none of them (or with --local) it starts the embedded local control plane, installs the CRDs, runs the
operator and the Spark simulator there, and stops them all on Ctrl-C (SIGINT or SIGTERM).

Flags (--name=value or --name value; --no-name for false), each also read from the environment variable shown:
${operatorFlagsHelp()}`;

/** Pretty logs for a person at a terminal in the embedded mode, unless the log format was chosen explicitly. */
function usePrettyLogs(argv: readonly string[], env: NodeJS.ProcessEnv, options: OperatorOptions, local: boolean) {
  const explicit =
    argv.some((a) => /^--(log-format|zap-encoder|log-encoder)(=|$)/.test(a)) || env.SPARKOP_LOG_FORMAT !== undefined;
  return explicit ? options.logFormat === 'pretty' : local && process.stdout.isTTY === true;
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const { options, rest } = parseOperatorOptions(argv, env);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}" (sparkop takes only flags; see --help)`);
  const target = chooseTarget({ local: options.local, kubeconfig: options.kubeconfig || undefined }, env);
  const local = target.kind === 'local';
  const logger = newLogger({
    level: options.logLevel,
    pretty: usePrettyLogs(argv, env, options, local),
    name: 'sparkop',
  });

  // Signals: the first stops gracefully (operator, then control plane); a second one exits at once.
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      console.error(`[sparkop] second ${signal}: exiting now`);
      process.exit(1);
    }
    console.error(`\n[sparkop] ${signal}: stopping${local ? ' the operator, then the control plane' : ''}…`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let cluster: LocalCluster | undefined;
  try {
    let kc: KubeAccess;
    if (local) {
      console.error('[sparkop] no cluster configured: starting the embedded local control plane (first run builds it)');
      // Development tooling (src/dev/), loaded only here: the image does not carry it.
      const { LocalCluster } = await import('../dev/localcluster/cluster.ts');
      cluster = await LocalCluster.start({
        name: 'sparkop',
        realNode: options.realSpark,
        log: (m) => console.error(`[sparkop] ${m}`),
      });
      kc = await loadKubeAccess({ kind: 'file', path: cluster.kubeconfigPath });
    } else if (target.kind === 'in-cluster') {
      kc = await loadKubeAccess({ kind: 'in-cluster' }, env);
    } else {
      kc = await loadKubeAccess({ kind: 'file', path: target.path });
    }
    if (stop.signal.aborted) return 0;
    const server = kc.getCurrentCluster()?.server ?? '(no server)';
    const version = await serverVersion(kc).catch((err: unknown) => {
      throw new OperatorConfigError(`cannot reach the Kubernetes API at ${server}: ${(err as Error).message}`, {
        cause: err,
      });
    });
    logger.info({ server, version: version.gitVersion }, 'connected to Kubernetes');
    if (options.installCrds || local) {
      await ensureCrds(kc, newClient({ kubeConfig: kc }), logger);
    }
    if (local) {
      // As kubeflow's chart does for each job namespace: the drivers' ServiceAccount, Role and RoleBinding.
      const created = await prepareSparkJobNamespace(newClient({ kubeConfig: kc }), 'default');
      if (created.length > 0) logger.info({ namespace: 'default', created }, 'prepared the Spark job namespace');
    }
    // Fewer full collections while the initial lists fill the caches; the process's fixed step once they are full.
    const heapGrowth = relaxHeapGrowth(configuredHeapGrowingPercent(process.execArgv, env.NODE_OPTIONS));
    const manager = await buildOperator({ kubeConfig: kc, options, logger, env, embedded: local });
    // Development tooling, not part of the operator: the embedded mode's simulated nodes run no containers, so the
    // simulator plays the Spark drivers there (--spark-simulator: on any cluster with simulated nodes).
    if (local || options.sparkSimulator) {
      const { registerSparkSimulator } = await import('../dev/localcluster/spark-simulator.ts');
      registerSparkSimulator(manager);
      logger.info('Spark simulator on: drivers on simulated nodes run, create executors and end by themselves');
    }
    const running = manager.start(stop.signal);
    if (heapGrowth.relaxed) {
      void manager.whenReady().then(() => {
        const restored = heapGrowth.restore();
        if (!restored) return;
        const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
        logger.info(
          {
            heapGrowingPercent: restored.percent,
            collectionMs: Math.round(restored.collectionMs),
            heapUsedMiB: { before: mib(restored.heapUsedBeforeBytes), after: mib(restored.heapUsedAfterBytes) },
          },
          'caches filled: heap growth back to its fixed step',
        );
      });
    }
    // The banner promises a working operator: print it only once the manager is up (caches synced).
    if (cluster && (await manager.whenReady())) {
      console.log(
        embeddedBanner({
          kubernetesVersion: version.gitVersion ?? 'unknown',
          kubeconfigPath: cluster.kubeconfigPath,
          kubectlDir: cluster.binaries.kubernetesBinDir,
          example: relative(process.cwd(), join(import.meta.dirname, '..', '..', 'examples', 'spark-pi.yaml')),
          realSpark: options.realSpark,
        }),
      );
    }
    await running;
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (cluster) {
      console.error('[sparkop] stopping the local control plane…');
      await cluster.stop();
      console.error('[sparkop] stopped');
    }
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const usage = err instanceof UsageError || err instanceof OptionError;
    const known = usage || err instanceof OperatorConfigError;
    console.error(`error: ${err instanceof Error ? err.message : String(err)}${usage ? ' (see sparkop --help)' : ''}`);
    if (!known && err instanceof Error && err.stack) console.error(err.stack);
    // Exit explicitly: keep-alive sockets and timers of a failed start must not keep the process alive.
    process.exit(usage ? 2 : 1);
  },
);
