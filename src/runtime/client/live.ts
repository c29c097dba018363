// The client's direct path to the API server: every read and write is one request (lists: one per page).
import { type GroupVersionKind, gvkString, type KubeObject, type ObjectKey, gvk as parseGvk } from '../object.ts';
import type { RestMapper, RestMapping } from '../rest/mapper.ts';
import { type Query, resourcePath } from '../rest/paths.ts';
import type { RestClient } from '../rest/restclient.ts';
import type {
  DeleteAllOfOptions,
  DeleteOptions,
  Kind,
  ListOptions,
  Reader,
  StatusWriter,
  WriteOptions,
  Writer,
} from './interfaces.ts';
import { type Patch, patchBody, patchContentType } from './patch.ts';

const PAGE_SIZE = 500;

/** The kind of an object to write; typed client-node models leave apiVersion/kind unset, so say so clearly. */
export function kindOfObject(obj: KubeObject): GroupVersionKind {
  if (!obj.apiVersion || !obj.kind) {
    throw new TypeError(
      `object ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? '?'} has no apiVersion/kind: set both before writing it`,
    );
  }
  return parseGvk(obj.apiVersion, obj.kind);
}

function objectKey(obj: KubeObject): ObjectKey {
  const name = obj.metadata?.name;
  if (!name) throw new TypeError(`${obj.kind ?? 'object'} has no metadata.name`);
  return obj.metadata?.namespace ? { namespace: obj.metadata.namespace, name } : { name };
}

function requireNamespace(mapping: RestMapping, namespace: string | undefined, what: string): void {
  if (mapping.namespaced && !namespace) {
    throw new TypeError(`${what}: ${mapping.kind} is namespaced, but no namespace was given`);
  }
}

function writeQuery(options: WriteOptions | undefined, defaultManager: string): Query {
  return { fieldManager: options?.fieldManager ?? defaultManager, dryRun: options?.dryRun ? 'All' : undefined };
}

function deleteBody(options: DeleteOptions | undefined): object {
  return {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    propagationPolicy: options?.propagationPolicy,
    preconditions: options?.preconditions,
    gracePeriodSeconds: options?.gracePeriodSeconds,
    dryRun: options?.dryRun ? ['All'] : undefined,
  };
}

interface ListBody<T> {
  items?: T[];
  metadata?: { continue?: string; resourceVersion?: string };
}

export class LiveClient implements Reader, Writer {
  readonly #rest: RestClient;
  readonly #mapper: RestMapper;

  constructor(rest: RestClient, mapper: RestMapper) {
    this.#rest = rest;
    this.#mapper = mapper;
  }

  async get<T extends KubeObject>(kind: Kind<T>, key: ObjectKey): Promise<T> {
    const mapping = await this.#mapper.mapping(kind);
    requireNamespace(mapping, key.namespace, `get ${key.name}`);
    const obj = await this.#rest.request<T>({ method: 'GET', path: resourcePath(mapping, key) });
    return withKind(obj, kind);
  }

