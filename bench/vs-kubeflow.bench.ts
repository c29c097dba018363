// sparkop side by side with kubeflow's spark-operator (the Go operator it replaces), in one run, on one private local
// control plane with kwok nodes. Prints its figures; not a test.
//
//   npm run bench -- vs-kubeflow [--apps N]   (default 20: kubeflow runs one spark-submit JVM per application)
//
// kubeflow's operator (scripts/kubeflow/build.sh, cached) runs `operator controller start` with its defaults except
// what points it at the bench cluster: --namespaces, no leader election, metrics and probes on loopback; its webhook
// is not started. Its spark-submit is pyspark 3.5.8's (SPARK_HOME), whose fabric8 client authenticates with a
// ServiceAccount token kubeconfig (cluster.ts serviceAccountKubeconfig); sparkop, `node dist/cli/sparkop.js` with
// its shipped defaults (lib/operator-process.ts), uses the same kubeconfig. kubeflow's CRDs are installed (the
// drop-in case: sparkop runs on the CRDs kubeflow's users have).
// Each operator in turn (kubeflow first, stopped before sparkop starts) gets the same N SparkApplications (kubeflow's
// spark-pi example) in a namespace of its own, created 16 at a time; the harness's watch times each one to its
// driver pod and to SUBMITTED. CPU seconds come from /proc: for kubeflow, of its whole process tree (its own time
// plus what it reaped of its spark-submit children, lib/proc-tree.ts), and of the operator alone; peak RSS is the
// operator's VmHWM, and for kubeflow also the peak of its tree's summed RSS (sampled every 200 ms).
// For the first two applications, it prints what differs between the two operators' driver pods (and the Spark
// properties in their driver ConfigMaps), after names and ids are normalized (lib/pod-diff.ts).
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { appNames } from '../harness/apps.ts';
import { prepareNamespace, serviceAccountKubeconfig, startBenchCluster } from '../harness/cluster.ts';
import { KubeflowOperator, kubeflowBuild, kubeflowCrds, kubeflowExample, pysparkHome } from '../harness/kubeflow.ts';
import { OperatorProcess } from '../harness/operator-process.ts';
import { installCrds } from '../src/api/index.ts';
import { prepareSparkJobNamespace } from '../src/operator/job-namespace.ts';
import { type Client, type KubeObject, kind } from '../src/runtime/index.ts';
import { parseProperties } from '../src/spark/properties.ts';
import { numberFlag } from './lib/args.ts';
import { machineInfo, percentile, saveResult, table } from './lib/machine.ts';
import { Observer } from './lib/observer.ts';
import { type DriverRecord, differences, driverPaths, normalizer } from './lib/pod-diff.ts';
import { CpuMeter, sampleProc } from './lib/proc.ts';
import { sampleTree, TreePeakSampler } from './lib/proc-tree.ts';

const argv = process.argv.slice(2);
const APPS = numberFlag(argv, 'apps', 20) ?? 20;
const CONCURRENCY = 16;
/** Applications whose driver pods are compared. */
const COMPARED = 2;
const SUBMITTED = new Set(['SUBMITTED', 'RUNNING', 'SUCCEEDING', 'COMPLETED', 'FAILING', 'FAILED']);
const log = (m: string) => console.error(`[vs-kubeflow] ${m}`);
const round = (x: number, d = 1) => Number(x.toFixed(d));
const MiB = (bytes: number) => round(bytes / 2 ** 20);

const Pods = kind<V1Pod & KubeObject>('v1', 'Pod');
const Services = kind<KubeObject>('v1', 'Service');
const ConfigMaps = kind<KubeObject & { data?: Record<string, string> }>('v1', 'ConfigMap');
interface AppObject extends KubeObject {
  spec?: Record<string, unknown>;
  status?: { submissionID?: string; sparkApplicationId?: string; driverInfo?: { webUIAddress?: string } };
}
const Apps = kind<AppObject>('sparkoperator.k8s.io/v1beta2', 'SparkApplication');

interface RunResult {
  readonly operator: 'kubeflow' | 'sparkop';
  readonly namespace: string;
  readonly appsPerSecond: number;
  readonly submitSeconds: number;
  /** CPU seconds per application: the operator's process tree (kubeflow: with its spark-submit JVMs). */
  readonly cpuSecondsPerApp: number;
  /** The operator process alone. */
  readonly ownCpuSecondsPerApp: number;
  readonly apiserverCpuMsPerApp: number;
  /** VmHWM of the operator process. */
  readonly peakRssMiB: number;
  /** Peak of the summed RSS of the operator's process tree, sampled (kubeflow: with its JVMs). */
  readonly peakTreeRssMiB: number;
  readonly peakProcesses: number;
  readonly createToDriverPodMs: { readonly p50: number; readonly p99: number };
  readonly createToSubmittedMs: { readonly p50: number; readonly p99: number };
  readonly driverPods: number;
  readonly drivers: readonly DriverRecord[];
  readonly ids: readonly Record<string, string | undefined>[];
}

