// The Spark simulator: on simulated (kwok) nodes nothing runs inside pods, so this small controller plays the Spark
// driver. For each Running driver pod (label spark-role=driver) it creates the executor pods the driver would ask
// for, lets the application "compute" for a while, then ends executors and driver through kwok's exit-code
// annotation. A Spark Connect server pod (spark-role=connect-server) gets the executors its arguments ask for and
// runs until its pod is annotated to exit. Decisions are in spark-simulator-plan.ts; executor pods are built by
// spark-simulator-executors.ts.
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { API_GROUP_VERSION, SPARK_APPLICATION_KIND } from '../../api/constants.ts';
import { APP_NAME_LABEL, CONNECT_NAME_LABEL } from '../../api/vocabulary.ts';
import {
  controllerFor,
  ignoreAlreadyExists,
  isNoKindMatch,
  isNotFound,
  type KubeObject,
  kind,
  type Manager,
  mergePatch,
  predicates,
  type Request,
  type Result,
} from '../../runtime/index.ts';
import {
  CONF_VOLUME as CONNECT_CONF_VOLUME,
  CONNECT_SERVER_ROLE,
  confFromArgs,
  EXECUTOR_TEMPLATE_KEY,
  executorSelector,
  SERVER_CONTAINER_NAME,
} from '../../spark/connect/index.ts';
import { parseProperties } from '../../spark/properties.ts';
import { SIM_EXIT_CODE_ANNOTATION } from './kwok.ts';
import { executorPod, requestedExecutors, type SparkProperties } from './spark-simulator-executors.ts';
import {
  DEFAULT_RUN_DURATION_MS,
  type ExecutorView,
  planConnectServer,
  planSimulation,
  simulationSettings,
} from './spark-simulator-plan.ts';

export {
  SIM_DRIVER_EXIT_CODE_ANNOTATION,
  SIM_DRIVER_RUN_DURATION_ANNOTATION,
} from './spark-simulator-plan.ts';

type Pod = V1Pod & KubeObject;
const Pods = kind<Pod>('v1', 'Pod');
const ConfigMaps = kind<V1ConfigMap & KubeObject>('v1', 'ConfigMap');
const SparkApplications = kind<KubeObject>(API_GROUP_VERSION, SPARK_APPLICATION_KIND);

const CONF_VOLUME = 'spark-conf-volume-driver';
const POD_TEMPLATE_VOLUME = 'pod-template-volume';
const POD_TEMPLATE_KEY = 'podspec-configmap-key';

export interface SparkSimulatorOptions {
  /** How long a driver runs when no annotation says otherwise. Default 3 s. */
  readonly defaultRunDurationMs?: number;
  /** Controller name (unique in the manager). Default "spark-simulator". */
  readonly name?: string;
}

