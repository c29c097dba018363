// The hash that tells a spec change that needs a rerun from one that does not.
import { createHash } from 'node:crypto';
import { SPEC_HASH_ANNOTATION, type SparkApplication } from './types.ts';

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
  return canonicalHash(spec);
}

/** SHA-256 of any JSON value in the canonical form specHash uses: `sha256:` and 32 hex digits. */
export function canonicalHash(value: unknown): string {
  const canonical = JSON.stringify(canonicalize(value) ?? {});
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

/**
 * Submission ids sparkop makes are UUIDv8 (RFC 9562's vendor-specific version) whose last group is the spec
 * fingerprint: the first 12 hex digits of specHash. The status write that records a submission therefore records
 * the spec it was made from too, at no extra request. Kubeflow's ids are UUIDv4 and never match.
 */
const SPARKOP_SUBMISSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-([0-9a-f]{12})$/;

/** The fingerprint of a spec hash that a submission id carries. */
export function specFingerprint(hash: string): string {
  return hash.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * Whether the spec was changed since the last submission: true or false, or undefined when no record exists (a
 * new application, or one submitted by another operator). The record is the annotation SPEC_HASH_ANNOTATION when
 * present (written for applications adopted from another operator, and by earlier sparkop builds before each
 * submission; it stays authoritative for those applications, so that an older id that happens to look like a
 * UUIDv8 is never read as a fingerprint), else the fingerprint in status.submissionID.
 */
export function specChangedSinceSubmission(app: SparkApplication): boolean | undefined {
  const hash = specHash(app);
  const annotated = app.metadata.annotations?.[SPEC_HASH_ANNOTATION];
  if (annotated !== undefined) return annotated !== hash;
  const fingerprint = SPARKOP_SUBMISSION_ID.exec(app.status?.submissionID ?? '')?.[1];
  return fingerprint === undefined ? undefined : fingerprint !== specFingerprint(hash);
}
