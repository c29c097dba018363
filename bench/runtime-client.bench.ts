// Is owning the HTTP layer worth it? Sequential GETs of one ConfigMap through sparkop's client (node https with a
// keep-alive agent) and through client-node's generated API (fetch), against a private local control plane.
// Run: node bench/runtime-client.bench.ts   (prints requests per second and latency percentiles)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { LocalCluster } from '../src/dev/localcluster/cluster.ts';
import { kind, newClient } from '../src/runtime/client/client.ts';

const N = Number(process.env.BENCH_REQUESTS ?? 500);
const stateRoot = mkdtempSync(join(tmpdir(), 'sparkop-bench-'));
const cluster = await LocalCluster.start({ stateRoot, nodes: 1 });
try {
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name: 'bench' }, data: { k: 'v' } },
  });
  const client = newClient({ kubeConfig: kc, qps: 0 });
  const ConfigMaps = kind('v1', 'ConfigMap');

  const runs: [string, () => Promise<unknown>][] = [
    ['sparkop client (node https, keep-alive)', () => client.get(ConfigMaps, { namespace: 'default', name: 'bench' })],
    ['client-node CoreV1Api (fetch)', () => core.readNamespacedConfigMap({ namespace: 'default', name: 'bench' })],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [name, call] of runs) {
      for (let i = 0; i < 20; i++) await call(); // warm-up
      const latencies: number[] = [];
      const started = performance.now();
      for (let i = 0; i < N; i++) {
        const t0 = performance.now();
        await call();
        latencies.push(performance.now() - t0);
      }
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2);
      console.log(
        `round ${round + 1} ${name}: ${(N / seconds).toFixed(0)} req/s, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms (${N} GETs)`,
      );
    }
  }
} finally {
  await cluster.stop();
  rmSync(stateRoot, { recursive: true, force: true });
}
