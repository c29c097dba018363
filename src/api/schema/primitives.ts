// Schema building blocks in the Kubernetes structural-schema dialect (what controller-gen emits for Go types).
// TypeBox's own Record/Enum encodings differ from that dialect, so these helpers write the exact JSON.
import { type TSchema, type TUnsafe, Type } from 'typebox';

interface Described {
  readonly description?: string;
}

/** A string restricted to the listed values, typed as their union. */
export function StringEnum<const V extends readonly string[]>(values: V, options: Described = {}): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ ...options, type: 'string', enum: [...values] });
}

/** A plain string typed as a union of known values, without an `enum` in the schema (kubeflow declares none). */
export function OpenString<V extends string>(options: Described = {}): TUnsafe<V> {
  return Type.Unsafe<V>({ ...options, type: 'string' });
}

export function Int32(options: Described & { minimum?: number; maximum?: number } = {}) {
  return Type.Integer({ ...options, format: 'int32' });
}

export function Int64(options: Described & { minimum?: number; maximum?: number } = {}) {
  return Type.Integer({ ...options, format: 'int64' });
}

/** map[string]string. */
export function StringMap(options: Described = {}): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({ ...options, type: 'object', additionalProperties: { type: 'string' } });
}

/** map[string]T. */
export function MapOf<T extends TSchema>(value: T, options: Described = {}): TUnsafe<Record<string, Type.Static<T>>> {
  return Type.Unsafe<Record<string, Type.Static<T>>>({ ...options, type: 'object', additionalProperties: value });
}

/** metav1.Time as a pointer: an RFC 3339 timestamp or null. */
export function Timestamp(options: Described = {}): TUnsafe<string | null> {
  return Type.Unsafe<string | null>({ ...options, type: 'string', format: 'date-time', nullable: true });
}

/** metav1.Time as a struct (not a pointer): an RFC 3339 timestamp, not nullable. */
export function DateTime(options: Described = {}): TUnsafe<string> {
  return Type.Unsafe<string>({ ...options, type: 'string', format: 'date-time' });
}

/** An object kept as written (no schema, unknown fields preserved), e.g. a pod template. */
export function FreeForm<T>(options: Described = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ ...options, type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
}

/**
 * A Kubernetes API type embedded by reference to its OpenAPI definition name (e.g. `io.k8s.api.core.v1.Affinity`).
 * The CRD generator inlines the definition from the snapshot in src/api/k8s/; the TypeScript type comes from
 * @kubernetes/client-node so builders can pass these values straight to the Kubernetes client.
 */
export function K8sRef<T>(definition: string, options: Described = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ ...options, $ref: definition });
}

export function ArrayOf<T extends TSchema>(items: T, options: Described = {}) {
  return Type.Array(items, options.description === undefined ? {} : { description: options.description });
}
