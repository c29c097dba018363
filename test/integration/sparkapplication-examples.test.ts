// With batch scheduling on, every kubeflow example SparkApplication runs through the controller to its expected
// terminal state: COMPLETED (the test ends the drivers), or FAILED with a clear message where it needs a batch
// scheduler whose CRD is missing. (operator-embedded.test.ts runs them byte for byte with the default flags.)
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { sharedPath } from '../../harness/shared.ts';
import {
  ConfigMaps,
  Pods,
  type SparkApplicationObject,
  SparkApplications,
} from '../../src/controllers/sparkapplication/kinds.ts';
import { eventually } from '../support/kube.ts';
import { createApp, type Fixture, finishPod, fixture, startOperator, waitState } from './sparkapplication-harness.ts';

const DIR = sharedPath('examples', 'kubeflow');

/** Examples that cannot complete here, and why they fail. */
const EXPECTED_FAILURES: Record<string, RegExp> = {
  'spark-pi-volcano.yaml': /volcano needs the PodGroup CRD \(scheduling\.volcano\.sh\/v1beta1\)/,
  'spark-pi-kube-scheduler.yaml': /kube-scheduler needs the PodGroup CRD \(scheduling\.x-k8s\.io\/v1alpha1\)/,
};

function examples(): { file: string; app: SparkApplicationObject }[] {
  if (!existsSync(DIR)) throw new Error(`kubeflow examples not found at ${DIR}`);
  const out: { file: string; app: SparkApplicationObject }[] = [];
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(DIR, file), 'utf8'))) {
      const app = doc.toJS() as SparkApplicationObject | null;
      if (app?.kind !== 'SparkApplication') continue;
      // spark-pi-prometheus.yaml keeps an unquoted {IMAGE_REGISTRY} placeholder (a YAML mapping): give it an image.
      if (typeof app.spec.image !== 'string') app.spec.image = 'docker.io/apache/spark:3.5.8';
      // Names repeat across the examples (several are "spark-pi"): one namespace holds them all under their file's name.
      app.metadata = { name: file.replace(/\.yaml$/, '') };
      out.push({ file, app });
    }
  }
  return out;
}

/** Stands in for YuniKorn: binds its pods to a simulated node (kwok then runs them). */
async function bindPendingPods(f: Fixture, schedulerName: string, node: string): Promise<void> {
  const pods = await f.api.list(Pods, { namespace: f.namespace });
  for (const p of pods.filter((p) => p.spec?.schedulerName === schedulerName && !p.spec?.nodeName)) {
    await f.core
      .createNamespacedBinding({
        namespace: f.namespace,
        body: { metadata: { name: p.metadata?.name ?? '' }, target: { kind: 'Node', name: node } },
      })
      .catch(() => undefined);
  }
}

test('every kubeflow example SparkApplication reaches its expected terminal state', async (t) => {
  const f = await fixture(t);
  const node = (await f.core.listNode()).items[0]?.metadata?.name ?? 'sim-node-0';
  await startOperator(t, f, {
    batchScheduler: { enabled: true, kubeSchedulerNames: [], defaultBatchScheduler: '' },
  });
  const all = examples();
  assert.ok(all.length >= 10, `only ${all.length} examples`);
  for (const { app } of all)
    await createApp(f, { ...app, metadata: { name: app.metadata.name } } as SparkApplicationObject);
  const ended = new Set<string>();
  for (const { file, app } of all) {
    const name = app.metadata.name ?? '';
    const failure = EXPECTED_FAILURES[file];
    if (failure) {
      const failed = await waitState(f, name, 'FAILED');
      assert.match(failed.status?.applicationState?.errorMessage ?? '', failure, file);
      continue;
    }
    const done = await eventually(
      `${file} completed`,
      async () => {
        await bindPendingPods(f, 'yunikorn', node);
        const current = await f.api.get(SparkApplications, { namespace: f.namespace, name });
        const state = current.status?.applicationState?.state;
        const pod = current.status?.driverInfo?.podName;
        if (state === 'RUNNING' && pod && !ended.has(pod)) {
          ended.add(pod);
          await finishPod(f, pod, 0);
        }
        return state === 'COMPLETED' ? current : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 200 },
    );
    assert.equal(done.status?.submissionAttempts, 1, file);
  }
  // Kubeflow's monitoring: the controller created the metrics ConfigMap the JMX exporter agent reads.
  const prom = all.find((e) => e.app.spec.monitoring?.prometheus);
  if (prom) {
    const cm = await f.api.get(ConfigMaps, { namespace: f.namespace, name: `${prom.app.metadata.name}-prom-conf` });
    assert.ok(cm.data?.['prometheus.yaml'] && cm.data['metrics.properties']);
  }
  // YuniKorn: the task-group annotations are on the driver.
  const yk = all.find((e) => e.app.spec.batchScheduler === 'yunikorn');
  if (yk) {
    const driver = await f.api.get(Pods, { namespace: f.namespace, name: `${yk.app.metadata.name}-driver` });
    assert.equal(driver.metadata?.annotations?.['yunikorn.apache.org/task-group-name'], 'spark-driver');
  }
});
