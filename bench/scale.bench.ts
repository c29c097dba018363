// The operator with a full cluster: N SparkApplications submitted by the operator, E executor pods per driver
// created by the harness as a Spark driver would (labels, owner reference to the driver), then the operator's RSS,
// a restart, the time until every application was reconciled again, and the writes the restarted operator made.
// Prints its figures against the targets (judged at 50 000 applications with five executors); not a test.
//
// The fill runs in waves of --wave applications (default 1000): the wave's applications, then the executors of each
// of their drivers, then the control plane's footprint (each process's RSS, etcd's database file, the machine's
// available memory). Before a wave it stops if the machine has less memory available than --memory-floor MiB
// (default 4096, left for the settle, a second operator process and kube-apiserver's growth while that one lists) or
// etcd's database is past 90 % of its quota; everything after runs on the cluster the fill reached. So a size this
// machine cannot hold still runs: the result says where the fill stopped, why, and how the footprint grew per wave.
// kwok nodes are added as the waves need them.
//
//   npm run bench -- scale --apps N --executors E [--namespaces K] [--wave W] [--memory-floor M] [--threads T]
//                          [--qps Q] [--heap-snapshot] [--node-flags=F]
//
// --namespaces K: spread the applications round-robin over K namespaces (default 1, named "scale"; else scale-0 …).
// With every application in one namespace, kube-controller-manager's EndpointSlice controller matches each pod
// change against every Service of the namespace (two per application): at 10 000 applications that saturated the
// machine's two cores before the operator could settle (`--apps 10000 --executors 5`, one namespace: six minutes into
// the wait its work queue still held 9 483 applications, the operator at about 12 % of a core). The operator watches
// the K namespaces.
//
// --node-flags: Node/V8 flags for the operator process, space-separated (e.g. --node-flags=--optimize-for-size).
//
// --operator-flags=F: more flags for the operator, space-separated (e.g. --operator-flags=--enable-ui-service=false).
//
// --operator-env=E: environment variables for the operator, space-separated NAME=VALUE (e.g.
// --operator-env=MALLOC_MMAP_THRESHOLD_=131072).
//
// --restart-node-flags=A;B;… and --restart-operator-flags=A;B;…: restart the operator once per entry, one after the
// other on the same full cluster, each time with that entry's Node flags and operator flags added (an empty entry:
// as shipped), e.g. --restart-node-flags=";--foo;" restarts three times, the second with --foo. The first restart is
// the one judged against the target.
//
// --cpu-prof-restart: the last restarted operator runs with --cpu-prof (the first, judged one does not, unless it is
// the only one); its top functions by self time are printed (the
// profile covers the re-observation and the 20 s after it).
//
// --heap-snapshot: once the cluster is full (after RSS is read), the operator writes a V8 heap snapshot (it runs
// with --heapsnapshot-signal) to a kept directory, summed by type and constructor in the result.
//
// "Re-observed" (judged): the new process's "caught up" log line — every application of its initial lists was
// reconciled once (Controller.whenCaughtUp; UI Services wait for it). Also timed: its
// controller_runtime_reconcile_total ≥ N with its work queue empty, a proxy that also waits for work the restart
// goes on with (the predecessor's UI Services, their status writes) and can count one application twice. Spurious
// writes: the new process's rest_client_requests_total for POST/PUT/PATCH/DELETE (every write it sends, counted
// by its own client) — zero when nothing changed while it was down — and driver pods still one per application.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { appNames, benchApp } from '../harness/apps.ts';
import { prepareNamespace, startBenchCluster } from '../harness/cluster.ts';
import { byLabel, type Sample, sum } from '../harness/metrics.ts';
import { OperatorProcess } from '../harness/operator-process.ts';
import { Pods } from '../src/controllers/sparkapplication/kinds.ts';
import { ETCD_QUOTA_BYTES } from '../src/dev/localcluster/cluster.ts';
import { executorPod } from '../src/dev/localcluster/spark-simulator-executors.ts';
import { isAlreadyExists, type Kind, type KubeObject, kind } from '../src/runtime/index.ts';
import { parseProperties } from '../src/spark/properties.ts';
import { numberFlag, wordsFlag } from './lib/args.ts';
import { type HeapSummary, procMemory, summarizeHeapSnapshot, takeHeapSnapshot } from './lib/heap.ts';
import { machineInfo, saveResult, table } from './lib/machine.ts';
import { Observer } from './lib/observer.ts';
import { CpuMeter, MachineCpuMeter, sampleProc } from './lib/proc.ts';
import { summariseProfiles } from './lib/profile.ts';

