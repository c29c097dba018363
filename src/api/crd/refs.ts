// Walking JSON schemas: the definitions a schema refers to, directly or through other definitions.

export type JsonSchema = { readonly [keyword: string]: unknown };
export type Definitions = Readonly<Record<string, JsonSchema>>;

/** A TypeBox schema seen as the plain JSON schema it is (TypeBox 1.x schemas are plain objects). */
export function jsonSchemaOf(schema: object): JsonSchema {
  return schema as JsonSchema;
}

/** Children of a schema node that are schemas themselves (not property-name maps or values). */
export function childSchemas(schema: JsonSchema): JsonSchema[] {
  const out: JsonSchema[] = [];
  const add = (value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) out.push(value as JsonSchema);
  };
  for (const key of ['items', 'additionalProperties', 'not']) add(schema[key]);
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[key];
    if (Array.isArray(list)) for (const item of list) add(item);
  }
  const properties = schema.properties;
  if (properties && typeof properties === 'object') for (const value of Object.values(properties)) add(value);
  return out;
}

/** The definition name a `$ref` points at: the last path segment of `#/components/schemas/<name>` or `<name>`. */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** Names of every definition reachable from `roots`, sorted. Throws on a reference the definitions lack. */
export function reachableDefinitions(roots: readonly JsonSchema[], definitions: Definitions): string[] {
  const seen = new Set<string>();
  const visit = (schema: JsonSchema) => {
    if (typeof schema.$ref === 'string') {
      const name = refName(schema.$ref);
      if (!seen.has(name)) {
        const target = definitions[name];
        if (!target) throw new Error(`schema refers to ${name}, which the OpenAPI document does not define`);
        seen.add(name);
        visit(target);
      }
    }
    for (const child of childSchemas(schema)) visit(child);
  };
  for (const root of roots) visit(root);
  return [...seen].sort();
}
