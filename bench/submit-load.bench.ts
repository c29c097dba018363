// Sustained submission load against a private local control plane (kube-apiserver, etcd, scheduler, kwok on this
// machine). Prints its figures against the targets; not a test.
//
//   npm run bench -- submit-load --apps N [--rate R] [--threads T] [--qps Q] [--concurrency C] [--no-ceiling]
//                    [--cpu-prof] [--node-flags=F]   (F: Node/V8 flags for the operator, space-separated)
//                    [--apiserver-profile=S] [--auth=token] [--no-shipped]
//
// 1. Raw API ceiling: a plain client (no rate limit, C = 64 concurrent pipelines) writes what one submission writes
//    per application — SparkApplication, driver pod, its Services and ConfigMap, a status write — for N apps.
// 2. The operator, `node dist/cli/sparkop.js` in a child process (--controller-threads T, --kube-api-qps Q), scoped
//    to a namespace of its own; the harness creates N SparkApplications (as fast as possible, or R per second) and
//    watches when each driver pod appears and each status reaches SUBMITTED (or later). Latencies run to when those
//    writes were committed (lib/revision-clock.ts: etcd revisions against the harness's own timed writes); the
//    watch's arrival times are kept beside them.
// 3. The operator as shipped (`--no-shipped` leaves it out): no tuning flag, the same N applications in a namespace of
//    their own, timed to SUBMITTED as the watch sees it; printed beside the tuned run as a share of it.
// Both phases are also timed until the cluster has done what their writes lead to ("settled": every driver pod
// Running, bound by kube-scheduler and started by kwok): the ceiling's writes end with the scheduler and kwok behind,
// and the work they do afterwards is outside its window; the harness watches both phases' pods the same way.
// kube-apiserver's own request and watch-event counts per application (its /metrics) are kept for both phases.
// CPU seconds come from /proc/<pid>/stat of the operator, kube-apiserver and etcd; the operator's own counters from
// its /metrics. --cpu-prof writes a V8 CPU profile of the operator (summarised by bench/lib/profile.ts).
// --apiserver-profile=S takes an S-second CPU profile of kube-apiserver 2 s into the ceiling and into the operator's
// run (bench/lib/apiserver-profile.ts): what the API server spends its share of the cores on, in both.
// --auth=token: the operator, the ceiling's client and the harness's creates authenticate with a ServiceAccount token
// (as a deployed operator does) instead of the admin client certificate (see serviceAccountKubeconfig).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { appNames, benchApp } from '../harness/apps.ts';
import {
  prepareNamespace,
  serviceAccountKubeconfig,
  startBenchCluster,
  unthrottledClient,
} from '../harness/cluster.ts';
import { byLabel, histogramMean, sum } from '../harness/metrics.ts';
import { OperatorProcess } from '../harness/operator-process.ts';
import { RevisionClock } from '../harness/revision-clock.ts';
import { CONTROLLER_NAME } from '../src/controllers/sparkapplication/index.ts';
import { ConfigMaps, Pods, Services } from '../src/controllers/sparkapplication/kinds.ts';
import { mergePatch } from '../src/runtime/client/patch.ts';
import { type ApiServerCounts, perApplication, readApiServerCounts } from './lib/apiserver-metrics.ts';
import { type ApiServerProfile, profileApiServer } from './lib/apiserver-profile.ts';
import { numberFlag, wordsFlag } from './lib/args.ts';
import { type CeilingResult, measureCeiling } from './lib/ceiling.ts';
import { machineInfo, percentile, saveResult, table } from './lib/machine.ts';
import { Observer } from './lib/observer.ts';
import { CpuMeter, MachineCpuMeter, sampleProc } from './lib/proc.ts';
import { summariseProfiles } from './lib/profile.ts';

