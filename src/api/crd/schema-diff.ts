// Compares two structural schemas keyword by keyword, descriptions aside: how our CRDs are checked against kubeflow's.
import type { JsonSchema } from './refs.ts';

export interface SchemaDifference {
  /** JSONPath-like location: `.spec.driver.cores`, `[]` for array items, `{}` for map values. */
  readonly path: string;
  /** `field` for a property present on one side only, else the keyword that differs. */
  readonly keyword: string;
  readonly ours: unknown;
  readonly theirs: unknown;
}

const IGNORED = new Set(['description']);
const NESTED = new Set(['properties', 'items', 'additionalProperties', 'anyOf', 'allOf', 'oneOf']);
/** Keywords whose value is a set: order carries no meaning. */
const UNORDERED = new Set(['required', 'enum', 'x-kubernetes-list-map-keys']);

function canonical(keyword: string, value: unknown): string {
  if (UNORDERED.has(keyword) && Array.isArray(value)) return JSON.stringify([...value].map(String).sort());
  return JSON.stringify(value);
}

function asSchema(value: unknown): JsonSchema | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as JsonSchema) : undefined;
}

export function schemaDifferences(ours: JsonSchema, theirs: JsonSchema, path = ''): SchemaDifference[] {
  const out: SchemaDifference[] = [];
  const keywords = new Set([...Object.keys(ours), ...Object.keys(theirs)]);
  for (const keyword of [...keywords].sort()) {
    if (IGNORED.has(keyword) || NESTED.has(keyword)) continue;
    if (canonical(keyword, ours[keyword]) !== canonical(keyword, theirs[keyword])) {
      out.push({ path: path || '.', keyword, ours: ours[keyword], theirs: theirs[keyword] });
    }
  }
  const ourProps = asSchema(ours.properties) ?? {};
  const theirProps = asSchema(theirs.properties) ?? {};
  for (const name of [...new Set([...Object.keys(ourProps), ...Object.keys(theirProps)])].sort()) {
    const a = asSchema(ourProps[name]);
    const b = asSchema(theirProps[name]);
    if (a && b) out.push(...schemaDifferences(a, b, `${path}.${name}`));
    else
      out.push({
        path: `${path}.${name}`,
        keyword: 'field',
        ours: a ? 'present' : 'absent',
        theirs: b ? 'present' : 'absent',
      });
  }
  for (const [keyword, suffix] of [
    ['items', '[]'],
    ['additionalProperties', '{}'],
  ] as const) {
    const a = asSchema(ours[keyword]);
    const b = asSchema(theirs[keyword]);
    if (a && b) out.push(...schemaDifferences(a, b, `${path}${suffix}`));
    else if (a || b) out.push({ path: path || '.', keyword, ours: ours[keyword], theirs: theirs[keyword] });
  }
  for (const keyword of ['anyOf', 'allOf', 'oneOf']) {
    const a = ours[keyword];
    const b = theirs[keyword];
    if (canonical(keyword, a) !== canonical(keyword, b)) out.push({ path: path || '.', keyword, ours: a, theirs: b });
  }
  return out;
}