const machineStart = machineInfo();
const build = kubeflowBuild();
const sparkHome = pysparkHome('3.5.8');
log(`apps ${APPS}; kubeflow spark-operator ${build.version}; load ${machineStart.load.join(' ')}`);
const bc = await startBenchCluster({ nodes: 2, log });
try {
  await installCrds(bc.kc, { crds: kubeflowCrds(build) });
  for (const ns of ['kubeflow', 'sparkop']) {
    await prepareNamespace(bc.api, ns);
    await prepareSparkJobNamespace(bc.api, ns);
  }
  const token = await serviceAccountKubeconfig(bc, 'vs-kubeflow');
  const names = appNames('app', APPS);

  const kubeflow = await run('kubeflow', async () => {
    const op = await KubeflowOperator.start({
      build,
      kubeconfigPath: token.path,
      server: bc.cluster.server,
      sparkHome,
      namespaces: 'kubeflow',
      logFile: join(bc.workDir, 'kubeflow-operator.log'),
    });
    return { pid: op.pid, stop: () => op.stop() };
  });
  const sparkop = await run('sparkop', async () => {
    const op = await OperatorProcess.start({
      kubeconfigPath: token.path,
      namespaces: 'sparkop',
      logFile: join(bc.workDir, 'sparkop.log'),
    });
    return { pid: op.pid, stop: () => op.stop() };
  });

  const ratio = (a: number, b: number) => (b > 0 ? `${round(a / b, 1)}x` : 'n/a');
  const rows: string[][] = [
    [
      'apps/s to SUBMITTED',
      String(kubeflow.appsPerSecond),
      String(sparkop.appsPerSecond),
      ratio(sparkop.appsPerSecond, kubeflow.appsPerSecond),
    ],
    [
      'operator CPU s per app (kubeflow: with spark-submit JVMs)',
      String(kubeflow.cpuSecondsPerApp),
      String(sparkop.cpuSecondsPerApp),
      ratio(kubeflow.cpuSecondsPerApp, sparkop.cpuSecondsPerApp),
    ],
    [
      'operator CPU s per app, the operator process alone',
      String(kubeflow.ownCpuSecondsPerApp),
      String(sparkop.ownCpuSecondsPerApp),
      ratio(kubeflow.ownCpuSecondsPerApp, sparkop.ownCpuSecondsPerApp),
    ],
    [
      'peak RSS MiB, with spark-submit JVMs (sampled)',
      String(kubeflow.peakTreeRssMiB),
      String(sparkop.peakTreeRssMiB),
      ratio(kubeflow.peakTreeRssMiB, sparkop.peakTreeRssMiB),
    ],
    [
      'peak RSS MiB, the operator process alone (VmHWM)',
      String(kubeflow.peakRssMiB),
      String(sparkop.peakRssMiB),
      ratio(kubeflow.peakRssMiB, sparkop.peakRssMiB),
    ],
    [
      'p50 create -> driver pod (ms, watch)',
      String(kubeflow.createToDriverPodMs.p50),
      String(sparkop.createToDriverPodMs.p50),
      ratio(kubeflow.createToDriverPodMs.p50, sparkop.createToDriverPodMs.p50),
    ],
    [
      'p99 create -> driver pod (ms, watch)',
      String(kubeflow.createToDriverPodMs.p99),
      String(sparkop.createToDriverPodMs.p99),
      ratio(kubeflow.createToDriverPodMs.p99, sparkop.createToDriverPodMs.p99),
    ],
    [
      'p50 / p99 create -> SUBMITTED (ms, watch)',
      `${kubeflow.createToSubmittedMs.p50} / ${kubeflow.createToSubmittedMs.p99}`,
      `${sparkop.createToSubmittedMs.p50} / ${sparkop.createToSubmittedMs.p99}`,
      '',
    ],
    [
      'kube-apiserver CPU ms per app',
      String(kubeflow.apiserverCpuMsPerApp),
      String(sparkop.apiserverCpuMsPerApp),
      ratio(kubeflow.apiserverCpuMsPerApp, sparkop.apiserverCpuMsPerApp),
    ],
    ['most processes at once (operator tree)', String(kubeflow.peakProcesses), String(sparkop.peakProcesses), ''],
    ['driver pods', String(kubeflow.driverPods), String(sparkop.driverPods), ''],
  ];
  console.log(
    `${APPS} SparkApplications (kubeflow's spark-pi example) per operator; ratio = kubeflow cost / sparkop's, or sparkop's rate / kubeflow's`,
  );
  console.log(table(['figure', `kubeflow ${build.version}`, 'sparkop', 'ratio'], rows));

  // The driver pods of the first applications, side by side.
  const podDiffs = names.slice(0, COMPARED).map((name, i) => {
    const a = kubeflow.drivers[i];
    const b = sparkop.drivers[i];
    if (!a || !b) return { app: name, differences: [] };
    const diffs = differences(
      driverPaths(a, normalizer(kubeflow.ids[i] ?? {})),
      driverPaths(b, normalizer(sparkop.ids[i] ?? {})),
    );
    return { app: name, differences: diffs };
  });
  for (const { app, differences: diffs } of podDiffs) {
    console.log(`\nDriver pod of ${app}: ${diffs.length} differences (normalized; - kubeflow, + sparkop)`);
    for (const d of diffs) {
      console.log(`  ${d.path}`);
      if (d.a !== undefined) console.log(`    - ${d.a}`);
      if (d.b !== undefined) console.log(`    + ${d.b}`);
    }
  }

  const machineEnd = machineInfo();
  const strip = (r: RunResult) => {
    const { drivers: _d, ids: _i, ...figures } = r;
    return figures;
  };
  const summary = {
    benchmark: 'vs-kubeflow',
    date: new Date().toISOString(),
    command: `npm run bench -- vs-kubeflow ${argv.join(' ')}`.trim(),
    machine: { ...machineStart, loadAtEnd: machineEnd.load },
    apps: APPS,
    kubeflow: { version: build.version, sparkSubmit: 'pyspark 3.5.8', ...strip(kubeflow) },
    sparkop: { process: 'child (node dist/cli/sparkop.js), shipped defaults', ...strip(sparkop) },
    // Same-app driver pods, normalized: what kubeflow writes and sparkop does not, and the other way round.
    driverPodDifferences: podDiffs,
  };
  const file = saveResult('vs-kubeflow', summary);
  log(`saved ${file}; machine load now ${machineEnd.load.join(' ')}`);
} finally {
  await bc.stop();
}
process.exit(0);

