// The reconcile loop: sources fill a work queue with keys; N workers take a key, call the reconciler, and hand the
// outcome to `decide` (reconcile.ts), which says what the queue does next. The queue guarantees a key is never
// reconciled by two workers at once. Nothing a reconciler does — throwing, returning garbage — stops a worker.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';
import type { RequestQueue } from './handler.ts';
import { silentLogger } from './log.ts';
import type { Runnable, RunOptions } from './manager.ts';
import { newRegistry, RuntimeMetrics } from './metrics.ts';
import { keyString, parseKey } from './object.ts';
import type { Outcome, Reconciler, Request } from './reconcile.ts';
import { checkResult, decide } from './reconcile.ts';
import type { Source } from './source.ts';
import { WorkQueue } from './workqueue/queue.ts';
import type { RateLimiter } from './workqueue/ratelimiter.ts';

export interface ControllerOptions {
  /** Unique per manager: the `controller` label of metrics and logs, and the work queue's name. */
  readonly name: string;
  readonly reconciler: Reconciler;
  /** Workers reconciling different keys at the same time. Default 1. */
  readonly maxConcurrentReconciles?: number;
  /** Default: 5 ms → 1000 s per key, max of 10 qps / burst 100 overall (client-go's). */
  readonly rateLimiter?: RateLimiter<string>;
  /** How long to wait for the sources' initial lists before failing. Default 2 minutes. */
  readonly cacheSyncTimeoutMs?: number;
  /** Run only on the elected leader. Default true. */
  readonly needLeaderElection?: boolean;
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly metrics?: RuntimeMetrics;
  /** Extra fields for every reconcile's log lines, e.g. the primary kind. */
  readonly logFields?: Readonly<Record<string, string>>;
}

export class CacheSyncTimeoutError extends Error {
  override readonly name = 'CacheSyncTimeoutError';
}

export class ControllerStartError extends Error {
  override readonly name = 'ControllerStartError';
}

const neverAborted = new AbortController().signal;

export class Controller implements Runnable {
  readonly name: string;
  readonly needLeaderElection: boolean;
  readonly queue: WorkQueue<string>;
  readonly #reconciler: Reconciler;
  readonly #workers: number;
  readonly #syncTimeoutMs: number;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #metrics: RuntimeMetrics;
  readonly #sources: Source[] = [];
  readonly #requests: RequestQueue;
  #running: { signal: AbortSignal } | undefined;
  /** True once the sources synced and the workers start; false if start() ended before. */
  readonly #started = Promise.withResolvers<boolean>();
  /** True once every key queued when the workers started was reconciled once; false if the controller stopped first. */
  readonly #caughtUp = Promise.withResolvers<boolean>();
  /** The keys of the initial lists not reconciled yet (see whenCaughtUp). */
  #initialKeys: Set<string> | undefined;
  #forceStop: AbortSignal = neverAborted;

  constructor(options: ControllerOptions) {
    if (!options.name) throw new RangeError('a controller needs a name');
    const workers = options.maxConcurrentReconciles ?? 1;
    if (!Number.isInteger(workers) || workers < 1) {
      throw new RangeError(
        `controller ${options.name}: maxConcurrentReconciles must be an integer >= 1, not ${workers}`,
      );
    }
    this.name = options.name;
    this.needLeaderElection = options.needLeaderElection ?? true;
    this.#reconciler = options.reconciler;
    this.#workers = workers;
    this.#syncTimeoutMs = options.cacheSyncTimeoutMs ?? 120_000;
    this.#clock = options.clock ?? realClock;
    this.#log = (options.log ?? silentLogger()).child({ controller: this.name, ...options.logFields });
    this.#metrics = options.metrics ?? RuntimeMetrics.for(newRegistry());
    this.queue = new WorkQueue<string>({
      name: this.name,
      clock: this.#clock,
      metrics: this.#metrics,
      ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
    });
    this.#requests = { add: (request) => this.queue.add(keyString(request)) };
  }

