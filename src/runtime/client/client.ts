// The client's contract, on the model of controller-runtime's: small interfaces (Reader, Writer, StatusWriter)
// composed into Client. Reads of kinds the shared cache holds come from the cache (frozen, shared objects: never
// mutate them, copy with structuredClone first); everything else, and every write, goes to the API server.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Cache } from '../cache/cache.ts';
import type { Clock } from '../clock.ts';
import { type GroupVersionKind, type KubeObject, type ObjectKey, gvk as parseGvk } from '../object.ts';
import type { KubeAccess } from '../rest/kubeconfig.ts';
import { RestMapper } from '../rest/mapper.ts';
import { RestClient } from '../rest/restclient.ts';
import { cachedGet, cachedList } from './cachereader.ts';
import { LiveClient } from './live.ts';
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

export interface ClientOptions {
  readonly kubeConfig: KubeAccess;
  /** Reads of kinds this cache holds an informer for are served from it. */
  readonly cache?: Cache;
  /** Sustained requests per second (client-side token bucket). Default 0: no limit (0 or negative disables it). */
  readonly qps?: number;
  /** Requests allowed in a burst above qps, when qps is positive. Default 30. */
  readonly burst?: number;
  /** Retries of a request answered 429 (or 5xx with Retry-After), waiting as told. Default 5. */
  readonly maxRetries?: number;
  readonly logger?: Logger;
  /** Registers rest_client_requests_total and rest_client_request_duration_seconds here. */
  readonly metrics?: Registry;
  /** User-Agent header and default field manager. Default "sparkop". */
  readonly userAgent?: string;
  readonly clock?: Clock;
}

/**
 * A client whose reads of kinds held by `options.cache` (an informer was requested for them) come from the cache;
 * all other reads, and every write, go to the API server.
 */
export function newClient(options: ClientOptions): Client {
  const rest = new RestClient({
    kubeConfig: options.kubeConfig,
    qps: options.qps,
    burst: options.burst,
    maxRetries: options.maxRetries,
    logger: options.logger,
    metrics: options.metrics,
    userAgent: options.userAgent,
    clock: options.clock,
  });
  const mapper = new RestMapper(rest, { clock: options.clock });
  const live = new LiveClient(rest, mapper);
  const cache = options.cache;
  const apiReader: Reader = { get: (kind, key) => live.get(kind, key), list: (kind, opts) => live.list(kind, opts) };
  return {
    apiReader,
    mapper,
    get<T extends KubeObject>(kind: Kind<T>, key: ObjectKey): Promise<T> {
      const informer = cache?.peekInformer<T>(kind);
      return informer ? cachedGet(informer, key) : live.get(kind, key);
    },
    list<T extends KubeObject>(kind: Kind<T>, opts?: ListOptions): Promise<T[]> {
      const informer = cache?.peekInformer<T>(kind);
      return informer ? cachedList(informer, opts) : live.list(kind, opts);
    },
    create: (obj, opts) => live.create(obj, opts),
    update: (obj, opts) => live.update(obj, opts),
    patch: live.patch.bind(live),
    delete: (obj, opts) => live.delete(obj, opts),
    deleteAllOf: (kind, opts) => live.deleteAllOf(kind, opts),
    status: () => live.status(),
  };
}

/** A Kind naming its object type, for typed results: `const Pods = kind<V1Pod>('v1', 'Pod')`. */
export function kind<T extends KubeObject>(apiVersion: string, kindName: string): Kind<T> {
  return parseGvk(apiVersion, kindName);
}
