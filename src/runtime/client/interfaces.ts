// The client's contract, on the model of controller-runtime's interfaces.go: small interfaces (Reader, Writer,
// StatusWriter) composed into Client. Reads of kinds the shared cache holds come from the cache (frozen, shared
// objects: never mutate them, copy with structuredClone first); everything else, and every write, goes to the API
// server. A file of its own, so that the implementations (client.ts, live.ts, cachereader.ts) depend on it and not
// on each other.
import type { GroupVersionKind, KubeObject, ObjectKey } from '../object.ts';
import type { RestMapper } from '../rest/mapper.ts';
import type { Patch } from './patch.ts';

/**
 * A group/version/kind that also names the TypeScript type of its objects, so results are typed without a cast:
 * `client.get(Pods, key)` is a `Promise<V1Pod>`. A plain GroupVersionKind works too (with an explicit `<T>`).
 */
export interface Kind<T extends KubeObject = KubeObject> extends GroupVersionKind {
  /** Type-level only; never set. */
  readonly __object?: T;
}

export interface ListOptions {
  /** Only this namespace; all namespaces when absent (for namespaced kinds). */
  readonly namespace?: string;
  /** A label selector in the API's syntax: `app=x,tier!=web,env in (a,b),!legacy`. */
  readonly labelSelector?: string;
  /** A field selector; from the cache only `metadata.name=` and `metadata.namespace=` (use an index otherwise). */
  readonly fieldSelector?: string;
  /** List by a field index registered with Cache.indexField (cache reads only). */
  readonly index?: { readonly name: string; readonly value: string };
  /** At most this many objects (live reads: one page of this size). */
  readonly limit?: number;
}

export interface Reader {
  /** The object, or a NotFoundError. */
  get<T extends KubeObject>(kind: Kind<T>, key: ObjectKey): Promise<T>;
  /** Every matching object, sorted by namespace/name when read from the cache, in server order when live. */
  list<T extends KubeObject>(kind: Kind<T>, options?: ListOptions): Promise<T[]>;
}

export interface WriteOptions {
  /** Validate and admit, but do not persist. */
  readonly dryRun?: boolean;
  /** The field manager recorded for this write (default: the client's user agent). */
  readonly fieldManager?: string;
}

export interface DeleteOptions {
  /** Foreground (dependents first), Background (default for most kinds) or Orphan. */
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** Delete only if the object still has this uid / resourceVersion (409 Conflict otherwise). */
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly gracePeriodSeconds?: number;
  readonly dryRun?: boolean;
}

export interface DeleteAllOfOptions extends DeleteOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface Writer {
  /** Creates the object (apiVersion and kind required); resolves to what the server stored. */
  create<T extends KubeObject>(obj: T, options?: WriteOptions): Promise<T>;
  /** Replaces the object; its metadata.resourceVersion guards against lost updates (ConflictError). */
  update<T extends KubeObject>(obj: T, options?: WriteOptions): Promise<T>;
  /** Patches the object named by `obj` (its apiVersion, kind, namespace and name). */
  patch<T extends KubeObject>(obj: T, patch: Patch, options?: WriteOptions): Promise<T>;
  /** Patches the object of `kind` named by `key`. */
  patch<T extends KubeObject>(kind: Kind<T>, key: ObjectKey, patch: Patch, options?: WriteOptions): Promise<T>;
  /** Deletes the object; NotFoundError if it is already gone (`.catch(ignoreNotFound)`). */
  delete(obj: KubeObject, options?: DeleteOptions): Promise<void>;
  /** Deletes every object of `kind` matching the selectors (in one namespace, for namespaced kinds). */
  deleteAllOf(kind: GroupVersionKind, options: DeleteAllOfOptions): Promise<void>;
}

/** Writes to the status subresource: changes outside `.status` are ignored by the server. */
export interface StatusWriter {
  update<T extends KubeObject>(obj: T, options?: WriteOptions): Promise<T>;
  patch<T extends KubeObject>(obj: T, patch: Patch, options?: WriteOptions): Promise<T>;
  patch<T extends KubeObject>(kind: Kind<T>, key: ObjectKey, patch: Patch, options?: WriteOptions): Promise<T>;
}

export interface Client extends Reader, Writer {
  status(): StatusWriter;
  /** Reads straight from the API server, bypassing the cache. */
  readonly apiReader: Reader;
  /** Kind ↔ resource mapping (discovery, cached, refreshed on a miss). */
  readonly mapper: RestMapper;
}
