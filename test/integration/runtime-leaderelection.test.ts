// Two managers, one Lease: only the leader runs its controllers; a released or crashed leader is replaced within
// the lease duration and the "leading" intervals never overlap; a leader that loses its lease stops.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { controllerFor } from '../../src/runtime/builder.ts';
import { kind } from '../../src/runtime/client/client.ts';
import { newLogger } from '../../src/runtime/log.ts';
import { LeaderElectionLostError, Manager, type ManagerOptions } from '../../src/runtime/manager.ts';
import { gvkString, type KubeObject } from '../../src/runtime/object.ts';
import { eventually, type TestNamespace, testNamespace } from '../support/kube.ts';

const ConfigMaps = kind<V1ConfigMap>('v1', 'ConfigMap');
const Leases = kind<KubeObject & { spec?: Record<string, unknown> }>('coordination.k8s.io/v1', 'Lease');
// Short timings keep the test quick; the proportions are the defaults' (15 s / 10 s / 2 s).
const LEASE_MS = 4000;
const RETRY_MS = 500;

interface Candidate {
  readonly name: string;
  readonly manager: Manager;
  /** When its leader-only runnables started, and when it had stopped them all (start() settled). */
  readonly leading: { start: number; end?: number }[];
  reconciled: number;
  readonly stop: () => Promise<void>;
  /** Settles when start() settles; the error, if it rejected. */
  readonly done: Promise<unknown>;
  lost: number;
}

function candidate(ns: TestNamespace, name: string, extra: Partial<ManagerOptions['leaderElection']> = {}): Candidate {
  const c: { -readonly [K in keyof Candidate]: Candidate[K] } = { name, leading: [], reconciled: 0, lost: 0 } as never;
  c.manager = new Manager({
    kubeConfig: ns.kc,
    cacheScopes: new Map([[gvkString(ConfigMaps), { namespaces: [ns.namespace] }]]),
    logger: newLogger({ level: process.env.SPARKOP_TEST_LOG ?? 'silent', name }),
    leaderElection: {
      leaseName: 'runtime-test',
      leaseNamespace: ns.namespace,
      identity: name,
      leaseDurationMs: LEASE_MS,
      renewDeadlineMs: 3000,
      retryPeriodMs: RETRY_MS,
      onLeaderLost: () => c.lost++,
      ...extra,
    },
  });
  controllerFor(c.manager)
    .for(ConfigMaps)
    .complete({
      async reconcile() {
        c.reconciled++;
      },
    });
  c.manager.add({
    needLeaderElection: true,
    async start() {
      c.leading.push({ start: Date.now() });
    },
  });
  const stop = new AbortController();
  c.done = c.manager.start(stop.signal).then(
    () => undefined,
    (err: unknown) => err,
  );
  void c.done.then(() => {
    const last = c.leading.at(-1);
    if (last) last.end = Date.now();
  });
  c.stop = async () => {
    stop.abort();
    await c.done;
  };
  return c;
}

function assertNoOverlap(a: Candidate, b: Candidate): void {
  const all = [...a.leading.map((i) => ({ ...i, who: a.name })), ...b.leading.map((i) => ({ ...i, who: b.name }))];
  all.sort((x, y) => x.start - y.start);
  for (let i = 1; i < all.length; i++) {
    const prev = all[i - 1];
    const next = all[i];
    assert.ok(prev && next && prev.end !== undefined, `${prev?.who} still leading when ${next?.who} started`);
    assert.ok(prev.end <= next.start, `${prev.who} led until ${prev.end}, ${next.who} from ${next.start}`);
  }
}

async function createConfigMap(manager: Manager, namespace: string, name: string): Promise<void> {
  await manager.client.create<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });
}

