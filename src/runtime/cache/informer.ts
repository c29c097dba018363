// One shared informer: the shell around the pure watcher (watcher.ts). It runs one watcher per scoped namespace
// (or one cluster-wide), performs the watcher's commands (list, watch, wait), applies its effects to the store and
// tells the handlers. It never stops on its own: every failure is logged, counted in health(), and retried.
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { type ApiError, isGone } from '../errors.ts';
import { type GroupVersionKind, gvkString, type KubeObject, keyString, type ObjectKey } from '../object.ts';
import type { BackoffPolicy } from '../rest/backoff.ts';
import type { RestMapping } from '../rest/mapper.ts';
import { type Query, resourcePath } from '../rest/paths.ts';
import { type DecodedList, decodeList, type ProtobufObjectDecoder } from '../rest/protobuf.ts';
import type { RestClient } from '../rest/restclient.ts';
import type { WatchEvent } from '../rest/watchstream.ts';
import { deepFreeze } from './freeze.ts';
import { labelMatcher } from './selector.ts';
import { type IndexFunc, NAMESPACE_INDEX, Store } from './store.ts';
import type { Informer, InformerEventHandler, ListFilter, Registration } from './types.ts';
import {
  type InitialState,
  startWatcher,
  step,
  type WatcherCommand,
  type WatcherEffect,
  type WatcherInput,
} from './watcher.ts';

export interface InformerOptions {
  readonly gvk: GroupVersionKind;
  readonly mapping: RestMapping;
  readonly rest: RestClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
  /** Watch only these namespaces (one watch each); all when absent. */
  readonly namespaces?: readonly string[];
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Applied to every object before it is frozen and stored. */
  readonly transform: (obj: KubeObject) => KubeObject;
  /** Decodes an object from protobuf into what `transform` makes of its JSON (KindScope.decodeProtobuf). */
  readonly decodeProtobuf?: ProtobufObjectDecoder;
  /**
   * How each watcher gets the full state: `stream` (a watch with sendInitialEvents, falling back to lists for good
   * where the API server refuses it) or `list` (paginated lists only).
   */
  readonly initialState: InitialState;
  /** Objects per list page. */
  readonly pageSize: number;
  /** The server ends each watch after about this long (randomised up to twice as long, so watches spread out). */
  readonly watchTimeoutSeconds: number;
}

export interface InformerHealth {
  readonly gvk: string;
  /** Synced, and no watcher is in a failure streak. */
  readonly healthy: boolean;
  readonly synced: boolean;
  /** Consecutive failures, summed over the watchers. */
  readonly failures: number;
  readonly lastError?: string;
  /** Relists forced by 410 Gone. */
  readonly relists: number;
  /** How the full state is got: `stream` while every watcher streams it, `list` once one had to list it. */
  readonly initialState: InitialState;
  readonly objects: number;
}

/** A filter of Informer.list plus any predicate (the cache reader's parsed selectors). */
export interface SelectFilter extends ListFilter {
  readonly match?: (obj: KubeObject) => boolean;
}