/**
 * One operator's run: starts it (scoped to namespace `operator`), creates the N applications, waits until every one
 * is SUBMITTED (or later), reads the figures, keeps the first applications' drivers, stops the operator.
 */
async function run(
  operator: 'kubeflow' | 'sparkop',
  start: () => Promise<{ pid: number; stop: () => Promise<unknown> }>,
): Promise<RunResult> {
  const namespace = operator;
  const names = appNames('app', APPS);
  const observer = new Observer(bc.kc, namespace);
  await observer.start();
  const op = await start();
  log(`${operator}: running (pid ${op.pid})`);
  const peak = new TreePeakSampler(op.pid);
  const treeCpuStart = sampleTree(op.pid)?.cpuSeconds ?? 0;
  const ownCpuStart = sampleProc(op.pid)?.cpuSeconds ?? 0;
  const apiserver = new CpuMeter(new Map([['kube-apiserver', bc.pid('kube-apiserver')]]));
  const sentMs = new Map<string, number>();
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < names.length; i = next++) {
        const name = names[i] ?? '';
        sentMs.set(name, Date.now());
        await bc.api.create(kubeflowExample<AppObject>(build, 'spark-pi.yaml', name, namespace));
      }
    }),
  );
  const submittedAt = (name: string): number | undefined => {
    const times = [...(observer.apps.get(name)?.states ?? [])].filter(([s]) => SUBMITTED.has(s)).map(([, ms]) => ms);
    return times.length > 0 ? Math.min(...times) : undefined;
  };
  await observer.until(
    `${APPS} applications SUBMITTED (${operator})`,
    () => names.every((n) => submittedAt(n) !== undefined),
    120_000 + APPS * 30_000,
  );
  const treeCpu = (sampleTree(op.pid)?.cpuSeconds ?? 0) - treeCpuStart;
  const own = sampleProc(op.pid);
  const ownCpu = (own?.cpuSeconds ?? 0) - ownCpuStart;
  const apiserverCpu = apiserver.read()['kube-apiserver'] ?? 0;
  peak.stop();
  await observer.until(
    `every driver pod seen (${operator})`,
    () => names.every((n) => observer.apps.get(n)?.driverSeenMs !== undefined),
    60_000,
  );
  // The compared applications' objects once their drivers run (an operator may add the UI Service after SUBMITTED).
  const compared = names.slice(0, COMPARED);
  await observer
    .until(
      `${compared.join(', ')} RUNNING (${operator})`,
      () => compared.every((n) => observer.apps.get(n)?.states.has('RUNNING')),
      60_000,
    )
    .catch((err: unknown) => log(`${(err as Error).message}; comparing them as they are`));
  const drivers: DriverRecord[] = [];
  const ids: Record<string, string | undefined>[] = [];
  for (const name of compared) {
    const found = await driverRecord(bc.api, namespace, name);
    if (found) {
      drivers.push(found.record);
      ids.push(found.ids);
    }
  }
  const driverPods = (await bc.api.apiReader.list(Pods, { namespace, labelSelector: 'spark-role=driver' })).length;
  observer.stop();
  await op.stop();
  log(`${operator}: stopped`);

  const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
  const since = (name: string, ms: number | undefined) => (ms ?? Number.NaN) - (sentMs.get(name) ?? 0);
  const toPod = sorted(names.map((n) => since(n, observer.apps.get(n)?.driverSeenMs)));
  const toSubmitted = sorted(names.map((n) => since(n, submittedAt(n))));
  const seconds = (Math.max(...names.map((n) => submittedAt(n) ?? 0)) - started) / 1000;
  return {
    operator,
    namespace,
    appsPerSecond: round(APPS / seconds, 2),
    submitSeconds: round(seconds, 2),
    cpuSecondsPerApp: round(treeCpu / APPS, 3),
    ownCpuSecondsPerApp: round(ownCpu / APPS, 3),
    apiserverCpuMsPerApp: round((apiserverCpu * 1000) / APPS),
    peakRssMiB: MiB(own?.peakRssBytes ?? 0),
    peakTreeRssMiB: MiB(peak.peakTreeRssBytes),
    peakProcesses: peak.peakProcesses,
    createToDriverPodMs: { p50: round(percentile(toPod, 50)), p99: round(percentile(toPod, 99)) },
    createToSubmittedMs: { p50: round(percentile(toSubmitted, 50)), p99: round(percentile(toSubmitted, 99)) },
    driverPods,
    drivers,
    ids,
  };
}

