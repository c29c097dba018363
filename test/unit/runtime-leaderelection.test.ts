import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../src/runtime/clock.ts';
import {
  LeaderElector,
  type LeaderRecord,
  type LeaseLock,
  microTime,
  type ObservedLease,
  planAcquireOrRenew,
} from '../../src/runtime/leaderelection.ts';

const T0 = Date.UTC(2026, 0, 1);
const record = (holder: string, extra: Partial<LeaderRecord> = {}): ObservedLease => ({
  resourceVersion: '7',
  record: {
    holderIdentity: holder,
    leaseDurationSeconds: 15,
    acquireTime: microTime(T0 - 60_000),
    renewTime: microTime(T0 - 1000),
    leaseTransitions: 3,
    ...extra,
  },
});

describe('planAcquireOrRenew', () => {
  const base = { identity: 'me', leaseDurationSeconds: 15, now: T0, observedAt: T0 - 1000 };

  test('no lease: create one held by me', () => {
    assert.deepEqual(planAcquireOrRenew({ ...base, current: undefined }), {
      kind: 'create',
      record: {
        holderIdentity: 'me',
        leaseDurationSeconds: 15,
        acquireTime: '2026-01-01T00:00:00.000000Z',
        renewTime: '2026-01-01T00:00:00.000000Z',
        leaseTransitions: 0,
      },
    });
  });

  test('held by another and not expired on my clock: wait', () => {
    const plan = planAcquireOrRenew({ ...base, current: record('other') });
    assert.deepEqual(plan, { kind: 'heldByOther', holder: 'other', expiresAt: T0 + 14_000 });
  });

  test('held by another but expired: take it over, one more transition', () => {
    const plan = planAcquireOrRenew({ ...base, observedAt: T0 - 15_000, current: record('other') });
    assert.equal(plan.kind, 'update');
    assert.equal(plan.kind === 'update' && plan.resourceVersion, '7');
    assert.deepEqual(plan.kind === 'update' && plan.record, {
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      acquireTime: microTime(T0),
      renewTime: microTime(T0),
      leaseTransitions: 4,
    });
  });

  test('released (no holder): take it at once', () => {
    const plan = planAcquireOrRenew({ ...base, observedAt: T0, current: record('', { leaseDurationSeconds: 1 }) });
    assert.equal(plan.kind, 'update');
  });

  test('held by me: renew, keeping acquireTime and transitions', () => {
    const plan = planAcquireOrRenew({ ...base, current: record('me') });
    assert.equal(plan.kind, 'update');
    assert.equal(plan.kind === 'update' && plan.record.acquireTime, microTime(T0 - 60_000));
    assert.equal(plan.kind === 'update' && plan.record.leaseTransitions, 3);
    assert.equal(plan.kind === 'update' && plan.record.renewTime, microTime(T0));
  });
});

