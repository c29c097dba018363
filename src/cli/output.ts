// kubectl-like output for sparkctl: aligned tables, human ages, and -o yaml|json. Pure: the caller passes `now`.
import { stringify } from 'yaml';
import type { SparkApplication } from '../api/index.ts';
import { UsageError } from './errors.ts';

export const OUTPUT_FORMATS = ['table', 'yaml', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function outputFormat(text: string | undefined): OutputFormat {
  if (text === undefined || text === '' || text === 'wide') return 'table';
  if (text === 'yaml' || text === 'json') return text;
  throw new UsageError(`-o ${text}: expected yaml or json (or nothing, for a table)`);
}

/** Columns separated by three spaces, each as wide as its widest cell; no trailing spaces. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** kubectl's human duration: 45s, 3m20s, 15m, 2h5m, 20h, 3d4h, 30d, 2y. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

/** The age of a timestamp, or <unknown> / <none> when it is absent or unreadable. */
export function age(timestamp: string | Date | undefined, nowMs: number): string {
  if (timestamp === undefined) return '<none>';
  const t = new Date(timestamp).getTime();
  return Number.isNaN(t) ? '<unknown>' : humanDuration(nowMs - t);
}

const timeOrNone = (t: string | Date | null | undefined) =>
  t === undefined || t === null ? '<none>' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const APPLICATION_COLUMNS = ['NAME', 'STATUS', 'ATTEMPTS', 'START', 'FINISH', 'AGE'] as const;

export function applicationRow(app: SparkApplication, nowMs: number, withNamespace: boolean): string[] {
  const status = app.status;
  const row = [
    app.metadata?.name ?? '',
    status?.applicationState?.state || '<none>',
    String(status?.submissionAttempts ?? 0),
    timeOrNone(status?.lastSubmissionAttemptTime),
    timeOrNone(status?.terminationTime),
    age(app.metadata?.creationTimestamp, nowMs),
  ];
  return withNamespace ? [app.metadata?.namespace ?? '', ...row] : row;
}

export function applicationTable(apps: readonly SparkApplication[], nowMs: number, withNamespace: boolean): string {
  const headers = withNamespace ? ['NAMESPACE', ...APPLICATION_COLUMNS] : [...APPLICATION_COLUMNS];
  return formatTable(
    headers,
    apps.map((a) => applicationRow(a, nowMs, withNamespace)),
  );
}

/** Objects as YAML or JSON: one object as itself, several as a kubectl List. Keys keep the server's order. */
export function formatObjects(objects: readonly object[], format: 'yaml' | 'json', asList: boolean): string {
  const value = asList
    ? { apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } }
    : objects[0];
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value);
}

/** "key:   value" lines, the keys padded to one width (kubectl describe's style). */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([k]) => k.length)) + 2;
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join('\n');
}