/** The application's driver pod, the properties of its driver ConfigMap, the names of its Services and ConfigMaps. */
async function driverRecord(
  api: Client,
  namespace: string,
  name: string,
): Promise<{ record: DriverRecord; ids: Record<string, string | undefined> } | undefined> {
  // Both operators write the UI Service and its address in status a moment after the driver runs: wait (up to
  // 15 s) for the address, so that a difference in timing is not taken for a difference in what is written.
  const deadline = Date.now() + 15_000;
  let app = await api.apiReader.get(Apps, { namespace, name });
  while (!app.status?.driverInfo?.webUIAddress && Date.now() < deadline) {
    await sleep(250);
    app = await api.apiReader.get(Apps, { namespace, name });
  }
  const [pods, services, configMaps] = await Promise.all([
    api.apiReader.list(Pods, {
      namespace,
      labelSelector: `sparkoperator.k8s.io/app-name=${name},spark-role=driver`,
    }),
    api.apiReader.list(Services, { namespace }),
    api.apiReader.list(ConfigMaps, { namespace }),
  ]);
  const pod = pods[0];
  if (!pod) return undefined;
  const owners = new Set([app.metadata?.uid, pod.metadata?.uid]);
  const owned = (o: KubeObject) => (o.metadata?.ownerReferences ?? []).some((r) => owners.has(r.uid));
  const confName = pod.spec?.volumes?.find((v) => v.name === 'spark-conf-volume-driver')?.configMap?.name;
  const conf = configMaps.find((c) => c.metadata?.name === confName)?.data?.['spark.properties'] ?? '';
  const { managedFields: _m, ...metadata } = pod.metadata ?? {};
  return {
    record: {
      pod: { ...pod, metadata },
      appStatus: app.status,
      conf: parseProperties(conf),
      services: services.filter(owned).map((s) => s.metadata?.name ?? ''),
      configMaps: configMaps
        .filter((c) => owned(c) || c.metadata?.name === confName)
        .map((c) => c.metadata?.name ?? ''),
    },
    ids: {
      namespace,
      'app-uid': app.metadata?.uid,
      'pod-uid': pod.metadata?.uid,
      'submission-id': app.status?.submissionID ?? pod.metadata?.labels?.['sparkoperator.k8s.io/submission-id'],
      'spark-app-id': app.status?.sparkApplicationId ?? pod.metadata?.labels?.['spark-app-selector'],
    },
  };
}
