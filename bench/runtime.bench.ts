// Benchmark of the controller runtime against a private local control plane (prints its figures; not a test):
//  1. throughput: 10 000 ConfigMaps through informer → work queue → no-op reconciler (4 workers), from start until
//     every key was reconciled once — sparkop's Cache vs @kubernetes/client-node's makeInformer feeding the same queue;
//  2. memory: RSS and heap growth with 10 000 realistic pods cached (pods on simulated nodes), same two informers.
// Each measurement runs in a child process of its own (clean heap, `--expose-gc`), so RSS figures do not mix.
// Usage: node bench/runtime.bench.ts   (BENCH_OBJECTS=2000 for a quicker run)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import { LocalCluster } from '../src/dev/localcluster/cluster.ts';
import { Cache } from '../src/runtime/cache/cache.ts';
import { kind, newClient } from '../src/runtime/client/client.ts';
import { realClock } from '../src/runtime/clock.ts';
import { Controller } from '../src/runtime/controller.ts';
import { enqueueForObject } from '../src/runtime/handler.ts';
import { silentLogger } from '../src/runtime/log.ts';
import { type GroupVersionKind, gvkString, type KubeObject, keyString } from '../src/runtime/object.ts';
import { KindSource } from '../src/runtime/source.ts';
import { WorkQueue } from '../src/runtime/workqueue/queue.ts';
import { saveResult } from './lib/machine.ts';

const COUNT = Number(process.env.BENCH_OBJECTS ?? 10_000);
const NODES = Math.max(2, Math.ceil(COUNT / 900)); // kwok nodes take 1000 pods each
const WORKERS = 4;
const LABEL = 'bench.sparkop.dev/set';
const ConfigMaps = kind<V1ConfigMap>('v1', 'ConfigMap');
const Pods = kind<V1Pod>('v1', 'Pod');

type Impl = 'sparkop' | 'client-node';
type Resource = 'configmaps' | 'pods';

interface Measurement {
  readonly impl: Impl;
  readonly resource: Resource;
  readonly objects: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly rssDeltaMiB: number;
  readonly heapDeltaMiB: number;
  readonly rssMiB: number;
}

const MiB = 1024 * 1024;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
}

/** In a child: lists/watches `resource` with one implementation, reconciles every key once, measures memory. */
async function child(impl: Impl, resource: Resource, kubeconfig: string, namespace: string): Promise<Measurement> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const gvk: GroupVersionKind = resource === 'pods' ? Pods : ConfigMaps;
  const selector = `${LABEL}=${resource}`;
  gc();
  const before = process.memoryUsage();
  const seen = new Set<string>();
  let allSeen!: () => void;
  const done = new Promise<void>((resolve) => (allSeen = resolve));
  const reconciler = {
    async reconcile(_ctx: unknown, req: { namespace?: string; name: string }) {
      seen.add(keyString(req));
      if (seen.size === COUNT) allSeen();
    },
  };
  const stop = new AbortController();
  const started = performance.now();
  let stopInformer: () => Promise<void>;
  if (impl === 'sparkop') {
    const cache = new Cache({
      kubeConfig: kc,
      scopes: new Map([[gvkString(gvk), { namespaces: [namespace], labelSelector: selector }]]),
      qps: 1000,
      burst: 1000,
    });
    const controller = new Controller({ name: 'bench', reconciler, maxConcurrentReconciles: WORKERS });
    await controller.watch(
      new KindSource({ provider: cache, gvk, handler: enqueueForObject(), clock: realClock, log: silentLogger() }),
    );
    void cache.start(stop.signal);
    const running = controller.start(stop.signal);
    stopInformer = async () => {
      stop.abort();
      await running;
    };
  } else {
    // client-node's informer feeding the same queue and worker loop: only the informer differs.
    const core = kc.makeApiClient(CoreV1Api);
    const path = `/api/v1/namespaces/${namespace}/${resource}`;
    const list =
      resource === 'pods'
        ? () => core.listNamespacedPod({ namespace, labelSelector: selector })
        : () => core.listNamespacedConfigMap({ namespace, labelSelector: selector });
    const informer = makeInformer<KubeObject>(kc, path, list as () => ReturnType<typeof list>, selector);
    const queue = new WorkQueue<string>({ name: 'bench' });
    const enqueue = (obj: KubeObject) => queue.add(`${obj.metadata?.namespace}/${obj.metadata?.name}`);
    informer.on('add', enqueue);
    informer.on('update', enqueue);
    informer.on('error', () => undefined);
    const workers = Array.from({ length: WORKERS }, async () => {
      for (;;) {
        const key = await queue.get();
        if (key === undefined) return;
        const [ns = '', name = ''] = key.split('/');
        await reconciler.reconcile(undefined, { namespace: ns, name });
        queue.done(key);
      }
    });
    await informer.start();
    stopInformer = async () => {
      await informer.stop();
      queue.shutdown();
      await Promise.all(workers);
    };
  }
  await done;
  const seconds = (performance.now() - started) / 1000;
  // Let the watch settle (kwok keeps updating pod status for a while), then measure what stays.
  await new Promise((r) => setTimeout(r, 3000));
  gc();
  const after = process.memoryUsage();
  await stopInformer();
  return {
    impl,
    resource,
    objects: seen.size,
    seconds,
    eventsPerSecond: seen.size / seconds,
    rssDeltaMiB: (after.rss - before.rss) / MiB,
    heapDeltaMiB: (after.heapUsed - before.heapUsed) / MiB,
    rssMiB: after.rss / MiB,
  };
}

