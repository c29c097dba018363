// kill -9 in the middle of a burst: the operator runs as a child process, is SIGKILLed while it submits 200
// applications, and a new one takes over. Every application ends COMPLETED with exactly one submission and one
// driver: no attempt is submitted twice (kubeflow #2788).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Pods, SparkApplications } from '../../src/controllers/sparkapplication/kinds.ts';
import { mergePatch } from '../../src/runtime/index.ts';
import { eventually } from '../support/kube.ts';
import { type Fixture, fixture, minimalApp } from './sparkapplication-harness.ts';

const APPS = 200;
const CHILD = fileURLToPath(new URL('./sparkapplication-child-operator.ts', import.meta.url));

async function startChild(f: Fixture): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CHILD, f.kubeconfigPath, f.namespace], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await eventually('child operator ready', async () => out.includes('ready'), { timeoutMs: 20_000 });
  return child;
}

test('SIGKILL mid-burst of 200 applications, restart: one driver per attempt, every application terminal', async (t) => {
  const f = await fixture(t);
  const names = Array.from({ length: APPS }, (_, i) => `burst-${String(i).padStart(3, '0')}`);
  // The burst is waiting when the operator starts; it is killed in the middle of submitting it.
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(
      names
        .slice(i, i + 50)
        .map((n) => f.api.create({ ...minimalApp(n), metadata: { name: n, namespace: f.namespace } })),
    );
  }
  let child = await startChild(f);
  t.after(() => {
    child.kill('SIGKILL');
  });
  // Kill once part of the burst is submitted (some drivers exist, some applications are still new).
  const atKill = await eventually(
    'some drivers created',
    async () => {
      const pods = await f.api.list(Pods, { namespace: f.namespace, labelSelector: 'spark-role=driver' });
      return pods.length >= 30 ? pods.length : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 50 },
  );
  child.kill('SIGKILL');
  await once(child, 'exit');
  t.diagnostic(`killed with ${atKill} driver pods created`);
  assert.ok(atKill < APPS, 'the kill came before the burst was through');
  child = await startChild(f);

  // The drivers run on kwok until told to end: end every running driver, until every application is terminal.
  const finished = new Set<string>();
  const started = Date.now();
  await eventually(
    'every application terminal',
    async () => {
      const pods = await f.api.list(Pods, { namespace: f.namespace, labelSelector: 'spark-role=driver' });
      const toEnd = pods.filter((p) => p.status?.phase === 'Running' && !finished.has(p.metadata?.uid ?? ''));
      await Promise.all(
        toEnd.map(async (p) => {
          finished.add(p.metadata?.uid ?? '');
          await f.api.patch(
            Pods,
            { namespace: f.namespace, name: p.metadata?.name ?? '' },
            mergePatch({ metadata: { annotations: { 'sim.sparkop.dev/exit-code': '0' } } }),
          );
        }),
      );
      const apps = await f.api.list(SparkApplications, { namespace: f.namespace });
      const terminal = apps.filter((a) => ['COMPLETED', 'FAILED'].includes(a.status?.applicationState?.state ?? ''));
      return terminal.length === APPS ? apps : undefined;
    },
    { timeoutMs: 150_000, intervalMs: 1000 },
  );
  t.diagnostic(`all ${APPS} terminal ${((Date.now() - started) / 1000).toFixed(1)} s after the restart`);

  const apps = await f.api.list(SparkApplications, { namespace: f.namespace });
  const pods = await f.api.list(Pods, { namespace: f.namespace, labelSelector: 'spark-role=driver' });
  const podsByApp = new Map<string, number>();
  for (const p of pods) {
    const app = p.metadata?.labels?.['sparkoperator.k8s.io/app-name'] ?? '';
    podsByApp.set(app, (podsByApp.get(app) ?? 0) + 1);
  }
  for (const app of apps) {
    const name = app.metadata?.name ?? '';
    assert.equal(app.status?.applicationState?.state, 'COMPLETED', name);
    assert.equal(app.status?.submissionAttempts, 1, `${name}: one submission`);
    assert.equal(app.status?.executionAttempts, 1, `${name}: one run`);
    assert.equal(podsByApp.get(name), 1, `${name}: one driver pod`);
    const pod = pods.find((p) => p.metadata?.name === app.status?.driverInfo?.podName);
    assert.equal(pod?.metadata?.labels?.['sparkoperator.k8s.io/submission-id'], app.status?.submissionID, name);
  }
  child.kill('SIGTERM');
  await once(child, 'exit');
});
