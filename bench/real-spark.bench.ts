// Real Spark on the local cluster's real node: SparkPi from kubeflow's spark-pi.yaml, submitted by the operator as it
// ships (`node dist/cli/sparkop.js`), once with native submission and once with --submitter=spark-submit (pyspark
// 4.0.4's), side by side in one run on one cluster. Prints, per submitter: SparkApplication created → driver
// container started → first executor registered (the driver's log) → COMPLETED; and the real node's own memory
// (kubelet, containerd, CoreDNS: RSS idle and peak) and its warm set-up time. Not a test.
//
//   npm run bench -- real-spark [--runs N] [--partitions P]
//
// The first run on a machine builds the node's parts (kubelet, CoreDNS, the images: scripts/realnode/build.sh, its
// own timings on stderr); the set-up time printed here is with those cached.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { serviceAccountKubeconfig, startBenchCluster } from '../harness/cluster.ts';
import { OperatorProcess } from '../harness/operator-process.ts';
import { Pods, type SparkApplicationObject, SparkApplications } from '../src/controllers/sparkapplication/kinds.ts';
import { REAL_NODE_COMPONENTS } from '../src/dev/localcluster/realnode.ts';
import { prepareSparkJobNamespace } from '../src/operator/job-namespace.ts';
import { DRIVER_CONTAINER_NAME } from '../src/spark/lifecycle/types.ts';
import { numberFlag } from './lib/args.ts';
import { machineInfo, saveResult, table } from './lib/machine.ts';
import { sampleProc } from './lib/proc.ts';

const argv = process.argv.slice(2);
const RUNS = numberFlag(argv, 'runs', 2) ?? 2;
const PARTITIONS = numberFlag(argv, 'partitions', 100) ?? 100;
const ROOT = join(import.meta.dirname, '..');
const NAMESPACE = 'default';
const MiB = 2 ** 20;

interface RunTimes {
  readonly submitter: string;
  readonly driverStartedS: number;
  readonly executorRegisteredS: number;
  readonly completedS: number;
  readonly executors: number;
  readonly pi: string;
}

function pysparkHome(version: string): string {
  const out = execFileSync('bash', [join(ROOT, 'scripts', 'pyspark', 'install.sh'), version], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const home = new RegExp(`^PYSPARK_${version.replaceAll('.', '_')}_HOME=(.+)$`, 'm').exec(out)?.[1];
  if (!home) throw new Error(`no SPARK_HOME for pyspark ${version}`);
  return home.trim();
}

/** "26/12/04 16:58:18 INFO …": the driver's log4j time (the image's zone is UTC; second resolution) as epoch ms. */
function log4jTime(line: string): number | undefined {
  const m = /^(\d\d)\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)/.exec(line);
  if (!m) return undefined;
  const [, yy, mo, dd, hh, mi, ss] = m.map(Number) as number[];
  return Date.UTC(2000 + (yy ?? 0), (mo ?? 1) - 1, dd, hh, mi, ss);
}

