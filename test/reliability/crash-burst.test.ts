// kill -9 in the middle of a 500-application burst, then a new operator process: every application is still there
// and ends in the state its driver asks for, with exactly one submission and one driver pod — no attempt submitted
// twice. The burst is still being created when the kill comes. (The 200-application version with a minimal child
// operator is test/integration/sparkapplication-crash.test.ts; this one runs the real `sparkop` process.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appNames, benchApp } from '../../harness/apps.ts';
import { Pods } from '../../src/controllers/sparkapplication/kinds.ts';
import { eventually } from '../support/kube.ts';
import { assertOneDriverEach, privateFixture, runToTerminal, startOperator } from './support.ts';

const APPS = 500;
/** Every seventh driver fails: both terminal states are reached through the restart. */
const exitCodeFor = (app: string) => (Number(app.slice(-5)) % 7 === 3 ? 1 : 0);

test('SIGKILL mid-burst of 500 applications, restart: one driver per attempt, none lost, every one terminal', async (t) => {
  const f = await privateFixture(t);
  const names = appNames('burst', APPS);
  const create = async (batch: readonly string[]) => {
    for (let i = 0; i < batch.length; i += 50) {
      await Promise.all(batch.slice(i, i + 50).map((n) => f.api.create(benchApp(n, f.namespace))));
    }
  };
  await create(names.slice(0, 250));
  let op = await startOperator(t, f.kubeconfigPath, f.namespace);
  const rest = create(names.slice(250));
  const atKill = await eventually(
    'a part of the burst submitted',
    async () => {
      const pods = await f.api.list(Pods, { namespace: f.namespace, labelSelector: 'spark-role=driver' });
      return pods.length >= 100 ? pods.length : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 50 },
  );
  await op.kill();
  t.diagnostic(`killed with ${atKill} driver pods created`);
  assert.ok(atKill < APPS, 'the kill came before the burst was through');
  await rest;
  op = await startOperator(t, f.kubeconfigPath, f.namespace);
  const started = Date.now();
  await runToTerminal(f.api, f.namespace, names, exitCodeFor, 240_000);
  t.diagnostic(`all ${APPS} terminal ${((Date.now() - started) / 1000).toFixed(1)} s after the restart`);
  await assertOneDriverEach(f.api, f.namespace, names, exitCodeFor);
  // Started with the shipped Node flags, the restarted process filled its caches with V8's own heap growth and set
  // the fixed step back once they were full (src/operator/heap-growth.ts).
  const restored = op.logLine('caches filled: heap growth back to its fixed step');
  assert.equal(restored?.heapGrowingPercent, 25, 'the restarted operator set its heap growth step back');
  assert.equal(await op.stop(), 0, 'the second operator stops cleanly');
});
