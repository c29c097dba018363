// The SparkConnect controller: one Spark Connect server per SparkConnect (docs/sparkconnect.md). The operator
// process calls registerSparkConnectController(manager, settings) once, before starting the manager.
import {
  type Clock,
  controllerFor,
  type KubeObject,
  type Manager,
  predicates,
  type Request,
} from '../../runtime/index.ts';
import { CONNECT_NAME_LABEL, DEFAULT_CONNECT_SETTINGS } from '../../spark/connect/index.ts';
import { Pods, Services, SparkConnectReconciler, SparkConnects } from './reconciler.ts';

export { type SparkConnectObject, SparkConnectReconciler, SparkConnects } from './reconciler.ts';

export const SPARK_CONNECT_CONTROLLER_NAME = 'spark-connect-controller';

export interface SparkConnectControllerSettings {
  /** Namespaces whose SparkConnects this controller handles; empty or unset: all. */
  readonly namespaces?: readonly string[];
  /** Default 1. Keys are never reconciled twice at once, whatever this is. */
  readonly maxConcurrentReconciles?: number;
  /** spark.master as the server pod sees it. Default k8s://https://kubernetes.default.svc:443. */
  readonly masterURL?: string;
  /** Time of the decisions (restart backoff). Default: the manager's clock. */
  readonly clock?: Clock;
  /** Controller name (metrics, logs). Default "spark-connect-controller". */
  readonly name?: string;
}

/** The SparkConnect a pod (server, executor) or Service belongs to, by kubeflow's connect-name label. */
function connectOf(obj: KubeObject): readonly Request[] {
  const name = obj.metadata?.labels?.[CONNECT_NAME_LABEL];
  const namespace = obj.metadata?.namespace;
  return name && namespace ? [{ namespace, name }] : [];
}

/**
 * Adds the controller to `manager`: SparkConnects (spec changes), and the pods and Services labelled with their
 * name. The operator's pod and Service caches hold only objects labelled launched-by-spark-operator, which the
 * server, its executors (through spark.kubernetes.executor.label.*) and its Service carry.
 */
export function registerSparkConnectController(manager: Manager, settings: SparkConnectControllerSettings = {}): void {
  const name = settings.name ?? SPARK_CONNECT_CONTROLLER_NAME;
  const namespaces = new Set(settings.namespaces ?? []);
  const inScope = predicates.objectFilter(
    (obj) => namespaces.size === 0 || namespaces.has(obj.metadata?.namespace ?? ''),
  );
  const reconciler = new SparkConnectReconciler({
    client: manager.client,
    clock: settings.clock ?? manager.clock,
    recorder: manager.getEventRecorderFor(name),
    settings: { masterURL: settings.masterURL ?? DEFAULT_CONNECT_SETTINGS.masterURL },
  });
  controllerFor(manager)
    // Own status writes change no generation: they do not wake the SparkConnect up again.
    .for(SparkConnects, inScope, predicates.generationChanged)
    .watches(Pods, connectOf, inScope)
    .watches(Services, connectOf, inScope)
    .withOptions({ name, maxConcurrentReconciles: settings.maxConcurrentReconciles ?? 1 })
    .complete(reconciler);
}
