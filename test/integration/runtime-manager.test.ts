// The manager against the real control plane: HTTP endpoints, graceful shutdown, events, stray rejections.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CoreV1Event, V1ConfigMap } from '@kubernetes/client-node';
import { controllerFor } from '../../src/runtime/builder.ts';
import { kind } from '../../src/runtime/client/client.ts';
import { mergePatch } from '../../src/runtime/client/patch.ts';
import { newLogger } from '../../src/runtime/log.ts';
import { Manager, type ManagerOptions } from '../../src/runtime/manager.ts';
import { gvkString } from '../../src/runtime/object.ts';
import { eventually, type TestNamespace, testNamespace } from '../support/kube.ts';

const ConfigMaps = kind<V1ConfigMap>('v1', 'ConfigMap');

function managerFor(ns: TestNamespace, extra: Partial<ManagerOptions> = {}): Manager {
  return new Manager({
    kubeConfig: ns.kc,
    cacheScopes: new Map([[gvkString(ConfigMaps), { namespaces: [ns.namespace] }]]),
    logger: newLogger({ level: process.env.SPARKOP_TEST_LOG ?? 'silent' }),
    ...extra,
  });
}

async function createConfigMap(manager: Manager, namespace: string, name: string): Promise<V1ConfigMap> {
  return manager.client.create<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });
}

test('graceful shutdown lets an in-flight reconcile finish, and takes no new work', async (t) => {
  const ns = await testNamespace(t);
  const manager = managerFor(ns);
  let started = 0;
  let finished = 0;
  let abortedSignal = false;
  controllerFor(manager)
    .for(ConfigMaps)
    .complete({
      async reconcile(ctx, req) {
        if (req.name !== 'slow') return;
        started++;
        await sleep(1500);
        abortedSignal ||= ctx.signal.aborted;
        // The client still works while the manager stops: the reconcile's last write lands.
        await manager.client.patch(ConfigMaps, req, mergePatch({ data: { done: 'yes' } }));
        finished++;
      },
    });
  const stop = new AbortController();
  const running = manager.start(stop.signal);
  t.after(() => stop.abort());
  await createConfigMap(manager, ns.namespace, 'slow');
  await eventually('the slow reconcile to start', async () => started === 1);
  stop.abort();
  await running;
  assert.equal(finished, 1, 'the in-flight reconcile finished before start() resolved');
  assert.equal(abortedSignal, false, 'within the grace period the reconciler is not told to abandon');
  const cm = await manager.client.apiReader.get(ConfigMaps, { namespace: ns.namespace, name: 'slow' });
  assert.equal(cm.data?.done, 'yes');
  // The reconcile's own patch was an update event after shutdown: nobody reconciled it again.
  assert.equal(started, 1);
});

test('whenReady: true once the caches synced and the runnables started; false when start ended first', async (t) => {
  const ns = await testNamespace(t);
  const manager = managerFor(ns);
  const stop = new AbortController();
  t.after(() => stop.abort());
  const running = manager.start(stop.signal);
  assert.equal(await manager.whenReady(), true);
  assert.equal(await manager.cache.waitForSync(), true, 'ready means synced');
  stop.abort();
  await running;

  // A cache that cannot sync (a kind the API server does not serve): start() fails, whenReady says false.
  const broken = new Manager({
    kubeConfig: ns.kc,
    cacheScopes: new Map([[gvkString(ConfigMaps), { namespaces: [ns.namespace] }]]),
    logger: newLogger({ level: 'silent' }),
  });
  controllerFor(broken)
    .for(kind<V1ConfigMap>('example.invalid/v1', 'NoSuchKind'))
    .complete({ async reconcile() {} });
  const failed = broken.start(new AbortController().signal);
  assert.equal(await broken.whenReady(), false);
  await assert.rejects(failed);
});

test('past gracefulShutdownTimeout the reconciler is told to abandon its work', async (t) => {
  const ns = await testNamespace(t);
  const manager = managerFor(ns, { gracefulShutdownTimeoutMs: 300 });
  let started = false;
  let abandoned = false;
  controllerFor(manager)
    .for(ConfigMaps)
    .complete({
      async reconcile(ctx) {
        started = true;
        await sleep(20_000, undefined, { signal: ctx.signal }).catch(() => (abandoned = true));
      },
    });
  const stop = new AbortController();
  const running = manager.start(stop.signal);
  t.after(() => stop.abort());
  await createConfigMap(manager, ns.namespace, 'stuck');
  await eventually('the reconcile to start', async () => started);
  const stopping = Date.now();
  stop.abort();
  await running;
  assert.equal(abandoned, true);
  assert.ok(Date.now() - stopping < 10_000, 'the manager did not wait for the stuck reconcile');
});

