// In-process validation of SparkApplication / ScheduledSparkApplication / SparkConnect objects against the same structural schema
// the CRDs carry, plus the same cross-field rules, so the CLI can report errors before the API server does.
// Unknown fields are errors, as with the API server's strict field validation (kubectl's default).
import { Settings } from 'typebox/system';
import { Value } from 'typebox/value';
import { type CrdManifest, scheduledSparkApplicationCrd, sparkApplicationCrd, sparkConnectCrd } from './crd/crds.ts';
import type { JsonSchema } from './crd/refs.ts';
import { RULES_BY_CEL } from './schema/rules.ts';

export interface ValidationIssue {
  /** The offending field as the API server names it: `spec.driver.cores`, `spec.volumes[0].name`. */
  readonly path: string;
  readonly message: string;
}

interface Compiled {
  readonly structural: JsonSchema;
  readonly jsonSchema: JsonSchema;
}

/** The CRD dialect rewritten as plain JSON Schema: nullable as a null alternative, unknown fields rejected. */
function toJsonSchema(schema: JsonSchema): JsonSchema {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'format' || key === 'nullable' || key.startsWith('x-kubernetes-') || key === 'description') continue;
    if (key === 'properties') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([n, s]) => [n, toJsonSchema(s)]),
      );
    } else if (key === 'items' || key === 'additionalProperties') out[key] = toJsonSchema(value as JsonSchema);
    else if (key === 'anyOf') out[key] = (value as JsonSchema[]).map(toJsonSchema);
    else out[key] = value;
  }
  if (schema.type === 'object' && schema.properties && !schema['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return schema.nullable ? { anyOf: [out, { type: 'null' }] } : out;
}

type ValidatedKind = 'SparkApplication' | 'ScheduledSparkApplication' | 'SparkConnect';
const CRD_OF: Readonly<Record<ValidatedKind, () => CrdManifest>> = {
  SparkApplication: sparkApplicationCrd,
  ScheduledSparkApplication: scheduledSparkApplicationCrd,
  SparkConnect: sparkConnectCrd,
};

const cache = new Map<string, Compiled>();
function compiled(kind: ValidatedKind): Compiled {
  let entry = cache.get(kind);
  if (!entry) {
    const crd = CRD_OF[kind]();
    const structural = crd.spec.versions[0]?.schema.openAPIV3Schema;
    if (!structural) throw new Error(`${kind} CRD has no schema`);
    entry = { structural, jsonSchema: toJsonSchema(structural) };
    cache.set(kind, entry);
  }
  return entry;
}

/** `/spec/volumes/0/name` → `spec.volumes[0].name`. */
function fieldPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out;
}

const join = (parent: string, child: string) => (parent ? `${parent}.${child}` : child);

/** Enough to report every problem of a hand-written manifest; TypeBox's default (8) would hide some. */
const MAX_ERRORS = 256;

/** TypeBox's error limit is process-wide: raise it for this synchronous call only, so other users keep theirs. */
function allErrors(schema: JsonSchema, value: unknown) {
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: MAX_ERRORS });
  try {
    return Value.Errors(schema, value);
  } finally {
    Settings.Set({ maxErrors: previous });
  }
}

/** The schema node a TypeBox schemaPath (`#/properties/spec/...`) points at. */
function schemaAt(root: JsonSchema, pointer: string): JsonSchema | undefined {
  let node: unknown = root;
  for (const raw of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  }
  return node && typeof node === 'object' ? (node as JsonSchema) : undefined;
}

function schemaIssues(schema: JsonSchema, value: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const error of allErrors(schema, value)) {
    // Failures inside one alternative of an anyOf are summed up by the anyOf error itself.
    if (error.schemaPath.includes('/anyOf/') || error.keyword === 'boolean') continue;
    const path = fieldPath(error.instancePath);
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'additionalProperties') {
      // A map value of the wrong type is reported at the value itself; only `false` means "unknown field".
      if (schemaAt(schema, error.schemaPath)?.additionalProperties !== false) continue;
      for (const name of (params.additionalProperties as string[]) ?? []) {
        issues.push({ path: join(path, name), message: 'unknown field' });
      }
    } else if (error.keyword === 'required') {
      for (const name of (params.requiredProperties as string[]) ?? []) {
        issues.push({ path: join(path, name), message: 'Required value' });
      }
    } else if (error.keyword === 'anyOf') {
      issues.push({ path, message: 'must be an integer or a string' });
    } else {
      issues.push({ path, message: error.message });
    }
  }
  return issues;
}

/** Runs every x-kubernetes-validations rule met while walking `value` along the structural schema. */
function ruleIssues(schema: JsonSchema, value: unknown, path: string): ValidationIssue[] {
  if (value === null || typeof value !== 'object') return [];
  const issues: ValidationIssue[] = [];
  const rules = (schema['x-kubernetes-validations'] ?? []) as { rule: string; message: string; fieldPath?: string }[];
  for (const { rule, message, fieldPath: at } of rules) {
    const check = RULES_BY_CEL.get(rule);
    if (!check) throw new Error(`no TypeScript predicate for the CEL rule ${rule}`);
    if (!check.holds(value as Record<string, unknown>)) {
      const where = at ?? check.reportAt;
      issues.push({ path: where ? `${path}${where}`.replace(/^\./, '') : path, message });
    }
  }
  if (Array.isArray(value)) {
    const items = schema.items as JsonSchema | undefined;
    if (items) {
      for (const [i, v] of value.entries()) issues.push(...ruleIssues(items, v, `${path}[${i}]`));
    }
    return issues;
  }
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, child] of Object.entries(properties)) {
    const v = (value as Record<string, unknown>)[name];
    if (v !== undefined) issues.push(...ruleIssues(child, v, join(path, name)));
  }
  const additional = schema.additionalProperties as JsonSchema | undefined;
  if (additional && typeof additional === 'object') {
    for (const [name, v] of Object.entries(value)) issues.push(...ruleIssues(additional, v, join(path, name)));
  }
  return issues;
}

function validate(kind: ValidatedKind, value: unknown): ValidationIssue[] {
  const { structural, jsonSchema } = compiled(kind);
  const issues = schemaIssues(jsonSchema, value);
  // Like the API server, judge cross-field rules only on an object whose fields have the right types.
  return issues.length > 0 ? issues : ruleIssues(structural, value, '');
}

/** Problems the API server would report for this SparkApplication; empty when it is valid. Pure. */
export function validateSparkApplication(value: unknown): ValidationIssue[] {
  return validate('SparkApplication', value);
}

/** Problems the API server would report for this ScheduledSparkApplication; empty when it is valid. Pure. */
export function validateScheduledSparkApplication(value: unknown): ValidationIssue[] {
  return validate('ScheduledSparkApplication', value);
}

/** Problems the API server would report for this SparkConnect; empty when it is valid. Pure. */
export function validateSparkConnect(value: unknown): ValidationIssue[] {
  return validate('SparkConnect', value);
}

export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path || '(object)'}: ${i.message}`).join('\n');
}