const ConfigMaps = kind<V1ConfigMap & KubeObject>('v1', 'ConfigMap');
const argv = process.argv.slice(2);
const APPS = numberFlag(argv, 'apps', 10_000) ?? 10_000;
const EXECUTORS = numberFlag(argv, 'executors', 5) ?? 5;
const THREADS = numberFlag(argv, 'threads', 16) ?? 16;
const QPS = numberFlag(argv, 'qps', 2000) ?? 2000;
const HEAP_SNAPSHOT = argv.includes('--heap-snapshot');
const CPU_PROF_RESTART = argv.includes('--cpu-prof-restart');
const OPERATOR_FLAGS = wordsFlag(argv, 'operator-flags');
const NODE_FLAGS = wordsFlag(argv, 'node-flags');
const EXTRA_OPERATOR_ENV = Object.fromEntries(
  wordsFlag(argv, 'operator-env').map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--operator-env: expected NAME=VALUE, got "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
/**
 * --restart-node-flags=A;B;… and --restart-operator-flags=A;B;…: one restart per entry, each with that entry's Node
 * flags and operator flags added (an empty entry: as shipped); when both are given, entry i of each makes restart i.
 * Default: one restart, as shipped.
 */
interface RestartVariant {
  readonly nodeFlags: string[];
  readonly operatorFlags: string[];
}
const RESTART_VARIANTS: RestartVariant[] = (() => {
  const entries = (name: string) => {
    const prefix = `--${name}=`;
    const value = argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
    return value?.split(';').map((entry) => entry.split(' ').filter(Boolean));
  };
  const node = entries('restart-node-flags');
  const operator = entries('restart-operator-flags');
  if (node && operator && node.length !== operator.length) {
    throw new Error('--restart-node-flags and --restart-operator-flags: give both the same number of entries');
  }
  const count = node?.length ?? operator?.length ?? 1;
  return Array.from({ length: count }, (_, i) => ({ nodeFlags: node?.[i] ?? [], operatorFlags: operator?.[i] ?? [] }));
})();
/** A restart's added flags as the bench prints them. */
const variantText = (nodeFlags: readonly string[], operatorFlags: readonly string[]) =>
  [...nodeFlags, ...operatorFlags].join(' ') || 'as shipped';
const CONCURRENCY = 32;
/** Applications per wave of the fill: the footprint is read, and the fill may stop, between waves. */
const WAVE = numberFlag(argv, 'wave', 1000) ?? 1000;
/** --memory-floor=MiB: the fill stops when the machine has less memory available than this. */
const MEMORY_FLOOR_MIB = numberFlag(argv, 'memory-floor', 4096) ?? 4096;
/** kwok nodes hold 1000 pods each (src/dev/localcluster/kwok.ts); the bench fills them to 900. */
const PODS_PER_NODE = 900;
const INITIAL_NODES = 2;
const NAMESPACES = numberFlag(argv, 'namespaces', 1) ?? 1;
const NS_LIST = NAMESPACES === 1 ? ['scale'] : Array.from({ length: NAMESPACES }, (_, i) => `scale-${i}`);
/** The namespace of the i-th application. */
const nsOf = (i: number) => NS_LIST[i % NS_LIST.length] as string;
const CONTROLLER = 'spark-application-controller';
const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];
const log = (m: string) => console.error(`[scale] ${m}`);
const round = (x: number, d = 1) => Number(x.toFixed(d));
const MiB = 2 ** 20;
/** The targets are judged at this size: 50 000 applications with five executors each. */
const TARGET_APPS = 50_000;
/** Operator RSS target there, 600 MB: SI megabytes, 572.2 MiB. (RSS figures here are in MiB.) */
const RSS_TARGET_BYTES = 600e6;
/** Restart → every application re-observed ("caught up"), target there. */
const CAUGHT_UP_TARGET_S = 30;
const toMB = (mib: number) => ((mib * MiB) / 1e6).toFixed(1);
const toMiB = (bytes: number) => (bytes / MiB).toFixed(1);

/**
 * The operator's V8 heap from its /metrics (prom-client's default metrics): committed and used, per space, and the
 * memory outside the heap that V8 knows of (external: Buffers and ArrayBuffers). RSS minus these is native memory.
 */
function v8Memory(m: readonly Sample[]) {
  const r = (v: number) => Math.round((v / MiB) * 10) / 10;
  const committed = byLabel(m, 'nodejs_heap_space_size_total_bytes', 'space');
  const used = byLabel(m, 'nodejs_heap_space_size_used_bytes', 'space');
  return {
    heapTotal: r(sum(m, 'nodejs_heap_size_total_bytes')),
    heapUsed: r(sum(m, 'nodejs_heap_size_used_bytes')),
    external: r(sum(m, 'nodejs_external_memory_bytes')),
    spaces: Object.fromEntries(
      Object.keys(committed).map((s) => [s, { committed: r(committed[s] ?? 0), used: r(used[s] ?? 0) }]),
    ),
  };
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < items.length; i = next++) await work(items[i] as T);
    }),
  );
}

