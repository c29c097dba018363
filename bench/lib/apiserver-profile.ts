// A CPU profile of kube-apiserver (its /debug/pprof/profile, on by default; the bench's admin certificate may read
// it), summarised with `go tool pprof`: where the API server's share of the two cores goes during a phase of a bench.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { RestClient } from '../../src/runtime/rest/restclient.ts';

export interface ApiServerProfile {
  readonly file: string;
  readonly seconds: number;
  /** Cumulative share of the sampled CPU per bucket (a sample counts once, in the first bucket it matches). */
  readonly buckets: Readonly<Record<string, number>>;
  /** `go tool pprof -top` lines, by cumulative time. */
  readonly topCumulative: readonly string[];
}

// Buckets by a frame anywhere in the stack, checked in this order (the first that matches takes the sample).
const BUCKETS: readonly (readonly [string, RegExp])[] = [
  ['garbage collection', /^runtime\.(gcBgMarkWorker|gcDrain|bgsweep|bgscavenge|markroot|scanobject)/],
  ['watch: encode and send events to watchers', /cacheWatcher|WatchServer|serveWatch/],
  ['ClusterIP/IPAddress allocation', /ipallocator/],
  ['admission', /admission/],
  ['etcd client (storage)', /etcd3|go\.etcd\.io\/etcd\/client/],
  ['JSON (request bodies, responses)', /serializer\/json|encoding\/json|json-iterator|sigs\.k8s\.io\/json/],
  ['protobuf (request bodies, responses)', /serializer\/protobuf|^k8s\.io\/api\/.*\.(Marshal|Unmarshal|Size)/],
  ['crypto: TLS records, client-certificate checks', /^crypto\//],
  ['registry and validation', /pkg\/registry\/|validation/],
];
// Not bucketed by frame: the handler chain's filters (authentication, flow control, …) wrap every request, so a
// frame of theirs says nothing about where the time went; what is not in a bucket above is "other".

/** Takes a profile of `seconds` from the API server of `kc` and summarises it; `dir` keeps the raw profile. */
export async function profileApiServer(
  kc: KubeConfig,
  seconds: number,
  dir: string,
  label: string,
): Promise<ApiServerProfile> {
  const rest = new RestClient({ kubeConfig: kc, qps: 100, burst: 100, userAgent: 'sparkop-bench-pprof' });
  try {
    const res = await rest.transport.request({
      method: 'GET',
      path: `/debug/pprof/profile?seconds=${seconds}`,
      accept: 'application/octet-stream',
      idleTimeoutMs: (seconds + 30) * 1000,
    });
    if (res.status !== 200) throw new Error(`pprof answered ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`);
    const file = join(dir, `kube-apiserver-${label}.pprof`);
    writeFileSync(file, res.body);
    return { file, seconds, ...summarise(file) };
  } finally {
    rest.transport.close();
  }
}

function summarise(file: string): Pick<ApiServerProfile, 'buckets' | 'topCumulative'> {
  const top = execFileSync('go', ['tool', 'pprof', '-top', '-cum', '-nodecount=40', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const topCumulative = top
    .split('\n')
    .filter((l) => /^\s+[\d.]+m?s/.test(l))
    .map((l) => l.trim());
  // -traces prints every sampled stack with its weight; bucket each stack once.
  const traces = execFileSync('go', ['tool', 'pprof', '-traces', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 512 * 1024 * 1024,
  });
  const totals = new Map<string, number>();
  let all = 0;
  for (const block of traces.split(/^-+\+-+$/m)) {
    const lines = block.split('\n').filter((l) => l.trim());
    const first = lines.find((l) => /^\s+[\d.]+m?s\s/.test(l));
    if (!first) continue;
    const weight = parseDuration(first.trim().split(/\s+/)[0] ?? '0');
    const frames = lines.map((l) => l.trim().split(/\s+/).at(-1) ?? '');
    const bucket = BUCKETS.find(([, re]) => frames.some((f) => re.test(f)))?.[0] ?? 'other';
    totals.set(bucket, (totals.get(bucket) ?? 0) + weight);
    all += weight;
  }
  const buckets = Object.fromEntries(
    [...totals].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round((1000 * v) / Math.max(all, 1)) / 10]),
  );
  return { buckets, topCumulative };
}

function parseDuration(text: string): number {
  const value = Number.parseFloat(text);
  if (text.endsWith('ms')) return value / 1000;
  if (text.endsWith('us') || text.endsWith('µs')) return value / 1e6;
  if (text.endsWith('ns')) return value / 1e9;
  if (text.endsWith('s')) return value;
  return 0;
}
