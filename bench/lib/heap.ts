// Where a process's memory goes: /proc's split of RSS (anonymous vs file-backed) and a V8 heap snapshot summed by
// node type and constructor. The operator child is started with --heapsnapshot-signal so the harness can ask it for
// a snapshot without changing the operator.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcMemory {
  readonly rssAnonMiB: number;
  readonly rssFileMiB: number;
}

export function procMemory(pid: number): ProcMemory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const mib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rssAnonMiB: round(mib('RssAnon')), rssFileMiB: round(mib('RssFile') + mib('RssShmem')) };
}

/** Sends `signal` to `pid` and waits for the new *.heapsnapshot in `dir` to be complete (its size still for 2 s). */
export async function takeHeapSnapshot(pid: number, dir: string, signal: NodeJS.Signals = 'SIGUSR2'): Promise<string> {
  const before = new Set(snapshots(dir));
  process.kill(pid, signal);
  const deadline = Date.now() + 300_000;
  let file: string | undefined;
  let lastSize = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(500);
    file ??= snapshots(dir).find((f) => !before.has(f));
    if (!file) continue;
    const size = statSync(join(dir, file)).size;
    if (size !== lastSize) {
      lastSize = size;
      stableSince = Date.now();
    } else if (size > 0 && Date.now() - stableSince >= 2000) {
      return join(dir, file);
    }
  }
  throw new Error(`no complete heap snapshot in ${dir} after 300 s`);
}

function snapshots(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot'));
}

export interface HeapSummary {
  readonly totalMiB: number;
  readonly nodes: number;
  /** By node type (object, string, code, array, hidden, …), largest first. */
  readonly byType: readonly { readonly type: string; readonly MiB: number; readonly count: number }[];
  /** By "type:constructor" for objects and by type otherwise, the `top` largest. */
  readonly top: readonly { readonly what: string; readonly MiB: number; readonly count: number }[];
}

interface SnapshotFile {
  readonly snapshot: {
    readonly meta: { readonly node_fields: string[]; readonly node_types: [string[], ...unknown[]] };
  };
  readonly nodes: number[];
  readonly strings: string[];
}

/** Self sizes of a .heapsnapshot summed by node type and by constructor name. */
export function summarizeHeapSnapshot(path: string, top = 25): HeapSummary {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as SnapshotFile;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const byType = new Map<string, { size: number; count: number }>();
  const byName = new Map<string, { size: number; count: number }>();
  let total = 0;
  const add = (m: Map<string, { size: number; count: number }>, k: string, size: number) => {
    const e = m.get(k) ?? { size: 0, count: 0 };
    e.size += size;
    e.count++;
    m.set(k, e);
  };
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt] ?? 0] ?? '?';
    const size = snap.nodes[i + sizeAt] ?? 0;
    total += size;
    add(byType, type, size);
    const name =
      type === 'object' || type === 'closure' ? `${type}:${snap.strings[snap.nodes[i + nameAt] ?? 0]}` : type;
    add(byName, name, size);
  }
  const sorted = (m: Map<string, { size: number; count: number }>) =>
    [...m].sort((a, b) => b[1].size - a[1].size).map(([k, v]) => ({ k, MiB: round(v.size / 2 ** 20), count: v.count }));
  return {
    totalMiB: round(total / 2 ** 20),
    nodes: snap.nodes.length / width,
    byType: sorted(byType).map(({ k, MiB, count }) => ({ type: k, MiB, count })),
    top: sorted(byName)
      .slice(0, top)
      .map(({ k, MiB, count }) => ({ what: k, MiB, count })),
  };
}

function round(x: number): number {
  return Number(x.toFixed(1));
}
