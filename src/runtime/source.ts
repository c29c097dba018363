// Sources feed a controller's queue. The Kind source watches one kind through a shared informer: informer events
// become predicate events, pass the predicates, and the handler turns them into requests.
import type { Logger } from 'pino';
import type { Informer, Registration } from './cache/types.ts';
import type { Clock } from './clock.ts';
import type { EventHandler, RequestQueue } from './handler.ts';
import type { GroupVersionKind, KubeObject } from './object.ts';
import { gvkString } from './object.ts';
import type { Predicate } from './predicate.ts';

/** Anything that hands out shared informers: the manager's Cache. */
export interface InformerProvider {
  getInformer<T extends KubeObject>(gvk: GroupVersionKind): Promise<Informer<T>>;
}

export interface Source {
  readonly description: string;
  /** Starts delivering events to `queue` until `signal` aborts. */
  start(signal: AbortSignal, queue: RequestQueue): Promise<void>;
  /** Resolves true once the source has delivered its initial state, false if `signal` aborts first. */
  waitForSync(signal: AbortSignal): Promise<boolean>;
}

export interface KindSourceOptions<T extends KubeObject> {
  readonly provider: InformerProvider;
  readonly gvk: GroupVersionKind;
  readonly handler: EventHandler<T>;
  readonly predicates?: readonly Predicate<T>[];
  readonly clock: Clock;
  readonly log: Logger;
}

const SYNC_POLL_MS = 20;

export class KindSource<T extends KubeObject = KubeObject> implements Source {
  readonly description: string;
  readonly #options: KindSourceOptions<T>;
  #informer: Informer<T> | undefined;
  #registration: Registration | undefined;

  constructor(options: KindSourceOptions<T>) {
    this.#options = options;
    this.description = `kind source: ${gvkString(options.gvk)}`;
  }

  async start(signal: AbortSignal, queue: RequestQueue): Promise<void> {
    if (this.#registration) throw new Error(`${this.description} was already started`);
    const { provider, gvk, handler, log } = this.#options;
    const predicates = this.#options.predicates ?? [];
    const informer = await provider.getInformer<T>(gvk);
    this.#informer = informer;
    // A throwing predicate or map function must not break the informer's delivery to others: log and drop.
    const guarded = (what: string, fn: () => void) => {
      try {
        fn();
      } catch (err) {
        log.error({ err, source: this.description, event: what }, 'event handler or predicate failed; event dropped');
      }
    };
    this.#registration = informer.addEventHandler({
      onAdd: (object, isInInitialList) =>
        guarded('create', () => {
          const event = { object, isInInitialList };
          if (predicates.every((p) => p.create(event))) handler.create(event, queue);
        }),
      onUpdate: (objectOld, objectNew) =>
        guarded('update', () => {
          const event = { objectOld, objectNew };
          if (predicates.every((p) => p.update(event))) handler.update(event, queue);
        }),
      onDelete: (object) =>
        guarded('delete', () => {
          const event = { object };
          if (predicates.every((p) => p.delete(event))) handler.delete(event, queue);
        }),
    });
    const stop = () => {
      this.#registration?.remove();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  }

  async waitForSync(signal: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal.aborted) return false;
      if (this.#informer?.hasSynced()) return true;
      try {
        await this.#options.clock.sleep(SYNC_POLL_MS, signal);
      } catch {
        return false;
      }
    }
  }
}

/**
 * A source fed by the program itself (controller-runtime's channel source): `emit(obj)` raises a generic event,
 * e.g. a timer that wants an object reconciled.
 */
export class GenericSource<T extends KubeObject = KubeObject> implements Source {
  readonly description: string;
  readonly #handler: EventHandler<T>;
  readonly #predicates: readonly Predicate<T>[];
  #queue: RequestQueue | undefined;
  readonly #pending: T[] = [];

  constructor(name: string, handler: EventHandler<T>, predicates: readonly Predicate<T>[] = []) {
    this.description = `generic source: ${name}`;
    this.#handler = handler;
    this.#predicates = predicates;
  }

  /** Raises a generic event for `object`; before start, events are held and delivered at start. */
  emit(object: T): void {
    if (!this.#queue) {
      this.#pending.push(object);
      return;
    }
    const event = { object };
    if (this.#predicates.every((p) => p.generic(event))) this.#handler.generic(event, this.#queue);
  }

  async start(signal: AbortSignal, queue: RequestQueue): Promise<void> {
    this.#queue = queue;
    signal.addEventListener('abort', () => (this.#queue = undefined), { once: true });
    for (const object of this.#pending.splice(0)) this.emit(object);
  }

  async waitForSync(): Promise<boolean> {
    return true;
  }
}
