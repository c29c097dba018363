// The operator process's wiring: flags → logger, client, cache, manager → controllers. The cluster (kubeconfig) is
// chosen by the caller (src/cli/sparkop.ts); this module knows nothing of the embedded control plane.
import { readFileSync } from 'node:fs';
import { collectDefaultMetrics } from 'prom-client';
import {
  asClientNodeKubeConfig,
  Cache,
  type Clock,
  type KindScope,
  type KubeAccess,
  type KubeObject,
  kind,
  type Logger,
  Manager,
  newClient,
  newLogger,
  newRegistry,
  realClock,
} from '../runtime/index.ts';
import { coreSubmissionClient } from '../spark/submit/kube-client.ts';
import { SparkSubmitSubmitter } from '../spark/submit/spark-submit.ts';
import { checkOptions, leaderElectionConfig, OperatorConfigError, serverAddresses, sparkHomeFor } from './config.ts';
import { registerControllers, sparkApplicationCacheScopes, sparkApplicationSettings } from './controllers.ts';
import type { OperatorOptions } from './options.ts';

const Namespaces = kind<KubeObject>('v1', 'Namespace');
const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export interface OperatorInput {
  readonly kubeConfig: KubeAccess;
  readonly options: OperatorOptions;
  readonly logger: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  /** The embedded mode: serve metrics and probes on loopback only (":8080" means 127.0.0.1:8080). */
  readonly embedded?: boolean;
}

export function operatorLogger(options: OperatorOptions): Logger {
  return newLogger({ level: options.logLevel, pretty: options.logFormat === 'pretty', name: 'sparkop' });
}

/** The namespace of the operator's own pod, for leader election's Lease. */
export function podNamespace(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds the manager with every controller registered, ready to start. --namespace-selector is resolved here, once:
 * namespaces labelled later are picked up at the next start.
 */
export async function buildOperator(input: OperatorInput): Promise<Manager> {
  const { kubeConfig, logger } = input;
  const env = input.env ?? process.env;
  const clock = input.clock ?? realClock;
  checkOptions(input.options);
  const registry = newRegistry();
  // The process's own figures (RSS, CPU, V8 heap by space, GC, event-loop delay), as controller-runtime serves the
  // Go runtime's: the memory figures in bench/README.md are read from them.
  collectDefaultMetrics({ register: registry });
  const clientLogger = logger.child({ component: 'client' });
  const limits = { qps: input.options.kubeApiQps, burst: input.options.kubeApiBurst };
  let options = input.options;
  if (options.namespaceSelector) {
    const probe = newClient({ kubeConfig, logger: clientLogger, clock, ...limits });
    const found = await probe.apiReader.list(Namespaces, { labelSelector: options.namespaceSelector });
    const names = found
      .map((n) => n.metadata?.name ?? '')
      .filter((n) => n !== '')
      .sort();
    if (names.length === 0) {
      throw new OperatorConfigError(`--namespace-selector ${options.namespaceSelector}: no namespace matches`);
    }
    logger.info({ namespaces: names }, 'namespaces chosen by --namespace-selector');
    options = { ...options, namespaces: names };
  }
  const submitter =
    options.submitter === 'spark-submit'
      ? new SparkSubmitSubmitter({
          sparkHome: sparkHomeFor(options, env),
          // spark-submit reaches the cluster as the operator does: through the operator's kubeconfig.
          env: { ...process.env, ...env, ...(options.kubeconfig ? { KUBECONFIG: options.kubeconfig } : {}) },
          // client-node (about 77 MB of RSS) is loaded only for this submitter, which needs its generated API.
          client: coreSubmissionClient(
            (await asClientNodeKubeConfig(kubeConfig)).makeApiClient(
              (await import('@kubernetes/client-node')).CoreV1Api,
            ),
          ),
        })
      : 'native';
  // spark-submit runs beside the operator and talks to the API server at the address the operator uses (as kubeflow's
  // does); the driver inside the cluster reaches it at kubernetes.default.svc whatever spark.master says.
  const server = kubeConfig.getCurrentCluster()?.server;
  const settings = sparkApplicationSettings(
    options,
    submitter,
    submitter !== 'native' && server ? { masterURL: `k8s://${server}` } : {},
  );
  const scopes: ReadonlyMap<string, KindScope> = sparkApplicationCacheScopes(settings);
  const cache = new Cache({
    kubeConfig,
    scopes,
    initialState: options.streamInitialState ? 'stream' : 'list',
    clock,
    logger: logger.child({ component: 'cache' }),
    metrics: registry,
    ...limits,
  });
  const client = newClient({ kubeConfig, cache, clock, logger: clientLogger, metrics: registry, ...limits });
  const leaderElection = leaderElectionConfig(options, { podNamespace: podNamespace(env) });
  const manager = new Manager({
    kubeConfig,
    cache,
    client,
    registry,
    logger,
    clock,
    ...serverAddresses(options, input.embedded === true),
    ...(leaderElection ? { leaderElection } : {}),
  });
  manager.addHealthzCheck('ping', () => undefined);
  manager.addReadyzCheck('informers', () => {
    const health = cache.health();
    const failing = health.informers.filter((i) => !i.healthy).map((i) => i.gvk);
    if (failing.length > 0) throw new Error(`informers failing: ${failing.join(', ')}`);
  });
  const registered = registerControllers(manager, settings, options);
  logger.info({ controllers: registered.controllers }, 'controllers registered');
  return manager;
}
