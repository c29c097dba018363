// Summarises V8 CPU profiles (`node --cpu-prof`): self time per function, largest first.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileLine {
  readonly functionName: string;
  /** File (shortened to the part after node_modules/ or the repository) and line. */
  readonly url: string;
  readonly selfMs: number;
  readonly percent: number;
}

function shorten(url: string, line: number): string {
  if (!url) return '(native)';
  const i = url.lastIndexOf('node_modules/');
  const j = url.indexOf('/src/');
  const short =
    i >= 0 ? url.slice(i + 'node_modules/'.length) : j >= 0 ? url.slice(j + 1) : url.replace(/^file:\/\//, '');
  return `${short}:${line + 1}`;
}

/** Top `count` functions by self time over every .cpuprofile in `dir`. */
export function summariseProfiles(dir: string, count: number): ProfileLine[] {
  const self = new Map<string, { functionName: string; url: string; us: number }>();
  let totalUs = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const node = byId.get(id);
      const us = profile.timeDeltas[i] ?? 0;
      if (!node) return;
      totalUs += us;
      const { functionName, url, lineNumber } = node.callFrame;
      const where = shorten(url, lineNumber);
      const key = `${functionName}@${where}`;
      const entry = self.get(key) ?? { functionName: functionName || '(anonymous)', url: where, us: 0 };
      entry.us += us;
      self.set(key, entry);
    });
  }
  return [...self.values()]
    .sort((a, b) => b.us - a.us || a.url.localeCompare(b.url))
    .slice(0, count)
    .map((e) => ({
      functionName: e.functionName,
      url: e.url,
      selfMs: e.us / 1000,
      percent: totalUs > 0 ? (100 * e.us) / totalUs : 0,
    }));
}
