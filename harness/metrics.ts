// Reading an operator's /metrics (Prometheus text format): samples, and sums over label filters.
import { request } from 'node:http';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1] ?? ''] = (l[2] ?? '').replace(/\\(.)/g, '$1');
    out.push({ name: m[1] ?? '', labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of the samples named `name` whose labels include `where`. */
export function sum(samples: readonly Sample[], name: string, where: Record<string, string> = {}): number {
  let total = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

/** Mean of histogram `name` (its _sum over its _count) over the series whose labels include `where`. */
export function histogramMean(samples: readonly Sample[], name: string, where: Record<string, string> = {}): number {
  return sum(samples, `${name}_sum`, where) / sum(samples, `${name}_count`, where);
}

/** Sums of `name` grouped by one label, keys sorted. */
export function byLabel(samples: readonly Sample[], name: string, label: string): Record<string, number> {
  const groups = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = s.labels[label] ?? '';
    groups.set(key, (groups.get(key) ?? 0) + s.value);
  }
  return Object.fromEntries([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

/** GET http://<address>/metrics, parsed. */
export function scrape(address: string, timeoutMs = 10_000): Promise<Sample[]> {
  return new Promise((resolve, reject) => {
    const req = request(`http://${address}/metrics`, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () =>
        res.statusCode === 200 ? resolve(parseMetrics(body)) : reject(new Error(`/metrics: ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`/metrics at ${address}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}
