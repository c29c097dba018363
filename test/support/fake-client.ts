// An in-memory Client for unit tests of reconcilers (controller-runtime's fake client, in spirit): objects by
// group/version/kind and namespace/name, a resourceVersion per write, the API server's errors (NotFound,
// AlreadyExists, Conflict on a stale resourceVersion or a failed JSON-patch test), label selectors of the
// `k=v,k2=v2` form and cache indexes registered by the test. Not for integration: no watches, no admission, no
// garbage collection — tests that need those run against the real control plane.
import { randomUUID } from 'node:crypto';
import type {
  Client,
  DeleteAllOfOptions,
  DeleteOptions,
  Kind,
  ListOptions,
  Reader,
  StatusWriter,
  WriteOptions,
} from '../../src/runtime/client/interfaces.ts';
import type { JsonPatchOperation, Patch } from '../../src/runtime/client/patch.ts';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../src/runtime/errors.ts';
import type { GroupVersionKind, KubeObject, ObjectKey } from '../../src/runtime/object.ts';
import type { RestMapper } from '../../src/runtime/rest/mapper.ts';

type Stored = KubeObject & Record<string, unknown>;

/** A write the fake saw: its verb, the kind and the object's namespace/name. */
export interface Write {
  readonly verb: 'create' | 'update' | 'patch' | 'delete' | 'status';
  readonly kind: string;
  readonly key: string;
}

const gvkOf = (obj: { apiVersion?: string; kind?: string }): string => `${obj.apiVersion ?? ''}/${obj.kind ?? ''}`;
const gvkOfKind = (k: GroupVersionKind): string => `${k.group ? `${k.group}/` : ''}${k.version}/${k.kind}`;
const keyOf = (namespace: string | undefined, name: string | undefined) => `${namespace ?? ''}/${name ?? ''}`;

/** The runtime's typed errors, as the API server's answers would produce them. */
const notFound = (message: string) =>
  new NotFoundError(message, { code: 404, reason: 'NotFound', status: undefined, request: undefined });
const alreadyExists = (message: string) =>
  new AlreadyExistsError(message, { code: 409, reason: 'AlreadyExists', status: undefined, request: undefined });
const conflict = (message: string) =>
  new ConflictError(message, { code: 409, reason: 'Conflict', status: undefined, request: undefined });

export class FakeClient implements Client {
  readonly #objects = new Map<string, Map<string, Stored>>();
  readonly #indexes = new Map<string, (obj: KubeObject) => readonly string[]>();
  #revision = 1;
  /** Every write, in order. */
  readonly writes: Write[] = [];
  /** Set to make the next writes of a verb fail (e.g. `failNext.set('create', err)`); consumed once. */
  readonly failNext = new Map<Write['verb'], Error>();
  /**
   * Test hooks: `get` may answer a read instead of the store (a lagging cache); `beforeCreate` runs before each
   * create and may hold it (an API server slow to answer).
   */
  readonly hooks: {
    get?: (kind: GroupVersionKind, key: ObjectKey) => KubeObject | undefined;
    beforeCreate?: (obj: KubeObject) => Promise<void>;
  } = {};
  readonly mapper: RestMapper;
  readonly apiReader: Reader = { get: (k, key) => this.get(k, key), list: (k, o) => this.list(k, o) };

  constructor(options: { mapper?: Partial<RestMapper> } = {}) {
    this.mapper = {
      mapping: async (k: GroupVersionKind) => ({
        group: k.group,
        version: k.version,
        kind: k.kind,
        resource: `${k.kind.toLowerCase()}s`,
        namespaced: true,
        subresources: ['status'],
      }),
      reset: () => undefined,
      ...options.mapper,
    } as RestMapper;
  }

  /** Registers a field index for `list(kind, { index })`, as Cache.indexField does. */
  indexField(name: string, extract: (obj: KubeObject) => readonly string[]): void {
    this.#indexes.set(name, extract);
  }

  /** Puts objects in place without recording writes (the state a test starts from). */
  seed(...objects: KubeObject[]): void {
    for (const obj of objects) this.#store(structuredClone(obj) as Stored, true);
  }

  /** The stored object, or undefined (a direct look for assertions). */
  peek<T extends KubeObject>(k: Kind<T>, key: ObjectKey): T | undefined {
    const found = this.#bucket(gvkOfKind(k)).get(keyOf(key.namespace, key.name));
    return found ? (structuredClone(found) as unknown as T) : undefined;
  }

