// The SparkApplication reconciler's shell on an in-memory client (test/support/fake-client.ts): what it writes for a
// decision, the stale-read guard, and the UI Service created once, in the background, while reconciles go on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { sparkPiApp } from '../../harness/spark-pi.ts';
import { Pods, SparkApplications } from '../../src/controllers/sparkapplication/kinds.ts';
import { ApplicationMetrics } from '../../src/controllers/sparkapplication/metrics.ts';
import { SparkApplicationReconciler } from '../../src/controllers/sparkapplication/reconciler.ts';
import { PODS_BY_APPLICATION, podApplicationKey } from '../../src/controllers/sparkapplication/scope.ts';
import { DEFAULT_CONTROLLER_SETTINGS } from '../../src/controllers/sparkapplication/settings.ts';
import { nativeSubmitter } from '../../src/controllers/sparkapplication/submission.ts';
import type { KubeObject, ReconcileContext } from '../../src/runtime/index.ts';
import { realClock, silentLogger } from '../../src/runtime/index.ts';
import { FakeClient } from '../support/fake-client.ts';

interface Recorded {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

function setup(client = new FakeClient()) {
  client.indexField(PODS_BY_APPLICATION, podApplicationKey);
  const events: Recorded[] = [];
  const settings = { ...DEFAULT_CONTROLLER_SETTINGS, namespaces: ['ns'] };
  const reconciler = new SparkApplicationReconciler({
    client,
    clock: realClock,
    recorder: { event: (_obj, type, reason, message) => events.push({ type, reason, message }) },
    submitter: nativeSubmitter(client),
    metrics: new ApplicationMetrics(new Registry(), settings.metrics),
    settings,
  });
  const ctx: ReconcileContext = {
    controller: 'test',
    reconcileID: 'r',
    log: silentLogger(),
    signal: new AbortController().signal,
  };
  const reconcile = () => reconciler.reconcile(ctx, { namespace: 'ns', name: 'pi' });
  return { client, events, reconciler, reconcile };
}

const app = (): KubeObject => sparkPiApp('pi', { namespace: 'ns' }) as unknown as KubeObject;
const stateOf = (client: FakeClient) =>
  client.peek(SparkApplications, { namespace: 'ns', name: 'pi' })?.status?.applicationState?.state;

test('a new application: the driver pod, its Service and ConfigMap created once, the status SUBMITTED', async () => {
  const { client, reconcile } = setup();
  client.seed(app());
  await reconcile();
  assert.equal(stateOf(client), 'SUBMITTED');
  const created = client.writes.filter((w) => w.verb === 'create').map((w) => w.kind);
  assert.equal(created.filter((k) => k === 'Pod').length, 1, `creates: ${created}`);
  assert.equal(created.filter((k) => k === 'Service').length, 1, 'the driver headless Service');
  assert.ok(created.includes('ConfigMap'), 'the driver ConfigMap');
  // Reconciles settle (the UI Service, created in the background, and its address in the status), then deciding
  // again on what is stored changes nothing: no second driver, no write.
  for (let i = 0; i < 3; i++) {
    await reconcile();
    await new Promise((r) => setTimeout(r, 5));
  }
  const settled = client.writes.length;
  await reconcile();
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(client.writes.slice(settled), []);
  assert.equal(client.writes.filter((w) => w.verb === 'create' && w.kind === 'Pod').length, 1);
});

test('a cached read still at the version the last write replaced is not decided on: it waits for the cache', async () => {
  const fake = new FakeClient();
  // A cache lagging one write behind for the application: its first read after our status write is the old one.
  let stale: KubeObject | undefined;
  fake.hooks.get = (kind) => {
    if (!stale || kind.kind !== 'SparkApplication') return undefined;
    const old = stale;
    stale = undefined;
    return old;
  };
  const client = fake;
  const { reconcile } = setup(client);
  fake.seed(app());
  const original = await fake.get(SparkApplications, { namespace: 'ns', name: 'pi' });
  await reconcile();
  assert.equal(stateOf(fake), 'SUBMITTED');
  const writes = fake.writes.length;
  stale = original;
  const result = await reconcile();
  assert.ok(result && 'requeueAfter' in result && (result.requeueAfter ?? 0) > 0, 'requeued to wait for the cache');
  assert.equal(fake.writes.length, writes, 'no second submission from the stale read');
  assert.equal((await fake.list(Pods, { namespace: 'ns' })).length, 1, 'one driver pod');
});

test('the UI Service is created in the background, once, while reconciles go on', async () => {
  const fake = new FakeClient();
  // Service creations wait until the test lets them through.
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let serviceCreates = 0;
  fake.hooks.beforeCreate = async (obj) => {
    if (obj.kind === 'Service' && obj.metadata?.name === 'pi-ui-svc') {
      serviceCreates++;
      await gate;
    }
  };
  const client = fake;
  const { reconcile } = setup(client);
  fake.seed(app());
  await reconcile();
  // The driver runs: the next reconciles want the UI Service.
  const driver = await fake.get(Pods, { namespace: 'ns', name: 'pi-driver' });
  await fake.status().update({ ...driver, status: { phase: 'Running' } } as V1Pod & KubeObject);
  await reconcile();
  await reconcile();
  await reconcile();
  assert.equal(stateOf(fake), 'RUNNING', 'the lifecycle went on without waiting for the Service');
  assert.equal(serviceCreates, 1, 'one creation in flight, not one per reconcile');
  release();
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(
    fake.writes.some((w) => w.verb === 'create' && w.kind === 'Service' && w.key === 'ns/pi-ui-svc'),
    'the UI Service exists',
  );
});
