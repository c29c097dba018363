// The controller's work queue, on the model of client-go's: a FIFO of keys that
//  - de-duplicates: a key added while waiting is queued once (the `dirty` set);
//  - never hands one key to two workers at once: a key added while being processed (the `processing` set) waits
//    until `done` and is queued again then;
//  - delays (addAfter) and rate-limits (addRateLimited) re-adds;
//  - shuts down: afterwards `get` resolves `undefined` at once (queued keys are dropped — the next start lists
//    everything again), and `shutdownWithDrain` also waits for the keys in flight to be `done`.
// Items are compared like Set members (SameValueZero): use strings.
import type { Clock, TimerHandle } from '../clock.ts';
import { realClock } from '../clock.ts';
import type { RateLimiter } from './ratelimiter.ts';
import { defaultControllerRateLimiter } from './ratelimiter.ts';

/** What a queue reports about itself; see metrics.ts for the Prometheus implementation. */
export interface QueueMetrics {
  /** A key entered the queue. */
  added(): void;
  /** A key left the queue for a worker after waiting `queuedMs`. */
  taken(queuedMs: number): void;
  /** A worker finished a key after `workMs`. */
  finished(workMs: number): void;
  /** A key was re-added through the rate limiter. */
  retried(): void;
  /** The queue shut down: stop reading its in-flight figures. */
  closed(): void;
}

/** Read at scrape time for the unfinished-work and longest-running gauges. */
export interface InFlightStats {
  /** Sum over keys in flight of how long each has been processed, in seconds. */
  readonly unfinishedSeconds: number;
  /** The longest any key in flight has been processed, in seconds. */
  readonly longestSeconds: number;
}

export interface QueueMetricsProvider {
  forQueue(name: string, inFlight: () => InFlightStats): QueueMetrics;
}

export interface WorkQueueOptions<T> {
  /** Label for metrics and logs. */
  readonly name?: string;
  /** Default: client-go's controller default (5 ms → 1000 s per item, max of 10 qps / burst 100 overall). */
  readonly rateLimiter?: RateLimiter<T>;
  readonly clock?: Clock;
  /** Default: none. */
  readonly metrics?: QueueMetricsProvider;
}

const noMetrics: QueueMetrics = { added() {}, taken() {}, finished() {}, retried() {}, closed() {} };

export class WorkQueue<T> {
  readonly name: string;
  readonly #clock: Clock;
  readonly #limiter: RateLimiter<T>;
  readonly #metrics: QueueMetrics;
  // FIFO as an array with a moving head, compacted now and then: shift() on a large array is O(n).
  #fifo: T[] = [];
  #head = 0;
  readonly #dirty = new Set<T>();
  /** Keys handed to a worker, with the time they were handed out. */
  readonly #processing = new Map<T, number>();
  /** When each queued key was first added (for the queue-duration metric). */
  readonly #addedAt = new Map<T, number>();
  /** Keys waiting for addAfter's delay, with their due time. */
  readonly #delayed = new Map<T, { readonly due: number; readonly timer: TimerHandle }>();
  readonly #getters: ((item: T | undefined) => void)[] = [];
  readonly #drained: (() => void)[] = [];
  #shuttingDown = false;

  constructor(options: WorkQueueOptions<T> = {}) {
    this.name = options.name ?? '';
    this.#clock = options.clock ?? realClock;
    this.#limiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(this.#clock);
    this.#metrics = options.metrics?.forQueue(this.name, () => this.#inFlight()) ?? noMetrics;
  }

  /** Keys waiting for a worker (not counting delayed ones). */
  get length(): number {
    return this.#fifo.length - this.#head;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Keys waiting for a worker or queued again while in work (not delayed ones), in no particular order. */
  queuedItems(): T[] {
    return [...this.#dirty];
  }

  /** Keys currently handed to workers. */
  get processingCount(): number {
    return this.#processing.size;
  }

  add(item: T): void {
    if (this.#shuttingDown || this.#dirty.has(item)) return;
    this.#metrics.added();
    this.#dirty.add(item);
    if (!this.#addedAt.has(item)) this.#addedAt.set(item, this.#clock.now());
    if (this.#processing.has(item)) return; // queued again by done()
    this.#push(item);
  }

  /** Adds `item` after `delayMs`; if it is already waiting, the earlier due time wins. */
  addAfter(item: T, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (!(delayMs > 0)) {
      this.add(item);
      return;
    }
    const due = this.#clock.now() + delayMs;
    const waiting = this.#delayed.get(item);
    if (waiting && waiting.due <= due) return;
    waiting?.timer.cancel();
    const timer = this.#clock.setTimer(delayMs, () => {
      this.#delayed.delete(item);
      this.add(item);
    });
    this.#delayed.set(item, { due, timer });
  }

  /** Adds `item` when the rate limiter allows: the retry path after a failure. */
  addRateLimited(item: T): void {
    if (this.#shuttingDown) return;
    this.#metrics.retried();
    this.addAfter(item, this.#limiter.when(item));
  }

  /** Clears `item`'s failure history (its backoff starts over). Does not remove it from the queue. */
  forget(item: T): void {
    this.#limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.#limiter.numRequeues(item);
  }

  /**
   * The next key, which the caller owns until it calls `done(key)`; waits while the queue is empty.
   * Resolves `undefined` once the queue shuts down.
   */
  get(): Promise<T | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    if (this.length > 0) return Promise.resolve(this.#take());
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** The worker finished `item`; if it was added meanwhile, it is queued again now. */
  done(item: T): void {
    const started = this.#processing.get(item);
    if (started === undefined) return;
    this.#processing.delete(item);
    this.#metrics.finished(this.#clock.now() - started);
    if (this.#dirty.has(item) && !this.#shuttingDown) this.#push(item);
    if (this.#processing.size === 0) for (const resolve of this.#drained.splice(0)) resolve();
  }

  /** Stops accepting keys and wakes waiting workers with `undefined`. Keys in flight may still call `done`. */
  shutdown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) timer.cancel();
    this.#delayed.clear();
    this.#fifo = [];
    this.#head = 0;
    this.#dirty.clear();
    this.#addedAt.clear();
    for (const resolve of this.#getters.splice(0)) resolve(undefined);
    this.#metrics.closed();
  }

  /** shutdown(), then resolves once every key in flight is `done`. */
  shutdownWithDrain(): Promise<void> {
    this.shutdown();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  #push(item: T): void {
    const getter = this.#getters.shift();
    if (getter) {
      // A worker is waiting: hand the key over now, so it is marked processing before anyone else can add it.
      this.#fifo.push(item);
      getter(this.#take());
      return;
    }
    this.#fifo.push(item);
  }

  #take(): T {
    const item = this.#fifo[this.#head] as T;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#fifo.length) {
      this.#fifo = this.#fifo.slice(this.#head);
      this.#head = 0;
    }
    const now = this.#clock.now();
    this.#metrics.taken(now - (this.#addedAt.get(item) ?? now));
    this.#addedAt.delete(item);
    this.#dirty.delete(item);
    this.#processing.set(item, now);
    return item;
  }

  #inFlight(): InFlightStats {
    const now = this.#clock.now();
    let total = 0;
    let longest = 0;
    for (const started of this.#processing.values()) {
      const seconds = (now - started) / 1000;
      total += seconds;
      longest = Math.max(longest, seconds);
    }
    return { unfinishedSeconds: total, longestSeconds: longest };
  }
}
