import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../src/runtime/clock.ts';
import { newRegistry, RuntimeMetrics } from '../../src/runtime/metrics.ts';
import { WorkQueue } from '../../src/runtime/workqueue/queue.ts';
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
} from '../../src/runtime/workqueue/ratelimiter.ts';

/** The value of `metric{name=…}` in a registry's text output. */
async function metricValue(registry: ReturnType<typeof newRegistry>, line: string): Promise<number> {
  const text = await registry.metrics();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  assert.ok(found, `metric line ${line} in:\n${text}`);
  return Number(found.slice(line.length + 1));
}

describe('rate limiters', () => {
  test('exponential: 5 ms doubling to the 1000 s cap, per item, reset by forget', () => {
    const rl = new ItemExponentialRateLimiter<string>();
    const delays = Array.from({ length: 20 }, () => rl.when('a'));
    assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
    assert.equal(Math.max(...delays), 1_000_000);
    assert.equal(delays.at(-1), 1_000_000);
    assert.equal(rl.when('b'), 5, 'other items have their own history');
    assert.equal(rl.numRequeues('a'), 20);
    rl.forget('a');
    assert.equal(rl.numRequeues('a'), 0);
    assert.equal(rl.when('a'), 5);
  });

  test('exponential: never overflows past the cap', () => {
    const rl = new ItemExponentialRateLimiter<string>({ baseDelayMs: 1, maxDelayMs: 10 });
    for (let i = 0; i < 2000; i++) assert.ok(rl.when('x') <= 10);
  });

  test('bucket: burst free, then spaced at 1/qps', () => {
    const clock = new FakeClock();
    const rl = new BucketRateLimiter<string>({ qps: 10, burst: 100, clock });
    for (let i = 0; i < 100; i++) assert.equal(rl.when(`k${i}`), 0);
    assert.equal(rl.when('x'), 100);
    assert.equal(rl.when('y'), 200);
    clock.advance(1000); // 10 tokens back: pays the 2 borrowed and 8 more
    for (let i = 0; i < 8; i++) assert.equal(rl.when(`z${i}`), 0);
    assert.equal(rl.when('w'), 100);
  });

  test('bad settings are refused with a clear error', () => {
    assert.throws(() => new BucketRateLimiter({ qps: 0 }), /qps 0/);
    assert.throws(() => new ItemExponentialRateLimiter({ baseDelayMs: 10, maxDelayMs: 5 }), /base 10 ms, max 5 ms/);
    assert.throws(() => new MaxOfRateLimiter(), /at least one/);
  });

  test('default: the larger of per-item backoff and the overall bucket', () => {
    const clock = new FakeClock();
    const rl = defaultControllerRateLimiter<string>(clock);
    assert.equal(rl.when('a'), 5);
    assert.equal(rl.when('a'), 10);
    for (let i = 0; i < 98; i++) rl.when(`other${i}`);
    // The bucket is now empty: 'b' waits for a token although its own backoff is 5 ms.
    assert.equal(rl.when('b'), 100);
    assert.equal(rl.numRequeues('a'), 2);
    rl.forget('a');
    assert.equal(rl.numRequeues('a'), 0);
  });
});