  async get<T extends KubeObject>(k: Kind<T>, key: ObjectKey): Promise<T> {
    const hooked = this.hooks.get?.(k, key);
    if (hooked) return structuredClone(hooked) as T;
    const found = this.peek(k, key);
    if (!found) throw notFound(`${k.kind} "${key.name}" not found`);
    return found;
  }

  async list<T extends KubeObject>(k: Kind<T>, options: ListOptions = {}): Promise<T[]> {
    const selector = parseSelector(options.labelSelector);
    const index = options.index ? this.#indexes.get(options.index.name) : undefined;
    if (options.index && !index) throw new Error(`no index ${options.index.name} registered with the fake client`);
    return [...this.#bucket(gvkOfKind(k)).values()]
      .filter((o) => options.namespace === undefined || o.metadata?.namespace === options.namespace)
      .filter((o) => selector.every(([key, value]) => o.metadata?.labels?.[key] === value))
      .filter((o) => !index || !options.index || index(o).includes(options.index.value))
      .sort((a, b) =>
        keyOf(a.metadata?.namespace, a.metadata?.name).localeCompare(keyOf(b.metadata?.namespace, b.metadata?.name)),
      )
      .map((o) => structuredClone(o) as unknown as T);
  }

  async create<T extends KubeObject>(obj: T, _options?: WriteOptions): Promise<T> {
    await this.hooks.beforeCreate?.(obj);
    this.#maybeFail('create');
    const key = keyOf(obj.metadata?.namespace, obj.metadata?.name);
    if (this.#bucket(gvkOf(obj)).has(key)) {
      throw alreadyExists(`${obj.kind} "${obj.metadata?.name}" already exists`);
    }
    this.writes.push({ verb: 'create', kind: obj.kind ?? '', key });
    const stored = structuredClone(obj) as unknown as Stored;
    // As the API server's pod strategy does on create: a new pod is Pending until a kubelet says otherwise.
    if (obj.kind === 'Pod' && obj.apiVersion === 'v1') stored.status = { phase: 'Pending' };
    return this.#store(stored, true) as unknown as T;
  }

  async update<T extends KubeObject>(obj: T, _options?: WriteOptions): Promise<T> {
    this.#maybeFail('update');
    const current = this.#current(obj);
    this.#checkVersion(obj, current);
    this.writes.push({ verb: 'update', kind: obj.kind ?? '', key: keyOf(obj.metadata?.namespace, obj.metadata?.name) });
    const { status: _ignored, ...rest } = structuredClone(obj) as unknown as Stored;
    return this.#store({ ...rest, status: current.status } as Stored, false) as unknown as T;
  }

  patch<T extends KubeObject>(obj: T, patch: Patch, options?: WriteOptions): Promise<T>;
  patch<T extends KubeObject>(kind: Kind<T>, key: ObjectKey, patch: Patch, options?: WriteOptions): Promise<T>;
  async patch<T extends KubeObject>(a: T | Kind<T>, b: Patch | ObjectKey, c?: Patch | WriteOptions): Promise<T> {
    this.#maybeFail('patch');
    const target = 'metadata' in a || 'apiVersion' in a ? (a as T) : undefined;
    const [gvk, key, patch] = target
      ? [gvkOf(target), keyOf(target.metadata?.namespace, target.metadata?.name), b as Patch]
      : [gvkOfKind(a as Kind<T>), keyOf((b as ObjectKey).namespace, (b as ObjectKey).name), c as Patch];
    const current = this.#bucket(gvk).get(key);
    if (!current) {
      if (patch.type === 'apply') {
        this.writes.push({ verb: 'create', kind: gvk.split('/').at(-1) ?? '', key });
        return this.#store(structuredClone(patch.body) as unknown as Stored, true) as unknown as T;
      }
      throw notFound(`${gvk} "${key}" not found`);
    }
    this.writes.push({ verb: 'patch', kind: String(current.kind ?? ''), key });
    return this.#store(applyPatchTo(current, patch), false) as unknown as T;
  }

  async delete(obj: KubeObject, options: DeleteOptions = {}): Promise<void> {
    this.#maybeFail('delete');
    const current = this.#current(obj);
    const uid = options.preconditions?.uid;
    if (uid && current.metadata?.uid !== uid) {
      throw conflict(`precondition failed: uid ${uid} is not ${current.metadata?.uid}`);
    }
    const key = keyOf(obj.metadata?.namespace, obj.metadata?.name);
    this.writes.push({ verb: 'delete', kind: obj.kind ?? '', key });
    if ((current.metadata?.finalizers ?? []).length > 0) {
      this.#store({ ...current, metadata: { ...current.metadata, deletionTimestamp: new Date() } } as Stored, false);
      return;
    }
    this.#bucket(gvkOf(obj)).delete(key);
  }

  async deleteAllOf(k: GroupVersionKind, options: DeleteAllOfOptions): Promise<void> {
    for (const o of await this.list(k as Kind, options)) await this.delete(o, options);
  }

  status(): StatusWriter {
    const write = async <T extends KubeObject>(obj: T): Promise<T> => {
      this.#maybeFail('status');
      const current = this.#current(obj);
      this.#checkVersion(obj, current);
      this.writes.push({
        verb: 'status',
        kind: obj.kind ?? '',
        key: keyOf(obj.metadata?.namespace, obj.metadata?.name),
      });
      return this.#store(
        { ...current, status: structuredClone((obj as Stored).status) } as Stored,
        false,
      ) as unknown as T;
    };
    return {
      update: write,
      patch: (async () => {
        throw new Error('status().patch is not supported by the fake client');
      }) as StatusWriter['patch'],
    };
  }