  async list<T extends KubeObject>(kind: Kind<T>, options: ListOptions = {}): Promise<T[]> {
    if (options.index) throw new TypeError(`list ${gvkString(kind)}: an index can only be listed from the cache`);
    const mapping = await this.#mapper.mapping(kind);
    const items: T[] = [];
    let continueToken: string | undefined;
    do {
      const limit = options.limit === undefined ? PAGE_SIZE : Math.min(PAGE_SIZE, options.limit - items.length);
      const page = await this.#rest.request<ListBody<T>>({
        method: 'GET',
        path: resourcePath(
          mapping,
          { namespace: options.namespace },
          {
            limit,
            continue: continueToken,
            labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector,
          },
        ),
      });
      for (const item of page.items ?? []) items.push(withKind(item, kind));
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken && (options.limit === undefined || items.length < options.limit));
    return items;
  }

  async create<T extends KubeObject>(obj: T, options?: WriteOptions): Promise<T> {
    const kind = kindOfObject(obj);
    const mapping = await this.#mapper.mapping(kind);
    const namespace = obj.metadata?.namespace;
    requireNamespace(mapping, namespace, `create ${obj.metadata?.name ?? obj.metadata?.generateName ?? ''}`);
    const created = await this.#rest.request<T>({
      method: 'POST',
      path: resourcePath(mapping, { namespace }, writeQuery(options, this.#rest.userAgent)),
      body: obj,
    });
    return withKind(created, kind);
  }

  update<T extends KubeObject>(obj: T, options?: WriteOptions): Promise<T> {
    return this.#put(obj, undefined, options);
  }

  patch<T extends KubeObject>(obj: T, patch: Patch, options?: WriteOptions): Promise<T>;
  patch<T extends KubeObject>(kind: Kind<T>, key: ObjectKey, patch: Patch, options?: WriteOptions): Promise<T>;
  patch<T extends KubeObject>(
    target: T | Kind<T>,
    keyOrPatch: ObjectKey | Patch,
    patchOrOptions?: Patch | WriteOptions,
    maybeOptions?: WriteOptions,
  ): Promise<T> {
    return this.patchSubresource(undefined, target, keyOrPatch, patchOrOptions, maybeOptions);
  }

  async delete(obj: KubeObject, options?: DeleteOptions): Promise<void> {
    const mapping = await this.#mapper.mapping(kindOfObject(obj));
    const key = objectKey(obj);
    requireNamespace(mapping, key.namespace, `delete ${key.name}`);
    await this.#rest.request({ method: 'DELETE', path: resourcePath(mapping, key), body: deleteBody(options) });
  }

  async deleteAllOf(kind: GroupVersionKind, options: DeleteAllOfOptions): Promise<void> {
    const mapping = await this.#mapper.mapping(kind);
    requireNamespace(mapping, options.namespace, 'deleteAllOf');
    await this.#rest.request({
      method: 'DELETE',
      path: resourcePath(
        mapping,
        { namespace: options.namespace },
        { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
      ),
      body: deleteBody(options),
    });
  }

  /** The same writes, aimed at the status subresource. */
  status(): StatusWriter {
    return {
      update: (obj, options) => this.#put(obj, 'status', options),
      patch: (<T extends KubeObject>(
        target: T | Kind<T>,
        keyOrPatch: ObjectKey | Patch,
        patchOrOptions?: Patch | WriteOptions,
        maybeOptions?: WriteOptions,
      ) => this.patchSubresource('status', target, keyOrPatch, patchOrOptions, maybeOptions)) as StatusWriter['patch'],
    };
  }

  async patchSubresource<T extends KubeObject>(
    subresource: string | undefined,
    target: T | Kind<T>,
    keyOrPatch: ObjectKey | Patch,
    patchOrOptions?: Patch | WriteOptions,
    maybeOptions?: WriteOptions,
  ): Promise<T> {
    let kind: GroupVersionKind;
    let key: ObjectKey;
    let patch: Patch;
    let options: WriteOptions | undefined;
    if (isKind(target)) {
      kind = target;
      key = keyOrPatch as ObjectKey;
      patch = patchOrOptions as Patch;
      options = maybeOptions;
    } else {
      kind = kindOfObject(target);
      key = objectKey(target);
      patch = keyOrPatch as Patch;
      options = patchOrOptions as WriteOptions | undefined;
    }
    const mapping = await this.#mapper.mapping(kind);
    requireNamespace(mapping, key.namespace, `patch ${key.name}`);
    const query: Query =
      patch.type === 'apply'
        ? {
            fieldManager: patch.fieldManager,
            force: patch.force ? true : undefined,
            dryRun: options?.dryRun ? 'All' : undefined,
          }
        : writeQuery(options, this.#rest.userAgent);
    const patched = await this.#rest.request<T>({
      method: 'PATCH',
      path: resourcePath(mapping, { ...key, subresource }, query),
      body: patchBody(patch),
      contentType: patchContentType(patch),
    });
    return withKind(patched, kind);
  }

  async #put<T extends KubeObject>(obj: T, subresource: string | undefined, options?: WriteOptions): Promise<T> {
    const kind = kindOfObject(obj);
    const mapping = await this.#mapper.mapping(kind);
    const key = objectKey(obj);
    requireNamespace(mapping, key.namespace, `update ${key.name}`);
    const updated = await this.#rest.request<T>({
      method: 'PUT',
      path: resourcePath(mapping, { ...key, subresource }, writeQuery(options, this.#rest.userAgent)),
      body: obj,
    });
    return withKind(updated, kind);
  }
}

/** A GroupVersionKind (as opposed to an object): it has group/version/kind strings and no metadata. */
export function isKind(value: unknown): value is GroupVersionKind {
  if (typeof value !== 'object' || value === null || 'metadata' in value || 'apiVersion' in value) return false;
  const v = value as Record<string, unknown>;
  return typeof v.group === 'string' && typeof v.version === 'string' && typeof v.kind === 'string';
}

// List items come without apiVersion/kind; fill them in so objects can be written back as they are.
function withKind<T extends KubeObject>(obj: T, kind: GroupVersionKind): T {
  if (obj.apiVersion && obj.kind) return obj;
  return { ...obj, apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version, kind: kind.kind };
}
