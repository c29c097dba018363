import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BackgroundTasks } from '../../src/runtime/background.ts';
import { FakeClock } from '../../src/runtime/clock.ts';
import { ItemExponentialRateLimiter } from '../../src/runtime/workqueue/ratelimiter.ts';

/** A task that runs until released, recording when it starts. */
function gate(log: string[], name: string, fail?: Error) {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    task: async () => {
      log.push(`start ${name}`);
      await released;
      log.push(`end ${name}`);
      if (fail) throw fail;
    },
    release: () => release(),
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('BackgroundTasks', () => {
  test('runs at most `concurrency` tasks, the rest in submission order', async () => {
    const log: string[] = [];
    const pool = new BackgroundTasks({ concurrency: 2 });
    const gates = ['a', 'b', 'c', 'd'].map((n) => gate(log, n));
    const starts = gates.map((g, i) => pool.start(`k${i}`, g.task));
    assert.deepEqual(starts, ['started', 'started', 'queued', 'queued']);
    await tick();
    assert.deepEqual(log, ['start a', 'start b']);
    assert.equal(pool.running, 2);
    assert.equal(pool.size, 4);
    gates[1]?.release();
    await tick();
    assert.deepEqual(log, ['start a', 'start b', 'end b', 'start c']);
    gates[0]?.release();
    await tick();
    assert.deepEqual(log.slice(4), ['end a', 'start d']);
    gates[2]?.release();
    gates[3]?.release();
    await tick();
    assert.deepEqual(log.slice(6).sort(), ['end c', 'end d']);
    assert.equal(pool.size, 0);
    assert.equal(pool.running, 0);
  });

  test('a key already queued or running is not started twice', async () => {
    const log: string[] = [];
    const pool = new BackgroundTasks({ concurrency: 1 });
    const first = gate(log, 'first');
    assert.equal(pool.start('k', first.task), 'started');
    assert.equal(pool.start('k', gate(log, 'second').task), 'pending');
    assert.equal(pool.pending('k'), true);
    first.release();
    await tick();
    assert.deepEqual(log, ['start first', 'end first']);
    assert.equal(pool.pending('k'), false);
    // once settled, the key can run again
    const third = gate(log, 'third');
    assert.equal(pool.start('k', third.task), 'started');
    third.release();
    await tick();
    assert.deepEqual(log, ['start first', 'end first', 'start third', 'end third']);
  });

  test('a failed key backs off: not started again before its retry is due, then onRetryDue; success forgets', async () => {
    const clock = new FakeClock();
    const due: string[] = [];
    const pool = new BackgroundTasks({
      concurrency: 1,
      clock,
      backoff: new ItemExponentialRateLimiter({ baseDelayMs: 100, maxDelayMs: 1000 }),
      onRetryDue: (key) => due.push(key),
    });
    const boom = new Error('Service quota exceeded');
    const fail = async () => {
      throw boom;
    };
    assert.equal(pool.start('ns/app', fail), 'started');
    await tick();
    assert.equal(pool.takeFailure('ns/app'), boom);
    assert.equal(pool.takeFailure('ns/app'), undefined, 'a failure is taken once');
    assert.equal(pool.start('ns/app', fail), 'backoff', 'not retried before its delay');
    clock.advance(99);
    assert.deepEqual(due, []);
    clock.advance(1);
    assert.deepEqual(due, ['ns/app']);
    // the second failure doubles the delay
    assert.equal(pool.start('ns/app', fail), 'started');
    await tick();
    assert.equal(pool.takeFailure('ns/app'), boom);
    clock.advance(199);
    assert.deepEqual(due, ['ns/app']);
    assert.equal(pool.start('ns/app', fail), 'backoff');
    clock.advance(1);
    assert.deepEqual(due, ['ns/app', 'ns/app']);
    // a success forgets the failures: the next failure starts from the base delay again
    let ran = 0;
    assert.equal(
      pool.start('ns/app', async () => {
        ran++;
      }),
      'started',
    );
    await tick();
    assert.equal(ran, 1);
    assert.equal(pool.takeFailure('ns/app'), undefined);
    pool.start('ns/app', fail);
    await tick();
    clock.advance(100);
    assert.deepEqual(due, ['ns/app', 'ns/app', 'ns/app']);
    assert.equal(clock.pendingTimers, 0);
  });

  test('cancel forgets a failed key: no retry timer left, and it may start at once', async () => {
    const clock = new FakeClock();
    const due: string[] = [];
    const pool = new BackgroundTasks({ concurrency: 1, clock, onRetryDue: (key) => due.push(key) });
    pool.start('k', async () => {
      throw new Error('refused');
    });
    await tick();
    assert.equal(clock.pendingTimers, 1);
    await pool.cancel('k');
    assert.equal(clock.pendingTimers, 0);
    assert.equal(pool.takeFailure('k'), undefined);
    assert.equal(
      pool.start('k', async () => {}),
      'started',
    );
  });

  test('cancel drops a queued task and waits for a running one', async () => {
    const log: string[] = [];
    const pool = new BackgroundTasks({ concurrency: 1 });
    const running = gate(log, 'running');
    const queued = gate(log, 'queued');
    pool.start('a', running.task);
    pool.start('b', queued.task);
    await pool.cancel('b');
    assert.equal(pool.pending('b'), false);
    let cancelled = false;
    const cancelA = pool.cancel('a').then(() => {
      cancelled = true;
    });
    await tick();
    assert.equal(cancelled, false, 'a running task is awaited, not abandoned');
    running.release();
    await cancelA;
    queued.release();
    await tick();
    assert.deepEqual(log, ['start running', 'end running'], 'the dropped task never ran');
  });

  test('a throwing onRetryDue does not stop the pool', async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    const pool = new BackgroundTasks({
      concurrency: 1,
      clock,
      onRetryDue: () => {
        throw new Error('callback bug');
      },
    });
    pool.start('a', async () => {
      throw new Error('refused');
    });
    const b = gate(log, 'b');
    pool.start('b', b.task);
    await tick();
    clock.advance(5);
    b.release();
    await tick();
    assert.deepEqual(log, ['start b', 'end b']);
    assert.equal(
      pool.start('a', async () => {}),
      'started',
    );
  });

  test('holdUntil: tasks queue but none runs before it settles, then they run in order; a rejection releases too', async () => {
    for (const settleWith of ['resolve', 'reject'] as const) {
      const log: string[] = [];
      const hold = Promise.withResolvers<void>();
      const pool = new BackgroundTasks({ concurrency: 1, holdUntil: hold.promise });
      const gates = ['a', 'b'].map((n) => gate(log, n));
      assert.deepEqual(
        gates.map((g, i) => pool.start(`k${i}`, g.task)),
        ['queued', 'queued'],
      );
      assert.equal(pool.start('k0', gate(log, 'again').task), 'pending');
      await tick();
      assert.deepEqual(log, [], 'nothing runs while held');
      assert.equal(pool.held, true);
      assert.equal(pool.size, 2);
      await pool.cancel('k1'); // a queued task can still be dropped while held
      assert.equal(pool.size, 1);
      if (settleWith === 'resolve') hold.resolve();
      else hold.reject(new Error('controller stopped'));
      await tick();
      assert.equal(pool.held, false);
      assert.deepEqual(log, ['start a'], settleWith);
      gates[0]?.release();
      await tick();
      assert.deepEqual(log, ['start a', 'end a']);
      assert.equal(pool.start('k2', gate(log, 'c').task), 'started', 'after the hold, tasks start at once');
    }
  });

  test('rejects a concurrency that is not a positive integer', () => {
    assert.throws(() => new BackgroundTasks({ concurrency: 0 }), RangeError);
    assert.throws(() => new BackgroundTasks({ concurrency: 1.5 }), RangeError);
  });
});
