// The client: newClient composes the cache reader (cachereader.ts) and the live client (live.ts) behind the
// interfaces of interfaces.ts; reads of kinds the shared cache holds come from the cache, everything else and every
// write from the API server. kind() names a kind with its TypeScript type.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Cache } from '../cache/cache.ts';
import type { Clock } from '../clock.ts';
import { type KubeObject, type ObjectKey, gvk as parseGvk } from '../object.ts';
import type { KubeAccess } from '../rest/kubeconfig.ts';
import { RestMapper } from '../rest/mapper.ts';
import { RestClient } from '../rest/restclient.ts';
import { cachedGet, cachedList } from './cachereader.ts';
import type { Client, Kind, ListOptions, Reader } from './interfaces.ts';
import { LiveClient } from './live.ts';

export type {
  Client,
  DeleteAllOfOptions,
  DeleteOptions,
  Kind,
  ListOptions,
  Reader,
  StatusWriter,
  WriteOptions,
  Writer,
} from './interfaces.ts';

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