export class SharedInformer<T extends KubeObject = KubeObject> implements Informer<T> {
  readonly gvk: GroupVersionKind;
  readonly #o: InformerOptions;
  readonly #store = new Store<T>();
  readonly #handlers = new Set<InformerEventHandler<T>>();
  readonly #fromProtobuf = new WeakSet<KubeObject>();
  /** The protobuf decoder while it works; dropped (JSON from then on) after an answer it could not decode. */
  #protobuf: ProtobufObjectDecoder | undefined;
  readonly #partitions: readonly (string | undefined)[];
  readonly #syncedPartitions = new Set<string | undefined>();
  readonly #failures = new Map<string | undefined, number>();
  /** Partitions whose API server refused to stream the initial state. */
  readonly #listing = new Set<string | undefined>();
  #lastError: string | undefined;
  #relists = 0;
  #started = false;
  #syncedResolve!: () => void;
  readonly #synced = new Promise<void>((resolve) => {
    this.#syncedResolve = resolve;
  });

  constructor(options: InformerOptions) {
    this.gvk = options.gvk;
    this.#o = options;
    this.#protobuf = options.decodeProtobuf;
    const namespaces = options.mapping.namespaced && options.namespaces?.length ? [...new Set(options.namespaces)] : [];
    this.#partitions = namespaces.length ? namespaces.sort() : [undefined];
  }

  get started(): boolean {
    return this.#started;
  }

  /** Starts the watchers (once); they run until `signal` aborts. */
  start(signal: AbortSignal): void {
    if (this.#started) return;
    this.#started = true;
    for (const namespace of this.#partitions) {
      void this.#run(namespace, signal).catch((err: unknown) => {
        // #run only returns on abort; anything else is a bug, reported loudly rather than swallowed.
        this.#o.logger.error({ err, gvk: gvkString(this.gvk), namespace }, 'informer stopped unexpectedly');
        this.#lastError = String(err);
      });
    }
  }

  addEventHandler(handler: InformerEventHandler<T>): Registration {
    this.#handlers.add(handler);
    // A late handler first hears about every object already known, as if it had been there for the list.
    for (const obj of this.#store.list()) this.#call(handler, 'onAdd', () => handler.onAdd?.(obj, true));
    return { remove: () => this.#handlers.delete(handler) };
  }

  hasSynced(): boolean {
    return this.#syncedPartitions.size === this.#partitions.length;
  }

  /** Resolves true once synced, false if `signal` aborts first. */
  async whenSynced(signal?: AbortSignal): Promise<boolean> {
    if (this.hasSynced()) return true;
    if (signal?.aborted) return false;
    return new Promise<boolean>((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      void this.#synced.then(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  get(key: ObjectKey): T | undefined {
    return this.#store.get(keyString(key));
  }

  list(filter: SelectFilter = {}): T[] {
    let objects: T[];
    if (filter.index) {
      objects = this.#store.byIndex(filter.index.name, filter.index.value);
      if (filter.namespace !== undefined) objects = objects.filter((o) => o.metadata?.namespace === filter.namespace);
    } else if (filter.namespace !== undefined) {
      objects = this.#store.byIndex(NAMESPACE_INDEX, filter.namespace);
    } else {
      objects = this.#store.list();
    }
    if (filter.labels) {
      const matches = labelMatcher(filter.labels);
      objects = objects.filter((o) => matches(o.metadata?.labels));
    }
    if (filter.match) objects = objects.filter(filter.match);
    return objects;
  }

  addIndex(name: string, extract: IndexFunc<T>): void {
    this.#store.addIndex(name, extract);
  }

  hasIndex(name: string): boolean {
    return this.#store.hasIndex(name);
  }

  health(): InformerHealth {
    const failures = [...this.#failures.values()].reduce((a, b) => a + b, 0);
    return {
      gvk: gvkString(this.gvk),
      healthy: this.hasSynced() && failures === 0,
      synced: this.hasSynced(),
      failures,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
      relists: this.#relists,
      initialState: this.#o.initialState === 'stream' && this.#listing.size === 0 ? 'stream' : 'list',
      objects: this.#store.size,
    };
  }

  // The shell: perform the watcher's command, feed the outcome back, until aborted.
  async #run(namespace: string | undefined, signal: AbortSignal): Promise<void> {
    const config = { backoff: this.#o.backoff, random: this.#o.random };
    let current = startWatcher(this.#o.initialState);
    let state = current.state;
    let command: WatcherCommand | undefined = current.command;
    const advance = (input: WatcherInput): WatcherCommand | undefined => {
      current = step(state, input, config);
      state = current.state;
      this.#applyEffects(namespace, current.effects);
      return current.command;
    };
    while (!signal.aborted) {
      if (!command) throw new Error(`watcher stalled in phase ${state.phase}`);
      let input: WatcherInput;
      switch (command.type) {
        case 'list':
          input = await this.#listPage(namespace, command.continueToken, signal);
          break;
        case 'wait':
          try {
            await this.#o.clock.sleep(command.ms, signal);
          } catch {
            return; // aborted
          }
          input = { type: 'backoffElapsed' };
          break;
        case 'stream':
        case 'watch': {
          const from = command.type === 'watch' ? command.resourceVersion : undefined;
          const outcome = await this.#watch(namespace, from, signal, advance);
          if (outcome.type === 'next') {
            command = outcome.command;
            continue;
          }
          input = outcome.input;
          break;
        }
      }
      if (signal.aborted) return;
      command = advance(input);
    }
  }

  async #listPage(
    namespace: string | undefined,
    continueToken: string | undefined,
    signal: AbortSignal,
  ): Promise<WatcherInput> {
    const query: Query = {
      limit: this.#o.pageSize,
      continue: continueToken,
      labelSelector: this.#o.labelSelector,
      fieldSelector: this.#o.fieldSelector,
    };
    try {
      const req = { method: 'GET' as const, path: resourcePath(this.#o.mapping, { namespace }, query), signal };
      // Each page is transformed as it arrives: the watcher keeps the pages until the last one, and whole objects
      // held for a full list (60 000 pods) would take several times the memory of the slim ones.
      const prepare = (answer: unknown): DecodedList => {
        const list = answer as { items?: KubeObject[]; metadata?: DecodedList['metadata'] };
        return { items: (list.items ?? []).map((item) => this.#prepare(item)), metadata: list.metadata ?? {} };
      };
      const decode = this.#protobuf;
      const list = decode
        ? await this.#o.rest.requestNegotiated(
            req,
            (body) => prepare(decodeList(body, this.#decodedPrepared(decode))),
            prepare,
          )
        : prepare(await this.#o.rest.request<unknown>(req));
      return {
        type: 'listPage',
        items: list.items,
        resourceVersion: list.metadata.resourceVersion ?? '',
        continueToken: list.metadata.continue || undefined,
      };
    } catch (error) {
      this.#protobufFailed(error);
      return { type: 'listFailed', error };
    }
  }

  // Feeds the watch's events to the watcher until it asks for something else (then returns that command) or the
  // watch ends (then returns the input saying how). Without `resourceVersion`, the watch streams the initial state
  // first (sendInitialEvents), as of a consistent read (resourceVersionMatch NotOlderThan with no version).
  async #watch(
    namespace: string | undefined,
    resourceVersion: string | undefined,
    signal: AbortSignal,
    advance: (input: WatcherInput) => WatcherCommand | undefined,
  ): Promise<{ type: 'next'; command: WatcherCommand } | { type: 'ended'; input: WatcherInput }> {
    const timeoutSeconds = Math.round(this.#o.watchTimeoutSeconds * (1 + this.#o.random()));
    const path = resourcePath(
      this.#o.mapping,
      { namespace },
      {
        watch: true,
        allowWatchBookmarks: true,
        ...(resourceVersion === undefined
          ? { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' }
          : { resourceVersion }),
        timeoutSeconds,
        labelSelector: this.#o.labelSelector,
        fieldSelector: this.#o.fieldSelector,
      },
    );
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const event of this.#o.rest.watch(path, {
        signal: stop.signal,
        idleTimeoutMs: (timeoutSeconds + 30) * 1000,
        // A watch the server accepted is a working connection again: healthy now, not only at the next event
        // (which in a quiet namespace may take minutes and would keep /readyz failing that long).
        onOpen: () => this.#failures.set(namespace, 0),
        ...(this.#protobuf ? { decodeProtobuf: this.#decodedPrepared(this.#protobuf) } : {}),
      })) {
        const command = advance({ type: 'watchEvent', event: this.#prepareEvent(event) });
        if (command) return { type: 'next', command };
      }
      return { type: 'ended', input: { type: 'watchEnded' } };
    } catch (error) {
      this.#protobufFailed(error);
      return { type: 'ended', input: { type: 'watchFailed', error } };
    } finally {
      signal.removeEventListener('abort', onAbort);
      stop.abort(); // closes the stream when the watcher moved on
    }
  }

  #applyEffects(namespace: string | undefined, effects: readonly WatcherEffect[]): void {
    const log = this.#o.logger;
    for (const effect of effects) {
      switch (effect.type) {
        case 'replace':
          this.#replace(namespace, effect.items);
          break;
        case 'apply':
          this.#apply(effect.event, effect.object);
          this.#failures.set(namespace, 0);
          break;
        case 'failed': {
          this.#failures.set(namespace, effect.failures);
          this.#lastError = describe(effect.error);
          log.warn(
            { gvk: gvkString(this.gvk), namespace, failures: effect.failures, retryInMs: effect.retryInMs },
            `list/watch failed, retrying: ${this.#lastError}`,
          );
          break;
        }
        case 'streamingRefused':
          this.#listing.add(namespace);
          log.info(
            { gvk: gvkString(this.gvk), namespace },
            `the API server does not stream initial state (${describe(effect.error)}); listing instead`,
          );
          break;
        case 'expired':
          this.#relists++;
          log.info(
            { gvk: gvkString(this.gvk), namespace },
            `watch expired (410), relisting: ${describe(effect.error)}`,
          );
          break;
      }
    }
  }

  /** `items` are prepared already (#listPage). */
  #replace(namespace: string | undefined, preparedItems: readonly KubeObject[]): void {
    const items = preparedItems as readonly T[];
    const covers = namespace === undefined ? () => true : (o: T) => o.metadata?.namespace === namespace;
    const delta = this.#store.replace(items, covers);
    this.#failures.set(namespace, 0);
    const first = !this.#syncedPartitions.has(namespace);
    this.#syncedPartitions.add(namespace);
    if (this.hasSynced()) this.#syncedResolve();
    for (const obj of delta.deleted) this.#dispatch('onDelete', (h) => h.onDelete?.(obj));
    for (const [oldObj, newObj] of delta.updated) this.#dispatch('onUpdate', (h) => h.onUpdate?.(oldObj, newObj));
    for (const obj of delta.added) this.#dispatch('onAdd', (h) => h.onAdd?.(obj, true));
    this.#o.logger.debug(
      {
        gvk: gvkString(this.gvk),
        namespace,
        first,
        added: delta.added.length,
        updated: delta.updated.length,
        deleted: delta.deleted.length,
      },
      'listed',
    );
  }

  /** `prepared` went through #prepareEvent. */
  #apply(event: 'ADDED' | 'MODIFIED' | 'DELETED', prepared: KubeObject): void {
    const obj = prepared as T;
    if (event === 'DELETED') {
      // The event carries the object's final state: that is what handlers get.
      this.#store.delete(obj);
      this.#dispatch('onDelete', (h) => h.onDelete?.(obj));
      return;
    }
    const old = this.#store.upsert(obj);
    if (old) this.#dispatch('onUpdate', (h) => h.onUpdate?.(old, obj));
    else this.#dispatch('onAdd', (h) => h.onAdd?.(obj, false));
  }

  // A protobuf answer the decoder cannot read (a server or proxy that mangles it, a field change it does not
  // expect) must not keep the informer from syncing: the failed list or watch is retried in JSON, and so is the rest.
  #protobufFailed(error: unknown): void {
    if (!this.#protobuf || !(error instanceof SyntaxError)) return;
    this.#protobuf = undefined;
    this.#o.logger.warn(
      { gvk: gvkString(this.gvk), err: error },
      'could not decode a protobuf answer; reading this kind as JSON from now on',
    );
  }

  /**
   * The protobuf decoder, its objects marked as prepared: it gives what the transform would, so #prepare only
   * freezes them (list items and watch events reach #prepare as plain objects, hence the mark).
   */
  #decodedPrepared(decode: ProtobufObjectDecoder): ProtobufObjectDecoder {
    return (message) => {
      const obj = decode(message);
      this.#fromProtobuf.add(obj);
      return obj;
    };
  }

  /**
   * An event's object transformed and frozen as it arrives, before the watcher sees it: a stream's initial events
   * wait in the watcher until the last one, and whole objects held that long would take several times the memory.
   */
  #prepareEvent(event: WatchEvent): WatchEvent {
    if (event.type === 'BOOKMARK' || event.type === 'ERROR') return event;
    return { type: event.type, object: this.#prepare(event.object) };
  }

  #prepare(raw: KubeObject): T {
    if (this.#fromProtobuf.delete(raw)) return deepFreeze(raw) as T;
    const withKind = raw.kind ? raw : { ...raw, apiVersion: apiVersionString(this.gvk), kind: this.gvk.kind };
    return deepFreeze(this.#o.transform(withKind)) as T;
  }

  #dispatch(hook: string, call: (h: InformerEventHandler<T>) => void): void {
    for (const handler of this.#handlers) this.#call(handler, hook, () => call(handler));
  }

  // A throwing handler must not stop the informer (or the other handlers): log it and go on.
  #call(_handler: InformerEventHandler<T>, hook: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#o.logger.error({ err, gvk: gvkString(this.gvk), hook }, 'informer event handler threw');
    }
  }
}

function apiVersionString(gvk: GroupVersionKind): string {
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

function describe(error: unknown): string {
  if (isGone(error)) return `${(error as ApiError).message}`;
  return error instanceof Error ? error.message : String(error);
}