describe('work queue', () => {
  test('de-duplicates keys waiting in the queue, keeps FIFO order', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    assert.equal(q.length, 3);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['a', 'b', 'c']);
  });

  test('a key added while processing waits for done, then is queued once', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    const first = await q.get();
    assert.equal(first, 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.length, 0, 'not handed to a second worker while the first holds it');
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    assert.equal(second, undefined);
    q.done('a');
    await Promise.resolve();
    assert.equal(second, 'a');
    q.done('a');
    assert.equal(q.length, 0);
  });

  test('a waiting worker gets a key as soon as it is added', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    const got = q.get();
    q.add('x');
    assert.equal(await got, 'x');
    assert.equal(q.processingCount, 1);
  });

  test('addAfter delays by the clock; the earlier due time wins', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('a', 1000);
    q.addAfter('a', 300);
    q.addAfter('a', 5000);
    clock.advance(299);
    assert.equal(q.length, 0);
    clock.advance(1);
    assert.equal(q.length, 1);
    clock.advance(10_000);
    assert.equal(q.length, 1, 'only one delayed add fires');
    q.addAfter('b', 0);
    assert.equal(q.length, 2, 'no delay means add now');
  });

  test('addRateLimited backs off exponentially; forget resets; numRequeues counts', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 5 }) });
    const arrivals: number[] = [];
    const start = clock.now();
    for (let i = 0; i < 4; i++) {
      q.addRateLimited('a');
      while (q.length === 0) clock.advance(1);
      arrivals.push(clock.now() - start);
      const k = await q.get();
      assert.equal(k, 'a');
      q.done('a');
    }
    assert.deepEqual(arrivals, [5, 15, 35, 75]);
    assert.equal(q.numRequeues('a'), 4);
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
  });

  test('shutdown: waiting and later gets resolve undefined, adds are ignored, timers cancelled', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    const waiting = q.get();
    q.addAfter('later', 100);
    q.shutdown();
    assert.equal(await waiting, undefined);
    q.add('x');
    q.addRateLimited('y');
    assert.equal(await q.get(), undefined);
    assert.equal(clock.pendingTimers, 0);
  });

  test('shutdownWithDrain waits for keys in flight, and keys in flight are not requeued', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    q.add('b');
    const a = await q.get();
    assert.equal(a, 'a');
    q.add('a'); // dirty while processing
    let drained = false;
    const drain = q.shutdownWithDrain().then(() => (drained = true));
    await Promise.resolve();
    assert.equal(drained, false);
    q.done('a');
    await drain;
    assert.equal(drained, true);
    assert.equal(await q.get(), undefined);
  });

  test('no key is held by two workers at once (randomized workers, adds and dones)', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    const held = new Set<string>();
    let processed = 0;
    const seededRandom = (() => {
      let s = 42;
      return () => {
        s = (s * 1103515245 + 12345) % 2 ** 31;
        return s / 2 ** 31;
      };
    })();
    const worker = async () => {
      for (;;) {
        const k = await q.get();
        if (k === undefined) return;
        assert.ok(!held.has(k), `key ${k} handed out twice`);
        held.add(k);
        for (let i = Math.floor(seededRandom() * 3); i > 0; i--) await Promise.resolve();
        if (seededRandom() < 0.3) q.add(k); // an event arrives during processing
        held.delete(k);
        processed++;
        q.done(k);
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    for (let i = 0; i < 2000; i++) {
      q.add(`k${Math.floor(seededRandom() * 10)}`);
      if (i % 7 === 0) await Promise.resolve();
    }
    while (q.length > 0 || q.processingCount > 0) await new Promise((r) => setImmediate(r));
    await q.shutdownWithDrain();
    await Promise.all(workers);
    assert.ok(processed >= 10);
  });

  test('metrics: depth, adds, retries, durations and in-flight gauges under the queue name', async () => {
    const clock = new FakeClock();
    const registry = newRegistry();
    const q = new WorkQueue<string>({ name: 'things', clock, metrics: RuntimeMetrics.for(registry) });
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(await metricValue(registry, 'workqueue_depth{name="things"}'), 2);
    assert.equal(await metricValue(registry, 'workqueue_adds_total{name="things"}'), 2);
    clock.advance(1500);
    const k = await q.get();
    assert.equal(k, 'a');
    assert.equal(await metricValue(registry, 'workqueue_depth{name="things"}'), 1);
    assert.equal(await metricValue(registry, 'workqueue_queue_duration_seconds_count{name="things"}'), 1);
    assert.equal(await metricValue(registry, 'workqueue_queue_duration_seconds_sum{name="things"}'), 1.5);
    clock.advance(4000);
    assert.equal(await metricValue(registry, 'workqueue_unfinished_work_seconds{name="things"}'), 4);
    assert.equal(await metricValue(registry, 'workqueue_longest_running_processor_seconds{name="things"}'), 4);
    q.done('a');
    assert.equal(await metricValue(registry, 'workqueue_work_duration_seconds_sum{name="things"}'), 4);
    assert.equal(await metricValue(registry, 'workqueue_unfinished_work_seconds{name="things"}'), 0);
    q.addRateLimited('a');
    assert.equal(await metricValue(registry, 'workqueue_retries_total{name="things"}'), 1);
  });
});
