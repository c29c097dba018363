// kube-apiserver restarted, and separately etcd restarted, in the middle of a run (a private control plane): the
// operator's watches resume and no transition is missed — every application ends in the state its driver asks
// for, with one driver, its terminal event, and the operator's counters counting each submission and each end once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { appNames, benchApp } from '../../harness/apps.ts';
import { sum } from '../../harness/metrics.ts';
import { Pods } from '../../src/controllers/sparkapplication/kinds.ts';
import { type Client, mergePatch } from '../../src/runtime/index.ts';
import { eventually } from '../support/kube.ts';
import { assertOneDriverEach, privateFixture, runToTerminal, startOperator } from './support.ts';

const NS = 'restarts';
const exitCodeFor = (app: string) => (Number(app.slice(-5)) % 4 === 1 ? 1 : 0);

/** Creates the applications, waits until `minDrivers` of them have a driver, and asks half of the running drivers
 * to end 1.5 s later — during the outage that follows. */
async function burst(api: Client, names: readonly string[], minDrivers: number): Promise<void> {
  await Promise.all(names.map((n) => api.create(benchApp(n, NS))));
  const running = await eventually(
    `${minDrivers} drivers running`,
    async () => {
      const pods = await api.list(Pods, { namespace: NS, labelSelector: 'spark-role=driver' });
      const mine = pods.filter(
        (p) =>
          names.includes(p.metadata?.labels?.['sparkoperator.k8s.io/app-name'] ?? '') && p.status?.phase === 'Running',
      );
      return mine.length >= minDrivers ? mine : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  await Promise.all(
    running.slice(0, Math.ceil(running.length / 2)).map((p) =>
      api.patch(
        Pods,
        { namespace: NS, name: p.metadata?.name ?? '' },
        mergePatch({
          metadata: {
            annotations: {
              'sim.sparkop.dev/exit-code': String(
                exitCodeFor(p.metadata?.labels?.['sparkoperator.k8s.io/app-name'] ?? ''),
              ),
              'sim.sparkop.dev/run-duration': '1500ms',
            },
          },
        }),
      ),
    ),
  );
}

test('kube-apiserver and etcd restarts mid-run: watches resume, no transition missed', async (t) => {
  const { cluster, api } = await privateFixture(t, NS, 1);
  const op = await startOperator(t, cluster.kubeconfigPath, NS);

  const first = appNames('apiserver', 40);
  await burst(api, first, 10);
  const apiserverDown = Date.now();
  await cluster.restartComponent('kube-apiserver');
  t.diagnostic(`kube-apiserver restarted in ${((Date.now() - apiserverDown) / 1000).toFixed(1)} s`);

  const second = appNames('etcd', 40);
  await burst(api, second, 10);
  const etcdDown = Date.now();
  await cluster.restartComponent('etcd');
  t.diagnostic(`etcd restarted in ${((Date.now() - etcdDown) / 1000).toFixed(1)} s`);

  // After both outages: more applications, and everything to its end.
  const third = appNames('after', 20);
  await Promise.all(third.map((n) => api.create(benchApp(n, NS))));
  const names = [...first, ...second, ...third];
  const apps = await runToTerminal(api, NS, names, exitCodeFor, 180_000);
  await assertOneDriverEach(api, NS, names, exitCodeFor);

  // Counters: each submission and each end counted exactly once (a missed or repeated transition shows here).
  const completed = apps.filter((a) => a.status?.applicationState?.state === 'COMPLETED').length;
  const failed = apps.length - completed;
  await eventually(
    'the counters match the end states',
    async () => {
      const m = await op.metrics();
      assert.equal(sum(m, 'spark_application_submit_count'), names.length, 'submissions');
      assert.equal(sum(m, 'spark_application_success_count'), completed, 'successes');
      assert.equal(sum(m, 'spark_application_failure_count'), failed, 'failures');
      return true;
    },
    { timeoutMs: 10_000 },
  );
  // Events: every application has its terminal event (written after the status; they may trail it a little).
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  await eventually(
    'terminal events',
    async () => {
      const events = await core.listNamespacedEvent({ namespace: NS });
      const reasons = new Map<string, Set<string>>();
      for (const e of events.items) {
        if (e.involvedObject.kind !== 'SparkApplication') continue;
        const set = reasons.get(e.involvedObject.name ?? '') ?? new Set<string>();
        set.add(e.reason ?? '');
        reasons.set(e.involvedObject.name ?? '', set);
      }
      for (const n of names) {
        const want = exitCodeFor(n) === 0 ? 'SparkApplicationCompleted' : 'SparkApplicationFailed';
        assert.ok(reasons.get(n)?.has('SparkApplicationSubmitted'), `${n}: SparkApplicationSubmitted event`);
        assert.ok(reasons.get(n)?.has(want), `${n}: ${want} event`);
      }
      return true;
    },
    { timeoutMs: 20_000, intervalMs: 1000 },
  );
  assert.equal(await op.stop(), 0, 'the operator stops cleanly');
});