test('only the leader runs controllers; a clean release hands over at once', async (t) => {
  const ns = await testNamespace(t);
  const a = candidate(ns, 'a');
  t.after(a.stop);
  await eventually('a leads', async () => a.leading.length === 1);
  const b = candidate(ns, 'b');
  t.after(b.stop);
  await createConfigMap(a.manager, ns.namespace, 'work-1');
  await eventually('a reconciles', async () => a.reconciled >= 2); // work-1 and kube-root-ca.crt
  await new Promise((r) => setTimeout(r, 1.5 * LEASE_MS)); // b has had every chance to take over
  assert.equal(b.leading.length, 0, 'b does not lead while a renews');
  assert.equal(b.reconciled, 0, "b's controllers never ran");
  assert.equal(b.manager.isLeader, false);

  await a.stop();
  const releasedAt = Date.now();
  await eventually('b leads', async () => b.leading.length === 1, { timeoutMs: 3 * LEASE_MS });
  const handover = (b.leading[0]?.start ?? 0) - releasedAt;
  t.diagnostic(`handover ${handover} ms after a clean release`);
  assert.ok(handover < LEASE_MS, `handover took ${handover} ms after a clean release (lease ${LEASE_MS} ms)`);
  await eventually('b reconciles', async () => b.reconciled >= 2);
  assertNoOverlap(a, b);
  const lease = await b.manager.client.apiReader.get(Leases, { namespace: ns.namespace, name: 'runtime-test' });
  assert.equal(lease.spec?.holderIdentity, 'b');
  assert.equal(lease.spec?.leaseTransitions, 1);
  assert.match(await b.manager.registry.metrics(), /leader_election_master_status\{name="runtime-test"\} 1/);
});

test('a crashed leader (renewals stop, lease kept) is replaced after the lease expires, never before', async (t) => {
  const ns = await testNamespace(t);
  const a = candidate(ns, 'a', { releaseOnCancel: false });
  t.after(a.stop);
  await eventually('a leads', async () => a.leading.length === 1);
  const b = candidate(ns, 'b');
  t.after(b.stop);
  await new Promise((r) => setTimeout(r, LEASE_MS));
  assert.equal(b.leading.length, 0);

  await a.stop(); // like a crash: no release
  const crashedAt = Date.now();
  const lease = await b.manager.client.apiReader.get(Leases, { namespace: ns.namespace, name: 'runtime-test' });
  assert.equal(lease.spec?.holderIdentity, 'a', 'the crashed leader still holds the lease');
  await eventually('b leads', async () => b.leading.length === 1, { timeoutMs: 4 * LEASE_MS });
  const handover = (b.leading[0]?.start ?? 0) - crashedAt;
  t.diagnostic(`handover ${handover} ms after a crash (lease ${LEASE_MS} ms)`);
  assert.ok(
    handover >= LEASE_MS - 2 * RETRY_MS,
    `b took over ${handover} ms after the crash: before the lease expired`,
  );
  assert.ok(handover <= LEASE_MS + 4 * RETRY_MS, `b took over ${handover} ms after the crash (lease ${LEASE_MS} ms)`);
  assertNoOverlap(a, b);
});

test('a leader whose lease is taken away stops its controllers and reports the loss', async (t) => {
  const ns = await testNamespace(t);
  const a = candidate(ns, 'a');
  t.after(a.stop);
  await eventually('a leads', async () => a.leading.length === 1);
  const key = { namespace: ns.namespace, name: 'runtime-test' };
  const lease = structuredClone(await a.manager.client.apiReader.get(Leases, key));
  await a.manager.client.update({
    ...lease,
    spec: { ...lease.spec, holderIdentity: 'intruder', leaseDurationSeconds: 60 },
  });
  const err = await a.done;
  assert.ok(err instanceof LeaderElectionLostError, `start() rejected with ${String(err)}`);
  assert.equal(a.lost, 1, 'onLeaderLost called once');
  assert.ok(a.leading[0]?.end !== undefined, 'leader-only runnables stopped');
  const reconciledBefore = a.reconciled;
  await createConfigMap(a.manager, ns.namespace, 'after-loss');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(a.reconciled, reconciledBefore, 'no reconcile after the loss');
});
