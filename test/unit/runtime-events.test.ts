import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../src/runtime/clock.ts';
import { NotFoundError } from '../../src/runtime/errors.ts';
import { type CoreEvent, EventBroadcaster, type EventSink, InvalidEventError } from '../../src/runtime/events.ts';
import { newRegistry, RuntimeMetrics } from '../../src/runtime/metrics.ts';
import type { KubeObject } from '../../src/runtime/object.ts';

/** Events as the API server would hold them, by name. */
class MemorySink implements EventSink {
  readonly stored = new Map<string, CoreEvent>();
  calls: string[] = [];
  failNext = 0;
  async create(event: CoreEvent) {
    this.calls.push(`create ${event.reason} ${event.count}`);
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('connection reset');
    }
    this.stored.set(event.metadata.name, structuredClone(event));
  }
  async update(event: CoreEvent) {
    this.calls.push(`update ${event.reason} ${event.count}`);
    if (!this.stored.has(event.metadata.name)) {
      throw new NotFoundError('events not found', { code: 404, reason: 'NotFound' });
    }
    this.stored.set(event.metadata.name, structuredClone(event));
  }
}

const pod = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'ns', name, uid: `uid-${name}` },
});

describe('event recorder', () => {
  test('writes a core/v1 Event naming the object, source and times', async () => {
    const clock = new FakeClock();
    const sink = new MemorySink();
    const b = new EventBroadcaster({ sink, clock, host: 'h1' });
    b.recorderFor('spark-controller').event(pod('p'), 'Normal', 'Submitted', 'driver pod created');
    await b.flush();
    const [event] = [...sink.stored.values()];
    assert.ok(event);
    assert.match(event.metadata.name, /^p\.[0-9a-f]+$/);
    assert.equal(event.metadata.namespace, 'ns');
    assert.deepEqual(event.involvedObject, { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'p', uid: 'uid-p' });
    assert.deepEqual(event.source, { component: 'spark-controller', host: 'h1' });
    assert.equal(event.count, 1);
    assert.equal(event.firstTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(event.type, 'Normal');
  });

  test('a repeat patches count and lastTimestamp of the same Event (repeats recorded during a write are sent once); a different message makes a new one', async () => {
    const clock = new FakeClock();
    const sink = new MemorySink();
    const b = new EventBroadcaster({ sink, clock });
    const r = b.recorderFor('c');
    for (let i = 0; i < 3; i++) {
      r.event(pod('p'), 'Warning', 'Failed', 'image pull failed');
      clock.advance(10_000);
    }
    r.event(pod('p'), 'Warning', 'Failed', 'other message');
    r.event(pod('q'), 'Warning', 'Failed', 'image pull failed');
    await b.flush();
    assert.equal(sink.stored.size, 3);
    const repeated = [...sink.stored.values()].find(
      (e) => e.involvedObject.name === 'p' && e.message === 'image pull failed',
    );
    assert.equal(repeated?.count, 3);
    assert.equal(repeated?.firstTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(repeated?.lastTimestamp, '2026-01-01T00:00:20Z');
    // Repeats 2 and 3 were recorded while the create was in flight: one patch carries both.
    assert.deepEqual([...sink.calls].sort(), [
      'create Failed 1',
      'create Failed 1',
      'create Failed 1',
      'update Failed 3',
    ]);
    r.event(pod('p'), 'Warning', 'Failed', 'image pull failed');
    await b.flush();
    assert.deepEqual(sink.calls.slice(4), ['update Failed 4'], 'a repeat after the write patches again');
  });

  test('the write queue is bounded: beyond it new events are dropped and counted, none is lost below it', async () => {
    const sink = new MemorySink();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: EventSink = {
      create: async (e) => {
        await gate;
        await sink.create(e);
      },
      update: (e) => sink.update(e),
    };
    const b = new EventBroadcaster({ sink: slow, clock: new FakeClock(), maxQueued: 10, writers: 2 });
    const r = b.recorderFor('c');
    for (let i = 0; i < 25; i++) r.event(pod(`p${i}`), 'Normal', 'Step', 'x');
    assert.equal(b.droppedQueueFull, 15);
    // What a scrape shows (the Manager wires its broadcaster like this).
    const registry = newRegistry();
    RuntimeMetrics.for(registry).forEventRecorder(() => ({ rateLimited: b.dropped, queueFull: b.droppedQueueFull }));
    const text = await registry.metrics();
    assert.match(text, /^event_recorder_dropped_total\{reason="queue_full"\} 15$/m);
    assert.match(text, /^event_recorder_dropped_total\{reason="rate_limited"\} 0$/m);
    release();
    await b.flush();
    assert.equal(sink.stored.size, 10);
    assert.deepEqual(
      [...sink.stored.values()].map((e) => e.involvedObject.name).sort(),
      Array.from({ length: 10 }, (_, i) => `p${i}`).sort(),
    );
    r.event(pod('later'), 'Normal', 'Step', 'x');
    await b.flush();
    assert.equal(sink.stored.size, 11, 'room again once written');
  });

  test('writers run in parallel (up to `writers`), flush waits for all of them', async () => {
    let inFlight = 0;
    let most = 0;
    const sink = new MemorySink();
    const counting: EventSink = {
      create: async (e) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        await sink.create(e);
      },
      update: (e) => sink.update(e),
    };
    const b = new EventBroadcaster({ sink: counting, clock: new FakeClock(), writers: 3 });
    const r = b.recorderFor('c');
    for (let i = 0; i < 12; i++) r.event(pod(`p${i}`), 'Normal', 'Step', 'x');
    await b.flush();
    assert.equal(most, 3);
    assert.equal(sink.stored.size, 12);
  });

  test('a repeat whose Event is gone (expired) creates a new one', async () => {
    const sink = new MemorySink();
    const b = new EventBroadcaster({ sink, clock: new FakeClock() });
    const r = b.recorderFor('c');
    r.event(pod('p'), 'Normal', 'Tick', 'same');
    await b.flush();
    sink.stored.clear();
    r.event(pod('p'), 'Normal', 'Tick', 'same');
    await b.flush();
    assert.deepEqual(sink.calls, ['create Tick 1', 'update Tick 2', 'create Tick 2']);
    assert.equal(sink.stored.size, 1);
  });

  test('floods are cut per object: burst, then one per refill period', async () => {
    const clock = new FakeClock();
    const sink = new MemorySink();
    const b = new EventBroadcaster({ sink, clock, burst: 5, refillMs: 60_000 });
    const r = b.recorderFor('c');
    for (let i = 0; i < 20; i++) r.event(pod('p'), 'Normal', 'Step', `step ${i}`);
    r.event(pod('other'), 'Normal', 'Step', 'not limited by p');
    clock.advance(60_000);
    r.event(pod('p'), 'Normal', 'Step', 'after refill');
    r.event(pod('p'), 'Normal', 'Step', 'still limited');
    await b.flush();
    const messages = [...sink.stored.values()].map((e) => e.message).sort();
    assert.deepEqual(messages, ['after refill', 'not limited by p', 'step 0', 'step 1', 'step 2', 'step 3', 'step 4']);
    assert.equal(b.dropped, 16);
  });

  test('transient write errors are retried', async () => {
    const clock = new FakeClock();
    const sink = new MemorySink();
    sink.failNext = 2;
    const b = new EventBroadcaster({ sink, clock, retryDelayMs: 1000 });
    b.recorderFor('c').event(pod('p'), 'Normal', 'Retry', 'x');
    const flushed = b.flush();
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(1000);
    }
    await flushed;
    assert.equal(sink.stored.size, 1);
    assert.equal(sink.calls.length, 3);
  });

  test('bad input is refused with a clear error', () => {
    const r = new EventBroadcaster({ sink: new MemorySink() }).recorderFor('c');
    assert.throws(() => r.event(pod('p'), 'Info' as 'Normal', 'X', 'm'), InvalidEventError);
    assert.throws(() => r.event(pod('p'), 'Normal', 'not camel', 'm'), /CamelCase word/);
    assert.throws(() => r.event({ metadata: {} }, 'Normal', 'X', 'm'), /no metadata.name/);
    assert.throws(() => new EventBroadcaster({ sink: new MemorySink() }).recorderFor(''), /component name/);
  });
});