const argv = process.argv.slice(2);
const APPS = numberFlag(argv, 'apps', 1000) ?? 1000;
const RATE = numberFlag(argv, 'rate');
const THREADS = numberFlag(argv, 'threads', 16) ?? 16;
const QPS = numberFlag(argv, 'qps', 2000) ?? 2000;
const CONCURRENCY = numberFlag(argv, 'concurrency', 64) ?? 64;
const CEILING = !argv.includes('--no-ceiling');
const PROFILE = argv.includes('--cpu-prof');
const NODE_FLAGS = wordsFlag(argv, 'node-flags');
const APISERVER_PROFILE_S = numberFlag(argv, 'apiserver-profile');
const TOKEN_AUTH = argv.includes('--auth=token');
/** Also run the operator as shipped (no tuning flag) on the same applications, and compare it to the tuned run. */
const SHIPPED = !argv.includes('--no-shipped');
/** Once its creates are sent, the harness writes a ConfigMap (outside the operator's namespace) this often, so that
 * the revision clock can time the last applications' writes too. */
const CLOCK_TICK_MS = 50;
// The SparkApplication controller's series (its work queue is labelled by `name`, its reconciles by `controller`).
const sparkAppQueue = { name: CONTROLLER_NAME };
const sparkAppReconciles = { controller: CONTROLLER_NAME };
const SUBMITTED = new Set(['SUBMITTED', 'RUNNING', 'SUCCEEDING', 'COMPLETED', 'FAILING', 'FAILED']);
const log = (m: string) => console.error(`[submit-load] ${m}`);

let apiserverProfileDir: string | undefined;
/** With --apiserver-profile: a profile of kube-apiserver starting 2 s from now (bc is set by then). */
function apiServerProfile(label: string): Promise<ApiServerProfile> | undefined {
  if (APISERVER_PROFILE_S === undefined) return undefined;
  // Kept after the run (the cluster's work directory is not), for `go tool pprof`.
  apiserverProfileDir ??= mkdtempSync(join(tmpdir(), 'sparkop-apiserver-prof-'));
  const dir = apiserverProfileDir;
  return sleep(2000).then(() => profileApiServer(bc.kc, APISERVER_PROFILE_S, dir, label));
}

/** The processes whose CPU is counted in each phase: the whole control plane and the harness. */
const controlPlanePids = () => bc.controlPlanePids();
const round = (x: number, d = 1) => Number(x.toFixed(d));

