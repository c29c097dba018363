// The reconcile loop against the real control plane: the cache feeds the queue, workers reconcile ConfigMaps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { controllerFor } from '../../src/runtime/builder.ts';
import { kind } from '../../src/runtime/client/client.ts';
import { mergePatch } from '../../src/runtime/client/patch.ts';
import { isConflict, isNotFound } from '../../src/runtime/errors.ts';
import { newLogger } from '../../src/runtime/log.ts';
import { Manager } from '../../src/runtime/manager.ts';
import { gvkString, keyString } from '../../src/runtime/object.ts';
import { eventually, type TestNamespace, testNamespace } from '../support/kube.ts';

const ConfigMaps = kind<V1ConfigMap>('v1', 'ConfigMap');

function managerFor(ns: TestNamespace, extra: Partial<ConstructorParameters<typeof Manager>[0]> = {}): Manager {
  return new Manager({
    kubeConfig: ns.kc,
    cacheScopes: new Map([[gvkString(ConfigMaps), { namespaces: [ns.namespace] }]]),
    logger: newLogger({ level: process.env.SPARKOP_TEST_LOG ?? 'silent' }),
    ...extra,
  });
}

function run(manager: Manager): { stop: () => Promise<void> } {
  const controller = new AbortController();
  const running = manager.start(controller.signal);
  return {
    stop: async () => {
      controller.abort();
      await running;
    },
  };
}

test('8 workers never reconcile one key at the same time, under bursts of updates', async (t) => {
  const ns = await testNamespace(t);
  const manager = managerFor(ns);
  const inFlight = new Set<string>();
  const overlaps: string[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const lastSeen = new Map<string, string>();
  controllerFor(manager)
    .for(ConfigMaps)
    .withOptions({ maxConcurrentReconciles: 8 })
    .complete({
      async reconcile(_ctx, req) {
        const key = keyString(req);
        if (inFlight.has(key)) overlaps.push(key);
        inFlight.add(key);
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        try {
          const cm = await manager.client.get(ConfigMaps, req).catch((err) => {
            if (isNotFound(err)) return undefined;
            throw err;
          });
          await sleep(5 + Math.random() * 20);
          if (cm) lastSeen.set(key, cm.data?.round ?? '');
        } finally {
          concurrent--;
          inFlight.delete(key);
        }
      },
    });
  const running = run(manager);
  t.after(running.stop);

  const names = Array.from({ length: 16 }, (_, i) => `cm-${i}`);
  await Promise.all(
    names.map((name) =>
      manager.client.create<V1ConfigMap>({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: ns.namespace },
        data: { round: '0' },
      }),
    ),
  );
  const rounds = 8;
  for (let round = 1; round <= rounds; round++) {
    await Promise.all(
      names.map((name) =>
        manager.client.patch(
          ConfigMaps,
          { namespace: ns.namespace, name },
          mergePatch({ data: { round: `${round}` } }),
        ),
      ),
    );
  }
  await eventually(
    'every ConfigMap reconciled at its last round',
    async () => names.every((name) => lastSeen.get(`${ns.namespace}/${name}`) === `${rounds}`),
    { timeoutMs: 30_000 },
  );
  assert.deepEqual(overlaps, [], 'no key reconciled by two workers at once');
  assert.ok(maxConcurrent > 1, `workers ran in parallel (max ${maxConcurrent})`);
});

test('optimistic-concurrency conflicts are retried: the reconciler re-reads and converges', async (t) => {
  const ns = await testNamespace(t);
  const manager = managerFor(ns);
  let conflicts = 0;
  const key = { namespace: ns.namespace, name: 'shared' };
  controllerFor(manager)
    .for(ConfigMaps)
    .complete({
      // Writes data.output = data.input doubled, with an update guarded by the resourceVersion it read.
      async reconcile(_ctx, req) {
        const cm = structuredClone(await manager.client.get(ConfigMaps, req));
        const want = String(Number(cm.data?.input ?? '0') * 2);
        if (cm.data?.output === want) return;
        await sleep(30); // work between read and write: the other writer gets in
        try {
          await manager.client.update({ ...cm, data: { ...cm.data, output: want } });
        } catch (err) {
          if (isConflict(err)) conflicts++;
          throw err; // retried with backoff by the controller
        }
      },
    });
  const running = run(manager);
  t.after(running.stop);

  await manager.client.create<V1ConfigMap>({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...key },
    data: { input: '0' },
  });
  // The second writer: read-modify-update of data.input, retrying its own conflicts.
  for (let i = 1; i <= 25; i++) {
    for (;;) {
      const cm = structuredClone(await manager.client.apiReader.get(ConfigMaps, key));
      try {
        await manager.client.update({ ...cm, data: { ...cm.data, input: String(i) } });
        break;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    await sleep(15);
  }
  const final = await eventually(
    'output converges to 2 × the last input',
    async () => {
      const cm = await manager.client.apiReader.get(ConfigMaps, key);
      return cm.data?.output === '50' ? cm : undefined;
    },
    { timeoutMs: 30_000 },
  );
  assert.equal(final.data?.input, '25');
  assert.ok(conflicts > 0, 'the two writers did conflict');
  const metrics = await manager.registry.metrics();
  assert.match(metrics, /controller_runtime_reconcile_errors_total\{controller="configmap"\} [1-9]/);
});