const log = (m: string) => console.error(`[real-spark] ${m}`);
const setupStarted = Date.now();
const bc = await startBenchCluster({ nodes: 1, realNode: true, log });
const setupS = (Date.now() - setupStarted) / 1000;
const node = bc.cluster.realNode;
if (!node) throw new Error('the bench cluster has no real node');
const nodePids = new Map(REAL_NODE_COMPONENTS.map((c) => [c, node.pidOf(c)] as const));
const idleRss = new Map([...nodePids].map(([c, pid]) => [c, pid ? (sampleProc(pid)?.rssBytes ?? 0) : 0]));
const results: RunTimes[] = [];
try {
  await prepareSparkJobNamespace(bc.api, NAMESPACE);
  // As a deployed operator authenticates (and spark-submit's Kubernetes client needs a token, not the EC admin key).
  const access = await serviceAccountKubeconfig(bc, 'sparkop-bench');
  const example = parse(
    readFileSync(join(ROOT, '..', 'shared', 'examples', 'kubeflow', 'spark-pi.yaml'), 'utf8'),
  ) as SparkApplicationObject;
  const submitters: { name: string; flags: string[] }[] = [
    { name: 'native', flags: [] },
    { name: 'spark-submit', flags: ['--submitter=spark-submit', `--spark-home=${pysparkHome('4.0.4')}`] },
  ];
  for (let run = 0; run < RUNS; run++) {
    for (const submitter of submitters) {
      const op = await OperatorProcess.start({
        kubeconfigPath: access.path,
        namespaces: NAMESPACE,
        logFile: join(bc.workDir, `operator-${submitter.name}.log`),
        flags: submitter.flags,
      });
      try {
        const name = `pi-${submitter.name}-${run}`;
        const app = structuredClone(example);
        app.metadata = { name, namespace: NAMESPACE };
        app.spec.arguments = [String(PARTITIONS)];
        const created = Date.now();
        await bc.api.create(app);
        let done: SparkApplicationObject | undefined;
        while (!done) {
          const current = await bc.api.get(SparkApplications, { namespace: NAMESPACE, name });
          const state = current.status?.applicationState?.state;
          if (state === 'COMPLETED' || state === 'FAILED') done = current;
          else await sleep(100);
        }
        const completedS = (Date.now() - created) / 1000;
        if (done.status?.applicationState?.state !== 'COMPLETED')
          throw new Error(`${name} FAILED: ${done.status?.applicationState?.errorMessage}`);
        const podName = done.status?.driverInfo?.podName ?? `${name}-driver`;
        const pod = await bc.api.get(Pods, { namespace: NAMESPACE, name: podName });
        const status = pod.status?.containerStatuses?.find((c) => c.name === DRIVER_CONTAINER_NAME);
        const startedAt = status?.state?.terminated?.startedAt ?? status?.state?.running?.startedAt;
        const driverLog = execFileSync(
          bc.cluster.binaries.kubectl,
          ['--kubeconfig', bc.cluster.kubeconfigPath, '-n', NAMESPACE, 'logs', podName],
          { encoding: 'utf8', maxBuffer: 256 * MiB },
        );
        const registered = driverLog.split('\n').find((l) => l.includes('Registered executor'));
        results.push({
          submitter: submitter.name,
          driverStartedS: startedAt ? (new Date(startedAt).getTime() - created) / 1000 : Number.NaN,
          executorRegisteredS: registered ? ((log4jTime(registered) ?? Number.NaN) - created) / 1000 : Number.NaN,
          completedS,
          executors: Object.keys(done.status?.executorState ?? {}).length,
          pi: /Pi is roughly ([0-9.]+)/.exec(driverLog)?.[1] ?? 'missing',
        });
        log(`${name}: COMPLETED in ${completedS.toFixed(1)} s`);
        await bc.api.delete(done, { propagationPolicy: 'Background' });
      } finally {
        await op.stop();
      }
    }
  }
} finally {
  const peakRss = new Map([...nodePids].map(([c, pid]) => [c, pid ? (sampleProc(pid)?.peakRssBytes ?? 0) : 0]));
  const memory = REAL_NODE_COMPONENTS.map((c) => ({
    component: c,
    idleMiB: Number(((idleRss.get(c) ?? 0) / MiB).toFixed(1)),
    peakMiB: Number(((peakRss.get(c) ?? 0) / MiB).toFixed(1)),
  }));
  await bc.stop();
  const fmt = (s: number) => (Number.isFinite(s) ? s.toFixed(1) : '–');
  console.log(`warm set-up (control plane + real node Ready): ${setupS.toFixed(1)} s`);
  console.log(
    table(
      ['submitter', 'driver started s', 'executor registered s', 'COMPLETED s', 'executors', 'Pi'],
      results.map((r) => [
        r.submitter,
        fmt(r.driverStartedS),
        fmt(r.executorRegisteredS),
        fmt(r.completedS),
        String(r.executors),
        r.pi,
      ]),
    ),
  );
  console.log(
    table(
      ['component', 'RSS idle MiB', 'RSS peak MiB'],
      memory.map((m) => [m.component, String(m.idleMiB), String(m.peakMiB)]),
    ),
  );
  const file = saveResult('real-spark', {
    benchmark: 'real-spark',
    date: new Date().toISOString(),
    machine: machineInfo(),
    partitions: PARTITIONS,
    setupSeconds: setupS,
    runs: results,
    nodeMemory: memory,
  });
  console.log(`results: ${file}`);
}
