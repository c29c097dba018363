// Native submission vs spark-submit, same machine, same run: native builds per second (pure, no I/O) over the
// conformance corpus, and seconds per application for the real spark-submit (pyspark, first pinned version) against
// a private local control plane. Run: npm run bench -- submit   (BENCH_SUBMITS=N spark-submit runs, default 4)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { corpus, pysparkHomes, tokenKubeconfig } from '../harness/conformance.ts';
import { LocalCluster } from '../src/dev/localcluster/cluster.ts';
import { buildNativeSubmission } from '../src/spark/builder.ts';
import { submissionSettings } from '../src/spark/settings.ts';
import { coreSubmissionClient } from '../src/spark/submit/kube-client.ts';
import { SparkSubmitSubmitter } from '../src/spark/submit/spark-submit.ts';
import { saveResult } from './lib/machine.ts';

const SUBMITS = Number(process.env.BENCH_SUBMITS ?? 4);
const apps = corpus().map((e) => e.app);
const settings = submissionSettings({ submissionId: 'bench', attempt: 1, submitTimeMs: 0 });

// Native: warm up, then build the whole corpus repeatedly for ~3 s.
for (let i = 0; i < 200; i++) buildNativeSubmission(apps[i % apps.length]!, settings);
let builds = 0;
const start = process.hrtime.bigint();
let elapsedNs = 0n;
while (elapsedNs < 3_000_000_000n) {
  for (const app of apps) buildNativeSubmission(app, { ...settings, attempt: builds + 1 });
  builds += apps.length;
  elapsedNs = process.hrtime.bigint() - start;
}
const nativePerSecond = builds / (Number(elapsedNs) / 1e9);

// spark-submit: a private control plane, SUBMITS sequential submissions of spark-pi.
const [version, sparkHome] = [...pysparkHomes()][0]!;
const stateRoot = mkdtempSync(join(tmpdir(), 'sparkop-bench-'));
const cluster = await LocalCluster.start({ stateRoot, nodes: 1 });
const seconds: number[] = [];
try {
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const token = await tokenKubeconfig(kc, stateRoot, 'bench');
  const spi = corpus().find((e) => e.name === 'spark-pi')!.app;
  for (let i = 0; i < SUBMITS; i++) {
    const namespace = `bench-${i}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'spark-operator-spark' } } });
    const app = { ...spi, metadata: { ...spi.metadata, namespace, uid: `bench-${i}` } };
    const t0 = process.hrtime.bigint();
    await new SparkSubmitSubmitter({
      sparkHome,
      client: coreSubmissionClient(core),
      env: { ...process.env, KUBECONFIG: token.path },
    }).submit(
      app,
      submissionSettings({
        submissionId: `bench-${i}`,
        attempt: 1,
        submitTimeMs: Date.now(),
        masterURL: `k8s://${token.server}`,
        templateDir: join(stateRoot, 'templates'),
      }),
    );
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
} finally {
  await cluster.stop();
  rmSync(stateRoot, { recursive: true, force: true });
}
seconds.sort((a, b) => a - b);
const median = seconds[Math.floor(seconds.length / 2)]!;
const result = {
  benchmark: 'submit',
  date: new Date().toISOString(),
  corpusApps: apps.length,
  nativeBuildsPerSecond: Math.round(nativePerSecond),
  nativeMsPerBuild: Number((1000 / nativePerSecond).toFixed(4)),
  sparkSubmitVersion: version,
  sparkSubmitRuns: seconds.length,
  sparkSubmitSecondsPerApp: {
    median: Number(median.toFixed(2)),
    min: Number(seconds[0]!.toFixed(2)),
    max: Number(seconds.at(-1)!.toFixed(2)),
  },
  speedup: Math.round(median * nativePerSecond),
};
console.log('| submitter | per app | throughput |');
console.log('|---|---|---|');
console.log(`| native (pure build) | ${result.nativeMsPerBuild} ms | ${result.nativeBuildsPerSecond} builds/s |`);
console.log(
  `| spark-submit ${version} | ${result.sparkSubmitSecondsPerApp.median} s (median of ${seconds.length}) | ${(1 / median).toFixed(2)} apps/s |`,
);
console.error(`[bench] saved ${saveResult('submit', result)}`);
console.log(JSON.stringify(result));