  /** Adds a source; a source added after start starts at once. */
  async watch(source: Source): Promise<void> {
    this.#sources.push(source);
    if (this.#running) await source.start(this.#running.signal, this.#requests);
  }

  /** Queues `request` directly (e.g. from a test or a periodic trigger). */
  enqueue(request: Request): void {
    this.#requests.add(request);
  }

  /** True once the sources synced and the workers start; false if start() ended before. */
  whenStarted(): Promise<boolean> {
    return this.#started.promise;
  }

  /**
   * Resolves true once every key that was queued when the workers started (what the sources' initial lists
   * brought) has been reconciled once, whatever the outcome: from then on the controller has looked at everything
   * that existed when it started. False if the controller stops before. A reconciler may hold back work that is
   * not urgent (a restarted operator's backlog) until then, so that it does not compete with catching up.
   */
  whenCaughtUp(): Promise<boolean> {
    return this.#caughtUp.promise;
  }

  /**
   * Runs until `signal` aborts, then stops taking keys and resolves once the reconciles in flight have finished.
   * `options.forceStop` aborts the reconcilers' own signal (the manager's graceful-shutdown deadline).
   */
  async start(signal: AbortSignal, options: RunOptions = {}): Promise<void> {
    if (this.#running) throw new ControllerStartError(`controller ${this.name} was already started`);
    this.#running = { signal };
    this.#forceStop = options.forceStop ?? neverAborted;
    const controller = { controller: this.name };
    this.#metrics.maxConcurrentReconciles.set(controller, this.#workers);
    this.#metrics.activeWorkers.set(controller, 0);
    const stopQueue = () => this.queue.shutdown();
    signal.addEventListener('abort', stopQueue, { once: true });

    try {
      for (const source of this.#sources) await source.start(signal, this.#requests);
      await this.#waitForSources(signal);
    } catch (err) {
      this.queue.shutdown();
      this.#started.resolve(false);
      this.#caughtUp.resolve(false);
      throw err;
    }
    if (signal.aborted) {
      this.#started.resolve(false);
      this.#caughtUp.resolve(false);
      return;
    }

    this.#initialKeys = new Set(this.queue.queuedItems());
    const initialKeys = this.#initialKeys.size;
    this.#log.info({ workers: this.#workers, initialKeys }, 'starting workers');
    this.#started.resolve(true);
    const workersStarted = this.#clock.now();
    void this.#caughtUp.promise.then((caughtUp) => {
      const seconds = (this.#clock.now() - workersStarted) / 1000;
      if (caughtUp) this.#log.info({ initialKeys, seconds }, 'caught up: every key of the initial lists reconciled');
    });
    if (initialKeys === 0) this.#caughtUp.resolve(true);
    const workers = Array.from({ length: this.#workers }, () => this.#work());
    await Promise.all(workers);
    this.#caughtUp.resolve(false);
    this.#log.info('all workers finished');
  }

  async #waitForSources(signal: AbortSignal): Promise<void> {
    const deadline = new AbortController();
    const timer = this.#clock.setTimer(this.#syncTimeoutMs, () => deadline.abort());
    const waitSignal = AbortSignal.any([signal, deadline.signal]);
    try {
      for (const source of this.#sources) {
        const synced = await source.waitForSync(waitSignal);
        if (!synced && !signal.aborted) {
          throw new CacheSyncTimeoutError(
            `controller ${this.name}: ${source.description} did not sync within ${this.#syncTimeoutMs} ms`,
          );
        }
      }
    } finally {
      timer.cancel();
    }
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.#reconcileKey(key);
      } catch (err) {
        // #reconcileKey handles every reconciler failure; this is a bug in the loop itself. Keep the worker alive.
        this.#log.error({ err, key }, 'internal error in the reconcile loop');
      } finally {
        this.queue.done(key);
        this.#reconciledOnce(key);
      }
    }
  }

  #reconciledOnce(key: string): void {
    const initial = this.#initialKeys;
    if (!initial?.delete(key) || initial.size > 0) return;
    this.#initialKeys = undefined;
    this.#caughtUp.resolve(true);
  }

  async #reconcileKey(key: string): Promise<void> {
    const request = parseKey(key);
    const reconcileID = randomUUID();
    const log = this.#log.child({ namespace: request.namespace ?? '', name: request.name, reconcileID });
    const labels = { controller: this.name };
    this.#metrics.activeWorkers.inc(labels);
    const started = this.#clock.now();
    let outcome: Outcome;
    try {
      const result = await this.#reconciler.reconcile(
        { controller: this.name, reconcileID, log, signal: this.#forceStop },
        request,
      );
      outcome = checkResult(result);
    } catch (error) {
      outcome = { kind: 'error', error };
    } finally {
      this.#metrics.activeWorkers.dec(labels);
    }
    const seconds = (this.#clock.now() - started) / 1000;
    this.#metrics.reconcileTime.observe(labels, seconds);

    const decision = decide(outcome);
    switch (decision.action.op) {
      case 'forget':
        this.queue.forget(key);
        break;
      case 'rateLimited':
        this.queue.addRateLimited(key);
        break;
      case 'forgetAndAddAfter':
        this.queue.forget(key);
        this.queue.addAfter(key, decision.action.delayMs);
        break;
    }
    this.#metrics.reconcileTotal.inc({ ...labels, result: decision.label });
    if (decision.error) {
      this.#metrics.reconcileErrors.inc(labels);
      const err = outcome.kind === 'error' ? outcome.error : undefined;
      if (decision.error === 'terminal') {
        this.#metrics.terminalReconcileErrors.inc(labels);
        log.error({ err, seconds }, 'reconcile failed with a terminal error; not requeued');
      } else {
        log.error({ err, seconds, requeues: this.queue.numRequeues(key) }, 'reconcile failed; requeued with backoff');
      }
    } else {
      log.debug({ seconds, result: decision.label }, 'reconciled');
    }
  }
}
