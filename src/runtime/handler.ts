// Event handlers: turn an informer event into the requests (keys) to reconcile. A handler only enqueues; filtering
// is the predicates' job.
import type { KubeObject } from './object.ts';
import type { CreateEvent, DeleteEvent, GenericEvent, UpdateEvent } from './predicate.ts';
import type { Request } from './reconcile.ts';

/** Where handlers put requests: the controller's queue, keyed by namespace/name. */
export interface RequestQueue {
  add(request: Request): void;
}

export interface EventHandler<T extends KubeObject = KubeObject> {
  create(event: CreateEvent<T>, queue: RequestQueue): void;
  update(event: UpdateEvent<T>, queue: RequestQueue): void;
  delete(event: DeleteEvent<T>, queue: RequestQueue): void;
  generic(event: GenericEvent<T>, queue: RequestQueue): void;
}

/** Builds a handler that enqueues `requestsFor(obj)` for every event (both objects of an update). */
function perObject<T extends KubeObject>(requestsFor: (obj: T) => readonly Request[]): EventHandler<T> {
  const enqueue = (obj: T, queue: RequestQueue) => {
    for (const request of requestsFor(obj)) queue.add(request);
  };
  return {
    create: (e, q) => enqueue(e.object, q),
    update: (e, q) => {
      enqueue(e.objectOld, q);
      enqueue(e.objectNew, q);
    },
    delete: (e, q) => enqueue(e.object, q),
    generic: (e, q) => enqueue(e.object, q),
  };
}

function requestOf(obj: KubeObject): Request | undefined {
  const name = obj.metadata?.name;
  if (!name) return undefined;
  const namespace = obj.metadata?.namespace;
  return namespace ? { namespace, name } : { name };
}

/** Enqueues the object itself: the handler of a controller's primary kind. */
export function enqueueForObject<T extends KubeObject = KubeObject>(): EventHandler<T> {
  return perObject((obj) => {
    const request = requestOf(obj);
    return request ? [request] : [];
  });
}

export interface OwnerKind {
  /** "" for the core group. Versions are not compared: an owner reference may name any served version. */
  readonly group: string;
  readonly kind: string;
}

export interface OwnerOptions {
  /** Only the owner reference marked `controller: true` (default), or every owner of the kind. */
  readonly onlyController?: boolean;
  /** The owner is cluster-scoped; by default it lives in the owned object's namespace. */
  readonly clusterScopedOwner?: boolean;
}

/** Enqueues the owner of the object, of kind `owner`, found through its ownerReferences. */
export function enqueueForOwner<T extends KubeObject = KubeObject>(
  owner: OwnerKind,
  options: OwnerOptions = {},
): EventHandler<T> {
  const onlyController = options.onlyController ?? true;
  return perObject((obj) => {
    const requests: Request[] = [];
    for (const ref of obj.metadata?.ownerReferences ?? []) {
      if (onlyController && ref.controller !== true) continue;
      if (ref.kind !== owner.kind || groupOf(ref.apiVersion) !== owner.group) continue;
      const namespace = options.clusterScopedOwner ? undefined : obj.metadata?.namespace;
      requests.push(namespace ? { namespace, name: ref.name } : { name: ref.name });
    }
    return requests;
  });
}

/** Enqueues the controller owner (`controller: true`) of kind `owner`: the handler behind `owns()`. */
export function enqueueForControllerOwner<T extends KubeObject = KubeObject>(
  owner: OwnerKind,
  options: Omit<OwnerOptions, 'onlyController'> = {},
): EventHandler<T> {
  return enqueueForOwner<T>(owner, { ...options, onlyController: true });
}

/** Enqueues whatever `map` returns for the object: for watches of related kinds. */
export function enqueueMapped<T extends KubeObject = KubeObject>(map: (obj: T) => readonly Request[]): EventHandler<T> {
  return perObject(map);
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
