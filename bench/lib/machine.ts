// The machine and the code a figure was measured on, and where results are kept (outside the work tree).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, homedir, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MachineInfo {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  /** 1, 5 and 15 minute load averages. */
  readonly load: readonly [number, number, number];
  readonly node: string;
  readonly commit: string;
  /** Whether the working tree had uncommitted changes under src/ when measured. */
  readonly dirtySrc: boolean;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    }).trim();
  } catch {
    return '';
  }
}

export function machineInfo(): MachineInfo {
  const [a = 0, b = 0, c = 0] = loadavg();
  const round = (x: number) => Number(x.toFixed(2));
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30),
    load: [round(a), round(b), round(c)],
    node: process.version,
    commit: git(['rev-parse', 'HEAD']) || 'unknown',
    dirtySrc: git(['status', '--porcelain', '--', 'src']) !== '',
  };
}

/**
 * Writes `result` to <dir>/<name>-<date>.json, outside the work tree: $SPARKOP_BENCH_RESULTS, else
 * ~/.cache/sparkop/bench-results (a run must not leave files in the repository); returns the path.
 */
export function saveResult(name: string, result: object): string {
  const dir =
    process.env.SPARKOP_BENCH_RESULTS ??
    join(
      process.env.SPARKOP_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sparkop'),
      'bench-results',
    );
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  // In the repository's format (short arrays on one line), so that `npm run check` passes with the result committed.
  const biome = fileURLToPath(new URL('../../node_modules/.bin/biome', import.meta.url));
  try {
    execFileSync(biome, ['format', '--write', file], { stdio: 'ignore' });
  } catch {
    // left as JSON.stringify wrote it: still valid JSON
  }
  return file;
}

/** A fixed-width table: one header row, right-aligned cells. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** p-th percentile (0–100) of sorted values, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
