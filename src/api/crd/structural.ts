// Turns a schema that refers to Kubernetes definitions into a structural CRD schema: every $ref inlined, and the
// definitions rewritten into the dialect controller-gen emits for Go types, so the result matches kubeflow's CRDs.
import type { Definitions, JsonSchema } from './refs.ts';
import { refName } from './refs.ts';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
/** The serialization format of resource.Quantity (a fact of the type, as controller-gen writes it). */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/**
 * Keywords of the API server's OpenAPI that a CRD schema does not carry: strategic-merge-patch hints and union
 * markers (a CRD cannot use them), the group-version-kind of top-level kinds, and the `enum`s that openapi-gen
 * derives from `+enum` types (controller-gen does not, so kubeflow's CRD accepts any string there).
 */
const DROPPED_KEYWORDS = new Set([
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-unions',
  'x-kubernetes-group-version-kind',
]);

/**
 * Go markers the API server's OpenAPI document leaves out but controller-gen (and so kubeflow's CRD) writes:
 * these structs carry `+structType=atomic` in k8s.io/api.
 */
const MISSING_MARKERS: Readonly<Record<string, JsonSchema>> = {
  'io.k8s.api.core.v1.ConfigMapEnvSource': { 'x-kubernetes-map-type': 'atomic' },
  'io.k8s.api.core.v1.ConfigMapProjection': { 'x-kubernetes-map-type': 'atomic' },
  'io.k8s.api.core.v1.ConfigMapVolumeSource': { 'x-kubernetes-map-type': 'atomic' },
  'io.k8s.api.core.v1.SecretEnvSource': { 'x-kubernetes-map-type': 'atomic' },
  'io.k8s.api.core.v1.SecretProjection': { 'x-kubernetes-map-type': 'atomic' },
};

/**
 * Defaults given in Go as `+default=ref(<constant>)`: openapi-gen resolves them, controller-gen cannot and leaves
 * them out. Left out here too, so the API server stores these fields as kubeflow's CRD does (unset).
 */
const UNRESOLVED_DEFAULTS: Readonly<Record<string, readonly string[]>> = {
  'io.k8s.api.core.v1.AzureDiskVolumeSource': ['cachingMode', 'kind'],
};

/** Kubernetes' pattern of a qualified name (`foo.example.com/CamelCase`), as its +kubebuilder markers write it. */
const QUALIFIED_NAME_PATTERN =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$';

/**
 * Validation markers (`+kubebuilder:validation:…`) of k8s.io types: controller-gen writes them, openapi-gen does not,
 * so the API server's document lacks them. Per definition: required fields added, keywords added per property.
 * Applied after conversion, so an `enum` here stays.
 */
const KUBEBUILDER_MARKERS: Readonly<
  Record<string, { readonly required?: readonly string[]; readonly properties: Readonly<Record<string, JsonSchema>> }>
> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition': {
    properties: {
      type: { maxLength: 316, pattern: QUALIFIED_NAME_PATTERN },
      status: { enum: ['True', 'False', 'Unknown'] },
      observedGeneration: { minimum: 0 },
      reason: { maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
      message: { maxLength: 32768 },
    },
  },
  'io.k8s.api.core.v1.PortStatus': {
    required: ['error'],
    properties: { error: { maxLength: 316, pattern: QUALIFIED_NAME_PATTERN } },
  },
};

function withMarkers(name: string, schema: JsonSchema): JsonSchema {
  const markers = KUBEBUILDER_MARKERS[name];
  if (!markers) return schema;
  const properties = { ...((schema.properties ?? {}) as Record<string, JsonSchema>) };
  for (const [field, keywords] of Object.entries(markers.properties)) {
    properties[field] = { ...properties[field], ...keywords };
  }
  const required = [...((schema.required ?? []) as string[])];
  for (const field of markers.required ?? []) if (!required.includes(field)) required.push(field);
  return { ...schema, properties, ...(required.length > 0 ? { required } : {}) };
}

/** The ObjectMeta fields controller-gen keeps for an ObjectMeta embedded below the top level. */
const EMBEDDED_OBJECT_META_FIELDS = ['annotations', 'finalizers', 'labels', 'name', 'namespace'];

function intOrString(extra: JsonSchema = {}): JsonSchema {
  return { ...extra, anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true };
}

/** A definition rewritten for a CRD, before its own children are converted. */
function definitionBody(name: string, definition: JsonSchema): JsonSchema {
  if (name === QUANTITY) return intOrString({ pattern: QUANTITY_PATTERN });
  if (definition.format === 'int-or-string') return intOrString();
  if (name === OBJECT_META) return embeddedObjectMeta(definition);
  const withoutDefaults = UNRESOLVED_DEFAULTS[name] ? dropDefaults(definition, UNRESOLVED_DEFAULTS[name]) : definition;
  return { ...withoutDefaults, ...MISSING_MARKERS[name] };
}