/**
 * Waits until `value()` has not changed for `stableMs` (checked every 1 s), at most `timeoutMs`; calls `onTick`
 * every second meanwhile.
 */
async function settle(
  what: string,
  value: () => Promise<number>,
  stableMs: number,
  timeoutMs: number,
  onTick: () => void = () => {},
) {
  const deadline = Date.now() + timeoutMs;
  let last = await value();
  let since = Date.now();
  while (Date.now() - since < stableMs) {
    if (Date.now() > deadline) {
      log(`${what} still changing after ${timeoutMs / 1000} s; going on`);
      return;
    }
    await sleep(1000);
    onTick();
    const now = await value();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

/** Count, min, median and max of samples (MiB), rounded. */
function spread(values: readonly number[]): { samples: number; min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { samples: sorted.length, min: at(0), median: at(0.5), max: at(1) };
}

const reconciles = (m: readonly Sample[]) => sum(m, 'controller_runtime_reconcile_total', { controller: CONTROLLER });
const writes = (m: readonly Sample[]) =>
  WRITE_METHODS.reduce((a, method) => a + sum(m, 'rest_client_requests_total', { method }), 0);

const CAUGHT_UP = 'caught up: every key of the initial lists reconciled';
const roundAll = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v, 2)]));

interface RestartFigures {
  extraNodeFlags: string[];
  extraOperatorFlags: string[];
  profileTop?: ReturnType<typeof summariseProfiles>;
  /** Spawn → the SparkApplication controller's workers started (its caches synced). */
  readySeconds: number;
  /** Spawn → its "caught up" line: every application of the initial lists reconciled once. */
  caughtUpSeconds: number | null;
  allReobservedSeconds: number | null;
  /** UI Service creations queued or running when the applications were re-observed (the predecessor's backlog). */
  uiServicesPendingAtReobserved: number | null;
  cpuSeconds: Record<string, Record<string, number>>;
  /** The process's "heap growth back" line once its caches were full (src/operator/heap-growth.ts), if it relaxed. */
  heapGrowthRestored: Record<string, unknown> | null;
  reconciles: number;
  requestsByMethod: Record<string, number>;
  writes: number;
  submitCount: number;
  driverPods?: number;
  appsWithTwoDrivers?: number;
  rssMiB: number;
  /** RSS sampled every second over the 20 s after re-observation. */
  rssWhileWatchingMiB: ReturnType<typeof spread>;
  memory: ReturnType<typeof procMemory>;
  v8MiB: ReturnType<typeof v8Memory>;
  /**
   * kube-apiserver's RSS: `steady` the median of 5 readings over the 5 s before the kill (the predecessor running),
   * `peak` the highest reading every 100 ms from the kill to the end of the 20 s after re-observation.
   */
  apiserverRssMiB: { steady: number; peak: number; overSteadyPercent: number };
}

/** kube-apiserver's RSS in MiB now. */
function apiserverRss(): number {
  const pid = bc.controlPlanePids().get('kube-apiserver');
  return pid === undefined ? 0 : (sampleProc(pid)?.rssBytes ?? 0) / MiB;
}

/**
 * What the control plane holds now: each process's RSS (MiB), etcd's database file and the machine's available
 * memory, to see where this machine's control plane would stop as the cluster grows.
 */
interface Footprint {
  rssMiB: Record<string, number>;
  etcdDbMiB: number;
  memAvailableMiB: number;
}

function footprint(): Footprint {
  const rssMiB: Record<string, number> = {};
  for (const [name, pid] of bc.controlPlanePids()) {
    if (name !== 'harness') rssMiB[name] = round((sampleProc(pid)?.rssBytes ?? 0) / MiB);
  }
  if (op) rssMiB.operator = round((sampleProc(op.pid)?.rssBytes ?? 0) / MiB);
  const db = join(bc.cluster.stateDir, 'etcd', 'member', 'snap', 'db');
  const available = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
  return {
    rssMiB,
    etcdDbMiB: existsSync(db) ? round(statSync(db).size / MiB) : 0,
    memAvailableMiB: round(Number(available ?? 0) / 1024),
  };
}

/** The footprint after a wave of the fill, with the cluster's size then and the seconds since the fill began. */
interface Wave extends Footprint {
  apps: number;
  executorPods: number;
  seconds: number;
}

/**
 * Why the fill stops before the next wave, or null: the machine's available memory under the floor (left for the
 * settle, a second operator process and kube-apiserver's growth while it lists), or etcd's database past 90 % of its
 * quota (etcd then refuses writes).
 */
