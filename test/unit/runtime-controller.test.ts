import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { type ControllerHost, controllerFor } from '../../src/runtime/builder.ts';
import type { Informer, InformerEventHandler, Registration } from '../../src/runtime/cache/types.ts';
import { FakeClock } from '../../src/runtime/clock.ts';
import { CacheSyncTimeoutError } from '../../src/runtime/controller.ts';
import type { Runnable } from '../../src/runtime/manager.ts';
import { newRegistry, RuntimeMetrics } from '../../src/runtime/metrics.ts';
import type { GroupVersionKind, KubeObject, ObjectKey } from '../../src/runtime/object.ts';
import { keyString } from '../../src/runtime/object.ts';
import { generationChanged, labelSelector } from '../../src/runtime/predicate.ts';
import {
  decide,
  type Outcome,
  type ReconcileContext,
  type Request,
  type Result,
  TerminalError,
} from '../../src/runtime/reconcile.ts';
import { ItemExponentialRateLimiter } from '../../src/runtime/workqueue/ratelimiter.ts';

const Parent: GroupVersionKind = { group: 'example.dev', version: 'v1', kind: 'Parent' };
const Child: GroupVersionKind = { group: '', version: 'v1', kind: 'ConfigMap' };
const Other: GroupVersionKind = { group: '', version: 'v1', kind: 'Secret' };