/** A pod like a Spark executor's: labels, annotations, env, resources, mounts, a node. */
function realisticPod(namespace: string, i: number): V1Pod {
  const app = `app-${Math.floor(i / 50)}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${app}-exec-${i}`,
      namespace,
      labels: {
        [LABEL]: 'pods',
        'spark-app-selector': `spark-${app}`,
        'spark-role': 'executor',
        'spark-exec-id': String(i % 50),
        'sparkoperator.k8s.io/app-name': app,
      },
      annotations: { 'sparkop.dev/submission-id': `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` },
    },
    spec: {
      nodeName: `sim-node-${i % NODES}`,
      restartPolicy: 'Never',
      containers: [
        {
          name: 'spark-kubernetes-executor',
          image: 'apache/spark:3.5.3',
          args: ['executor'],
          ports: [{ name: 'blockmanager', containerPort: 7079 }],
          env: [
            { name: 'SPARK_USER', value: 'spark' },
            {
              name: 'SPARK_DRIVER_URL',
              value: `spark://CoarseGrainedScheduler@${app}-driver-svc.${namespace}.svc:7078`,
            },
            { name: 'SPARK_EXECUTOR_CORES', value: '1' },
            { name: 'SPARK_EXECUTOR_MEMORY', value: '1024m' },
            { name: 'SPARK_APPLICATION_ID', value: `spark-${app}` },
            { name: 'SPARK_CONF_DIR', value: '/opt/spark/conf' },
            { name: 'SPARK_EXECUTOR_ID', value: String(i % 50) },
            { name: 'SPARK_RESOURCE_PROFILE_ID', value: '0' },
            { name: 'SPARK_EXECUTOR_POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
            { name: 'SPARK_JAVA_OPT_0', value: '-Dspark.driver.port=7078' },
          ],
          resources: { requests: { cpu: '1', memory: '1408Mi' }, limits: { memory: '1408Mi' } },
          volumeMounts: [{ name: 'spark-local-dir-1', mountPath: '/var/data/spark-1' }],
        },
      ],
      volumes: [{ name: 'spark-local-dir-1', emptyDir: {} }],
    },
  };
}

/** Runs `make(i)` for i < count with `concurrency` in flight. */
async function createAll(count: number, concurrency: number, make: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await make(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

function runChild(impl: Impl, resource: Resource, kubeconfig: string, namespace: string): Measurement {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), '--child', impl, resource, kubeconfig, namespace],
    { encoding: 'utf8', maxBuffer: 16 * MiB, stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 },
  );
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Measurement;
}

