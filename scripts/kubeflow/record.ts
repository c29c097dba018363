// Records what kubeflow's spark-operator writes, for sparkop's adoption tests: with kubeflow's operator (built by
// scripts/kubeflow/build.sh) running against a private local control plane with kwok nodes and kubeflow's own CRDs,
// it creates SparkApplications (kubeflow's spark-pi example) and a ScheduledSparkApplication, drives them into every
// state, and saves the objects as the API server returns them (minus managedFields) to <dir>/recorded.json.
//
//   node scripts/kubeflow/record.ts [--out test/fixtures/kubeflow]
//
// kwok's pods reach Running and stay there: drivers are ended here as a kubelet would end them, by a write to the
// pods/status subresource (phase Succeeded or Failed, every container terminated with exit code 0 or 1). A RUNNING
// application gets one executor pod, built as Spark's driver builds it (the Spark simulator's executorPod(), from
// the properties in the driver's ConfigMap): on kwok no driver runs to create it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { prepareNamespace, serviceAccountKubeconfig, startBenchCluster } from '../../harness/cluster.ts';
import { KubeflowOperator, kubeflowBuild, kubeflowCrds, kubeflowExample, pysparkHome } from '../../harness/kubeflow.ts';
import { installCrds } from '../../src/api/index.ts';
import { executorPod } from '../../src/dev/localcluster/spark-simulator-executors.ts';
import { prepareSparkJobNamespace } from '../../src/operator/job-namespace.ts';
import {
  Cache,
  type Client,
  gvkString,
  type KindScope,
  type KubeObject,
  kind,
  mergePatch,
  silentLogger,
} from '../../src/runtime/index.ts';
import { parseProperties } from '../../src/spark/properties.ts';

type Pod = V1Pod & KubeObject;
interface AppObject extends KubeObject {
  spec?: Record<string, unknown>;
  status?: {
    applicationState?: { state?: string };
    executorState?: Record<string, string>;
    driverInfo?: { podName?: string };
  };
}
interface ScheduledObject extends KubeObject {
  status?: { pastSuccessfulRunNames?: string[]; pastFailedRunNames?: string[]; lastRunName?: string };
}

const GROUP_VERSION = 'sparkoperator.k8s.io/v1beta2';
const Apps = kind<AppObject>(GROUP_VERSION, 'SparkApplication');
const Scheduled = kind<ScheduledObject>(GROUP_VERSION, 'ScheduledSparkApplication');
const Pods = kind<Pod>('v1', 'Pod');
const Services = kind<KubeObject>('v1', 'Service');
const ConfigMaps = kind<KubeObject & { data?: Record<string, string> }>('v1', 'ConfigMap');

const ROOT = resolve(import.meta.dirname, '..', '..');
const argv = process.argv.slice(2);
const outIndex = argv.indexOf('--out');
const OUT = resolve(ROOT, outIndex >= 0 ? (argv[outIndex + 1] ?? '') : 'test/fixtures/kubeflow');
const NAMESPACE = 'default';
const log = (m: string) => console.error(`[kubeflow-record] ${m}`);

