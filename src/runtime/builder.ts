// The fluent way to make a controller, after controller-runtime's builder:
//   controllerFor(manager).for(Kinds.Foo).owns(Kinds.Pod).withOptions({ maxConcurrentReconciles: 4 }).complete(r)
// for(): the primary kind, each event enqueues the object itself; owns(): objects whose controller owner is of the
// primary kind enqueue that owner; watches(): any kind, mapped to requests by a function.
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import { Controller } from './controller.ts';
import type { EventHandler } from './handler.ts';
import { enqueueForControllerOwner, enqueueForObject, enqueueMapped } from './handler.ts';
import type { Runnable } from './manager.ts';
import type { RuntimeMetrics } from './metrics.ts';
import type { GroupVersionKind, KubeObject } from './object.ts';
import type { Predicate } from './predicate.ts';
import type { Reconciler, Request } from './reconcile.ts';
import type { InformerProvider } from './source.ts';
import { KindSource } from './source.ts';
import type { RateLimiter } from './workqueue/ratelimiter.ts';

/** What a controller needs from its manager (the Manager is one). */
export interface ControllerHost extends InformerProvider {
  readonly log: Logger;
  readonly clock: Clock;
  readonly metrics: RuntimeMetrics;
  add(runnable: Runnable): void;
}

export interface BuilderOptions {
  /** Default: the primary kind's name in lower case. Must be unique in the manager. */
  readonly name?: string;
  /** Default 1. */
  readonly maxConcurrentReconciles?: number;
  /** Default: 5 ms → 1000 s per key, max of 10 qps / burst 100 overall. */
  readonly rateLimiter?: RateLimiter<string>;
  /** Default 2 minutes. */
  readonly cacheSyncTimeoutMs?: number;
  /** Default true. */
  readonly needLeaderElection?: boolean;
}

export class BuilderError extends Error {
  override readonly name = 'BuilderError';
}

interface Watch {
  readonly gvk: GroupVersionKind;
  readonly handler: EventHandler<KubeObject>;
  readonly predicates: readonly Predicate<KubeObject>[];
}

export class ControllerBuilder {
  readonly #host: ControllerHost;
  #primary: Watch | undefined;
  readonly #watches: Watch[] = [];
  readonly #global: Predicate<KubeObject>[] = [];
  #options: BuilderOptions = {};
  #built = false;

  constructor(host: ControllerHost) {
    this.#host = host;
  }

  /** The primary kind: what the reconciler reconciles. Exactly one. */
  for<T extends KubeObject>(kind: GroupVersionKind, ...predicates: Predicate<T>[]): this {
    if (this.#primary) throw new BuilderError(`for() was already called (with kind ${this.#primary.gvk.kind})`);
    this.#primary = { gvk: kind, handler: enqueueForObject(), predicates: predicates as Predicate<KubeObject>[] };
    return this;
  }

  /** A kind the primary kind creates: changes to it enqueue its controller owner (if of the primary kind). */
  owns<T extends KubeObject>(kind: GroupVersionKind, ...predicates: Predicate<T>[]): this {
    this.#watches.push({
      gvk: kind,
      handler: ownerHandlerPlaceholder,
      predicates: predicates as Predicate<KubeObject>[],
    });
    return this;
  }

  /** Any kind: `map` names the requests an object's events should trigger. */
  watches<T extends KubeObject>(
    kind: GroupVersionKind,
    map: (obj: T) => readonly Request[],
    ...predicates: Predicate<T>[]
  ): this {
    this.#watches.push({
      gvk: kind,
      handler: enqueueMapped(map) as EventHandler<KubeObject>,
      predicates: predicates as Predicate<KubeObject>[],
    });
    return this;
  }

  /** Predicates applied to every watched kind, in addition to each one's own. */
  withPredicates(...predicates: Predicate<KubeObject>[]): this {
    this.#global.push(...predicates);
    return this;
  }

  withOptions(options: BuilderOptions): this {
    this.#options = { ...this.#options, ...options };
    return this;
  }

  named(name: string): this {
    return this.withOptions({ name });
  }

  /** Builds the controller without adding it to the manager. */
  build(reconciler: Reconciler): Controller {
    if (this.#built) throw new BuilderError('this builder already built its controller');
    const primary = this.#primary;
    if (!primary) throw new BuilderError('a controller needs a primary kind: call for(kind) before complete()');
    this.#built = true;
    const host = this.#host;
    const name = this.#options.name ?? primary.gvk.kind.toLowerCase();
    const controller = new Controller({
      name,
      reconciler,
      clock: host.clock,
      log: host.log,
      metrics: host.metrics,
      logFields: { controllerGroup: primary.gvk.group, controllerKind: primary.gvk.kind },
      ...definedOnly({
        maxConcurrentReconciles: this.#options.maxConcurrentReconciles,
        rateLimiter: this.#options.rateLimiter,
        cacheSyncTimeoutMs: this.#options.cacheSyncTimeoutMs,
        needLeaderElection: this.#options.needLeaderElection,
      }),
    });
    const log = host.log.child({ controller: name });
    for (const watch of [primary, ...this.#watches]) {
      const handler =
        watch.handler === ownerHandlerPlaceholder
          ? enqueueForControllerOwner({ group: primary.gvk.group, kind: primary.gvk.kind })
          : watch.handler;
      void controller.watch(
        new KindSource({
          provider: host,
          gvk: watch.gvk,
          handler,
          predicates: [...this.#global, ...watch.predicates],
          clock: host.clock,
          log,
        }),
      );
    }
    return controller;
  }

  /** Builds the controller and adds it to the manager, which starts it (on the leader). */
  complete(reconciler: Reconciler): Controller {
    const controller = this.build(reconciler);
    this.#host.add(controller);
    return controller;
  }
}

// owns() needs the primary kind, which may be set later: resolved in build().
const ownerHandlerPlaceholder: EventHandler<KubeObject> = enqueueForObject();

export function controllerFor(host: ControllerHost): ControllerBuilder {
  return new ControllerBuilder(host);
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
