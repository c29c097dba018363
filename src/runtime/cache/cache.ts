// The shared cache: one informer per kind, created on first request and shared by every controller and by the
// client's reads. Objects it hands out are the store's own — deep-frozen and shared, never copied per read — so a
// caller that wants to change one makes its own copy (structuredClone) first.
import { type Logger, pino } from 'pino';
import type { Registry } from 'prom-client';
import { type Clock, realClock } from '../clock.ts';
import { type GroupVersionKind, gvkString, type KubeObject } from '../object.ts';
import { type BackoffPolicy, DEFAULT_BACKOFF } from '../rest/backoff.ts';
import type { KubeAccess } from '../rest/kubeconfig.ts';
import { RestMapper } from '../rest/mapper.ts';
import type { ProtobufObjectDecoder } from '../rest/protobuf.ts';
import { RestClient } from '../rest/restclient.ts';
import { type InformerHealth, SharedInformer } from './informer.ts';
import type { Informer } from './types.ts';
import type { InitialState } from './watcher.ts';

/** What one kind's informer watches and keeps. */
export interface KindScope {
  /** Only these namespaces (one watch each); every namespace when absent or empty. */
  readonly namespaces?: readonly string[];
  /** Server-side label selector: objects not matching never enter the cache. */
  readonly labelSelector?: string;
  /** Server-side field selector. */
  readonly fieldSelector?: string;
  /** Rewrites each object before it is stored (e.g. to drop bulky fields). Default: stripManagedFields. */
  readonly transform?: (obj: KubeObject) => KubeObject;
  /**
   * Lists and watches this (built-in) kind in protobuf and decodes each object with this function instead of
   * JSON.parse + transform: it must return exactly what `transform` returns for the object's JSON form (it may skip
   * reading what the transform drops). Answers the server sends as JSON still go through JSON.parse + transform.
   */
  readonly decodeProtobuf?: ProtobufObjectDecoder;
}

export interface CacheOptions {
  readonly kubeConfig: KubeAccess;
  /** Per kind, keyed by gvkString(gvk). */
  readonly scopes?: ReadonlyMap<string, KindScope>;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: Registry;
  /** Retry delays of failed lists and watches. Default about 0.8 s doubling to 30 s, with jitter. */
  readonly backoff?: BackoffPolicy;
  /**
   * How informers get the full state: `stream` (a watch with sendInitialEvents; lists where the API server refuses
   * it) or `list` (paginated lists only). Default `stream`.
   */
  readonly initialState?: InitialState;
  /** Objects per list page. Default 500. */
  readonly pageSize?: number;
  /** Server-side watch timeout (each watch lasts 1–2× this). Default 300 s. */
  readonly watchTimeoutSeconds?: number;
  /** Source of jitter. Default Math.random. */
  readonly random?: () => number;
  /** Requests per second of the cache's lists and watches, and their burst. Default 0 (no limit) / 30. */
  readonly qps?: number;
  readonly burst?: number;
}

export interface CacheHealth {
  readonly healthy: boolean;
  /** By gvkString, sorted. */
  readonly informers: readonly InformerHealth[];
}

