// Keyed background work for a reconciler: a write that may be slow (a Service waiting for its cluster IP) runs
// outside the reconcile, so it does not hold a worker.
//
// - At most one task per key is queued or running: a reconcile that asks again meanwhile is a no-op.
// - At most `concurrency` tasks run at once; the others wait in submission order.
// - A failed key backs off (per-key exponential, like the work queue's retries): until its retry is due, `start` does
//   not run it again, and when it is due `onRetryDue` is called — the controller requeues the object, whose next
//   reconcile asks again. Success forgets the key's failures.
// - The last failure is kept until the reconciler takes it (to report it once, e.g. as an Event).
// - `holdUntil`: tasks are queued but none runs before it settles (a restarted controller catching up first).
import { type Clock, realClock, type TimerHandle } from './clock.ts';
import { ItemExponentialRateLimiter, type RateLimiter } from './workqueue/ratelimiter.ts';

export interface BackgroundTasksOptions {
  /** Tasks running at once. */
  readonly concurrency: number;
  /** Called when a failed key may be tried again. */
  readonly onRetryDue?: (key: string) => void;
  /** Delay before a failed key's next try. Default: 5 ms doubling per consecutive failure, at most 1000 s. */
  readonly backoff?: RateLimiter<string>;
  readonly clock?: Clock;
  /** No task runs before this settles (resolved or rejected); they queue meanwhile. */
  readonly holdUntil?: PromiseLike<unknown>;
}

/** What `start` did: ran the task, queued it, or dropped it (one pending for the key, or the key backing off). */
export type BackgroundStart = 'started' | 'queued' | 'pending' | 'backoff';

interface Entry {
  readonly task: () => Promise<void>;
  running: boolean;
  readonly done: Promise<void>;
  settle: () => void;
}

interface Failure {
  /** The last error, until taken. */
  error: unknown;
  readonly retryAt: number;
  readonly timer: TimerHandle;
}

export class BackgroundTasks {
  readonly #concurrency: number;
  readonly #onRetryDue: ((key: string) => void) | undefined;
  readonly #backoff: RateLimiter<string>;
  readonly #clock: Clock;
  /** Queued and running tasks by key; Map order is submission order, so the first idle entry runs next. */
  readonly #entries = new Map<string, Entry>();
  readonly #failures = new Map<string, Failure>();
  #running = 0;
  #held = false;

  constructor(options: BackgroundTasksOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
    }
    this.#concurrency = options.concurrency;
    this.#onRetryDue = options.onRetryDue;
    this.#backoff = options.backoff ?? new ItemExponentialRateLimiter<string>();
    this.#clock = options.clock ?? realClock;
    if (options.holdUntil) {
      this.#held = true;
      const release = () => {
        this.#held = false;
        this.#pump();
      };
      options.holdUntil.then(release, release);
    }
  }

  /** Runs `task` for `key` unless one is pending for it or the key is backing off (then `task` is dropped). */
  start(key: string, task: () => Promise<void>): BackgroundStart {
    if (this.#entries.has(key)) return 'pending';
    const failure = this.#failures.get(key);
    if (failure && failure.retryAt > this.#clock.now()) return 'backoff';
    let settle = () => {};
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.#entries.set(key, { task, running: false, done, settle });
    this.#pump();
    return this.#entries.get(key)?.running ? 'started' : 'queued';
  }

  /** Whether a task for `key` is queued or running. */
  pending(key: string): boolean {
    return this.#entries.has(key);
  }

  /** The error of `key`'s last failed task if not taken yet (then it is marked taken); undefined otherwise. */
  takeFailure(key: string): unknown {
    const failure = this.#failures.get(key);
    if (!failure) return undefined;
    const { error } = failure;
    failure.error = undefined;
    return error;
  }

  /**
   * Makes sure no task for `key` runs after this resolves: a queued one is dropped, a running one awaited; its
   * failures are forgotten. A reconciler calls it before deleting what the task would create, so that a late create
   * cannot undo the delete.
   */
  async cancel(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry && !entry.running) {
      this.#entries.delete(key);
      entry.settle();
    } else if (entry) {
      await entry.done;
    }
    this.#forget(key);
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.#entries.size;
  }

  /** Tasks running. */
  get running(): number {
    return this.#running;
  }

  /** Whether tasks are held (holdUntil has not settled yet). */
  get held(): boolean {
    return this.#held;
  }

  #forget(key: string): void {
    this.#failures.get(key)?.timer.cancel();
    this.#failures.delete(key);
    this.#backoff.forget(key);
  }

  #pump(): void {
    if (this.#held) return;
    for (const [key, entry] of this.#entries) {
      if (this.#running >= this.#concurrency) return;
      if (entry.running) continue;
      entry.running = true;
      this.#running++;
      void this.#run(key, entry);
    }
  }

  async #run(key: string, entry: Entry): Promise<void> {
    let failed = false;
    let error: unknown;
    try {
      await entry.task();
    } catch (err) {
      failed = true;
      error = err ?? new Error('background task failed');
    }
    this.#running--;
    this.#entries.delete(key);
    if (failed) {
      this.#failures.get(key)?.timer.cancel();
      const delay = this.#backoff.when(key);
      const timer = this.#clock.setTimer(delay, () => {
        try {
          this.#onRetryDue?.(key);
        } catch {
          // a throwing callback must not break the pool; the key is retried on its next start
        }
      });
      this.#failures.set(key, { error, retryAt: this.#clock.now() + delay, timer });
    } else {
      this.#forget(key);
    }
    entry.settle();
    this.#pump();
  }
}