/** Adds the simulator to a manager: it runs on every replica (it plays the cluster, not the operator). */
export function registerSparkSimulator(manager: Manager, options: SparkSimulatorOptions = {}): void {
  const recorder = manager.getEventRecorderFor('spark-simulator');
  const defaultRunDurationMs = options.defaultRunDurationMs ?? DEFAULT_RUN_DURATION_MS;
  const client = manager.client;
  // Drivers this simulator has ended, by uid: the cache may not show the annotation yet on the next reconcile.
  const ended = new Set<string>();

  async function executorsOf(driver: Pod): Promise<Pod[]> {
    const appId = driver.metadata?.labels?.['spark-app-selector'];
    if (!appId) return [];
    const pods = await client.list(Pods, {
      namespace: driver.metadata?.namespace ?? '',
      labelSelector: `spark-role=executor,spark-app-selector=${appId}`,
    });
    return pods.filter((p) => p.metadata?.ownerReferences?.some((o) => o.uid === driver.metadata?.uid));
  }

  async function appAnnotations(driver: Pod): Promise<Record<string, string>> {
    const name = driver.metadata?.labels?.[APP_NAME_LABEL];
    if (!name) return {};
    const app = await client
      .get(SparkApplications, { namespace: driver.metadata?.namespace ?? '', name })
      .catch((err: unknown) => {
        if (isNotFound(err) || isNoKindMatch(err)) return undefined;
        throw err;
      });
    return { ...app?.metadata?.annotations };
  }

  /** The driver's spark.properties and executor pod template, read from the ConfigMaps its volumes mount. */
  async function driverFiles(driver: Pod): Promise<{ props: SparkProperties; template?: V1Pod }> {
    const namespace = driver.metadata?.namespace ?? '';
    const configMapOf = (volume: string) => driver.spec?.volumes?.find((v) => v.name === volume)?.configMap?.name;
    const read = async (name: string | undefined) =>
      name
        ? client.apiReader.get(ConfigMaps, { namespace, name }).catch((err: unknown) => {
            if (isNotFound(err)) return undefined;
            throw err;
          })
        : undefined;
    const [conf, template] = await Promise.all([
      read(configMapOf(CONF_VOLUME)),
      read(configMapOf(POD_TEMPLATE_VOLUME)),
    ]);
    const props = parseProperties(conf?.data?.['spark.properties'] ?? '');
    const templateText = template?.data?.[POD_TEMPLATE_KEY];
    return { props, ...(templateText ? { template: parse(templateText) as V1Pod } : {}) };
  }

  const annotate = (pod: Pod, exitCode: number) =>
    client.patch(pod, mergePatch({ metadata: { annotations: { [SIM_EXIT_CODE_ANNOTATION]: String(exitCode) } } }));

  // Running Spark Connect servers, whole, by namespace/name.
  const servers = new Map<string, { readonly uid: string; readonly pod: Pod }>();

  const executorView = (p: Pod): ExecutorView => ({
    name: p.metadata?.name ?? '',
    execId: Number(p.metadata?.labels?.['spark-exec-id'] ?? 0),
    endRequested: p.metadata?.annotations?.[SIM_EXIT_CODE_ANNOTATION] !== undefined,
    deleting: p.metadata?.deletionTimestamp !== undefined,
  });

  /** A Spark Connect server: its executors as its start-connect-server.sh arguments ask; it ends when told to. */
  async function reconcileConnectServer(server: Pod, request: Request): Promise<Result> {
    const namespace = server.metadata?.namespace ?? '';
    const connectName = server.metadata?.labels?.[CONNECT_NAME_LABEL] ?? '';
    const executors = (await client.list(Pods, { namespace, labelSelector: executorSelector(connectName) })).filter(
      (p) => p.metadata?.ownerReferences?.some((o) => o.uid === server.metadata?.uid),
    );
    const view = {
      deleting: server.metadata?.deletionTimestamp !== undefined,
      endRequested: server.metadata?.annotations?.[SIM_EXIT_CODE_ANNOTATION] !== undefined,
      ...(server.status?.phase ? { phase: server.status.phase } : {}),
    };
    const needsProps = view.phase === 'Running' && !view.endRequested && !view.deleting;
    // The cache keeps a slim pod: the arguments and volumes come from the whole pod, read once per server (a pod's
    // spec does not change) and only when executors may be needed.
    const key = `${request.namespace}/${request.name}`;
    const uid = server.metadata?.uid ?? '';
    if (!needsProps || servers.get(key)?.uid !== uid) servers.delete(key);
    let whole: Pod | undefined;
    if (needsProps) {
      const known = servers.get(key)?.pod;
      whole =
        known ??
        (await client.apiReader.get(Pods, request).catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        }));
      if (whole?.metadata?.uid === uid) servers.set(key, { uid, pod: whole });
    }
    const containers = whole?.spec?.containers ?? [];
    const container = containers.find((c) => c.name === SERVER_CONTAINER_NAME) ?? containers[0];
    const props: Record<string, string> = {
      // Spark's id of an application started without one (client mode), made deterministic from the pod.
      'spark.app.id': `spark-${(server.metadata?.uid ?? '').replaceAll('-', '')}`,
      'spark.app.name': 'Spark Connect server',
      ...confFromArgs(container?.args ?? []),
    };
    const plan = planConnectServer({
      server: view,
      executors: executors.map(executorView),
      executorCount: whole ? requestedExecutors(props) : executors.length,
    });
    for (const action of plan.actions) {
      if (action.type === 'createExecutors' && whole) {
        const configMap = whole.spec?.volumes?.find((v) => v.name === CONNECT_CONF_VOLUME)?.configMap?.name;
        const templateText =
          props['spark.kubernetes.executor.podTemplateFile'] && configMap
            ? (
                await client.apiReader.get(ConfigMaps, { namespace, name: configMap }).catch((err: unknown) => {
                  if (isNotFound(err)) return undefined;
                  throw err;
                })
              )?.data?.[EXECUTOR_TEMPLATE_KEY]
            : undefined;
        const template = templateText ? (parse(templateText) as V1Pod | null) : undefined;
        let created = 0;
        for (const execId of action.execIds) {
          const pod = executorPod({ driver: whole, props, execId, ...(template ? { template } : {}) });
          if (await client.create(pod as Pod).catch(ignoreAlreadyExists)) created++;
        }
        if (created > 0) {
          recorder.event(server, 'Normal', 'SimulatedExecutorsCreated', `created ${created} executor pod(s)`);
        }
      } else if (action.type === 'endExecutors') {
        for (const name of action.names) {
          const pod = executors.find((e) => e.metadata?.name === name);
          if (pod) await annotate(pod, 0).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
        }
      }
    }
    return {};
  }

  async function reconcile(request: Request): Promise<Result> {
    const driver = await client.get(Pods, request).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (!driver) servers.delete(`${request.namespace}/${request.name}`);
    const role = driver?.metadata?.labels?.['spark-role'];
    if (driver && role === CONNECT_SERVER_ROLE) return reconcileConnectServer(driver, request);
    if (!driver || role !== 'driver') return {};
    const podAnnotations = driver.metadata?.annotations ?? {};
    const { settings, problems } = simulationSettings(
      podAnnotations,
      await appAnnotations(driver),
      defaultRunDurationMs,
    );
    const executors = await executorsOf(driver);
    const views: ExecutorView[] = executors.map(executorView);
    if (driver.status?.phase !== 'Running') ended.delete(driver.metadata?.uid ?? ''); // kwok has caught up
    const started = driver.status?.startTime;
    const driverView = {
      deleting: driver.metadata?.deletionTimestamp !== undefined,
      endRequested: podAnnotations[SIM_EXIT_CODE_ANNOTATION] !== undefined || ended.has(driver.metadata?.uid ?? ''),
      ...(driver.status?.phase ? { phase: driver.status.phase } : {}),
      ...(started ? { startedAtMs: new Date(started).getTime() } : {}),
    };
    // The ConfigMaps are read only when executors may be needed (before the end time, none yet created).
    const needsFiles = driverView.phase === 'Running' && !driverView.endRequested && views.length === 0;
    // The cache keeps a slim pod (no spec, no IP: POD_PROJECTION in controllers/sparkapplication/scope.ts); the driver's
    // volumes, image and IP are read from the whole pod, fetched once and only when executors may be created.
    let fetched: Promise<Pod | undefined> | undefined;
    const whole = () => {
      fetched ??= client.apiReader.get(Pods, request).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      return fetched;
    };
    const wholeDriver = needsFiles ? await whole() : undefined;
    const files = wholeDriver ? await driverFiles(wholeDriver) : undefined;
    const plan = planSimulation({
      driver: driverView,
      executors: views,
      executorCount: files ? requestedExecutors(files.props) : views.length,
      settings,
      nowMs: manager.clock.now(),
    });
    if (plan.actions.length > 0) {
      for (const p of problems) {
        recorder.event(
          driver,
          'Warning',
          'SimulationAnnotationInvalid',
          `${p.annotation}: ${p.message}; using the default`,
        );
      }
    }
    for (const action of plan.actions) {
      switch (action.type) {
        case 'createExecutors': {
          const fullDriver = await whole();
          if (!fullDriver) break;
          const { props, template } = files ?? (await driverFiles(fullDriver));
          let created = 0;
          for (const execId of action.execIds) {
            const pod = executorPod({ driver: fullDriver, props, execId, ...(template ? { template } : {}) });
            if (await client.create(pod as Pod).catch(ignoreAlreadyExists)) created++;
          }
          if (created > 0) {
            recorder.event(driver, 'Normal', 'SimulatedExecutorsCreated', `created ${created} executor pod(s)`);
          }
          break;
        }
        case 'endExecutors':
          for (const name of action.names) {
            const pod = executors.find((e) => e.metadata?.name === name);
            if (pod)
              await annotate(pod, 0).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
          }
          break;
        case 'endDriver':
          await annotate(driver, action.exitCode);
          ended.add(driver.metadata?.uid ?? '');
          recorder.event(driver, 'Normal', 'SimulatedDriverEnded', `the driver ends with exit code ${action.exitCode}`);
          break;
      }
    }
    return plan.requeueAfterMs !== undefined ? { requeueAfter: Math.max(1, plan.requeueAfterMs) } : {};
  }

  controllerFor(manager)
    .for(
      Pods,
      predicates.labelSelector({
        matchExpressions: [{ key: 'spark-role', operator: 'In', values: ['driver', CONNECT_SERVER_ROLE] }],
      }),
    )
    .owns(Pods)
    .withOptions({ name: options.name ?? 'spark-simulator', maxConcurrentReconciles: 4, needLeaderElection: false })
    .complete({ reconcile: (_ctx, request) => reconcile(request) });
}
