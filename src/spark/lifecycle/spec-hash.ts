// The hash that tells a spec change that needs a rerun from one that does not.
import { createHash } from 'node:crypto';
import type { SparkApplication } from './types.ts';

/** Spec fields whose change never invalidates a run: they are acted on by the state machine directly. */
export const SPEC_FIELDS_OUTSIDE_HASH: readonly string[] = ['suspend', 'timeToLiveSeconds'];

/**
 * SHA-256 of the spec in canonical form, without SPEC_FIELDS_OUTSIDE_HASH. Canonical: object keys sorted;
 * undefined, null, empty objects and empty arrays left out (as Kubernetes' semantic equality treats nil and empty
 * alike), so a round trip through the API server does not change the hash. Array order counts.
 */
export function specHash(app: SparkApplication): string {
  const spec: Record<string, unknown> = { ...app.spec };
  for (const field of SPEC_FIELDS_OUTSIDE_HASH) delete spec[field];
  const canonical = JSON.stringify(canonicalize(spec) ?? {});
  return `sha256:${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}

function canonicalize(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    // Inside an array an element keeps its position, so an absent element becomes null rather than vanishing.
    return value.length === 0 ? undefined : value.map((v) => canonicalize(v) ?? null);
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonicalize((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