/** The default transform: managedFields are large and of no use to a controller's reads. */
export function stripManagedFields(obj: KubeObject): KubeObject {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

export class Cache {
  readonly #options: CacheOptions;
  readonly #rest: RestClient;
  readonly #mapper: RestMapper;
  readonly #log: Logger;
  readonly #informers = new Map<string, Promise<SharedInformer>>();
  readonly #ready = new Map<string, SharedInformer>();
  readonly #pendingIndexes = new Map<string, Map<string, (obj: KubeObject) => readonly string[]>>();
  #signal: AbortSignal | undefined;

  constructor(options: CacheOptions) {
    this.#options = options;
    this.#log = options.logger ?? pino({ level: 'silent' });
    this.#rest = new RestClient({
      kubeConfig: options.kubeConfig,
      qps: options.qps,
      burst: options.burst,
      clock: options.clock,
      logger: this.#log,
      metrics: options.metrics,
      userAgent: 'sparkop-cache',
    });
    this.#mapper = new RestMapper(this.#rest, { clock: options.clock });
  }

  /** The kind's shared informer, created (and started, if the cache runs) on first request. */
  getInformer<T extends KubeObject>(gvk: GroupVersionKind): Promise<Informer<T>> {
    return this.#informer(gvk) as unknown as Promise<Informer<T>>;
  }

  /** The informer for `gvk` if one was requested and is ready, without creating one (no I/O). */
  peekInformer<T extends KubeObject>(gvk: GroupVersionKind): SharedInformer<T> | undefined {
    return this.#ready.get(gvkString(gvk)) as SharedInformer<T> | undefined;
  }

  /**
   * Maintains an index `name` over the kind's objects: `extract` returns the values an object is listed under.
   * Registered before or after the informer exists; lists by index see it at once.
   */
  indexField<T extends KubeObject>(gvk: GroupVersionKind, name: string, extract: (obj: T) => readonly string[]): void {
    const key = gvkString(gvk);
    const fn = extract as (obj: KubeObject) => readonly string[];
    const informer = this.#ready.get(key);
    if (informer) {
      informer.addIndex(name, fn);
      return;
    }
    const pending = this.#pendingIndexes.get(key) ?? new Map();
    if (pending.has(name)) throw new Error(`index "${name}" is already registered for ${key}`);
    pending.set(name, fn);
    this.#pendingIndexes.set(key, pending);
  }

  /** Starts every informer, present and future; resolves once started (they run until `signal` aborts). */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#signal) throw new Error('the cache is already started');
    this.#signal = signal;
    signal.addEventListener('abort', () => this.#rest.transport.close(), { once: true });
    for (const informer of this.#ready.values()) informer.start(signal);
  }

  /** True once every informer has synced (including ones requested while waiting); false if `signal` aborts. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      const pending = [...this.#informers.values()];
      const informers = await Promise.all(pending.map((p) => p.catch(() => undefined)));
      for (const informer of informers) {
        if (informer && !(await informer.whenSynced(signal))) return false;
      }
      if (signal?.aborted) return false;
      if (this.#informers.size === pending.length) return true;
    }
  }

  health(): CacheHealth {
    const informers = [...this.#ready.values()].map((i) => i.health()).sort((a, b) => (a.gvk < b.gvk ? -1 : 1));
    return { healthy: informers.every((i) => i.healthy), informers };
  }

  #informer(gvk: GroupVersionKind): Promise<SharedInformer> {
    const key = gvkString(gvk);
    let informer = this.#informers.get(key);
    if (!informer) {
      informer = this.#create(gvk);
      this.#informers.set(key, informer);
      // A kind that cannot be mapped (CRD not installed yet) may be asked for again later.
      informer.catch(() => this.#informers.delete(key));
    }
    return informer;
  }

  async #create(gvk: GroupVersionKind): Promise<SharedInformer> {
    const key = gvkString(gvk);
    const mapping = await this.#mapper.mapping(gvk);
    const scope = this.#options.scopes?.get(key) ?? {};
    const informer = new SharedInformer({
      gvk: { group: gvk.group, version: gvk.version, kind: gvk.kind },
      mapping,
      rest: this.#rest,
      clock: this.#options.clock ?? realClock,
      logger: this.#log.child({ informer: key }),
      backoff: this.#options.backoff ?? DEFAULT_BACKOFF,
      random: this.#options.random ?? Math.random,
      namespaces: scope.namespaces,
      labelSelector: scope.labelSelector,
      fieldSelector: scope.fieldSelector,
      transform: scope.transform ?? stripManagedFields,
      ...(scope.decodeProtobuf ? { decodeProtobuf: scope.decodeProtobuf } : {}),
      initialState: this.#options.initialState ?? 'stream',
      pageSize: this.#options.pageSize ?? 500,
      watchTimeoutSeconds: this.#options.watchTimeoutSeconds ?? 300,
    });
    for (const [name, extract] of this.#pendingIndexes.get(key) ?? []) informer.addIndex(name, extract);
    this.#pendingIndexes.delete(key);
    this.#ready.set(key, informer);
    if (this.#signal) informer.start(this.#signal);
    return informer;
  }
}
