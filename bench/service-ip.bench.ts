// What a Service costs kube-apiserver as Services accumulate: `npm run bench -- service-ip --services 10000`.
//
// The 10 000-application scale run stalled on UI Service creation (a ClusterIP Service took seconds while a headless
// one took half a second). This bench separates the cluster-IP allocation from the load: on an otherwise idle
// control plane it creates `--services` ClusterIP Services (`--concurrency` at a time, spread over `--namespaces`),
// and after every slice of them times `--probe` creations of each kind one at a time: ClusterIP, headless, and a
// ConfigMap as the baseline of a plain write. kube-apiserver's and etcd's CPU per slice show where the time went.

import { prepareNamespace, startBenchCluster } from '../harness/cluster.ts';
import type { KubeObject } from '../src/runtime/index.ts';
import { numberFlag } from './lib/args.ts';
import { machineInfo, percentile, saveResult, table } from './lib/machine.ts';
import { CpuMeter } from './lib/proc.ts';

const argv = process.argv.slice(2);
const total = numberFlag(argv, 'services', 10_000) ?? 10_000;
const concurrency = numberFlag(argv, 'concurrency', 16) ?? 16;
const namespaces = numberFlag(argv, 'namespaces', 10) ?? 10;
const slices = numberFlag(argv, 'slices', 5) ?? 5;
const probe = numberFlag(argv, 'probe', 20) ?? 20;
const log = (m: string) => console.error(`[service-ip] ${m}`);

type Shape = 'clusterip' | 'headless' | 'configmap';

function object(shape: Shape, namespace: string, name: string): KubeObject {
  if (shape === 'configmap') {
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { k: 'v' } } as KubeObject;
  }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { bench: 'service-ip' } },
    spec: {
      ...(shape === 'headless' ? { clusterIP: 'None' } : {}),
      selector: { app: name },
      ports: [{ name: 'ui', port: 4040, targetPort: 4040, protocol: 'TCP' }],
    },
  } as KubeObject;
}

const bc = await startBenchCluster({ nodes: 1, log });
const nsNames = Array.from({ length: namespaces }, (_, i) => `svc-${i}`);
for (const ns of nsNames) await prepareNamespace(bc.api, ns);
interface SliceRow {
  readonly servicesBefore: number;
  readonly servicesAfter: number;
  readonly fillPerSecond: number;
  readonly fillP50Ms: number;
  readonly fillP99Ms: number;
  readonly apiserverCpuMsPerService: number;
  readonly etcdCpuMsPerService: number;
  readonly probeMedianMs: Record<Shape, number>;
}

const rows: SliceRow[] = [];
const perSlice = Math.ceil(total / slices);
let created = 0;
let probeSeq = 0;
try {
  for (let s = 0; s < slices; s++) {
    const before = created;
    const target = Math.min(total, before + perSlice);
    const latencies: number[] = [];
    const meter = new CpuMeter(
      new Map([
        ['kube-apiserver', bc.pid('kube-apiserver')],
        ['etcd', bc.pid('etcd')],
      ]),
    );
    const started = performance.now();
    let next = before;
    const worker = async () => {
      for (let i = next++; i < target; i = next++) {
        const t0 = performance.now();
        await bc.api.create(object('clusterip', nsNames[i % namespaces] ?? '', `fill-${i}`));
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    const cpu = meter.read();
    created = target;
    latencies.sort((a, b) => a - b);
    const probeMedianMs = {} as Record<Shape, number>;
    for (const shape of ['clusterip', 'headless', 'configmap'] as const) {
      const times: number[] = [];
      for (let i = 0; i < probe; i++) {
        const t0 = performance.now();
        await bc.api.create(object(shape, nsNames[0] ?? '', `probe-${shape}-${probeSeq++}`));
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      probeMedianMs[shape] = percentile(times, 50);
    }
    const n = target - before;
    const row: SliceRow = {
      servicesBefore: before,
      servicesAfter: target,
      fillPerSecond: n / seconds,
      fillP50Ms: percentile(latencies, 50),
      fillP99Ms: percentile(latencies, 99),
      apiserverCpuMsPerService: ((cpu['kube-apiserver'] ?? 0) * 1000) / n,
      etcdCpuMsPerService: ((cpu.etcd ?? 0) * 1000) / n,
      probeMedianMs,
    };
    rows.push(row);
    log(`${target} ClusterIP Services: ${row.fillPerSecond.toFixed(1)}/s, p99 ${row.fillP99Ms.toFixed(0)} ms`);
  }
} finally {
  await bc.stop();
}

const f = (x: number) => x.toFixed(1);
console.log(
  table(
    [
      'services',
      'fill/s',
      'fill p50 ms',
      'fill p99 ms',
      'apiserver ms/svc',
      'etcd ms/svc',
      'ClusterIP ms',
      'headless ms',
      'ConfigMap ms',
    ],
    rows.map((r) => [
      `${r.servicesBefore}–${r.servicesAfter}`,
      f(r.fillPerSecond),
      f(r.fillP50Ms),
      f(r.fillP99Ms),
      f(r.apiserverCpuMsPerService),
      f(r.etcdCpuMsPerService),
      f(r.probeMedianMs.clusterip),
      f(r.probeMedianMs.headless),
      f(r.probeMedianMs.configmap),
    ]),
  ),
);
const summary = {
  bench: 'service-ip',
  options: { services: total, concurrency, namespaces, slices, probe },
  machine: machineInfo(),
  rows,
};
log(`result: ${saveResult('service-ip', summary)}`);
console.log(JSON.stringify(summary));