const machineStart = machineInfo();
const nodes = Math.max(2, Math.ceil((((CEILING ? 2 : 1) + (SHIPPED ? 1 : 0)) * APPS) / 900));
log(
  `apps ${APPS}, rate ${RATE ?? 'max'}, threads ${THREADS}, qps ${QPS}, ${nodes} simulated nodes; load ${machineStart.load.join(' ')}`,
);
const bc = await startBenchCluster({ nodes, log, profiling: APISERVER_PROFILE_S !== undefined });
let op: OperatorProcess | undefined;
try {
  await prepareNamespace(bc.api, 'ceiling');
  await prepareNamespace(bc.api, 'load');
  await prepareNamespace(bc.api, 'bench-clock');
  const tokenAccess = TOKEN_AUTH ? await serviceAccountKubeconfig(bc, 'sparkop-bench') : undefined;
  /** What the ceiling and the harness's creates write with. */
  const writer = tokenAccess ? unthrottledClient(tokenAccess.kc) : bc.api;

  /**
   * Waits until every application's driver pod of `names` is Running (what each write leads to in the cluster
   * done: bound by the scheduler, started by kwok, and before that SUBMITTED for the operator's run); the seconds
   * from `startedMs` to the last of those moments, the rate over them and the machine's busy cores meanwhile.
   */
  async function settledAfter(
    observer: Observer,
    names: readonly string[],
    startedMs: number,
    what: string,
    alsoDone: (name: string) => number | undefined = () => startedMs,
  ) {
    const machine = new MachineCpuMeter();
    const running = (n: string) => observer.apps.get(n)?.driverRunningMs;
    try {
      await observer.until(
        `every driver pod of ${what} Running`,
        () => names.every((n) => running(n) !== undefined && alsoDone(n) !== undefined),
        180_000,
      );
    } catch (err) {
      log(`${(err as Error).message}; no settled figure`);
      return undefined;
    }
    const last = Math.max(...names.map((n) => Math.max(running(n) ?? 0, alsoDone(n) ?? 0)));
    const seconds = (last - startedMs) / 1000;
    return {
      seconds: round(seconds, 2),
      appsPerSecond: round(names.length / seconds),
      /** Busy cores from the phase's end (last write, or all SUBMITTED) until settled. */
      machineBusyCoresAfterPhase: round(machine.read().busyCores, 2),
    };
  }

  // 1. The raw ceiling.
  let ceiling:
    | (CeilingResult & {
        cpuSeconds: Record<string, number>;
        machineBusyCores: number;
        apiserverCounts: ApiServerCounts;
        settled?: { seconds: number; appsPerSecond: number; machineBusyCoresAfterPhase: number };
        apiserverProfile?: ApiServerProfile;
      })
    | undefined;
  if (CEILING) {
    // The harness watches the ceiling's pods as it watches the operator's run (the same watchers in both phases).
    const ceilingObserver = new Observer(bc.kc, 'ceiling');
    await ceilingObserver.start();
    const meter = new CpuMeter(controlPlanePids());
    const machineMeter = new MachineCpuMeter();
    const countsBefore = await readApiServerCounts(bc.kc);
    const profiling = apiServerProfile('ceiling');
    const ceilingNames = appNames('raw', APPS);
    const ceilingStarted = Date.now();
    const result = await measureCeiling(writer, 'ceiling', ceilingNames, CONCURRENCY);
    const cpuSeconds = meter.read();
    const machineBusyCores = round(machineMeter.read().busyCores, 2);
    const apiserverCounts = perApplication(countsBefore, await readApiServerCounts(bc.kc), APPS);
    log(`ceiling: ${result.appsPerSecond.toFixed(1)} apps/s (${result.writesPerSecond.toFixed(0)} writes/s)`);
    // Settled: the scheduler has bound and kwok started every pod the ceiling wrote (its writes end before that).
    const settled = await settledAfter(ceilingObserver, ceilingNames, ceilingStarted, 'the ceiling');
    ceilingObserver.stop();
    ceiling = {
      ...result,
      cpuSeconds,
      machineBusyCores,
      apiserverCounts,
      ...(settled ? { settled } : {}),
      ...(profiling ? { apiserverProfile: await profiling } : {}),
    };
  }

  // 2. The operator.
  const observer = new Observer(bc.kc, 'load');
  await observer.start();
  const profileDir = join(bc.workDir, 'profile');
  op = await OperatorProcess.start({
    kubeconfigPath: tokenAccess?.path ?? bc.cluster.kubeconfigPath,
    namespaces: 'load',
    logFile: join(bc.workDir, 'operator.log'),
    flags: [`--controller-threads=${THREADS}`, `--kube-api-qps=${QPS}`, `--kube-api-burst=${QPS * 2}`],
    nodeFlags: [...NODE_FLAGS, ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
  });
  const rssIdle = sampleProc(op.pid)?.rssBytes ?? 0;
  const meter = new CpuMeter(new Map([['operator', op.pid], ...controlPlanePids()]));
  const machineMeter = new MachineCpuMeter();
  const names = appNames('app', APPS);
  const countsBefore = await readApiServerCounts(bc.kc);
  const clock = new RevisionClock();
  const sentMs = new Map<string, number>();
  const operatorProfiling = apiServerProfile('operator');
  const started = Date.now();
  const create = async (name: string) => {
    sentMs.set(name, Date.now());
    const created = await writer.create(benchApp(name, 'load'));
    clock.note(created.metadata?.resourceVersion, Date.now());
  };
  if (RATE) {
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < names.length; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const p = create(names[i] ?? '').finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 500) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < names.length; i = next++) await create(names[i] ?? '');
      }),
    );
  }
  const createdMs = Date.now();
  const tickTarget = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'bench-clock', name: 'tick' } };
  await writer.create({ ...tickTarget, data: { n: '0' } });
  const tick = async (n: number) => {
    const written = await writer.patch(ConfigMaps, tickTarget.metadata, mergePatch({ data: { n: String(n) } }));
    clock.note(written.metadata?.resourceVersion, Date.now());
  };
  let ticking = true;
  const ticker = (async () => {
    for (let n = 1; ticking; n++) {
      await tick(n);
      await sleep(CLOCK_TICK_MS);
    }
  })();
  /** When the harness first saw the application SUBMITTED (or later), and the resourceVersion that showed it. */
  const firstSubmitted = (name: string): { ms: number; rv: string | undefined } | undefined => {
    const t = observer.apps.get(name);
    if (!t) return undefined;
    let first: { ms: number; rv: string | undefined } | undefined;
    for (const [state, ms] of t.states) {
      if (SUBMITTED.has(state) && (first === undefined || ms < first.ms)) first = { ms, rv: t.stateRvs.get(state) };
    }
    return first;
  };
  const submittedAt = (name: string) => firstSubmitted(name)?.ms;
  await observer.until(
    `${APPS} applications SUBMITTED`,
    () => names.every((n) => submittedAt(n) !== undefined),
    60_000 + APPS * 100,
  );
  const cpu = meter.read();
  const machineCpu = machineMeter.read();
  const doneMs = Date.now();
  ticking = false;
  await ticker;
  await tick(-1); // a write after every write of the run
  const apiserverCounts = perApplication(countsBefore, await readApiServerCounts(bc.kc), APPS);
  const rss = sampleProc(op.pid)?.rssBytes ?? 0;
  const metrics = await op.metrics();
  const settled = await settledAfter(observer, names, started, "the operator's run", submittedAt);

  // Every application has its driver pod, Services and ConfigMap.
  const selector = 'sparkoperator.k8s.io/launched-by-spark-operator=true';
  const [pods, services, configMaps] = await Promise.all([
    bc.api.apiReader.list(Pods, { namespace: 'load', labelSelector: `${selector},spark-role=driver` }),
    bc.api.apiReader.list(Services, { namespace: 'load' }),
    bc.api.apiReader.list(ConfigMaps, { namespace: 'load' }),
  ]);
  const doubles = [...observer.apps.values()].filter((t) => t.driverPods.size > 1).length;
  observer.stop();
  await op.stop();
  const profile = PROFILE ? summariseProfiles(profileDir, 25) : undefined;

  // 3. The operator as shipped: no tuning flag at all, the same applications in a namespace of their own.
  const shipped = SHIPPED ? await shippedRun(names, writer, tokenAccess?.path ?? bc.cluster.kubeconfigPath) : undefined;
  const apiserverProfile = await operatorProfiling;

  // Latencies: to when the write committed (the revision clock's bound, or the watch's arrival if earlier), and to
  // when the harness's watch saw it.
  const committedBy = (rv: string | undefined, seenMs: number | undefined) =>
    Math.min(clock.committedBy(rv) ?? Number.POSITIVE_INFINITY, seenMs ?? Number.NaN);
  const since = (name: string, ms: number | undefined) => (ms ?? Number.NaN) - (sentMs.get(name) ?? 0);
  const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
  const createToPod = sorted(
    names.map((n) => {
      const t = observer.apps.get(n);
      return since(n, committedBy(t?.driverCreatedRv, t?.driverSeenMs));
    }),
  );
  const createToSubmitted = sorted(
    names.map((n) => {
      const first = firstSubmitted(n);
      return since(n, committedBy(first?.rv, first?.ms));
    }),
  );
  const createToPodSeen = sorted(names.map((n) => since(n, observer.apps.get(n)?.driverSeenMs)));
  const createToSubmittedSeen = sorted(names.map((n) => since(n, submittedAt(n))));
  const windowS = (Math.max(...names.map((n) => submittedAt(n) ?? 0)) - started) / 1000;
  const throughput = APPS / windowS;
  const cpuMsPerApp = ((cpu.operator ?? 0) * 1000) / APPS;
  const ratio = ceiling ? throughput / ceiling.appsPerSecond : undefined;
  const settledRatio =
    settled && ceiling?.settled ? round(settled.appsPerSecond / ceiling.settled.appsPerSecond, 3) : undefined;
  const requestsByMethod = byLabel(metrics, 'rest_client_requests_total', 'method');
  const writes = Object.entries(requestsByMethod)
    .filter(([m]) => m !== 'GET')
    .reduce((a, [, v]) => a + v, 0);
  const machineEnd = machineInfo();
  const summary = {
    benchmark: 'submit-load',
    date: new Date().toISOString(),
    command: `npm run bench -- submit-load ${argv.join(' ')}`.trim(),
    machine: { ...machineStart, loadAtEnd: machineEnd.load },
    operator: {
      process: 'child (node dist/cli/sparkop.js)',
      threads: THREADS,
      kubeApiQps: QPS,
      profiled: PROFILE,
      nodeFlags: NODE_FLAGS,
      auth: TOKEN_AUTH ? 'ServiceAccount token' : 'client certificate',
    },
    apps: APPS,
    rate: RATE ?? 'max',
    shippedDefaults: shipped ?? null,
    createSeconds: round((createdMs - started) / 1000, 2),
    submitSeconds: round(windowS, 2),
    appsPerSecond: round(throughput),
    ceiling: ceiling
      ? {
          appsPerSecond: round(ceiling.appsPerSecond),
          writesPerSecond: round(ceiling.writesPerSecond, 0),
          writesPerApp: ceiling.writesPerApp,
          concurrency: ceiling.concurrency,
          cpuSeconds: Object.fromEntries(Object.entries(ceiling.cpuSeconds).map(([k, v]) => [k, round(v, 2)])),
          machineBusyCores: ceiling.machineBusyCores,
          settled: ceiling.settled ?? null,
          apiserverPerApp: ceiling.apiserverCounts,
          ...(ceiling.apiserverProfile ? { apiserverProfile: ceiling.apiserverProfile } : {}),
        }
      : undefined,
    ratioToCeiling: ratio === undefined ? undefined : round(ratio, 3),
    /**
     * Both phases timed until their consequences in the cluster are done too (every driver pod Running): the
     * ceiling's writes end while the scheduler and kwok are still behind, and their work then falls outside its
     * window; the operator's run ends when every application is SUBMITTED, most of its pods already started.
     */
    settled: settled ? { ...settled, ...(settledRatio === undefined ? {} : { ratioToCeiling: settledRatio }) } : null,
    cpuSeconds: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v, 2)])),
    // Of the machine's cores, how many were busy on average over the operator's run (everything on the machine).
    machineBusyCores: { busy: round(machineCpu.busyCores, 2), of: machineStart.nproc },
    operatorCpuMsPerApp: round(cpuMsPerApp, 2),
    apiserverCpuMsPerApp: round(((cpu['kube-apiserver'] ?? 0) * 1000) / APPS, 2),
    apiserverPerApp: apiserverCounts,
    createToDriverPodMs: {
      p50: round(percentile(createToPod, 50)),
      p90: round(percentile(createToPod, 90)),
      p99: round(percentile(createToPod, 99)),
      max: round(createToPod.at(-1) ?? Number.NaN),
    },
    createToSubmittedMs: {
      p50: round(percentile(createToSubmitted, 50)),
      p99: round(percentile(createToSubmitted, 99)),
    },
    // The same two latencies to when the harness's watch delivered them (the only figures before the revision clock).
    seenByWatchMs: {
      driverPod: { p50: round(percentile(createToPodSeen, 50)), p99: round(percentile(createToPodSeen, 99)) },
      submitted: {
        p50: round(percentile(createToSubmittedSeen, 50)),
        p99: round(percentile(createToSubmittedSeen, 99)),
      },
    },
    revisionClock: { writes: clock.size, tickMs: CLOCK_TICK_MS },
    operatorRssMiB: { idle: round(rssIdle / 2 ** 20), afterRun: round(rss / 2 ** 20) },
    objects: {
      driverPods: pods.length,
      services: services.length,
      configMaps: configMaps.length,
      appsWithTwoDrivers: doubles,
    },
    operatorMetrics: {
      requestsByMethod,
      writesPerApp: round(writes / APPS, 2),
      reconciles: byLabel(metrics, 'controller_runtime_reconcile_total', 'result'),
      submitCount: sum(metrics, 'spark_application_submit_count'),
      // Means over the run (ms): where an application's time goes inside the operator.
      meanMs: {
        queueWait: round(histogramMean(metrics, 'workqueue_queue_duration_seconds', sparkAppQueue) * 1000),
        reconcile: round(
          histogramMean(metrics, 'controller_runtime_reconcile_time_seconds', sparkAppReconciles) * 1000,
        ),
        requestByVerb: Object.fromEntries(
          ['POST', 'PUT', 'GET'].map((verb) => [
            verb,
            round(histogramMean(metrics, 'rest_client_request_duration_seconds', { verb }) * 1000),
          ]),
        ),
      },
    },
    profileTop: profile,
    ...(apiserverProfile ? { apiserverProfile } : {}),
    elapsedSeconds: round((doneMs - started) / 1000, 1),
  };

  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'MET' : 'NOT MET');
  const p99 = summary.createToDriverPodMs.p99;
  console.log(
    table(
      ['figure', 'measured', 'target', 'verdict'],
      [
        [
          'sustained submissions (apps/s)',
          `${summary.appsPerSecond}${RATE ? ` (paced at ${RATE}/s)` : ''}`,
          '>= 100',
          RATE ? 'n/a (paced)' : verdict(throughput >= 100),
        ],
        ['raw API ceiling (apps/s)', ceiling ? String(summary.ceiling?.appsPerSecond) : 'not run', '', ''],
        [
          'as shipped (no tuning flag): apps/s, share of tuned',
          shipped
            ? `${shipped.appsPerSecond}: ${((shipped.appsPerSecond / throughput) * 100).toFixed(0)} %`
            : 'not run',
          '>= 90 %',
          RATE || !shipped ? 'n/a' : verdict(shipped.appsPerSecond / throughput >= 0.9),
        ],
        [
          'share of the ceiling',
          ratio === undefined ? 'n/a' : `${(ratio * 100).toFixed(0)} %`,
          '>= 80 %',
          RATE || ratio === undefined ? 'n/a' : verdict(ratio >= 0.8),
        ],
        [
          '   both until every driver pod Running: apps/s, share',
          settled && ceiling?.settled
            ? `${settled.appsPerSecond} of ${ceiling.settled.appsPerSecond}: ${((settledRatio ?? 0) * 100).toFixed(0)} %`
            : settled
              ? `${settled.appsPerSecond} (no ceiling figure)`
              : 'n/a',
          '',
          '',
        ],
        ['operator CPU per app (ms)', String(summary.operatorCpuMsPerApp), '<= 5', verdict(cpuMsPerApp <= 5)],
        [
          'p99 create -> driver pod (ms)',
          `${p99}${RATE ? ` at ${RATE}/s` : ' (unpaced)'}`,
          '<= 200 at 50/s',
          RATE === 50 ? verdict(p99 <= 200) : 'n/a (run --rate 50)',
        ],
        ['p50 create -> driver pod (ms)', String(summary.createToDriverPodMs.p50), '', ''],
        [
          'create -> driver pod seen by a watch, p50 / p99 (ms)',
          `${summary.seenByWatchMs.driverPod.p50} / ${summary.seenByWatchMs.driverPod.p99}`,
          '',
          '',
        ],
        [
          'create -> SUBMITTED written, p50 / p99 (ms)',
          `${summary.createToSubmittedMs.p50} / ${summary.createToSubmittedMs.p99}`,
          '',
          '',
        ],
        ['operator RSS after run (MiB)', String(summary.operatorRssMiB.afterRun), '', ''],
        ['kube-apiserver CPU per app (ms)', String(summary.apiserverCpuMsPerApp), '', ''],
        [
          'machine cores busy during the run',
          `${summary.machineBusyCores.busy} of ${summary.machineBusyCores.of}`,
          '',
          '',
        ],
        [
          'driver pods / apps with 2 drivers',
          `${pods.length} / ${doubles}`,
          `${APPS} / 0`,
          verdict(pods.length === APPS && doubles === 0),
        ],
        ['operator writes per app', String(summary.operatorMetrics.writesPerApp), '', ''],
      ],
    ),
  );
  if (profile) {
    console.log('\nCPU profile of the operator (self time, top functions):');
    console.log(
      table(
        ['self ms', '%', 'function', 'where'],
        profile.map((p) => [p.selfMs.toFixed(0), p.percent.toFixed(1), p.functionName, p.url]),
      ),
    );
  }
  for (const [phase, p] of [
    ['ceiling', ceiling?.apiserverProfile],
    ['operator', apiserverProfile],
  ] as const) {
    if (!p) continue;
    console.log(`\nkube-apiserver CPU profile, ${phase} (${p.seconds} s, ${p.file}): share of sampled CPU by stack`);
    console.log(
      table(
        ['where', '%'],
        Object.entries(p.buckets).map(([k, v]) => [k, v.toFixed(1)]),
      ),
    );
  }
  const file = saveResult('submit-load', summary);
  log(`saved ${file}; machine load now ${machineEnd.load.join(' ')}`);
  console.log(JSON.stringify(summary));
} finally {
  await op?.kill();
  await bc.stop({ keepWorkDir: PROFILE });
}
process.exit(0);

