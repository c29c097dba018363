// How long an item waits before its next retry. Rate limiters are pure bookkeeping over a Clock: `when` both decides
// the delay and records the attempt, `forget` clears an item's history once it succeeded.
import type { Clock } from '../clock.ts';
import { realClock } from '../clock.ts';

export interface RateLimiter<T> {
  /** Delay in milliseconds before `item` may be retried; records one more failure of it. */
  when(item: T): number;
  /** The item succeeded (or was given up on): drop its failure history. */
  forget(item: T): void;
  /** Failures recorded for `item` since it was last forgotten. */
  numRequeues(item: T): number;
}

export interface ExponentialOptions {
  /** First delay. Default 5 ms (client-go's controller default). */
  readonly baseDelayMs?: number;
  /** Ceiling. Default 1000 s. */
  readonly maxDelayMs?: number;
}

/** Per-item exponential backoff: base × 2^failures, capped at the maximum. */
export class ItemExponentialRateLimiter<T> implements RateLimiter<T> {
  readonly #failures = new Map<T, number>();
  readonly #base: number;
  readonly #max: number;

  constructor(options: ExponentialOptions = {}) {
    this.#base = options.baseDelayMs ?? 5;
    this.#max = options.maxDelayMs ?? 1_000_000;
    if (!(this.#base >= 0) || !(this.#max >= this.#base)) {
      throw new RangeError(`invalid exponential backoff: base ${this.#base} ms, max ${this.#max} ms`);
    }
  }

  when(item: T): number {
    const failures = this.#failures.get(item) ?? 0;
    this.#failures.set(item, failures + 1);
    // 2^failures overflows to Infinity long after it passed the cap, so the min below stays correct.
    return Math.min(this.#base * 2 ** failures, this.#max);
  }

  forget(item: T): void {
    this.#failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.#failures.get(item) ?? 0;
  }
}

export interface BucketOptions {
  /** Tokens added per second. Default 10. */
  readonly qps?: number;
  /** Bucket size. Default 100. */
  readonly burst?: number;
  readonly clock?: Clock;
}

/**
 * An overall token bucket shared by all items: each `when` reserves the next token and returns how long until it is
 * available, so a burst of failures is spread out at `qps` once the first `burst` are spent. Items have no history.
 */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(options: BucketOptions = {}) {
    this.#qps = options.qps ?? 10;
    this.#burst = options.burst ?? 100;
    if (!(this.#qps > 0) || !(this.#burst >= 1)) {
      throw new RangeError(`invalid token bucket: qps ${this.#qps}, burst ${this.#burst}`);
    }
    this.#clock = options.clock ?? realClock;
    this.#tokens = this.#burst;
    this.#last = this.#clock.now();
  }

  when(_item: T): number {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
    this.#last = now;
    // Reserve a token even when none is left: the balance goes negative and the delay is the time to pay it back.
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#qps) * 1000);
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** Combines limiters: the delay is the longest any of them asks for; every limiter records every attempt. */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  readonly #limiters: readonly RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    if (limiters.length === 0) throw new RangeError('MaxOfRateLimiter needs at least one limiter');
    this.#limiters = limiters;
  }

  when(item: T): number {
    let delay = 0;
    for (const limiter of this.#limiters) delay = Math.max(delay, limiter.when(item));
    return delay;
  }

  forget(item: T): void {
    for (const limiter of this.#limiters) limiter.forget(item);
  }

  numRequeues(item: T): number {
    let n = 0;
    for (const limiter of this.#limiters) n = Math.max(n, limiter.numRequeues(item));
    return n;
  }
}

/** client-go's default for controllers: per-item 5 ms → 1000 s backoff, and 10 qps / burst 100 overall. */
export function defaultControllerRateLimiter<T>(clock: Clock = realClock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialRateLimiter<T>({ baseDelayMs: 5, maxDelayMs: 1_000_000 }),
    new BucketRateLimiter<T>({ qps: 10, burst: 100, clock }),
  );
}