function fillStop(f: Footprint): string | null {
  if (f.memAvailableMiB < MEMORY_FLOOR_MIB) {
    return `${f.memAvailableMiB} MiB of memory available, under the floor of ${MEMORY_FLOOR_MIB} MiB (--memory-floor)`;
  }
  if (f.etcdDbMiB * MiB > 0.9 * ETCD_QUOTA_BYTES) {
    return `etcd's database ${f.etcdDbMiB} MiB, past 90 % of its ${ETCD_QUOTA_BYTES / MiB} MiB quota`;
  }
  return null;
}

/** Every process's RSS together (MiB). */
const totalRss = (f: Footprint) => Object.values(f.rssMiB).reduce((a, b) => a + b, 0);

/** What every process's RSS together grew per application from the first wave to the last; null with one wave. */
function rssPerAppAcross(waves: readonly Wave[]): number | null {
  const first = waves[0];
  const last = waves.at(-1);
  if (!first || !last || last.apps === first.apps) return null;
  return round((totalRss(last) - totalRss(first)) / (last.apps - first.apps), 3);
}

/** Every process's RSS, their sum, etcd's database and the memory left, in one line. */
const footprintText = (f: Footprint) =>
  `RSS MiB ${Object.entries(f.rssMiB)
    .map(([name, mib]) => `${name} ${mib}`)
    .join(', ')} (all ${round(totalRss(f))}); etcd db ${f.etcdDbMiB} MiB; ` + `${f.memAvailableMiB} MiB available`;

/** kube-apiserver's RSS, the median of 5 readings one second apart. */
async function steadyApiserverRss(): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(apiserverRss());
    await sleep(1000);
  }
  return spread(readings).median;
}

const HEAP_GROWTH_RESTORED = 'caches filled: heap growth back to its fixed step';

/** What the restore logged: the step, the full collection's ms, the heap used before / after, when. */
function heapGrowthLine(op: OperatorProcess): Record<string, unknown> | null {
  const line = op.logLine(HEAP_GROWTH_RESTORED);
  if (!line) return null;
  const { heapGrowingPercent, collectionMs, heapUsedMiB, time } = line;
  return { heapGrowingPercent, collectionMs, heapUsedMiB, time };
}

/**
 * Starts the operator (the previous one is killed already) and times it: workers started, caught up, and every
 * application reconciled with its queue empty; then watches 20 s more for writes, sampling RSS every second.
 */
