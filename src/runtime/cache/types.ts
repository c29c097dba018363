// The contract between the cache (informers) and what consumes it (controllers' sources, the client's reads).
import type { GroupVersionKind, KubeObject, ObjectKey } from '../object.ts';

/**
 * Callbacks of one informer. Objects passed in are the store's own: frozen and shared, never to be mutated.
 * A missing hook means the event is not wanted.
 */
export interface InformerEventHandler<T extends KubeObject = KubeObject> {
  /** `initialList` is true for objects delivered by the first list (and by relists), false for watch events. */
  onAdd?(obj: T, initialList: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** After a relist, objects that vanished while the watch was down are delivered here too. */
  onDelete?(obj: T): void;
}

export interface Registration {
  remove(): void;
}

export interface ListFilter {
  readonly namespace?: string;
  /** Equality-based selector, e.g. { 'app': 'x' } (all must match). */
  readonly labels?: Readonly<Record<string, string>>;
  /** List by a field index registered with Cache.indexField. */
  readonly index?: { readonly name: string; readonly value: string };
}

export interface Informer<T extends KubeObject = KubeObject> {
  readonly gvk: GroupVersionKind;
  addEventHandler(handler: InformerEventHandler<T>): Registration;
  hasSynced(): boolean;
  get(key: ObjectKey): T | undefined;
  list(filter?: ListFilter): readonly T[];
}