/** An informer fed by the test. */
class FakeInformer implements Informer {
  readonly gvk: GroupVersionKind;
  readonly #handlers = new Set<InformerEventHandler>();
  synced = true;
  constructor(gvk: GroupVersionKind) {
    this.gvk = gvk;
  }
  addEventHandler(handler: InformerEventHandler): Registration {
    this.#handlers.add(handler);
    return { remove: () => this.#handlers.delete(handler) };
  }
  hasSynced(): boolean {
    return this.synced;
  }
  get(_key: ObjectKey): KubeObject | undefined {
    return undefined;
  }
  list(): readonly KubeObject[] {
    return [];
  }
  add(obj: KubeObject): void {
    for (const h of this.#handlers) h.onAdd?.(obj, false);
  }
  update(o: KubeObject, n: KubeObject): void {
    for (const h of this.#handlers) h.onUpdate?.(o, n);
  }
  delete(obj: KubeObject): void {
    for (const h of this.#handlers) h.onDelete?.(obj);
  }
  get handlerCount(): number {
    return this.#handlers.size;
  }
}

interface Fixture {
  host: ControllerHost;
  clock: FakeClock;
  informers: Map<string, FakeInformer>;
  registry: ReturnType<typeof newRegistry>;
  runnables: Runnable[];
  logLines: Record<string, unknown>[];
  informer(gvk: GroupVersionKind): FakeInformer;
}

function fixture(): Fixture {
  const clock = new FakeClock();
  const informers = new Map<string, FakeInformer>();
  const registry = newRegistry();
  const runnables: Runnable[] = [];
  const logLines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  const informer = (gvk: GroupVersionKind) => {
    let i = informers.get(gvk.kind);
    if (!i) {
      i = new FakeInformer(gvk);
      informers.set(gvk.kind, i);
    }
    return i;
  };
  const host: ControllerHost = {
    clock,
    log: pino({ level: 'debug' }, sink),
    metrics: RuntimeMetrics.for(registry),
    add: (r) => runnables.push(r),
    // biome-ignore lint/suspicious/noExplicitAny: the fake serves every kind with one untyped informer
    getInformer: async (gvk) => informer(gvk) as any,
  };
  return { host, clock, informers, registry, runnables, logLines, informer };
}

/** Lets promises and the workers run until nothing changes. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

async function metric(registry: ReturnType<typeof newRegistry>, line: string): Promise<number> {
  const found = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

const parent = (name: string, extra: Partial<NonNullable<KubeObject['metadata']>> = {}): KubeObject => ({
  apiVersion: 'example.dev/v1',
  kind: 'Parent',
  metadata: { namespace: 'ns', name, ...extra },
});

/** A reconciler that records requests and answers from a script. */
function scripted(answer: (req: Request, n: number) => Result | undefined | Promise<Result | undefined>) {
  const calls: string[] = [];
  const contexts: ReconcileContext[] = [];
  return {
    calls,
    contexts,
    reconciler: {
      async reconcile(ctx: ReconcileContext, req: Request) {
        calls.push(keyString(req));
        contexts.push(ctx);
        return answer(req, calls.length);
      },
    },
  };
}

describe('decide: the one outcome policy', () => {
  const cases: [string, Outcome, ReturnType<typeof decide>][] = [
    ['done', { kind: 'result', result: undefined }, { action: { op: 'forget' }, label: 'success' }],
    ['empty result', { kind: 'result', result: {} }, { action: { op: 'forget' }, label: 'success' }],
    ['requeue', { kind: 'result', result: { requeue: true } }, { action: { op: 'rateLimited' }, label: 'requeue' }],
    [
      'requeueAfter wins over requeue',
      { kind: 'result', result: { requeue: true, requeueAfter: 500 } },
      { action: { op: 'forgetAndAddAfter', delayMs: 500 }, label: 'requeue_after' },
    ],
    [
      'requeueAfter 0 is done',
      { kind: 'result', result: { requeueAfter: 0 } },
      { action: { op: 'forget' }, label: 'success' },
    ],
    [
      'error',
      { kind: 'error', error: new Error('x') },
      { action: { op: 'rateLimited' }, label: 'error', error: 'retry' },
    ],
    [
      'terminal error',
      { kind: 'error', error: new TerminalError('bad spec') },
      { action: { op: 'forget' }, label: 'error', error: 'terminal' },
    ],
    [
      'terminal error as a cause',
      { kind: 'error', error: new Error('wrapped', { cause: new TerminalError('bad spec') }) },
      { action: { op: 'forget' }, label: 'error', error: 'terminal' },
    ],
    [
      'thrown non-error',
      { kind: 'error', error: 'a string' },
      { action: { op: 'rateLimited' }, label: 'error', error: 'retry' },
    ],
  ];
  for (const [name, outcome, expected] of cases) test(name, () => assert.deepEqual(decide(outcome), expected));
});

describe('controller', () => {
  test('for / owns / watches route events to the right requests, through predicates', async (t) => {
    const f = fixture();
    const { calls, reconciler } = scripted(() => undefined);
    const controller = controllerFor(f.host)
      .for(Parent, generationChanged)
      .owns(Child)
      .watches(Other, (s: KubeObject) => [{ namespace: 'ns', name: `from-${s.metadata?.name}` }])
      .withPredicates(labelSelector({ matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] }))
      .complete(reconciler);
    assert.equal(f.runnables[0], controller);
    assert.equal(controller.name, 'parent');
    const stop = new AbortController();
    t.after(() => stop.abort());
    const running = controller.start(stop.signal);
    await settle();

    f.informer(Parent).add(parent('p1'));
    f.informer(Parent).update(parent('p2', { generation: 1 }), parent('p2', { generation: 1, resourceVersion: '2' }));
    f.informer(Parent).update(parent('p3', { generation: 1 }), parent('p3', { generation: 2 }));
    f.informer(Parent).add(parent('p4', { labels: { skip: 'yes' } }));
    f.informer(Child).add({
      metadata: {
        namespace: 'ns',
        name: 'cm',
        ownerReferences: [
          { apiVersion: 'example.dev/v1', kind: 'Parent', name: 'owner', uid: 'u1', controller: true },
          { apiVersion: 'example.dev/v1', kind: 'Parent', name: 'not-controller', uid: 'u2' },
          { apiVersion: 'other.dev/v1', kind: 'Parent', name: 'other-group', uid: 'u3', controller: true },
        ],
      },
    });
    f.informer(Other).delete({ metadata: { namespace: 'ns', name: 's1' } });
    await settle();
    assert.deepEqual([...calls].sort(), ['ns/from-s1', 'ns/owner', 'ns/p1', 'ns/p3']);
    stop.abort();
    await running;
    assert.equal(f.informer(Parent).handlerCount, 0, 'handlers removed at stop');
  });

  test('outcomes: error retries with backoff, terminal error and done stop, requeueAfter comes back', async (t) => {
    const f = fixture();
    const script: Record<string, (n: number) => Result | undefined> = {
      flaky: (n) => {
        if (n < 3) throw new Error(`attempt ${n} failed`);
        return undefined;
      },
      terminal: () => {
        throw new TerminalError('spec is invalid');
      },
      later: (n) => (n === 1 ? { requeueAfter: 60_000 } : undefined),
      again: (n) => (n === 1 ? { requeue: true } : undefined),
      garbage: (n) => (n === 1 ? ({ requeueAfter: -5 } as Result) : undefined),
    };
    const perKey = new Map<string, number>();
    const { calls, reconciler } = scripted((req) => {
      const n = (perKey.get(req.name) ?? 0) + 1;
      perKey.set(req.name, n);
      return script[req.name]?.(n);
    });
    const controller = controllerFor(f.host)
      .for(Parent)
      .withOptions({ rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 100 }) })
      .complete(reconciler);
    const stop = new AbortController();
    t.after(() => stop.abort());
    const running = controller.start(stop.signal);
    await settle();
    for (const name of Object.keys(script)) f.informer(Parent).add(parent(name));
    await settle();
    const count = (name: string) => calls.filter((c) => c === `ns/${name}`).length;
    assert.deepEqual(Object.keys(script).map(count), [1, 1, 1, 1, 1]);

    f.clock.advance(100);
    await settle();
    assert.equal(count('flaky'), 2, 'first retry after 100 ms');
    assert.equal(count('again'), 2, 'requeue goes through the rate limiter');
    assert.equal(count('garbage'), 2, 'an invalid result is an error: retried');
    f.clock.advance(200);
    await settle();
    assert.equal(count('flaky'), 3, 'second retry after 200 ms more');
    f.clock.advance(60_000);
    await settle();
    assert.equal(count('later'), 2, 'requeueAfter brings it back');
    f.clock.advance(10_000_000);
    await settle();
    assert.deepEqual(Object.keys(script).map(count), [3, 1, 2, 2, 2], 'nothing else comes back');
    assert.equal(controller.queue.numRequeues('ns/flaky'), 0, 'success forgets the backoff');

    const m = (l: string) => metric(f.registry, l);
    assert.equal(await m('controller_runtime_reconcile_total{controller="parent",result="error"}'), 4);
    assert.equal(await m('controller_runtime_reconcile_total{controller="parent",result="success"}'), 4);
    assert.equal(await m('controller_runtime_reconcile_total{controller="parent",result="requeue"}'), 1);
    assert.equal(await m('controller_runtime_reconcile_total{controller="parent",result="requeue_after"}'), 1);
    assert.equal(await m('controller_runtime_reconcile_errors_total{controller="parent"}'), 4);
    assert.equal(await m('controller_runtime_terminal_reconcile_errors_total{controller="parent"}'), 1);
    assert.equal(await m('controller_runtime_reconcile_time_seconds_count{controller="parent"}'), 10);
    assert.equal(await m('controller_runtime_max_concurrent_reconciles{controller="parent"}'), 1);
    assert.equal(await m('controller_runtime_active_workers{controller="parent"}'), 0);
    stop.abort();
    await running;
  });

  test('a reconciler that throws synchronously or rejects with non-errors never stops the workers', async (t) => {
    const f = fixture();
    let n = 0;
    const controller = controllerFor(f.host)
      .for(Parent)
      .withOptions({ maxConcurrentReconciles: 2 })
      .complete({
        reconcile(_ctx, req) {
          n++;
          if (req.name.startsWith('sync')) throw new Error('thrown before any await');
          if (req.name.startsWith('str')) return Promise.reject('a bare string');
          return Promise.resolve(undefined);
        },
      });
    const stop = new AbortController();
    t.after(() => stop.abort());
    const running = controller.start(stop.signal);
    await settle();
    for (let i = 0; i < 5; i++) {
      f.informer(Parent).add(parent(`sync${i}`));
      f.informer(Parent).add(parent(`str${i}`));
      f.informer(Parent).add(parent(`ok${i}`));
    }
    await settle();
    assert.equal(n, 15);
    stop.abort();
    await running;
  });

  test('a throwing predicate or map function drops that event only', async (t) => {
    const f = fixture();
    const { calls, reconciler } = scripted(() => undefined);
    controllerFor(f.host)
      .for(Parent)
      .watches(Other, (s: KubeObject) => {
        if (s.metadata?.name === 'bad') throw new Error('map failed');
        return [{ namespace: 'ns', name: 'mapped' }];
      })
      .complete(reconciler);
    const stop = new AbortController();
    t.after(() => stop.abort());
    const running = f.runnables[0]?.start(stop.signal);
    await settle();
    f.informer(Other).add({ metadata: { namespace: 'ns', name: 'bad' } });
    f.informer(Other).add({ metadata: { namespace: 'ns', name: 'good' } });
    await settle();
    assert.deepEqual(calls, ['ns/mapped']);
    assert.ok(f.logLines.some((l) => l.msg === 'event handler or predicate failed; event dropped'));
    stop.abort();
    await running;
  });

  test('every reconcile logs controller, namespace, name and a unique reconcileID', async (t) => {
    const f = fixture();
    const { contexts, reconciler } = scripted(() => undefined);
    const controller = controllerFor(f.host).for(Parent).complete(reconciler);
    const stop = new AbortController();
    t.after(() => stop.abort());
    const running = controller.start(stop.signal);
    await settle();
    f.informer(Parent).add(parent('a'));
    await settle();
    f.informer(Parent).add(parent('a'));
    await settle();
    assert.equal(contexts.length, 2);
    assert.notEqual(contexts[0]?.reconcileID, contexts[1]?.reconcileID);
    assert.match(contexts[0]?.reconcileID ?? '', /^[0-9a-f-]{36}$/);
    const reconciled = f.logLines.filter((l) => l.msg === 'reconciled');
    assert.equal(reconciled.length, 2);
    for (const line of reconciled) {
      assert.equal(line.controller, 'parent');
      assert.equal(line.namespace, 'ns');
      assert.equal(line.name, 'a');
      assert.equal(line.controllerKind, 'Parent');
      assert.ok(typeof line.reconcileID === 'string');
    }
    stop.abort();
    await running;
  });

  test('whenCaughtUp: once every key queued before the workers started was reconciled once, whatever its outcome', async (t) => {
    const f = fixture();
    f.informer(Parent).synced = false;
    const slow = Promise.withResolvers<void>();
    const { calls, reconciler } = scripted(async (req) => {
      if (req.name === 'slow') await slow.promise;
      if (req.name === 'broken') throw new Error('fails every time');
      return undefined;
    });
    const controller = controllerFor(f.host)
      .for(Parent)
      .withOptions({ maxConcurrentReconciles: 2 })
      .complete(reconciler);
    const stop = new AbortController();
    t.after(() => stop.abort());
    const running = controller.start(stop.signal);
    let caughtUp: boolean | undefined;
    void controller.whenCaughtUp().then((v) => (caughtUp = v));
    await settle();
    // The initial list: delivered before the source counts as synced.
    for (const name of ['a', 'slow', 'broken']) f.informer(Parent).add(parent(name));
    f.informer(Parent).synced = true;
    f.clock.advance(100);
    await settle();
    assert.deepEqual([...calls].sort(), ['ns/a', 'ns/broken', 'ns/slow']);
    // A key that arrives after the start is not part of catching up; the failed one counts as looked at.
    f.informer(Parent).add(parent('later'));
    await settle();
    assert.equal(caughtUp, undefined, 'still reconciling "slow"');
    slow.resolve();
    await settle();
    assert.equal(caughtUp, true);
    const line = f.logLines.find((l) => l.msg === 'caught up: every key of the initial lists reconciled');
    assert.equal(line?.initialKeys, 3);
    stop.abort();
    await running;
  });

  test('whenCaughtUp: true at once with nothing to catch up; false when the controller stops first', async () => {
    const empty = fixture();
    const idle = controllerFor(empty.host)
      .for(Parent)
      .complete({ reconcile: async () => undefined });
    const stopIdle = new AbortController();
    const idleRunning = idle.start(stopIdle.signal);
    await settle();
    assert.equal(await idle.whenCaughtUp(), true);
    stopIdle.abort();
    await idleRunning;

    const f = fixture();
    f.informer(Parent).synced = false;
    const never = Promise.withResolvers<void>();
    const controller = controllerFor(f.host)
      .for(Parent)
      .complete({ reconcile: () => never.promise.then(() => undefined) });
    const stop = new AbortController();
    const running = controller.start(stop.signal);
    await settle();
    f.informer(Parent).add(parent('stuck'));
    f.informer(Parent).synced = true;
    f.clock.advance(100);
    await settle();
    stop.abort();
    never.resolve();
    await running;
    assert.equal(await controller.whenCaughtUp(), true, 'its one key finished while stopping');

    const g = fixture();
    g.informer(Parent).synced = false;
    const unsynced = controllerFor(g.host)
      .for(Parent)
      .complete({ reconcile: async () => undefined });
    const stopUnsynced = new AbortController();
    const unsyncedRunning = unsynced.start(stopUnsynced.signal);
    await settle();
    stopUnsynced.abort();
    await unsyncedRunning;
    assert.equal(await unsynced.whenCaughtUp(), false, 'stopped before its sources synced');
  });

  test('start fails with CacheSyncTimeoutError when a source never syncs', async () => {
    const f = fixture();
    f.informer(Parent).synced = false;
    const controller = controllerFor(f.host)
      .for(Parent)
      .withOptions({ cacheSyncTimeoutMs: 5000 })
      .complete({ reconcile: async () => undefined });
    const running = controller.start(new AbortController().signal);
    await settle();
    f.clock.advance(5000);
    await assert.rejects(running, (err: unknown) => {
      assert.ok(err instanceof CacheSyncTimeoutError);
      assert.match(err.message, /did not sync within 5000 ms/);
      return true;
    });
  });

  test('builder mistakes are explained', () => {
    const f = fixture();
    assert.throws(() => controllerFor(f.host).complete({ reconcile: async () => undefined }), /call for\(kind\)/);
    assert.throws(() => controllerFor(f.host).for(Parent).for(Child), /already called \(with kind Parent\)/);
    assert.throws(
      () =>
        controllerFor(f.host)
          .for(Parent)
          .withOptions({ maxConcurrentReconciles: 0 })
          .build({ reconcile: async () => undefined }),
      /maxConcurrentReconciles must be an integer >= 1/,
    );
  });
});
