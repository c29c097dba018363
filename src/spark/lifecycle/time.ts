// Timestamps in status are RFC 3339 strings with second precision, as Kubernetes writes metav1.Time.

/** Milliseconds since the epoch → "2026-01-01T00:00:00Z" (sub-second part dropped, as metav1.Time does). */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** An RFC 3339 timestamp → milliseconds since the epoch; undefined for absent, null or unparsable values. */
export function parseTime(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}