const build = kubeflowBuild();
const sparkHome = pysparkHome('3.5.8');
log(`kubeflow spark-operator ${build.version}; SPARK_HOME ${sparkHome}`);
const bc = await startBenchCluster({ nodes: 1, log });
let kf: KubeflowOperator | undefined;
const abort = new AbortController();
try {
  // kubeflow's own CRDs (its schema prunes and defaults what it writes), in place of sparkop's.
  await installCrds(bc.kc, { crds: kubeflowCrds(build) });
  await prepareNamespace(bc.api, NAMESPACE);
  await prepareSparkJobNamespace(bc.api, NAMESPACE);
  const token = await serviceAccountKubeconfig(bc, 'kubeflow-spark-operator');

  // Every state each application passes through, as the first object the watch delivered in that state: the
  // transient ones (PENDING_RERUN, INVALIDATING, SUCCEEDING, FAILING…) are kept from here.
  const history = new Map<string, Map<string, AppObject>>();
  /** Every state change each application went through, in order (a rerun shows SUBMITTED and RUNNING again). */
  const sequence = new Map<string, string[]>();
  const cache = new Cache({
    kubeConfig: bc.kc,
    logger: silentLogger(),
    scopes: new Map<string, KindScope>([[gvkString(Apps), { namespaces: [NAMESPACE] }]]),
  });
  void cache.start(abort.signal);
  const informer = await cache.getInformer(Apps);
  const onApp = (app: AppObject) => {
    const name = app.metadata?.name ?? '';
    const state = app.status?.applicationState?.state ?? '';
    const seen = history.get(name) ?? new Map<string, AppObject>();
    history.set(name, seen);
    if (!seen.has(state)) seen.set(state, structuredClone(app));
    const states = sequence.get(name) ?? [];
    sequence.set(name, states);
    if (state && states.at(-1) !== state) states.push(state);
  };
  informer.addEventHandler({ onAdd: onApp, onUpdate: (_, app) => onApp(app) });
  await cache.waitForSync(abort.signal);

  kf = await KubeflowOperator.start({
    build,
    kubeconfigPath: token.path,
    server: bc.cluster.server,
    sparkHome,
    namespaces: NAMESPACE,
    logFile: join(bc.workDir, 'kubeflow-operator.log'),
  });
  log(`kubeflow's operator is running (pid ${kf.pid}, log ${kf.logFile})`);

  const example = (name: string) => kubeflowExample<AppObject>(build, 'spark-pi.yaml', name, NAMESPACE);
  const withSpec = (app: AppObject, spec: Record<string, unknown>): AppObject => ({
    ...app,
    spec: { ...app.spec, ...spec },
  });
  const onFailure = (retries: number, intervalS: number) => ({
    restartPolicy: { type: 'OnFailure', onFailureRetries: retries, onFailureRetryInterval: intervalS },
  });
  const cases: { name: string; app: AppObject; what: string }[] = [
    {
      name: 'spark-pi-submitted',
      // spec.nodeSelector, which kubeflow passes to spark-submit; driver.nodeSelector is applied by kubeflow's
      // mutating webhook only, and the recording runs without it.
      what: 'SUBMITTED: its driver pod cannot be scheduled (a nodeSelector no node has), so it stays Pending',
      app: withSpec(example('spark-pi-submitted'), { nodeSelector: { 'sparkop.dev/recording': 'no-such-node' } }),
    },
    { name: 'spark-pi-running', what: 'RUNNING, with one executor pod Running', app: example('spark-pi-running') },
    {
      name: 'spark-pi-completed',
      what: 'COMPLETED: the driver ended with exit code 0',
      app: example('spark-pi-completed'),
    },
    {
      name: 'spark-pi-failed',
      what: 'FAILED: the driver ended with exit code 1, restartPolicy Never',
      app: withSpec(example('spark-pi-failed'), { restartPolicy: { type: 'Never' } }),
    },
    {
      name: 'spark-pi-failing',
      what: 'FAILING: the driver failed, restartPolicy OnFailure with a retry due in an hour',
      app: withSpec(example('spark-pi-failing'), onFailure(3, 3600)),
    },
    {
      name: 'spark-pi-rerun',
      what: 'the driver failed once (OnFailure, 1 retry, 5 s): FAILING, PENDING_RERUN, then a second attempt RUNNING',
      app: withSpec(example('spark-pi-rerun'), onFailure(1, 5)),
    },
    {
      name: 'spark-pi-invalidating',
      what: 'RUNNING, then its spec changed (arguments): INVALIDATING, PENDING_RERUN, then RUNNING again',
      app: example('spark-pi-invalidating'),
    },
    {
      name: 'spark-pi-suspended',
      what: 'RUNNING, then spec.suspend = true: SUSPENDING, SUSPENDED',
      app: example('spark-pi-suspended'),
    },
  ];
  for (const c of cases) await bc.api.create(c.app);
  const scheduled = kubeflowExample<ScheduledObject>(build, 'spark-pi-scheduled.yaml', 'spark-pi-scheduled', NAMESPACE);
  const scheduledSpec = (scheduled as KubeObject & { spec?: Record<string, unknown> }).spec ?? {};
  // Every minute (kubeflow's example: every 3 minutes), so that it fires twice within the recording.
  await bc.api.create({ ...scheduled, spec: { ...scheduledSpec, schedule: '@every 1m' } } as KubeObject);
  const scheduledAt = Date.now();
  log(`created ${cases.length} SparkApplications and ScheduledSparkApplication spark-pi-scheduled`);

  const appNamed = (name: string) => informer.get({ namespace: NAMESPACE, name }) as AppObject | undefined;
  const stateOf = (name: string) => appNamed(name)?.status?.applicationState?.state;
  const seen = (name: string, state: string) => history.get(name)?.has(state) === true;
  async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    log(`waiting for ${what}`);
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; see ${kf?.logFile}`);
      await sleep(250);
    }
  }
  const driverOf = async (name: string): Promise<Pod | undefined> => {
    const podName = appNamed(name)?.status?.driverInfo?.podName;
    if (!podName) return undefined;
    return bc.api.apiReader.get(Pods, { namespace: NAMESPACE, name: podName }).catch(() => undefined);
  };
  const running = async (name: string) => (await driverOf(name))?.status?.phase === 'Running';

  for (const c of cases.filter((c) => c.name !== 'spark-pi-submitted')) {
    await until(`${c.name} RUNNING`, async () => stateOf(c.name) === 'RUNNING' && (await running(c.name)));
  }
  await until('spark-pi-submitted SUBMITTED', () => stateOf('spark-pi-submitted') === 'SUBMITTED');
  log('every application SUBMITTED or RUNNING');

  // RUNNING with an executor, as the driver would have asked for it.
  const runningDriver = await driverOf('spark-pi-running');
  if (!runningDriver) throw new Error('spark-pi-running has no driver pod');
  await bc.api.create(await executorFor(bc.api, runningDriver, 1));
  await until('spark-pi-running: executor RUNNING in status', () =>
    Object.values(appNamed('spark-pi-running')?.status?.executorState ?? {}).includes('RUNNING'),
  );

  for (const [name, code] of [
    ['spark-pi-completed', 0],
    ['spark-pi-failed', 1],
    ['spark-pi-failing', 1],
    ['spark-pi-rerun', 1],
  ] as const) {
    const driver = await driverOf(name);
    if (driver) await endPod(bc.api, driver, code);
  }
  await bc.api.patch(
    Apps,
    { namespace: NAMESPACE, name: 'spark-pi-invalidating' },
    mergePatch({ spec: { arguments: ['100'] } }),
  );
  await bc.api.patch(
    Apps,
    { namespace: NAMESPACE, name: 'spark-pi-suspended' },
    mergePatch({ spec: { suspend: true } }),
  );
  await until('spark-pi-completed COMPLETED', () => stateOf('spark-pi-completed') === 'COMPLETED');
  await until('spark-pi-failed FAILED', () => stateOf('spark-pi-failed') === 'FAILED');
  await until('spark-pi-failing FAILING', () => stateOf('spark-pi-failing') === 'FAILING');
  await until('spark-pi-suspended SUSPENDED', () => stateOf('spark-pi-suspended') === 'SUSPENDED');
  await until(
    'spark-pi-rerun: PENDING_RERUN, then RUNNING again',
    async () =>
      seen('spark-pi-rerun', 'PENDING_RERUN') &&
      stateOf('spark-pi-rerun') === 'RUNNING' &&
      (await running('spark-pi-rerun')),
  );
  await until(
    'spark-pi-invalidating: INVALIDATING, then RUNNING again',
    async () =>
      seen('spark-pi-invalidating', 'INVALIDATING') &&
      stateOf('spark-pi-invalidating') === 'RUNNING' &&
      (await running('spark-pi-invalidating')),
  );
  log('every SparkApplication in its state');

  // The schedule's runs: each driver ends with 0 once Running, until two runs have completed.
  const runsOf = () =>
    bc.api.apiReader.list(Apps, {
      namespace: NAMESPACE,
      labelSelector: 'sparkoperator.k8s.io/scheduled-app-name=spark-pi-scheduled',
    });
  await until(
    'two completed runs of spark-pi-scheduled',
    async () => {
      const runs = await runsOf();
      for (const run of runs) {
        const podName = run.status?.driverInfo?.podName;
        if (run.status?.applicationState?.state !== 'RUNNING' || !podName) continue;
        const pod = await bc.api.apiReader.get(Pods, { namespace: NAMESPACE, name: podName }).catch(() => undefined);
        if (pod?.status?.phase === 'Running') await endPod(bc.api, pod, 0);
      }
      const s = await bc.api.apiReader.get(Scheduled, { namespace: NAMESPACE, name: 'spark-pi-scheduled' });
      const completed = runs.filter((r) => r.status?.applicationState?.state === 'COMPLETED').length;
      return completed >= 2 && (s.status?.pastSuccessfulRunNames?.length ?? 0) >= 1;
    },
    300_000,
  );
  log(`spark-pi-scheduled fired twice (${((Date.now() - scheduledAt) / 1000).toFixed(0)} s)`);

  // Everything as it is now, per application: itself, its pods, and the Services and ConfigMaps it or its pods own.
  const [apps, pods, services, configMaps, schedules] = await Promise.all([
    bc.api.apiReader.list(Apps, { namespace: NAMESPACE }),
    bc.api.apiReader.list(Pods, { namespace: NAMESPACE }),
    bc.api.apiReader.list(Services, { namespace: NAMESPACE }),
    bc.api.apiReader.list(ConfigMaps, { namespace: NAMESPACE }),
    bc.api.apiReader.list(Scheduled, { namespace: NAMESPACE }),
  ]);
  const objectsOf = (app: AppObject): KubeObject[] => {
    const name = app.metadata?.name ?? '';
    const own = pods.filter((p) => p.metadata?.labels?.['sparkoperator.k8s.io/app-name'] === name);
    const owners = new Set([app.metadata?.uid, ...own.map((p) => p.metadata?.uid)]);
    const mounted = new Set(own.flatMap((p) => (p.spec?.volumes ?? []).map((v) => v.configMap?.name)));
    const owned = (o: KubeObject) =>
      (o.metadata?.ownerReferences ?? []).some((r) => owners.has(r.uid)) || mounted.has(o.metadata?.name);
    return [app, ...own, ...services.filter(owned), ...configMaps.filter(owned)].map(withoutManagedFields);
  };
  const stateHistory = (name: string) => sequence.get(name) ?? [];
  const recorded = {
    recordedWith: {
      kubeflowSparkOperator: build.version,
      sparkSubmit: 'pyspark 3.5.8',
      command: 'node scripts/kubeflow/record.ts',
      date: new Date().toISOString(),
      cluster:
        'private local control plane (kube-apiserver, etcd, kube-controller-manager, kube-scheduler) with kwok nodes',
      namespace: NAMESPACE,
    },
    applications: cases.map((c) => {
      const app = apps.find((a) => a.metadata?.name === c.name);
      if (!app) throw new Error(`${c.name} is gone`);
      return {
        name: c.name,
        what: c.what,
        state: app.status?.applicationState?.state,
        stateHistory: stateHistory(c.name),
        objects: objectsOf(app),
      };
    }),
    // The application as the watch delivered it when it first showed each state (from the runs above).
    transientStates: cases.flatMap((c) =>
      [...(history.get(c.name) ?? new Map<string, AppObject>())]
        .filter(([state]) =>
          ['SUBMITTED', 'PENDING_RERUN', 'INVALIDATING', 'SUCCEEDING', 'FAILING', 'SUSPENDING'].includes(state),
        )
        .map(([state, object]) => ({ name: c.name, state, object: withoutManagedFields(object) })),
    ),
    scheduled: schedules.map((s) => {
      const runs = apps.filter(
        (a) => a.metadata?.labels?.['sparkoperator.k8s.io/scheduled-app-name'] === s.metadata?.name,
      );
      return {
        object: withoutManagedFields(s),
        runs: runs.map((r) => ({
          name: r.metadata?.name,
          state: r.status?.applicationState?.state,
          stateHistory: stateHistory(r.metadata?.name ?? ''),
          objects: objectsOf(r),
        })),
      };
    }),
  };
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, 'recorded.json');
  writeFileSync(file, `${JSON.stringify(recorded, null, 2)}\n`);
  // In the repository's format (short arrays on one line), so that `npm run check` passes with the file committed.
  execFileSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', file], { stdio: 'ignore' });
  log(`wrote ${file}`);
  for (const a of recorded.applications)
    log(`  ${a.name}: ${a.state} (${a.stateHistory.join(' → ')}), ${a.objects.length} objects`);
  for (const s of recorded.scheduled) log(`  ${s.object.metadata?.name}: ${s.runs.length} runs`);
} finally {
  abort.abort();
  await kf?.stop();
  await bc.stop();
}
process.exit(0);

function withoutManagedFields<T extends KubeObject>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** Ends a Running pod as its kubelet would: every container terminated with `exitCode`, phase Succeeded or Failed. */
async function endPod(api: Client, pod: Pod, exitCode: number): Promise<void> {
  const now = new Date().toISOString();
  const reason = exitCode === 0 ? 'Completed' : 'Error';
  const containerStatuses: V1ContainerStatus[] = (pod.status?.containerStatuses ?? []).map((s) => ({
    ...s,
    ready: false,
    started: false,
    state: {
      terminated: {
        exitCode,
        reason,
        startedAt: s.state?.running?.startedAt ?? (now as unknown as Date),
        finishedAt: now as unknown as Date,
      },
    },
  }));
  const conditions = (pod.status?.conditions ?? []).map((c) =>
    c.type === 'Ready' || c.type === 'ContainersReady'
      ? { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: now }
      : c,
  );
  await api
    .status()
    .patch(
      Pods,
      { namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' },
      mergePatch({ status: { phase: exitCode === 0 ? 'Succeeded' : 'Failed', conditions, containerStatuses } }),
    );
}

/** The executor pod Spark's driver would create, from the properties in the driver's ConfigMap. */
async function executorFor(api: Client, driver: Pod, execId: number): Promise<Pod> {
  const volume = driver.spec?.volumes?.find((v) => v.name === 'spark-conf-volume-driver')?.configMap?.name;
  if (!volume) throw new Error(`driver ${driver.metadata?.name} mounts no spark-conf-volume-driver`);
  const cm = await api.apiReader.get(ConfigMaps, { namespace: driver.metadata?.namespace ?? '', name: volume });
  const props = parseProperties(cm.data?.['spark.properties'] ?? '');
  return executorPod({ driver, props, execId }) as Pod;
}
