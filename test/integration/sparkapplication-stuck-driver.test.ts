// A driver pod no node can take: the application stays SUBMITTED, and its status and a Warning event say why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../support/kube.ts';
import { createApp, fixture, getApp, minimalApp, startOperator, stateOf } from './sparkapplication-harness.ts';

test('an unschedulable driver is reported in errorMessage and one Warning event; the application stays SUBMITTED', async (t) => {
  const f = await fixture(t);
  await startOperator(t, f);
  await createApp(f, minimalApp('stuck', { nodeSelector: { 'sparkop.dev/test-no-such-node': 'true' } }));
  let last = '';
  const reported = await eventually(
    'errorMessage: cannot be scheduled',
    async () => {
      const app = await getApp(f, 'stuck');
      last = `${stateOf(app)} ${app.status?.applicationState?.errorMessage ?? ''}`;
      return /cannot be scheduled/.test(app.status?.applicationState?.errorMessage ?? '') ? app : undefined;
    },
    { intervalMs: 150 },
  ).catch((err: unknown) => {
    throw new Error(`stuck: no scheduling problem reported; last seen ${last}`, { cause: err });
  });
  assert.equal(stateOf(reported), 'SUBMITTED');
  // The scheduler's own words, e.g. "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."
  assert.match(
    reported.status?.applicationState?.errorMessage ?? '',
    /^driver pod stuck-driver cannot be scheduled: 0\/\d+ nodes are available: .*node affinity\/selector/,
  );
  const warning = await eventually('SparkDriverUnschedulable event', async () => {
    const events = await f.core.listNamespacedEvent({ namespace: f.namespace });
    return events.items.find(
      (e) =>
        e.involvedObject.kind === 'SparkApplication' &&
        e.involvedObject.name === 'stuck' &&
        e.reason === 'SparkDriverUnschedulable',
    );
  });
  assert.equal(warning.type, 'Warning');
  assert.equal(warning.message, reported.status?.applicationState?.errorMessage);

  // Reconciles go on (pod updates, requeues); the problem is neither reported again nor fatal.
  await sleep(3000);
  const later = await getApp(f, 'stuck');
  assert.equal(stateOf(later), 'SUBMITTED');
  assert.match(later.status?.applicationState?.errorMessage ?? '', /cannot be scheduled/);
  const events = await f.core.listNamespacedEvent({ namespace: f.namespace });
  const warnings = events.items.filter(
    (e) => e.involvedObject.name === 'stuck' && e.reason === 'SparkDriverUnschedulable',
  );
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.count ?? 1, 1);
});
