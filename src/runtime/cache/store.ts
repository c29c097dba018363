// The informer's store: objects by "namespace/name", plus field indexes (value → keys). One writer (the informer),
// many readers. A relist builds a complete new snapshot (objects and indexes) beside the old one and swaps it in
// with one assignment, then reports what changed, so readers never see a half-applied relist.
import type { KubeObject } from '../object.ts';
import { keyOf, keyString } from '../object.ts';

export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => readonly string[];

/** What a replace changed: objects that are new, changed (by resourceVersion) and gone. In key order. */
export interface StoreDelta<T extends KubeObject> {
  readonly added: readonly T[];
  readonly updated: readonly (readonly [oldObj: T, newObj: T])[];
  readonly deleted: readonly T[];
}

interface Snapshot<T> {
  readonly objects: Map<string, T>;
  /** index name → value → keys */
  readonly indexes: Map<string, Map<string, Set<string>>>;
}

/** Index name of the built-in namespace index. */
export const NAMESPACE_INDEX = 'metadata.namespace';

export class Store<T extends KubeObject = KubeObject> {
  readonly #indexers = new Map<string, IndexFunc<T>>([[NAMESPACE_INDEX, (o) => [o.metadata?.namespace ?? '']]]);
  #snapshot: Snapshot<T> = { objects: new Map(), indexes: new Map([[NAMESPACE_INDEX, new Map()]]) };

  get size(): number {
    return this.#snapshot.objects.size;
  }

  get(key: string): T | undefined {
    return this.#snapshot.objects.get(key);
  }

  /** Every object, in key order. */
  list(): T[] {
    return sortByKey([...this.#snapshot.objects.entries()]);
  }

  /** Objects whose index `name` yields `value`, in key order. Throws for an unknown index. */
  byIndex(name: string, value: string): T[] {
    const index = this.#snapshot.indexes.get(name);
    if (!index) throw new Error(`no index named "${name}"`);
    const snapshot = this.#snapshot;
    const entries: [string, T][] = [];
    for (const key of index.get(value) ?? []) {
      const obj = snapshot.objects.get(key);
      if (obj) entries.push([key, obj]);
    }
    return sortByKey(entries);
  }

  hasIndex(name: string): boolean {
    return this.#indexers.has(name);
  }

  /** Registers an index and builds it over the present objects. Re-registering a name is an error. */
  addIndex(name: string, extract: IndexFunc<T>): void {
    if (this.#indexers.has(name)) throw new Error(`index "${name}" is already registered`);
    this.#indexers.set(name, extract);
    const index = new Map<string, Set<string>>();
    for (const [key, obj] of this.#snapshot.objects) addToIndex(index, extract(obj), key);
    this.#snapshot.indexes.set(name, index);
  }

  /** Adds or replaces one object; returns the one it replaced. */
  upsert(obj: T): T | undefined {
    const key = keyString(keyOf(obj));
    const old = this.#snapshot.objects.get(key);
    this.#snapshot.objects.set(key, obj);
    for (const [name, extract] of this.#indexers) {
      const index = this.#index(name);
      const values = extract(obj);
      if (old) {
        // Most updates (a pod's status) leave the index values alone: touching the bucket anyway would churn it,
        // and a Set grows with every delete-then-add (about 390 heap bytes for six keys instead of 230).
        const before = extract(old);
        if (sameValues(before, values)) continue;
        removeFromIndex(index, before, key);
      }
      addToIndex(index, values, key);
    }
    return old;
  }

  /** Removes the object with `obj`'s key; returns what was stored (the last state known). */
  delete(obj: KubeObject): T | undefined {
    const key = keyString(keyOf(obj));
    const old = this.#snapshot.objects.get(key);
    if (!old) return undefined;
    this.#unindex(old, key);
    this.#snapshot.objects.delete(key);
    return old;
  }

  /**
   * Replaces every object for which `covers` is true (default: all) with `items`, atomically; objects outside the
   * cover are kept (a relist of one namespace leaves the others alone). Unchanged objects keep their identity.
   */
  replace(items: readonly T[], covers: (obj: T) => boolean = () => true): StoreDelta<T> {
    const old = this.#snapshot.objects;
    const objects = new Map<string, T>();
    for (const [key, obj] of old) if (!covers(obj)) objects.set(key, obj);
    const added: [string, T][] = [];
    const updated: [string, readonly [T, T]][] = [];
    for (const item of items) {
      const key = keyString(keyOf(item));
      const before = old.get(key);
      if (!before || !covers(before)) {
        added.push([key, item]);
        objects.set(key, item);
      } else if (before.metadata?.resourceVersion === item.metadata?.resourceVersion) {
        objects.set(key, before);
      } else {
        updated.push([key, [before, item]]);
        objects.set(key, item);
      }
    }
    const deleted: [string, T][] = [];
    for (const [key, obj] of old) if (covers(obj) && !objects.has(key)) deleted.push([key, obj]);
    const indexes = new Map<string, Map<string, Set<string>>>();
    for (const [name, extract] of this.#indexers) {
      const index = new Map<string, Set<string>>();
      for (const [key, obj] of objects) addToIndex(index, extract(obj), key);
      indexes.set(name, index);
    }
    this.#snapshot = { objects, indexes };
    return { added: sortByKey(added), updated: sortByKey(updated), deleted: sortByKey(deleted) };
  }

  #index(name: string): Map<string, Set<string>> {
    let index = this.#snapshot.indexes.get(name);
    if (!index) {
      index = new Map();
      this.#snapshot.indexes.set(name, index);
    }
    return index;
  }

  #unindex(obj: T, key: string): void {
    for (const [name, extract] of this.#indexers) removeFromIndex(this.#index(name), extract(obj), key);
  }
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function removeFromIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const value of values) {
    const keys = index.get(value);
    keys?.delete(key);
    if (keys?.size === 0) index.delete(value);
  }
}

function addToIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const value of values) {
    let keys = index.get(value);
    if (!keys) {
      keys = new Set();
      index.set(value, keys);
    }
    keys.add(key);
  }
}

function sortByKey<V>(entries: [string, V][]): V[] {
  return entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}