/** An ObjectMeta inside a template (an ephemeral volume's claim): the few fields a template may set. */
function embeddedObjectMeta(definition: JsonSchema): JsonSchema {
  const all = (definition.properties ?? {}) as Record<string, JsonSchema>;
  const properties: Record<string, JsonSchema> = {};
  for (const field of EMBEDDED_OBJECT_META_FIELDS) {
    const { 'x-kubernetes-list-type': _listType, ...schema } = all[field] ?? {};
    properties[field] = schema;
  }
  return { type: 'object', properties };
}

function dropDefaults(definition: JsonSchema, fields: readonly string[]): JsonSchema {
  const properties = { ...((definition.properties ?? {}) as Record<string, JsonSchema>) };
  for (const field of fields) {
    const { default: _d, ...rest } = properties[field] ?? {};
    properties[field] = rest;
  }
  return { ...definition, properties };
}

interface Context {
  readonly definitions: Definitions;
  readonly inK8sType: boolean;
  readonly stack: readonly string[];
  /** The schema is a required property, an array item or a map value: always present when its parent is. */
  readonly alwaysPresent: boolean;
}

/**
 * openapi-gen writes the Go zero value as `default` for fields that are always serialized (required fields, list
 * items, map values) and `{}` for every struct-valued field; controller-gen writes only `+default` markers.
 * Neither changes what a stored object holds, so those implied defaults are left out as controller-gen does.
 */
function impliedDefault(schema: JsonSchema, value: unknown, alwaysPresent: boolean): boolean {
  if (isEmptyObject(value)) return true;
  if (!alwaysPresent) return false;
  return (
    (schema.type === 'string' && value === '') ||
    (schema.type === 'integer' && value === 0) ||
    (schema.type === 'boolean' && value === false)
  );
}

function convert(schema: JsonSchema, ctx: Context): JsonSchema {
  const ref = refOf(schema);
  if (ref !== undefined) {
    if (ctx.stack.includes(ref)) throw new Error(`recursive definition ${[...ctx.stack, ref].join(' → ')}`);
    const definition = ctx.definitions[ref];
    if (!definition) throw new Error(`no definition ${ref} in the Kubernetes snapshot (src/api/k8s/definitions.json)`);
    const body = definitionBody(ref, definition);
    const inner = withMarkers(ref, convert(body, { ...ctx, inK8sType: true, stack: [...ctx.stack, ref] }));
    // Keywords beside the reference (a field's description or default) apply to the field.
    const { $ref: _r, allOf: _a, ...siblings } = schema;
    const beside = convert({ ...siblings, type: body.type }, { ...ctx, inK8sType: true });
    const { type: _t, ...rest } = beside;
    return { ...inner, ...rest };
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(key)) continue;
    if (ctx.inK8sType && key === 'enum') continue;
    // openapi-gen writes `default: {}` for every non-pointer struct; controller-gen writes only marked defaults.
    if (ctx.inK8sType && key === 'default' && impliedDefault(schema, value, ctx.alwaysPresent)) continue;
    if (key === 'properties' && value && typeof value === 'object') {
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      out[key] = Object.fromEntries(
        Object.entries(value).map(([n, s]) => [
          n,
          convert(s as JsonSchema, { ...ctx, alwaysPresent: required.includes(n) }),
        ]),
      );
    } else if ((key === 'items' || key === 'additionalProperties') && value && typeof value === 'object') {
      out[key] = convert(value as JsonSchema, { ...ctx, alwaysPresent: true });
    } else if ((key === 'anyOf' || key === 'allOf' || key === 'oneOf') && Array.isArray(value)) {
      out[key] = value.map((s) => convert(s as JsonSchema, { ...ctx, alwaysPresent: false }));
    } else out[key] = value;
  }
  return out;
}

function refOf(schema: JsonSchema): string | undefined {
  if (typeof schema.$ref === 'string') return refName(schema.$ref);
  const allOf = schema.allOf;
  if (Array.isArray(allOf) && allOf.length === 1) {
    const only = allOf[0] as JsonSchema;
    if (typeof only.$ref === 'string' && Object.keys(only).length === 1) return refName(only.$ref);
  }
  return undefined;
}

function isEmptyObject(value: unknown): boolean {
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** The structural form of `schema`, with every Kubernetes definition it refers to inlined. Pure; throws on gaps. */
export function toStructural(schema: JsonSchema, definitions: Definitions): JsonSchema {
  return convert(schema, { definitions, inK8sType: false, stack: [], alwaysPresent: true });
}

/** A copy with object keys sorted at every level, so that serialized output is deterministic. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((k) => [k, sortKeys(record[k])]),
    ) as T;
  }
  return value;
}