  #maybeFail(verb: Write['verb']): void {
    const err = this.failNext.get(verb);
    if (!err) return;
    this.failNext.delete(verb);
    throw err;
  }

  #bucket(gvk: string): Map<string, Stored> {
    let bucket = this.#objects.get(gvk);
    if (!bucket) {
      bucket = new Map();
      this.#objects.set(gvk, bucket);
    }
    return bucket;
  }

  #current(obj: KubeObject): Stored {
    const found = this.#bucket(gvkOf(obj)).get(keyOf(obj.metadata?.namespace, obj.metadata?.name));
    if (!found) throw notFound(`${obj.kind} "${obj.metadata?.name}" not found`);
    return found;
  }

  #checkVersion(obj: KubeObject, current: Stored): void {
    const given = obj.metadata?.resourceVersion;
    if (given && given !== current.metadata?.resourceVersion) {
      throw conflict(`${obj.kind} "${obj.metadata?.name}": the object has been modified`);
    }
  }

  #store(obj: Stored, created: boolean): Stored {
    const metadata = { ...obj.metadata, resourceVersion: String(++this.#revision) };
    if (created) {
      metadata.uid ??= randomUUID();
      metadata.creationTimestamp ??= new Date();
      metadata.generation = 1;
    }
    const stored = { ...obj, metadata } as Stored;
    this.#bucket(gvkOf(stored)).set(keyOf(metadata.namespace, metadata.name), stored);
    return structuredClone(stored);
  }
}

function parseSelector(selector: string | undefined): [string, string][] {
  if (!selector) return [];
  return selector.split(',').map((term) => {
    const [key, value] = term.split('=');
    if (key === undefined || value === undefined || term.includes('!')) {
      throw new Error(`the fake client takes k=v selectors only, not "${term}"`);
    }
    return [key.trim(), value.trim()];
  });
}

function applyPatchTo(current: Stored, patch: Patch): Stored {
  if (patch.type === 'json') return applyJsonPatch(structuredClone(current), patch.operations);
  const body = patch.type === 'apply' ? patch.body : patch.body;
  return mergeInto(structuredClone(current), body as Record<string, unknown>) as Stored;
}

/** RFC 7386: objects merge, null deletes, anything else replaces. */
function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete target[key];
    else if (typeof value === 'object' && !Array.isArray(value) && value !== null && !(value instanceof Date)) {
      const existing = target[key];
      target[key] = mergeInto(
        typeof existing === 'object' && existing !== null && !Array.isArray(existing)
          ? (existing as Record<string, unknown>)
          : {},
        value as Record<string, unknown>,
      );
    } else target[key] = value;
  }
  return target;
}

function applyJsonPatch(target: Stored, operations: readonly JsonPatchOperation[]): Stored {
  for (const op of operations) {
    const path = op.path.split('/').slice(1);
    const last = path.pop() ?? '';
    let parent: Record<string, unknown> = target;
    for (const part of path) {
      parent[part] ??= {};
      parent = parent[part] as Record<string, unknown>;
    }
    if (op.op === 'test') {
      if (JSON.stringify(parent[last]) !== JSON.stringify(op.value)) {
        throw conflict(`json patch test failed at ${op.path}`);
      }
    } else if (op.op === 'remove') delete parent[last];
    else if (op.op === 'add' || op.op === 'replace') parent[last] = structuredClone(op.value);
    else throw new Error(`json patch op ${op.op} is not supported by the fake client`);
  }
  return target;
}
