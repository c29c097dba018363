// Kubernetes objects as the runtime sees them: any kind, identified by group/version/kind and namespace/name.
import type { V1ObjectMeta } from '@kubernetes/client-node';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
}

export interface GroupVersionKind {
  readonly group: string; // "" for the core group
  readonly version: string;
  readonly kind: string;
}

export interface ObjectKey {
  readonly namespace?: string; // undefined for cluster-scoped objects
  readonly name: string;
}

export function gvk(apiVersion: string, kind: string): GroupVersionKind {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion, kind }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

export function apiVersionOf(kind: GroupVersionKind): string {
  return kind.group ? `${kind.group}/${kind.version}` : kind.version;
}

export function gvkString(kind: GroupVersionKind): string {
  return `${apiVersionOf(kind)}, Kind=${kind.kind}`;
}

export function keyOf(obj: KubeObject): ObjectKey {
  const name = obj.metadata?.name;
  if (!name) throw new Error('object has no metadata.name');
  return obj.metadata?.namespace ? { namespace: obj.metadata.namespace, name } : { name };
}

/** "namespace/name", or "name" for cluster-scoped objects: the work queue's and the store's key. */
export function keyString(key: ObjectKey): string {
  return key.namespace ? `${key.namespace}/${key.name}` : key.name;
}

export function parseKey(text: string): ObjectKey {
  const slash = text.indexOf('/');
  return slash < 0 ? { name: text } : { namespace: text.slice(0, slash), name: text.slice(slash + 1) };
}