test('serves /metrics, /healthz and /readyz with named checks', async (t) => {
  const ns = await testNamespace(t);
  const manager = managerFor(ns, { metricsBindAddress: '127.0.0.1:0', healthProbeBindAddress: '127.0.0.1:0' });
  let ready = false;
  manager.addHealthzCheck('ping', () => undefined);
  manager.addReadyzCheck('warmed-up', () => {
    if (!ready) throw new Error('still warming up');
  });
  assert.throws(() => manager.addReadyzCheck('warmed-up', () => undefined), /already registered/);
  assert.throws(() => manager.addReadyzCheck('Bad Name', () => undefined), /lower-case/);
  let reconciled = 0;
  controllerFor(manager)
    .for(ConfigMaps)
    .complete({
      async reconcile() {
        reconciled++;
      },
    });
  const stop = new AbortController();
  const running = manager.start(stop.signal);
  t.after(async () => {
    stop.abort();
    await running;
  });
  await createConfigMap(manager, ns.namespace, 'a');
  await eventually('a reconcile', async () => reconciled > 0);
  const metricsAt = manager.addresses.metrics;
  const healthAt = manager.addresses.health;
  assert.ok(metricsAt && healthAt);
  const get = async (port: number, path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: await res.text() };
  };
  const metrics = await get(metricsAt.port, '/metrics');
  assert.equal(metrics.status, 200);
  for (const name of [
    'controller_runtime_reconcile_total{controller="configmap",result="success"}',
    'controller_runtime_reconcile_time_seconds_bucket',
    'controller_runtime_active_workers{controller="configmap"}',
    'controller_runtime_max_concurrent_reconciles{controller="configmap"} 1',
    'workqueue_depth{name="configmap"}',
    'workqueue_adds_total{name="configmap"}',
    'workqueue_queue_duration_seconds_bucket',
    'workqueue_work_duration_seconds_bucket',
    'workqueue_retries_total{name="configmap"}',
    'workqueue_unfinished_work_seconds{name="configmap"}',
    'workqueue_longest_running_processor_seconds{name="configmap"}',
    'rest_client_requests_total',
  ]) {
    assert.ok(metrics.body.includes(name), `metrics include ${name}`);
  }
  assert.deepEqual(await get(healthAt.port, '/healthz'), { status: 200, body: 'ok\n' });
  const notReady = await get(healthAt.port, '/readyz');
  assert.equal(notReady.status, 500);
  assert.match(notReady.body, /\[-\]warmed-up failed: still warming up/);
  ready = true;
  assert.deepEqual(await get(healthAt.port, '/readyz'), { status: 200, body: 'ok\n' });
  assert.match((await get(healthAt.port, '/readyz/warmed-up')).body, /\[\+\]warmed-up ok/);
  assert.equal((await get(healthAt.port, '/readyz/nope')).status, 404);
  assert.equal((await get(healthAt.port, '/metrics')).status, 404, 'metrics only on the metrics address');
});

test('events: repeats aggregate into one core/v1 Event with a count', async (t) => {
  const ns = await testNamespace(t);
  const manager = managerFor(ns);
  const stop = new AbortController();
  const running = manager.start(stop.signal);
  t.after(() => stop.abort());
  const cm = await createConfigMap(manager, ns.namespace, 'subject');
  const recorder = manager.getEventRecorderFor('runtime-test');
  for (let i = 0; i < 3; i++) recorder.event(cm, 'Warning', 'Flapping', 'the same thing again');
  recorder.event(cm, 'Normal', 'Settled', 'something else');
  stop.abort();
  await running; // flushes the recorder
  const events = (await ns.core.listNamespacedEvent({ namespace: ns.namespace })).items.filter(
    (e: CoreV1Event) => e.involvedObject.name === 'subject',
  );
  const byReason = Object.fromEntries(events.map((e) => [e.reason, e]));
  assert.equal(events.length, 2);
  assert.equal(byReason.Flapping?.count, 3);
  assert.equal(byReason.Flapping?.type, 'Warning');
  assert.equal(byReason.Flapping?.source?.component, 'runtime-test');
  assert.equal(byReason.Flapping?.involvedObject.uid, cm.metadata?.uid);
  assert.equal(byReason.Settled?.count, 1);
});

// Runs in a child process: the test runner itself would treat the rejection as a test failure.
const STRAY_REJECTION_SCRIPT = `
import { KubeConfig } from '@kubernetes/client-node';
import { controllerFor } from '${new URL('../../src/runtime/builder.ts', import.meta.url).pathname}';
import { kind } from '${new URL('../../src/runtime/client/client.ts', import.meta.url).pathname}';
import { Manager } from '${new URL('../../src/runtime/manager.ts', import.meta.url).pathname}';
import { gvkString } from '${new URL('../../src/runtime/object.ts', import.meta.url).pathname}';
const [kubeconfig, namespace] = process.argv.slice(-2);
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const ConfigMaps = kind('v1', 'ConfigMap');
const manager = new Manager({ kubeConfig: kc, cacheScopes: new Map([[gvkString(ConfigMaps), { namespaces: [namespace] }]]) });
let reconciled = 0;
controllerFor(manager).for(ConfigMaps).complete({
  async reconcile() {
    reconciled++;
    void Promise.reject(new Error('stray rejection')); // fire-and-forget gone wrong
  },
});
const stop = new AbortController();
const running = manager.start(stop.signal);
for (const name of ['one', 'two']) {
  await manager.client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });
}
// Until every reconcile's rejection is counted (or 10 s pass: the parent then sees the count that was reached).
let line;
for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
  line = (await manager.registry.metrics()).split('\\n').find((l) => l.startsWith('sparkop_runtime_unhandled_rejections_total'));
  if (reconciled >= 2 && line?.endsWith(\` \${reconciled}\`)) break;
  await new Promise((r) => setTimeout(r, 50));
}
stop.abort();
await running;
console.log(JSON.stringify({ reconciled, line }));
`;

test('a stray promise rejection from a reconciler is logged and counted, not fatal', async (t) => {
  const ns = await testNamespace(t);
  const child = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', STRAY_REJECTION_SCRIPT, ns.kubeconfigPath, ns.namespace],
    { encoding: 'utf8', timeout: 60_000, cwd: new URL('../..', import.meta.url).pathname },
  );
  assert.equal(child.status, 0, `child exited ${child.status}: ${child.stderr}`);
  const result = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}');
  // Every reconcile (ours and the namespace's kube-root-ca.crt) left one stray rejection behind.
  assert.ok(result.reconciled >= 2);
  assert.equal(result.line, `sparkop_runtime_unhandled_rejections_total ${result.reconciled}`);
});