/**
 * The operator with its shipped defaults (only the flags that point it at the bench cluster): creates the same
 * applications, as fast as the tuned run's creates, in the namespace `shipped`, and times them to SUBMITTED (as the
 * watch sees it, as the tuned run's `seenByWatchMs`).
 */
async function shippedRun(
  names: readonly string[],
  writer: typeof bc.api,
  kubeconfigPath: string,
): Promise<{ appsPerSecond: number; submitSeconds: number }> {
  await prepareNamespace(bc.api, 'shipped');
  const watch = new Observer(bc.kc, 'shipped');
  await watch.start();
  const shippedOp = await OperatorProcess.start({
    kubeconfigPath,
    namespaces: 'shipped',
    logFile: join(bc.workDir, 'operator-shipped.log'),
  });
  try {
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < names.length; i = next++) await writer.create(benchApp(names[i] ?? '', 'shipped'));
      }),
    );
    const submittedMs = (name: string) => {
      const times = [...(watch.apps.get(name)?.states ?? [])].filter(([state]) => SUBMITTED.has(state));
      return times.length > 0 ? Math.min(...times.map(([, ms]) => ms)) : undefined;
    };
    await watch.until(
      `${names.length} applications SUBMITTED (shipped defaults)`,
      () => names.every((n) => submittedMs(n) !== undefined),
      60_000 + names.length * 100,
    );
    const seconds = (Math.max(...names.map((n) => submittedMs(n) ?? 0)) - started) / 1000;
    return { appsPerSecond: round(names.length / seconds), submitSeconds: round(seconds, 2) };
  } finally {
    watch.stop();
    await shippedOp.stop();
  }
}