async function measureRestart(
  apps: number,
  variant: RestartVariant,
  profile: boolean,
  apiserverSteadyMiB: number,
): Promise<{ op: OperatorProcess; figures: RestartFigures }> {
  let apiserverPeakMiB = apiserverRss();
  const apiserverSampler = setInterval(() => {
    apiserverPeakMiB = Math.max(apiserverPeakMiB, apiserverRss());
  }, 100);
  const spawned = Date.now();
  const profileDir = profile ? mkdtempSync(join(tmpdir(), 'sparkop-restart-prof-')) : undefined;
  const nodeFlags = [
    ...opOptions.nodeFlags,
    ...variant.nodeFlags,
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  ];
  // Where the cores go while the new process lists and catches up: every process's CPU, by phase.
  let cluster = new CpuMeter(bc.controlPlanePids());
  let machine = new MachineCpuMeter();
  const flags = [...opOptions.flags, ...variant.operatorFlags];
  const restarted = await OperatorProcess.start({ ...opOptions, nodeFlags, flags }, 120_000);
  const readyS = (Date.now() - spawned) / 1000;
  const listing = { ...cluster.read(), operator: sampleProc(restarted.pid)?.cpuSeconds ?? 0 };
  const listingBusy = machine.read().busyCores;
  cluster = new CpuMeter(new Map([['operator', restarted.pid], ...bc.controlPlanePids()]));
  machine = new MachineCpuMeter();
  let synced: number | undefined;
  let uiPending: number | undefined;
  let reobserving: Record<string, number> | undefined;
  let reobservingBusy: number | undefined;
  const deadline = Date.now() + 300_000;
  // Until both: its "caught up" line, and every application reconciled with the queue empty.
  while (Date.now() < deadline && (synced === undefined || reobserving === undefined)) {
    if (!reobserving && restarted.controllerLogLine(CAUGHT_UP) !== undefined) {
      reobserving = { ...cluster.read() };
      reobservingBusy = machine.read().busyCores;
    }
    if (synced === undefined) {
      const m = await restarted.metrics();
      if (reconciles(m) >= apps && sum(m, 'workqueue_depth', { name: CONTROLLER }) === 0) {
        synced = (Date.now() - spawned) / 1000;
        uiPending = sum(m, 'sparkop_ui_service_creations_pending');
      }
    }
    await sleep(100);
  }
  const caughtUpLine = restarted.controllerLogLine(CAUGHT_UP);
  const caughtUpAt = typeof caughtUpLine?.time === 'string' ? Date.parse(caughtUpLine.time) : Number.NaN;
  // Anything the restarted operator would write comes within seconds of its reconciles: watch for 20 s more.
  const rssSamples: number[] = [];
  for (let s = 0; s < 20; s++) {
    await sleep(1000);
    const rss = sampleProc(restarted.pid)?.rssBytes;
    if (rss) rssSamples.push(rss / MiB);
  }
  clearInterval(apiserverSampler);
  const after = await restarted.metrics();
  const rss = sampleProc(restarted.pid);
  const figures: RestartFigures = {
    apiserverRssMiB: {
      steady: round(apiserverSteadyMiB),
      peak: round(apiserverPeakMiB),
      overSteadyPercent: round((apiserverPeakMiB / apiserverSteadyMiB - 1) * 100),
    },
    extraNodeFlags: [...variant.nodeFlags],
    extraOperatorFlags: [...variant.operatorFlags],
    readySeconds: round(readyS, 2),
    caughtUpSeconds: Number.isNaN(caughtUpAt) ? null : round((caughtUpAt - spawned) / 1000, 2),
    allReobservedSeconds: synced === undefined ? null : round(synced, 2),
    uiServicesPendingAtReobserved: uiPending ?? null,
    cpuSeconds: {
      /** Spawn → workers started: every process's CPU seconds and the machine's busy cores. */
      listing: { ...roundAll(listing), machineBusyCores: round(listingBusy, 2) },
      /** Workers started → caught up (seen within 100 ms). */
      ...(reobserving
        ? { catchingUp: { ...roundAll(reobserving), machineBusyCores: round(reobservingBusy ?? 0, 2) } }
        : {}),
    },
    heapGrowthRestored: heapGrowthLine(restarted),
    reconciles: reconciles(after),
    requestsByMethod: byLabel(after, 'rest_client_requests_total', 'method'),
    writes: writes(after),
    submitCount: sum(after, 'spark_application_submit_count'),
    rssMiB: round((rss?.rssBytes ?? 0) / MiB),
    rssWhileWatchingMiB: spread(rssSamples),
    memory: procMemory(restarted.pid),
    v8MiB: v8Memory(after),
  };
  if (profileDir) {
    // The profile is written when the process exits: stop it here, and start the next one as shipped.
    await restarted.stop();
    figures.profileTop = summariseProfiles(profileDir, 30);
    log(`restarted operator's profile (${profileDir}), top by self time:`);
    for (const l of figures.profileTop) {
      log(`  ${l.selfMs.toFixed(0)} ms ${l.percent.toFixed(1)}% ${l.functionName} ${l.url}`);
    }
    return { op: await OperatorProcess.start(opOptions, 120_000), figures };
  }
  return { op: restarted, figures };
}

