// Two operator replicas with leader election (a 4 s lease): the follower does nothing while the leader lives; when
// the leader is SIGKILLed in the middle of a burst, the follower takes over within the lease duration plus a
// retry period (plus a margin for a loaded machine), and no application is submitted twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { appNames, benchApp } from '../../harness/apps.ts';
import { sum } from '../../harness/metrics.ts';
import type { OperatorProcess } from '../../harness/operator-process.ts';
import { Pods } from '../../src/controllers/sparkapplication/kinds.ts';
import { fixture } from '../integration/sparkapplication-harness.ts';
import { eventually } from '../support/kube.ts';
import { assertOneDriverEach, runToTerminal, startOperator } from './support.ts';

const APPS = 150;
const LEASE_S = 4;
const RETRY_S = 1;
/** Takeover bound: the lease must expire (as the follower sees it), then the follower's next try wins. */
const TAKEOVER_BOUND_S = LEASE_S + RETRY_S * 1.2 + 5;
const exitCodeFor = (app: string) => (Number(app.slice(-5)) % 5 === 0 ? 1 : 0);

test('kill -9 the leader: the other replica takes over within the lease, no double submission', async (t) => {
  const f = await fixture(t);
  const flags = [
    '--leader-election',
    `--leader-election-lock-namespace=${f.namespace}`,
    '--leader-election-lock-name=sparkop-lock',
    `--leader-election-lease-duration=${LEASE_S}s`,
    '--leader-election-renew-deadline=3s',
    `--leader-election-retry-period=${RETRY_S}s`,
  ];
  const replicas: OperatorProcess[] = [
    await startOperator(t, f.kubeconfigPath, f.namespace, flags, { waitReady: false }),
    await startOperator(t, f.kubeconfigPath, f.namespace, flags, { waitReady: false }),
  ];
  const leader = await eventually('a leader', async () => {
    const leading = [];
    for (const r of replicas) if (await r.ready()) leading.push(r);
    assert.ok(leading.length <= 1, 'at most one replica leads');
    return leading[0];
  });
  const follower = replicas.find((r) => r !== leader);
  assert.ok(follower);

  const names = appNames('le', APPS);
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(names.slice(i, i + 50).map((n) => f.api.create(benchApp(n, f.namespace))));
  }
  await eventually(
    'part of the burst submitted',
    async () => {
      const pods = await f.api.list(Pods, { namespace: f.namespace, labelSelector: 'spark-role=driver' });
      return pods.length >= 30 || undefined;
    },
    { timeoutMs: 60_000, intervalMs: 50 },
  );
  const followerBefore = await follower.metrics();
  assert.equal(sum(followerBefore, 'spark_application_submit_count'), 0, 'the follower submitted nothing');
  assert.equal(
    sum(followerBefore, 'rest_client_requests_total', { method: 'POST' }),
    0,
    'the follower created nothing',
  );
  assert.equal(follower.logged('"msg":"starting workers"'), false, 'the follower runs no controller');

  await leader.kill();
  const killed = Date.now();
  while (!(await follower.ready())) {
    assert.ok((Date.now() - killed) / 1000 < 60, 'the follower took over within a minute');
    await sleep(50);
  }
  const takeoverS = (Date.now() - killed) / 1000;
  t.diagnostic(`takeover ${takeoverS.toFixed(2)} s after the kill (bound ${TAKEOVER_BOUND_S} s)`);
  assert.ok(takeoverS <= TAKEOVER_BOUND_S, `takeover in ${takeoverS} s, bound ${TAKEOVER_BOUND_S} s`);

  await runToTerminal(f.api, f.namespace, names, exitCodeFor, 180_000);
  await assertOneDriverEach(f.api, f.namespace, names, exitCodeFor);
  assert.equal(await follower.stop(), 0, 'the new leader stops cleanly');
});
