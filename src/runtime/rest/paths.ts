// URL paths of the API: /api/v1/... for the core group, /apis/<group>/<version>/... otherwise.
import type { GroupVersionKind } from '../object.ts';

export interface ResourceRef {
  readonly group: string;
  readonly version: string;
  /** Plural resource name, e.g. "pods". */
  readonly resource: string;
  readonly namespaced: boolean;
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export function groupVersionPath(gv: Pick<GroupVersionKind, 'group' | 'version'>): string {
  return gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
}

/**
 * The path of a collection (no name) or an object, optionally a subresource of it. Namespaced resources without a
 * namespace address all namespaces.
 */
export function resourcePath(
  ref: ResourceRef,
  target: { namespace?: string; name?: string; subresource?: string } = {},
  query: Query = {},
): string {
  let path = groupVersionPath(ref);
  if (ref.namespaced && target.namespace) path += `/namespaces/${encodeURIComponent(target.namespace)}`;
  path += `/${ref.resource}`;
  if (target.name !== undefined) {
    if (!target.name) throw new Error(`empty name for ${ref.resource}`);
    path += `/${encodeURIComponent(target.name)}`;
    if (target.subresource) path += `/${target.subresource}`;
  }
  return path + queryString(query);
}

/** "?a=1&b=x" with keys in sorted order (deterministic), undefined values left out; "" when empty. */
export function queryString(query: Query): string {
  const parts = Object.keys(query)
    .filter((k) => query[k] !== undefined)
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(String(query[k]))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