/** A lease in memory with compare-and-swap on a resourceVersion; `broken` makes every call fail. */
class MemoryLock implements LeaseLock {
  readonly description = 'memory/lease';
  current: ObservedLease | undefined;
  #rv = 0;
  broken = false;
  writes = 0;
  async get() {
    if (this.broken) throw new Error('API server unreachable');
    return this.current;
  }
  async create(rec: LeaderRecord) {
    if (this.broken) throw new Error('API server unreachable');
    if (this.current) return undefined;
    return this.#store(rec);
  }
  async update(rec: LeaderRecord, rv: string) {
    if (this.broken) throw new Error('API server unreachable');
    if (this.current?.resourceVersion !== rv) return undefined;
    return this.#store(rec);
  }
  #store(rec: LeaderRecord) {
    this.writes++;
    this.current = { record: rec, resourceVersion: String(++this.#rv) };
    return this.current;
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/** Moves the fake clock forward in small steps, letting the electors' loops run in between. */
async function run(clock: FakeClock, ms: number, until?: () => boolean): Promise<number> {
  const start = clock.now();
  while (clock.now() - start < ms) {
    await settle();
    if (until?.()) break;
    clock.advance(50);
  }
  await settle();
  return clock.now() - start;
}

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, random: () => 0 };

describe('LeaderElector', () => {
  test('one leader at a time; a clean release hands over within one retry period', async () => {
    const clock = new FakeClock();
    const lock = new MemoryLock();
    const a = new LeaderElector({ lock, identity: 'a', clock, ...timing });
    const b = new LeaderElector({ lock, identity: 'b', clock, ...timing });
    const aStop = new AbortController();
    const bStop = new AbortController();
    assert.equal(await a.acquire(aStop.signal), true);
    const aTerm = a.holdUntil(aStop.signal);
    let bLeads = false;
    const bAcquired = b.acquire(bStop.signal).then((ok) => (bLeads = ok));
    await run(clock, 60_000);
    assert.equal(bLeads, false, 'b waits while a renews');
    assert.equal(lock.current?.record.holderIdentity, 'a');
    aStop.abort();
    assert.equal(await aTerm, 'stopped');
    assert.equal(lock.current?.record.holderIdentity, '', 'released: holder cleared');
    const waited = await run(clock, 20_000, () => bLeads);
    await bAcquired;
    assert.equal(bLeads, true);
    assert.ok(waited <= timing.retryPeriodMs * 1.2, `b took over ${waited} ms after the release`);
    assert.equal(lock.current?.record.holderIdentity, 'b');
    assert.equal(lock.current?.record.leaseTransitions, 1);
    bStop.abort();
  });

  test('a crashed leader (no renewals, no release) is replaced after the lease duration, not before', async () => {
    const clock = new FakeClock();
    const lock = new MemoryLock();
    const a = new LeaderElector({ lock, identity: 'a', clock, releaseOnCancel: false, ...timing });
    const b = new LeaderElector({ lock, identity: 'b', clock, ...timing });
    const aStop = new AbortController();
    await a.acquire(aStop.signal);
    const aTerm = a.holdUntil(aStop.signal);
    let bLeads = false;
    const bStop = new AbortController();
    void b.acquire(bStop.signal).then((ok) => (bLeads = ok));
    await run(clock, 10_000);
    aStop.abort(); // crash: renewals stop, the lease still names a
    assert.equal(await aTerm, 'stopped');
    assert.equal(lock.current?.record.holderIdentity, 'a');
    const crashedAt = clock.now();
    await run(clock, 12_000);
    assert.equal(bLeads, false, 'not before the lease duration');
    await run(clock, 30_000, () => bLeads);
    const handover = clock.now() - crashedAt;
    assert.equal(bLeads, true);
    assert.ok(handover >= 13_000, `handover after ${handover} ms`);
    assert.ok(handover <= 15_000 + 2 * timing.retryPeriodMs, `handover after ${handover} ms`);
    bStop.abort();
  });

  test('renewal failing for renewDeadline loses leadership', async () => {
    const clock = new FakeClock();
    const lock = new MemoryLock();
    const a = new LeaderElector({ lock, identity: 'a', clock, ...timing });
    await a.acquire(new AbortController().signal);
    let end: string | undefined;
    void a.holdUntil(new AbortController().signal).then((e) => (end = e));
    await run(clock, 5_000);
    lock.broken = true;
    const brokenAt = clock.now();
    await run(clock, 30_000, () => end !== undefined);
    assert.equal(end, 'lost');
    assert.equal(a.isLeader, false);
    const after = clock.now() - brokenAt;
    assert.ok(after >= 8_000 && after <= 10_000 + timing.retryPeriodMs, `lost after ${after} ms`);
  });

  test('another holder appearing in the lease loses leadership at the next renewal', async () => {
    const clock = new FakeClock();
    const lock = new MemoryLock();
    const a = new LeaderElector({ lock, identity: 'a', clock, ...timing });
    await a.acquire(new AbortController().signal);
    let end: string | undefined;
    void a.holdUntil(new AbortController().signal).then((e) => (end = e));
    await run(clock, 3_000);
    const current = lock.current;
    assert.ok(current);
    await lock.update({ ...current.record, holderIdentity: 'intruder' }, current.resourceVersion);
    await run(clock, 5_000, () => end !== undefined);
    assert.equal(end, 'lost');
  });

  test('inconsistent timing is refused with a clear error', () => {
    const lock = new MemoryLock();
    assert.throws(
      () => new LeaderElector({ lock, identity: 'a', leaseDurationMs: 5000, renewDeadlineMs: 5000 }),
      /leaseDuration \(5000 ms\) must exceed renewDeadline \(5000 ms\)/,
    );
    assert.throws(
      () => new LeaderElector({ lock, identity: 'a', renewDeadlineMs: 2000, retryPeriodMs: 2000 }),
      /renewDeadline \(2000 ms\) must exceed 1.2 × retryPeriod/,
    );
    assert.throws(() => new LeaderElector({ lock, identity: '' }), /non-empty identity/);
  });
});
