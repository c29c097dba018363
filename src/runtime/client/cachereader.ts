// Reads served from the shared cache: no request, no copy. Objects are the store's own (deep-frozen, shared).
import type { SharedInformer } from '../cache/informer.ts';
import { labelMatcher } from '../cache/selector.ts';
import { notFound } from '../errors.ts';
import type { KubeObject, ObjectKey } from '../object.ts';
import type { ListOptions } from './interfaces.ts';

/** Waits for the informer's first sync, then answers from its store. */
export async function cachedGet<T extends KubeObject>(informer: SharedInformer<T>, key: ObjectKey): Promise<T> {
  await informer.whenSynced();
  const obj = informer.get(key);
  if (!obj) throw cacheMiss(informer.gvk.kind, key.name);
  return obj;
}

// A miss is an answer, not a fault (a reconciler asks for the UI Service it has not created yet, on every reconcile
// of every application): the error is built without a stack trace, which was most of its cost.
function cacheMiss(kind: string, name: string): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return notFound(kind, name);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export async function cachedList<T extends KubeObject>(
  informer: SharedInformer<T>,
  options: ListOptions = {},
): Promise<T[]> {
  await informer.whenSynced();
  const labels = options.labelSelector ? labelMatcher(options.labelSelector) : undefined;
  const fields = options.fieldSelector ? fieldMatcher(options.fieldSelector) : undefined;
  const objects = informer.list({
    namespace: options.namespace,
    index: options.index,
    match:
      labels || fields ? (obj) => (!labels || labels(obj.metadata?.labels)) && (!fields || fields(obj)) : undefined,
  });
  return options.limit === undefined ? objects : objects.slice(0, options.limit);
}

/** The cache answers field selectors on name and namespace only; other fields need an index (Cache.indexField). */
export function fieldMatcher(selector: string): (obj: KubeObject) => boolean {
  const tests = selector.split(',').map((part) => {
    const m = /^\s*(metadata\.name|metadata\.namespace)\s*(==|=|!=)\s*(\S*)\s*$/.exec(part);
    if (!m) {
      throw new TypeError(
        `field selector "${part.trim()}" cannot be served from the cache (only metadata.name and metadata.namespace); ` +
          'register an index with Cache.indexField and list with { index }, or use the apiReader',
      );
    }
    const [, field, op, value] = m;
    const read = (obj: KubeObject) => (field === 'metadata.name' ? obj.metadata?.name : obj.metadata?.namespace) ?? '';
    return op === '!=' ? (obj: KubeObject) => read(obj) !== value : (obj: KubeObject) => read(obj) === value;
  });
  return (obj) => tests.every((t) => t(obj));
}