const machineStart = machineInfo();
log(
  `apps ${APPS} (waves of ${WAVE}, until ${MEMORY_FLOOR_MIB} MiB available), executors ${EXECUTORS} each; load ${machineStart.load.join(' ')}`,
);
const bc = await startBenchCluster({ nodes: INITIAL_NODES, log });
const snapshotDir = HEAP_SNAPSHOT ? mkdtempSync(join(tmpdir(), 'sparkop-heap-')) : undefined;
const opOptions = {
  kubeconfigPath: bc.cluster.kubeconfigPath,
  nodeFlags: [
    ...NODE_FLAGS,
    ...(snapshotDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`] : []),
  ],
  namespaces: NS_LIST.join(','),
  env: EXTRA_OPERATOR_ENV,
  logFile: join(bc.workDir, 'operator.log'),
  flags: [`--controller-threads=${THREADS}`, `--kube-api-qps=${QPS}`, `--kube-api-burst=${QPS * 2}`, ...OPERATOR_FLAGS],
};
/** Every object of `kind` in the bench's namespaces. */
async function listInBench<T extends KubeObject>(kind: Kind<T>, labelSelector?: string): Promise<T[]> {
  const out: T[] = [];
  for (const namespace of NS_LIST) {
    out.push(...(await bc.api.apiReader.list(kind, { namespace, ...(labelSelector ? { labelSelector } : {}) })));
  }
  return out;
}
let op: OperatorProcess | undefined;
try {
  for (const ns of NS_LIST) await prepareNamespace(bc.api, ns);
  const observer = new Observer(bc.kc, NS_LIST);
  await observer.start();
  op = await OperatorProcess.start(opOptions);

  // Fill in waves: a wave's applications (the operator submits them), then executors for each of their drivers; the
  // control plane's footprint after every wave. Before a wave, the fill stops if the machine's available memory is
  // under the floor or etcd's database near its quota: the cluster then holds what ran, and the rest is measured there.
  const fillStart = Date.now();
  const names = appNames('app', APPS);
  const waves: Wave[] = [];
  let stoppedBy: string | null = null;
  let filled = 0;
  let created = 0;
  let appsS = 0;
  let executorsS = 0;
  while (filled < names.length) {
    const before = footprint();
    stoppedBy = fillStop(before);
    if (stoppedBy) {
      log(`fill stopped at ${filled} applications: ${stoppedBy}`);
      break;
    }
    const wave = names.slice(filled, filled + WAVE).map((n, i) => ({ n, ns: nsOf(filled + i) }));
    await bc.cluster.addSimulatedNodes(Math.ceil(((filled + wave.length) * (1 + EXECUTORS)) / PODS_PER_NODE));
    const appsStart = Date.now();
    await pool(wave, CONCURRENCY, async ({ n, ns }) => {
      await bc.api.create(
        benchApp(n, ns, { spec: { executor: { instances: EXECUTORS, cores: 1, coreRequest: '10m', memory: '64m' } } }),
      );
    });
    await observer.until(
      `${wave.length} driver pods`,
      () => wave.every(({ n }) => observer.apps.get(n)?.driverSeenMs !== undefined),
      120_000 + wave.length * 200,
    );
    appsS += (Date.now() - appsStart) / 1000;
    const execStart = Date.now();
    await pool(wave, CONCURRENCY, async ({ n, ns }) => {
      const driver = await bc.api.apiReader.get(Pods, { namespace: ns, name: `${n}-driver` });
      const cmName = driver.spec?.volumes?.find((v) => v.name === 'spark-conf-volume-driver')?.configMap?.name ?? '';
      const cm = await bc.api.apiReader.get(ConfigMaps, { namespace: ns, name: cmName });
      const props = parseProperties(cm.data?.['spark.properties'] ?? '');
      for (let id = 1; id <= EXECUTORS; id++) {
        const pod = executorPod({ driver, props, execId: id }) as V1Pod & KubeObject;
        await bc.api.create({ ...pod, apiVersion: 'v1', kind: 'Pod' }).catch((err: unknown) => {
          if (!isAlreadyExists(err)) throw err;
        });
        created++;
      }
    });
    executorsS += (Date.now() - execStart) / 1000;
    filled += wave.length;
    const after = footprint();
    waves.push({ apps: filled, executorPods: created, seconds: round((Date.now() - fillStart) / 1000), ...after });
    log(
      `${filled} applications, ${created} executor pods (${round(filled / appsS)} apps/s, ${round(created / executorsS)} executor pods/s); ${footprintText(after)}`,
    );
  }
  const size = filled;
  if (size === 0) throw new Error(`no application was created: ${stoppedBy}`);
  log('waiting for the operator to settle');
  const currentOp = op;
  // RSS every second while the operator settles: a single reading lands anywhere in V8's collection cycle.
  const settlingRss: number[] = [];
  await settle(
    'the operator',
    async () => reconciles(await currentOp.metrics()),
    10_000,
    900_000,
    () => {
      const rss = sampleProc(currentOp.pid)?.rssBytes;
      if (rss) settlingRss.push(rss / MiB);
    },
  );
  const fillS = (Date.now() - fillStart) / 1000;
  const settledFootprint = footprint();
  log(`settled: ${footprintText(settledFootprint)}`);
  const beforeRestart = sampleProc(op.pid);
  const memoryBeforeRestart = procMemory(op.pid);
  const v8BeforeRestart = v8Memory(await currentOp.metrics());
  log(`V8 (MiB): ${JSON.stringify(v8BeforeRestart)}`);
  let heap: (HeapSummary & { file: string }) | { file: string; error: string } | undefined;
  if (snapshotDir) {
    const file = await takeHeapSnapshot(op.pid, snapshotDir);
    log(`heap snapshot ${file}`);
    try {
      const summary = summarizeHeapSnapshot(file);
      heap = { file, ...summary };
      log(`heap ${summary.totalMiB} MiB: ${summary.byType.map((t) => `${t.type} ${t.MiB}`).join(', ')}`);
      for (const t of summary.top) log(`  ${t.what}: ${t.MiB} MiB (${t.count})`);
    } catch (err) {
      heap = { file, error: (err as Error).message };
    }
  }
  const allPods = await listInBench(Pods);
  const runningApps = [...observer.apps.values()].filter((t) => t.lastState === 'RUNNING').length;

  // Restarts: SIGKILL, start again; time from spawn until every application was reconciled and the queue is empty.
  // One restart per --restart-node-flags / --restart-operator-flags entry (default one, as shipped), each killing the one before, on the same
  // full cluster: the variants are compared on one cluster state instead of across 30-minute fills.
  const restarts: RestartFigures[] = [];
  for (const [i, variant] of RESTART_VARIANTS.entries()) {
    const killed = op;
    const apiserverSteadyMiB = await steadyApiserverRss();
    await killed.kill();
    // The profiler slows the process it profiles: the last restart has it, the first (judged) one runs as given.
    const profiled = CPU_PROF_RESTART && i === RESTART_VARIANTS.length - 1 && (i > 0 || RESTART_VARIANTS.length === 1);
    const measured = await measureRestart(size, variant, profiled, apiserverSteadyMiB);
    op = measured.op;
    restarts.push(measured.figures);
    log(
      `restart ${i + 1}/${RESTART_VARIANTS.length} (${variantText(variant.nodeFlags, variant.operatorFlags)}): lists ${measured.figures.readySeconds} s, caught up ${measured.figures.caughtUpSeconds ?? '-'} s, re-observed ${measured.figures.allReobservedSeconds ?? 'not reached'} s, ${measured.figures.writes} writes, ${measured.figures.submitCount} submissions, op. CPU listing ${measured.figures.cpuSeconds.listing?.operator ?? '-'} s, kube-apiserver CPU listing ${measured.figures.cpuSeconds.listing?.['kube-apiserver'] ?? '-'} s, RSS ${JSON.stringify(measured.figures.apiserverRssMiB)} MiB, heap growth restored ${JSON.stringify(measured.figures.heapGrowthRestored)}`,
    );
  }
  const restart = restarts[0] as RestartFigures;
  const driversAfter = await listInBench(Pods, 'spark-role=driver');
  const doubles = [...observer.apps.values()].filter((t) => t.driverPods.size > 1).length;
  for (const r of restarts) {
    r.driverPods = driversAfter.length;
    r.appsWithTwoDrivers = doubles;
  }
  observer.stop();
  await op.stop();

  const machineEnd = machineInfo();
  const summary = {
    benchmark: 'scale',
    date: new Date().toISOString(),
    command: `npm run bench -- scale ${argv.join(' ')}`.trim(),
    machine: { ...machineStart, loadAtEnd: machineEnd.load },
    operator: { process: 'child (node dist/cli/sparkop.js)', threads: THREADS, kubeApiQps: QPS },
    /** Applications asked for, and how many the fill created before it ended or stopped (then why). */
    appsRequested: APPS,
    apps: size,
    fillStoppedBy: stoppedBy,
    namespaces: NAMESPACES,
    executorsPerApp: EXECUTORS,
    podsInNamespace: allPods.length,
    appsRunning: runningApps,
    fill: {
      seconds: round(fillS),
      appsSubmittedSeconds: round(appsS),
      appsPerSecond: round(size / appsS),
      executorPodsSeconds: round(executorsS),
      executorPodsPerSecond: round(created / executorsS),
    },
    /**
     * The control plane's memory and etcd's database after every wave and settled; what every process's RSS together
     * grew per application from the first wave to the last.
     */
    controlPlane: {
      waves,
      settled: settledFootprint,
      apiserverKiBPerApp: round(((settledFootprint.rssMiB['kube-apiserver'] ?? 0) * 1024) / size),
      etcdDbKiBPerApp: round((settledFootprint.etcdDbMiB * 1024) / size),
      rssMiBPerAppAcrossWaves: rssPerAppAcross(waves),
    },
    operatorRssMiB: round((beforeRestart?.rssBytes ?? 0) / MiB),
    operatorPeakRssMiB: round((beforeRestart?.peakRssBytes ?? 0) / MiB),
    /** RSS sampled every second from the last executor pod's creation to the reading above. */
    operatorRssWhileSettlingMiB: spread(settlingRss),
    operatorMemory: memoryBeforeRestart,
    operatorV8MiB: v8BeforeRestart,
    operatorNodeFlags: NODE_FLAGS,
    operatorFlags: OPERATOR_FLAGS,
    operatorEnv: EXTRA_OPERATOR_ENV,
    /** CPU the operator used from its start until the cluster was full (the same work in every run of one size). */
    operatorCpuSeconds: round(beforeRestart?.cpuSeconds ?? 0, 2),
    ...(heap ? { heap } : {}),
    restart,
    ...(restarts.length > 1 ? { restarts } : {}),
  };
  const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
  const full = size >= TARGET_APPS && EXECUTORS >= 5;
  const scaled = (ok: boolean) => (full ? verdict(ok) : `${verdict(ok)} (at ${size} apps, not ${TARGET_APPS})`);
  console.log(
    table(
      ['figure', 'measured', 'target', 'verdict'],
      [
        [
          'apps / driver pods / executor pods',
          `${size} / ${driversAfter.length} / ${created}${stoppedBy ? ` (of ${APPS}: fill stopped, ${stoppedBy})` : ''}`,
          `${TARGET_APPS} / ${TARGET_APPS} / ${TARGET_APPS * 5}`,
          '',
        ],
        [
          'fill rate',
          `${summary.fill.appsPerSecond} apps/s, ${summary.fill.executorPodsPerSecond} executor pods/s`,
          '',
          '',
        ],
        [
          'control plane and operator, settled (kube-apiserver KiB per app)',
          `${footprintText(settledFootprint)} (${summary.controlPlane.apiserverKiBPerApp})`,
          '',
          '',
        ],
        [
          "   every process's RSS together, growth per application from the first wave to the last (MiB)",
          String(summary.controlPlane.rssMiBPerAppAcrossWaves ?? '- (one wave)'),
          '',
          '',
        ],
        [
          'operator RSS, cluster full',
          `${summary.operatorRssMiB} MiB = ${toMB(summary.operatorRssMiB)} MB (peak ${summary.operatorPeakRssMiB} MiB)`,
          `<= 300 MB (${toMiB(RSS_TARGET_BYTES)} MiB)`,
          scaled(summary.operatorRssMiB * MiB <= RSS_TARGET_BYTES),
        ],
        [
          '   RSS while settling: min / median / max',
          `${summary.operatorRssWhileSettlingMiB.min} / ${summary.operatorRssWhileSettlingMiB.median} / ${summary.operatorRssWhileSettlingMiB.max} (${summary.operatorRssWhileSettlingMiB.samples} s)`,
          '',
          '',
        ],
        [
          'restart -> all apps re-observed ("caught up", s)',
          String(restart.caughtUpSeconds ?? 'not reached'),
          `<= ${CAUGHT_UP_TARGET_S}`,
          scaled(restart.caughtUpSeconds !== null && restart.caughtUpSeconds <= CAUGHT_UP_TARGET_S),
        ],
        [
          '   lists done (workers started) / every app reconciled, queue empty (s)',
          `${restart.readySeconds} / ${restart.allReobservedSeconds ?? 'not reached'}`,
          '',
          '',
        ],
        ...(['listing', 'catchingUp'] as const).map((phase) => {
          const c = restart.cpuSeconds[phase];
          const { machineBusyCores, ...byProcess } = c ?? {};
          const top = Object.entries(byProcess)
            .sort(([, a], [, b]) => b - a)
            .map(([name, v]) => `${name.replace('kube-', '')} ${v}`)
            .join(', ');
          return [`   CPU s while ${phase}`, c ? `${top}; ${machineBusyCores} cores busy` : '-', '', ''];
        }),
        ...restarts
          .slice(1)
          .map((r, i) => [
            `   restart ${i + 2} (${variantText(r.extraNodeFlags, r.extraOperatorFlags)}): lists / caught up / re-observed (s)`,
            `${r.readySeconds} / ${r.caughtUpSeconds ?? '-'} / ${r.allReobservedSeconds ?? 'not reached'} (writes ${r.writes}, submissions ${r.submitCount}; kube-apiserver RSS +${r.apiserverRssMiB.overSteadyPercent} %)`,
            '',
            '',
          ]),
        [
          'kube-apiserver RSS while the operator restarts: steady / peak (MiB)',
          `${restart.apiserverRssMiB.steady} / ${restart.apiserverRssMiB.peak} (+${restart.apiserverRssMiB.overSteadyPercent} %)`,
          '<= +10 %',
          verdict(restart.apiserverRssMiB.overSteadyPercent <= 10),
        ],
        [
          '   restarted operator RSS: min / median / max',
          `${summary.restart.rssWhileWatchingMiB.min} / ${summary.restart.rssWhileWatchingMiB.median} / ${summary.restart.rssWhileWatchingMiB.max} (${summary.restart.rssWhileWatchingMiB.samples} s)`,
          '',
          '',
        ],
        [
          'writes by the restarted operator',
          String(summary.restart.writes),
          '0',
          verdict(summary.restart.writes === 0),
        ],
        [
          'resubmissions after restart',
          `${summary.restart.submitCount} (apps with 2 drivers: ${doubles})`,
          '0',
          verdict(summary.restart.submitCount === 0 && doubles === 0),
        ],
      ],
    ),
  );
  const file = saveResult('scale', summary);
  log(`saved ${file}; machine load now ${machineEnd.load.join(' ')}`);
  console.log(JSON.stringify(summary));
} finally {
  await op?.kill();
  await bc.stop();
}
process.exit(0);