async function main(): Promise<void> {
  const log = (m: string) => console.error(`[bench] ${m}`);
  const stateRoot = mkdtempSync(join(tmpdir(), 'sparkop-bench-'));
  log(`starting a private control plane with ${NODES} simulated nodes`);
  const cluster = await LocalCluster.start({ name: `bench-${process.pid}`, stateRoot, nodes: NODES, log });
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    const client = newClient({ kubeConfig: kc, qps: 2000, burst: 2000 });
    const namespace = 'bench';
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    for (;;) {
      // Pods are admitted once the namespace's default ServiceAccount exists.
      if (await client.apiReader.get(kind('v1', 'ServiceAccount'), { namespace, name: 'default' }).catch(() => false))
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const cmSeconds = await createAll(COUNT, 32, (i) =>
      client.create<V1ConfigMap>({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i}`, namespace, labels: { [LABEL]: 'configmaps' } },
        data: { index: String(i), payload: 'x'.repeat(256) },
      }),
    );
    log(`created ${COUNT} ConfigMaps in ${cmSeconds.toFixed(1)} s`);
    const results: Measurement[] = [];
    for (const impl of ['sparkop', 'client-node'] as const) {
      results.push(runChild(impl, 'configmaps', cluster.kubeconfigPath, namespace));
      log(`${impl} configmaps: ${results.at(-1)?.eventsPerSecond.toFixed(0)} events/s`);
    }
    const podSeconds = await createAll(COUNT, 32, (i) => client.create(realisticPod(namespace, i)));
    log(`created ${COUNT} pods in ${podSeconds.toFixed(1)} s`);
    for (const impl of ['sparkop', 'client-node'] as const) {
      results.push(runChild(impl, 'pods', cluster.kubeconfigPath, namespace));
      log(`${impl} pods: RSS +${results.at(-1)?.rssDeltaMiB.toFixed(0)} MiB`);
    }
    report(results);
  } finally {
    await cluster.stop();
    rmSync(stateRoot, { recursive: true, force: true });
  }
}

function report(results: readonly Measurement[]): void {
  const find = (impl: Impl, resource: Resource) => results.find((r) => r.impl === impl && r.resource === resource);
  const rows = results.map((r) => [
    r.impl,
    r.resource,
    String(r.objects),
    r.seconds.toFixed(2),
    r.eventsPerSecond.toFixed(0),
    r.rssDeltaMiB.toFixed(1),
    r.heapDeltaMiB.toFixed(1),
    ((r.heapDeltaMiB * MiB) / r.objects / 1024).toFixed(2),
  ]);
  const header = ['informer', 'objects of', 'count', 'seconds', 'events/s', 'RSS +MiB', 'heap +MiB', 'heap KiB/obj'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? Number((a / b).toFixed(2)) : null);
  const summary = {
    benchmark: 'runtime',
    objects: COUNT,
    workers: WORKERS,
    node: process.version,
    date: new Date().toISOString(),
    results,
    ratios: {
      configmapEventsPerSecond_sparkop_over_clientnode: ratio(
        find('sparkop', 'configmaps')?.eventsPerSecond,
        find('client-node', 'configmaps')?.eventsPerSecond,
      ),
      podRss_sparkop_over_clientnode: ratio(
        find('sparkop', 'pods')?.rssDeltaMiB,
        find('client-node', 'pods')?.rssDeltaMiB,
      ),
      podHeap_sparkop_over_clientnode: ratio(
        find('sparkop', 'pods')?.heapDeltaMiB,
        find('client-node', 'pods')?.heapDeltaMiB,
      ),
    },
  };
  console.log(
    `ratios (sparkop / client-node): configmap events/s ${summary.ratios.configmapEventsPerSecond_sparkop_over_clientnode}, ` +
      `pod RSS ${summary.ratios.podRss_sparkop_over_clientnode}, pod heap ${summary.ratios.podHeap_sparkop_over_clientnode}`,
  );
  console.error(`[bench] saved ${saveResult('runtime', summary)}`);
  console.log(JSON.stringify(summary));
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const [, impl, resource, kubeconfig, namespace] = args as [string, Impl, Resource, string, string];
  const result = await child(impl, resource, kubeconfig, namespace);
  console.log(JSON.stringify(result));
  process.exit(0);
} else {
  await main();
}
